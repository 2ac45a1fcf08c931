"""One open profile: its paths, config and store, and the sources in force.

Shared by the CLI and the app so both see the same sources the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from termnews.indexer import index_all, start_background
from termnews.models import (
    Draft,
    FullTextState,
    HttpOptions,
    SourceOutcome,
    SourceSpec,
    SourceStatus,
    View,
)
from termnews.session_subscriptions import SubscriptionActions
from termnews.store import clean

if TYPE_CHECKING:
    from termnews.comments import CommentsResult
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


@dataclass
class Session(SubscriptionActions):
    """One open profile, for the CLI and the app alike."""

    #: What the last refresh found in the watched threads (answers, held replies published).
    last_watch: WatchReport | None = None

    def source_status(self, spec: SourceSpec) -> SourceStatus | None:
        """A source's last fetch: when, its error, and what it skipped (a local folder's warnings)."""
        return self.store.source_status(spec.source_id)

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

    def source_of(self, article_id: str, source_name: str) -> SourceSpec | None:
        """What refreshing an article's source refreshes: the feed server it came from, else its source."""
        from termnews.sync import server_of_article

        return server_of_article(self.store, self.specs(), article_id) or self.spec_named(source_name)

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
        self.clean_cache()
        if index:
            index_all(self.store)
        self.last_watch = self.watch_threads([s.name for s in specs])
        return outcomes

    def clean_cache(self) -> int:
        """Apply the keep rules now (a feed server's to each of its feeds); how many articles went."""
        from termnews.sync import and_server_feeds

        return clean(self.store, and_server_feeds(self.store, self.specs()), self.config.keep)

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
