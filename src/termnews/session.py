"""One open profile: its paths, config and store, and the sources in force.

Shared by the CLI and the app so both see the same sources the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from termnews.config import Config, load_config, source_specs
from termnews.models import Draft, SourceSpec, View
from termnews.paths import Paths
from termnews.sources import load_all_kinds
from termnews.store import Store, clean
from termnews.text import is_fetchable_url
from termnews.update import Progress, RefreshSettings, SourceOutcome, refresh

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
    raise SubscriptionError(f"{location}: no such file or folder (and not an http(s) URL)")


@dataclass
class Session:
    paths: Paths
    config: Config
    store: Store

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

    def subscribe(self, location: str, name: str | None = None, tags: tuple[str, ...] = ()) -> SourceSpec:
        """Add a subscription (kept in state.sqlite); raises SubscriptionError."""
        from termnews.opml import default_name

        kind, location = _infer_kind(location.strip())
        name = " ".join((name if name else default_name(location)).split())
        if not name:
            raise SubscriptionError("the name must not be empty")
        spec = SourceSpec(name, kind, location, {}, tuple(dict.fromkeys(tags)))
        for other in self.specs():
            if other.name == spec.name:
                raise SubscriptionError(f"a source named {spec.name!r} exists already; choose another name")
            if other.source_id == spec.source_id:
                raise SubscriptionError(f"{spec.location} is subscribed already, as {other.name!r}")
        self.store.add_subscription(spec)
        return spec

    def spec_named(self, name: str) -> SourceSpec | None:
        return next((s for s in self.specs() if s.name == name), None)

    def refresh(
        self,
        specs: list[SourceSpec],
        progress: Progress | None = None,
        settings: RefreshSettings | None = None,
    ) -> list[SourceOutcome]:
        """Fetch `specs` into the store, then apply the retention rules."""
        from termnews.sync import is_server_kind, sync_all

        # sync: feed servers are synced (pull and push), the other sources fetched.
        servers = [s for s in specs if is_server_kind(s.kind)]
        others = [s for s in specs if s not in servers]
        outcomes = refresh(self.store, others, progress, settings=settings) if others else []
        outcomes += sync_all(self.store, servers, progress)
        clean(self.store, self.specs(), self.config.keep)
        return outcomes

    def refresh_cheap_sources(self) -> list[SourceOutcome]:
        """Refresh the sources cheap enough to read at every start (local folders)."""
        kinds, _ = load_all_kinds()
        cheap = [s for s in self.specs() if s.kind in kinds and kinds[s.kind].refresh_on_start]
        return self.refresh(cheap)

    # -- subscriptions -----------------------------------------------------------------

    def unsubscribe(self, name: str) -> Removed:
        """Remove a subscription added from the app or the CLI; raises SubscriptionError.

        Its cached articles go too unless another source in force is the same
        one; read marks, stars and drafts stay.
        """
        spec = next((s for s in self.store.subscriptions() if s.name == name), None)
        if spec is None:
            if self.spec_named(name) is not None:
                where = self.config.path or self.paths.config_file
                raise SubscriptionError(f"{name!r} is defined in {where}; remove it there")
            raise SubscriptionError(f"no source named {name!r} (see `termnews sources`)")
        self.store.remove_subscription(spec.name)
        removed = 0
        if not any(s.source_id == spec.source_id for s in self.specs()):
            removed = self.store.remove_source_articles(spec.source_id)
            # Forget its validators too, so adding it again fetches it in full.
            self.store.record_fetch(spec.source_id, error=None)
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
            name, n = base, 2
            while name in names:
                name, n = f"{base} ({n})", n + 1
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

    def view_counts(self, view: View) -> ViewCounts:
        """Unread and total articles in `view`, and per source (reads SQLite: call off the UI thread)."""
        per_source = self.store.article_counts()
        if view.query is None and view.filter == "all":
            # From the per-source counts, which read the index and the flags, not every article.
            counted = [per_source.get(view.source_id, (0, 0))] if view.source_id else per_source.values()
            total, unread = sum(t for t, _ in counted), sum(u for _, u in counted)
        else:
            total = self.store.count(view)
            unread = total if view.filter == "unread" else self.store.count(replace(view, filter="unread"))
        from termnews.sync import with_server_feeds

        # After the totals: a server's line counts its feeds' articles, which are counted already.
        sources, sync_waiting = with_server_feeds(self.store, self.specs(), per_source)
        return ViewCounts(unread, total, per_source, sources, sync_waiting)

    def nowhere_to_send(self, article_id: str, link: str | None, source: str) -> str | None:
        """Why a reply to this article can never be sent (None: it may be); no network."""
        from termnews.outbox import Outbox  # its senders load only when a reply is begun

        return Outbox(self.store, self.specs()).nowhere_to_send(article_id, link, source)

    def open_reply(self, article_id: str, comment_id: str) -> Draft | None:
        """The reply to this comment still being written (not yet sent), if there is one."""
        drafts = self.store.drafts(article_id)
        return next((d for d in drafts if d.parent_comment == comment_id and d.state in OPEN_STATES), None)
