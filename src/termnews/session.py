"""One open profile: its paths, config and store, and the sources in force.

Shared by the CLI and the app so both see the same sources the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from termnews.config import Config, load_config, seeds_source, source_specs
from termnews.indexer import index_all, start_background
from termnews.models import (
    Draft,
    FetchContext,
    FullTextState,
    HttpOptions,
    SourceOutcome,
    SourceSpec,
    SourceStatus,
    View,
)
from termnews.paths import Paths
from termnews.sanitize import clean_line
from termnews.store import Store, clean
from termnews.text import is_fetchable_url

if TYPE_CHECKING:
    from termnews.comments import CommentsResult
    from termnews.discover import Discovery, FoundFeed
    from termnews.fetch import HttpClient
    from termnews.inbox import WatchReport
    from termnews.models import ThreadMarks
    from termnews.update import Progress, RefreshSettings

#: Draft states that can still be edited and sent (a reply in progress).
OPEN_STATES = ("draft", "ready", "failed")


@dataclass(frozen=True)
class ViewCounts:
    """Counts for the status line and the sources pane."""

    unread: int
    total: int
    per_source: dict[str, tuple[int, int]]  # source id: (articles, unread)
    sources: list[SourceSpec]  # as the sources pane lists them: each server followed by its feeds
    sync_waiting: int  # flag changes not yet sent to a feed server
    views: dict[View, tuple[int, int]] = field(default_factory=dict)  # listed view: (articles, unread)
    errors: dict[str, str] = field(default_factory=dict)  # source id: its last fetch error
    inbox_unread: int = 0  # answers to the person's replies not yet opened


@dataclass(frozen=True)
class Removed:
    spec: SourceSpec
    articles: int  # cached articles dropped with it


@dataclass(frozen=True)
class OpmlExport:
    text: str
    feeds: int
    left_out: int  # sources that are not feeds (local folders)


@dataclass(frozen=True)
class OpmlImport:
    added: list[SourceSpec]
    skipped: int  # already subscribed
    refused: list[str]  # locations that are not http(s) URLs


class SubscriptionError(ValueError):
    """What is wrong with a source someone asked to add, in one sentence."""


def _infer_kind(location: str) -> tuple[str, str]:
    """(kind, location as stored) for what someone typed: a URL, a feed file or a folder."""
    if is_fetchable_url(location):
        return "feed", location
    if "://" in location:
        raise SubscriptionError(f"{location}: only http and https URLs can be subscribed to")
    path = Path(location).expanduser()
    if path.is_dir():
        return "local", str(path.resolve())
    if path.is_file():
        return "feed", str(path.resolve())
    host, slash, _ = location.partition("/")
    if slash and "." in host.strip(".") and not location.startswith("~"):  # example.org/feed
        raise SubscriptionError(
            f"{location}: no such file or folder; for a web address, write https://{location}"
        )
    raise SubscriptionError(f"{location}: no such file or folder (and not an http(s) URL)")


def read_at_start(specs: list[SourceSpec]) -> list[SourceSpec]:
    """The sources cheap enough to read at every start (local folders); each kind in use is
    looked up once, and one that does not load is left to the refresh that needs it."""
    from termnews.sources import load_kind  # the source kinds load in the refresh, not at start

    def cheap(kind: str) -> bool:
        try:
            return load_kind(kind).refresh_on_start
        except Exception:
            return False

    kinds = {kind for kind in {s.kind for s in specs} if cheap(kind)}
    return [s for s in specs if s.kind in kinds]


def unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base (2)`, `base (3)`... : the first not in `taken`."""
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    return name


def read_feed_title(spec: SourceSpec) -> str:
    """A feed's own title, fetched once to name it ("" offline, on an error, or without one)."""
    from termnews.feedparse import feed_title
    from termnews.fetch import HttpClient  # httpx: loaded only when needed
    from termnews.sources.base import Download
    from termnews.sources.feed import FeedSource

    with HttpClient(max_connections=1) as http:
        got = FeedSource(spec).download(FetchContext(http=HttpOptions(deadline=10.0)), http)
    return feed_title(got.body, got.url) if isinstance(got, Download) else ""


@dataclass
class Session:
    paths: Paths
    config: Config
    store: Store
    #: What the last refresh found in the watched threads (answers, held replies published).
    last_watch: WatchReport | None = None

    @classmethod
    def open(cls, home: str | None = None) -> Session:
        paths = Paths.resolve(home)
        config = load_config(paths.config_file)
        # A damaged state file is kept as it is; what it still holds moves to a new one.
        return cls(paths, config, Store(paths, salvage_state=True))

    def close(self) -> None:
        self.store.close()

    def specs(self) -> list[SourceSpec]:
        return source_specs(self.config, self.store.subscriptions())

    def subscribe(
        self, location: str, name: str | None = None, tags: tuple[str, ...] = (), *, title: str | None = None
    ) -> SourceSpec:
        """Add a subscription (kept in state.sqlite); raises SubscriptionError.

        Without a `name`, a feed is named by its own `title` (read from the
        feed when not given), else its host or file name, made unique with a
        number: only a name the person chose can be refused as taken.
        """
        from termnews.opml import default_name

        kind, location = _infer_kind(location.strip())
        spec = SourceSpec("", kind, location, {}, tuple(dict.fromkeys(tags)))
        existing = self.specs()
        for other in existing:
            if other.source_id == spec.source_id:
                raise SubscriptionError(f"{spec.location} is subscribed already, as {other.name!r}")
        taken = {other.name for other in existing}
        if name is not None:
            name = " ".join(name.split())
            if not name:
                raise SubscriptionError("the name must not be empty")
            if name in taken:
                raise SubscriptionError(f"a source named {name!r} exists already; choose another name")
        else:
            if title is None and kind == "feed":
                title = read_feed_title(spec)
            name = unique_name(clean_line(title or "") or default_name(location), taken)
        spec = replace(spec, name=name)
        self.store.add_subscription(spec)
        return spec

    def source_status(self, spec: SourceSpec) -> SourceStatus | None:
        """A source's last fetch: when, its error, and what it skipped (a local folder's warnings)."""
        return self.store.source_status(spec.source_id)

    def find_feeds(self, url: str) -> Discovery:
        """What `url` is: a feed, or a page and the feeds it names (fetches: call off the UI thread)."""
        from termnews.discover import discover

        with self._http() as http:  # a site that asked to wait is not asked now either
            return discover(url, http, HttpOptions(proxy=self.config.proxy))

    def subscribe_found(
        self, feeds: list[FoundFeed], name: str | None = None, tags: tuple[str, ...] = ()
    ) -> list[SourceSpec]:
        """Subscribe to discovered feeds, each named `name`, else its title, else its host,
        made unique with a number; raises SubscriptionError when one is subscribed already."""
        from termnews.opml import default_name

        names = {s.name for s in self.specs()}
        added = []
        for feed in feeds:
            unique = unique_name(" ".join((name or feed.title or default_name(feed.url)).split()), names)
            added.append(self.subscribe(feed.url, unique, tags))
            names.add(unique)
        return added

    # -- the whole story ---------------------------------------------------------------

    def full_text(self, article_id: str, *, again: bool = False) -> FullTextState | None:
        """An article's page, extracted: from the cache, else fetched now (call off the UI thread).

        None: no such article. `again` fetches even when an extraction is cached."""
        from termnews.fulltext import fetch_full_text

        known = self.store.full_text(article_id)
        if known is not None and known.body is not None and not again:
            return known
        info = self.store.article_reply_info(article_id)
        if info is None:
            return None
        with self._http() as http:
            got = fetch_full_text(info.link, http, HttpOptions(proxy=self.config.proxy))
        self.store.save_full_text(article_id, got.body, got.error)
        return self.store.full_text(article_id)

    def fetch_full_texts(
        self, specs: list[SourceSpec], settings: RefreshSettings, per_source: int = 20
    ) -> int:
        """Extract the pages of the newest articles not tried yet of `specs` (the `full_text = true`
        sources), a few at a time and within each host's limits; returns how many were extracted."""
        from concurrent.futures import ThreadPoolExecutor

        from termnews.fulltext import fetch_full_text

        todo = [
            (aid, link)
            for spec in specs
            for aid, link in self.store.without_full_text(spec.source_id, per_source)
        ]
        with self._http() as http, ThreadPoolExecutor(4, thread_name_prefix="termnews-fulltext") as pool:
            results = list(pool.map(lambda job: (job[0], fetch_full_text(job[1], http, settings.http)), todo))
        for aid, got in results:
            self.store.save_full_text(aid, got.body, got.error)
        return sum(1 for _, got in results if got.body is not None)

    @contextmanager
    def _http(self) -> Iterator[HttpClient]:
        """A client that knows which hosts asked to wait, and remembers new waits when done."""
        from termnews.fetch import HttpClient
        from termnews.hosts import HostGate

        gate = HostGate(self.config.connections_per_host)
        gate.load(self.store.host_waits())
        try:
            with HttpClient(max_connections=4, gate=gate) as http:
                yield http
        finally:
            self.store.save_host_waits(gate.waits())

    def spec_named(self, name: str) -> SourceSpec | None:
        return next((s for s in self.specs() if s.name == name), None)

    def refresh(
        self,
        specs: list[SourceSpec],
        progress: Progress | None = None,
        settings: RefreshSettings | None = None,
        index: bool = True,
    ) -> list[SourceOutcome]:
        """Fetch `specs` into the store, then apply the retention rules.

        Config's politeness and proxy settings go over `settings`. With `index`,
        the search index is up to date on return; without, call
        `index_in_background` (or a search says what it may miss)."""
        from termnews.sync import is_server_kind, sync_all
        from termnews.update import (  # parser processes, thread pools: not needed to start
            RefreshSettings,
            refresh,
        )

        settings = settings or RefreshSettings()
        http = settings.http if self.config.proxy is None else replace(settings.http, proxy=self.config.proxy)
        settings = replace(settings, per_host=self.config.connections_per_host, http=http)
        # sync: feed servers are synced (pull and push), the other sources fetched.
        # Each kind is looked up once: reading the entry points costs milliseconds a time.
        server_kinds = {kind for kind in {s.kind for s in specs} if is_server_kind(kind)}
        servers = [s for s in specs if s.kind in server_kinds]
        others = [s for s in specs if s not in servers]
        outcomes = refresh(self.store, others, progress, settings=settings, index=False) if others else []
        outcomes += sync_all(self.store, servers, progress)
        wanted = [
            o.spec for o in outcomes if o.spec.options.get("full_text") and o.error is None and not o.skipped
        ]
        if wanted:
            self.fetch_full_texts(wanted, settings)
        clean(self.store, self.specs(), self.config.keep)
        if index:
            index_all(self.store)
        self.last_watch = self.watch_threads([s.name for s in specs])
        return outcomes

    def thread_marks(self, article_id: str, got: CommentsResult) -> ThreadMarks:
        """What is new in a thread being opened and which comments are the person's (remembers the visit)."""
        from termnews.inbox import thread_marks

        return thread_marks(self.store, self.specs(), article_id, got)

    def watch_threads(self, sources: list[str] | None = None) -> WatchReport:
        """Read the threads the person replied in (of `sources`, else all): answers, held replies published."""
        from termnews.inbox import watch_threads

        return watch_threads(self.store, self.specs(), sources=sources)

    def index(self, stop: Callable[[], bool] | None = None) -> int:
        """Bring the search index up to date here (until `stop()`); returns how many articles went in."""
        return index_all(self.store, stop)

    def index_in_background(self) -> None:
        """Have a detached process bring the search index up to date, if it lags."""
        if self.store.unindexed():
            start_background(self.store.paths)

    def refresh_cheap_sources(self, index: bool = True) -> list[SourceOutcome]:
        """Refresh the sources read at every start; with none, apply the keep rules as a refresh would."""
        specs = self.specs()
        cheap = read_at_start(specs)
        if not cheap:  # and the refresh machinery is not loaded
            clean(self.store, specs, self.config.keep)
            return []
        return self.refresh(cheap, index=index)

    # -- subscriptions -----------------------------------------------------------------

    def unsubscribe(self, name: str) -> Removed:
        """Remove a subscription added from the app or the CLI; raises SubscriptionError.

        Its cached articles go too unless another source in force is the same
        one; read marks, stars and drafts stay.
        """
        spec = next((s for s in self.store.subscriptions() if s.name == name), None)
        if spec is None:
            found = self.spec_named(name)
            where = self.config.path or self.paths.config_file
            if found == seeds_source() and found not in self.config.sources:
                raise SubscriptionError(
                    f"{name!r} is the bundled sample source; turn it off with `seeds = false`"
                    f" under [general] in {where}"
                )
            if found is not None:
                raise SubscriptionError(f"{name!r} is defined in {where}; remove it there")
            raise SubscriptionError(f"no source named {name!r} (see `termnews sources`)")
        self.store.remove_subscription(spec.name)
        removed = 0
        if not any(s.source_id == spec.source_id for s in self.specs()):
            removed = self.store.remove_source_articles(spec.source_id)
            # Forget its fetches too (validators, gone, moved), so adding it again starts afresh.
            self.store.forget_source(spec.source_id)
        return Removed(spec, removed)

    def import_opml(self, data: bytes) -> OpmlImport:
        """Subscribe to every http(s) feed of an OPML document; raises opml.OpmlError.

        A feed keeps its title as its name (its host without one), made unique
        with a number; a feed subscribed already is skipped.
        """
        from termnews.opml import default_name, read_opml

        feeds = read_opml(data)
        existing = self.specs()
        names = {s.name for s in existing}
        ids = {s.source_id for s in existing}
        added: list[SourceSpec] = []
        refused: list[str] = []
        skipped = 0
        for feed in feeds:
            if not is_fetchable_url(feed.url):
                refused.append(feed.url)
                continue
            base = " ".join((feed.title or "").split()) or default_name(feed.url)
            spec = SourceSpec(base, "feed", feed.url, {}, feed.tags)
            if spec.source_id in ids:
                skipped += 1
                continue
            name = unique_name(base, names)
            spec = replace(spec, name=name)
            self.store.add_subscription(spec)
            names.add(name)
            ids.add(spec.source_id)
            added.append(spec)
        return OpmlImport(added, skipped, refused)

    def export_opml(self) -> OpmlExport:
        """The feed sources as an OPML document."""
        from termnews.opml import write_opml

        specs = self.specs()
        feeds = [s for s in specs if s.kind == "feed"]
        return OpmlExport(write_opml(feeds), len(feeds), len(specs) - len(feeds))

    # -- reading -----------------------------------------------------------------------

    def view_counts(self, view: View, listed: tuple[View, ...] = ()) -> ViewCounts:
        """Unread and total articles in `view`; with `listed` views (the sources pane's) theirs too,
        per source, and each source's last fetch error (reads SQLite: call off the UI thread)."""
        if not listed:  # the status line's counts alone
            total, unread = self._count(view, None)
            return ViewCounts(unread, total, {}, [], self.store.sync_queue().queued_total())
        per_source = self.store.article_counts()
        total, unread = self._count(view, per_source)
        views = {v: self._count(v, per_source) for v in listed}
        from termnews.sync import with_server_feeds

        # After the totals: a server's line counts its feeds' articles, which are counted already.
        sources, sync_waiting = with_server_feeds(self.store, self.specs(), per_source)
        statuses = (self.store.source_status(s.source_id) for s in sources)
        errors = {s.source_id: s.last_error for s in statuses if s is not None and s.last_error}
        return ViewCounts(
            unread, total, per_source, sources, sync_waiting, views, errors, self.store.inbox_unread()
        )

    def _count(self, view: View, per_source: dict[str, tuple[int, int]] | None) -> tuple[int, int]:
        """(total, unread) of a view; from the per-source counts when they were read."""
        if per_source is not None and view.query is None and view.filter in ("all", "unread"):
            # From the per-source counts, which read the index and the flags, not every article.
            ids = (view.source_id,) if view.source_id else view.source_ids
            counted = [per_source.get(i, (0, 0)) for i in ids] if ids else list(per_source.values())
            total, unread = sum(t for t, _ in counted), sum(u for _, u in counted)
            return (unread if view.filter == "unread" else total), unread
        total = self.store.count(view)
        return total, (total if view.filter == "unread" else self.store.count(view, unread_only=True))

    def nowhere_to_send(self, article_id: str, link: str | None, source: str) -> str | None:
        """Why a reply to this article can never be sent (None: it may be); no network."""
        from termnews.outbox import Outbox  # its senders load only when a reply is begun

        return Outbox(self.store, self.specs()).nowhere_to_send(article_id, link, source)

    def open_reply(self, article_id: str, comment_id: str) -> Draft | None:
        """The reply to this comment still being written (not yet sent), if there is one."""
        drafts = self.store.drafts(article_id)
        return next((d for d in drafts if d.parent_comment == comment_id and d.state in OPEN_STATES), None)
