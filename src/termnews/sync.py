"""Sync with feed servers: pull what changed there, push what changed here.

For each server source, in this order:

1. log in (a wrong token or password is one clear error; nothing is touched);
2. the server's subscriptions and categories (`sync_feeds`);
3. pull, a page at a time (everything when the cache has not seen this
   server yet, as after it was deleted; else what changed): each page's
   articles are stored, then its remote ids, the server's flags and the
   cursor to resume from, in one transaction.
   A server's flag is applied here unless a local change to the same flag is
   queued and newer (times compared on the server's clock, through the offset
   measured from its `Date` header): then ours is kept and pushed. A server
   that dies mid-pull leaves every page stored so far; the next sync resumes
   at the saved cursor;
4. push the queue in batches (many ids a request); a change leaves the queue
   when the server took it, or when it refused it for good (a 4xx other than
   credentials or "not now"; the rest of its batch is still sent): then it is
   kept as refused, with the server's words, and the sync's outcome warns of
   it. Credentials refused, a server error or no network keep the queue.

The app never waits for any of this: it runs in `termnews refresh` and in the
app's refresh worker. Offline, flags are still set and queued at once.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial

from termnews.models import ArticleData, SourceOutcome, SourceSpec, article_id
from termnews.sanitize import clean_article
from termnews.sources import load_kind
from termnews.sources.server import PUSH_BATCH, Page, ServerClient, ServerError, ServerSource, chunks
from termnews.store import Store
from termnews.store.articles import ArticleRow, prepare_rows
from termnews.store.fetch_state import FetchNote, StoredFetch
from termnews.store.sync_queue import FlagUpdate, QueuedChange, RefusedChange, ServerFeed, SyncQueue

Progress = Callable[[SourceOutcome, int, int], None]

#: Worker processes a pull may prepare pages in (cleaning, compressing), beside the
#: server rendering the next ones and this process storing the earlier ones. A worker
#: waits for the server a good part of the time: three kept a first sync of 10,000
#: entries busiest on two cores (about 8% faster than two).
WORKERS = 3


def is_server_kind(kind: str) -> bool:
    try:
        return issubclass(load_kind(kind), ServerSource)
    except (LookupError, TypeError, ImportError):
        return False


def server_source(spec: SourceSpec) -> ServerSource:
    cls = load_kind(spec.kind)
    if not issubclass(cls, ServerSource):
        raise ServerError(f"{spec.name!r} is not a feed server (kind {spec.kind!r})")
    return cls(spec)


def feed_spec(server: SourceSpec, feed: ServerFeed) -> SourceSpec:
    """One of a server's feeds as a source of its own: its articles, its line in the pane.

    Tagged with the server's name and the feed's category; the server's `keep` is each feed's.
    """
    keep = {"keep": server.options["keep"]} if "keep" in server.options else {}
    return SourceSpec(
        feed.title,
        server.kind,
        f"{server.location.rstrip('/')}#{feed.remote_id}",
        {"server": server.name, "remote_id": feed.remote_id, "url": feed.url, **keep},
        tuple(t for t in (server.name, feed.category) if t),
    )


def server_feeds(store: Store, server: SourceSpec) -> list[SourceSpec]:
    """The server's feeds as last synced (offline too)."""
    return [feed_spec(server, f) for f in store.sync_queue().feeds(server.source_id)]


def server_of_article(store: Store, specs: list[SourceSpec], article_id: str) -> SourceSpec | None:
    """The server (of `specs`) an article came from; None for any other article."""
    sid = store.sync_queue().server_of(article_id)
    return next((s for s in specs if s.source_id == sid), None) if sid else None


def sync_all(
    store: Store, servers: list[SourceSpec], progress: Progress | None = None
) -> list[SourceOutcome]:
    outcomes = []
    for done, spec in enumerate(servers, start=1):
        outcome = sync_server(store, spec)
        outcomes.append(outcome)
        if progress:
            progress(outcome, done, len(servers))
    return outcomes


def sync_server(store: Store, spec: SourceSpec) -> SourceOutcome:
    """Pull then push one server; an error ends this server's sync and is returned."""
    queue = store.sync_queue()
    sid = spec.source_id
    new = 0
    try:
        with server_source(spec).connect() as client:
            feeds = client.feeds()
            _drop_gone_feeds(store, spec, feeds)
            queue.save_feeds(sid, feeds)
            specs = {f.remote_id: feed_spec(spec, f) for f in feeds}
            # A cache that never saw this server (deleted since): pull everything again.
            again = store.source_status(sid) is None
            cursor = {} if again else queue.status(sid).cursor
            known = {} if again else queue.known_states(sid)
            workers = _Workers()
            try:
                for page, after in client.pull(cursor, known, partial(prepare_page, spec), workers):
                    new += _store_page(store, queue, client, spec, specs, page, after)
            finally:
                workers.close()
            refused = _push(queue, client, sid)
            queue.finish(sid, when=time.time(), error=None, clock_offset=client.clock_offset)
            store.record_fetch(sid, FetchNote())  # the cache holds this server's articles now
    except ServerError as exc:
        error = str(exc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # JSON not shaped as documented
        error = f"the server's answer was not understood ({type(exc).__name__}: {exc})"
    except BrokenProcessPool:
        error = "a worker process preparing the server's entries died"
    else:
        warnings = tuple(f"the server refused to {r.describe()}: {r.reason}" for r in refused)
        return SourceOutcome(spec, new=new, total=new, warnings=warnings)
    queue.finish(sid, when=time.time(), error=error, clock_offset=None)
    return SourceOutcome(spec, new=new, error=error)


def _drop_gone_feeds(store: Store, server: SourceSpec, feeds: list[ServerFeed]) -> None:
    """A feed unsubscribed on the server: its articles go, but starred and drafted ones stay."""
    now = {f.remote_id for f in feeds}
    for gone in server_feeds(store, server):
        if gone.options["remote_id"] not in now:
            store.prune(gone.source_id, keep_newest=0)


@dataclass(frozen=True)
class PreparedPage:
    """A pulled page made ready to store (in a worker process, for a client that pulls ahead):
    its entries cleaned and turned into rows, their ids, the server's flags."""

    rows: dict[str, list[ArticleRow]]  # by the server's feed id
    items: list[tuple[str, str, str]]  # (remote id, article id, feed id)
    updates: list[FlagUpdate]


def prepare_page(server: SourceSpec, page: Page) -> PreparedPage:
    """Clean a page's entries and build their rows (the work of a page that needs no store)."""
    by_feed: dict[str, list[ArticleData]] = defaultdict(list)
    source_ids: dict[str, str] = {}
    items: list[tuple[str, str, str]] = []
    updates = list(page.updates)
    for entry in page.entries:
        fid = entry.feed_id
        if fid not in source_ids:
            source_ids[fid] = feed_spec(server, ServerFeed(fid, fid, "", None)).source_id
        article = clean_article(entry.article)  # a server passes its feeds' text on: as hostile as theirs
        by_feed[fid].append(article)
        items.append((entry.remote_id, article_id(source_ids[fid], article), fid))
        updates.append(FlagUpdate(entry.remote_id, entry.read, entry.starred, entry.changed))
    rows = {fid: prepare_rows(source_ids[fid], articles) for fid, articles in by_feed.items()}
    return PreparedPage(rows, items, updates)


def _store_page(
    store: Store,
    queue: SyncQueue,
    client: ServerClient,
    server: SourceSpec,
    specs: dict[str, SourceSpec],
    page: PreparedPage,
    cursor: dict | None,
) -> int:
    for fid in page.rows:
        if fid not in specs:  # a feed added on the server since the list was read
            specs[fid] = feed_spec(server, ServerFeed(fid, fid, "", None))
    # One transaction for the page, which also notes that the cache holds some of the server's
    # articles (a first sync cut short resumes); the search index follows after the sync.
    fetches = [StoredFetch(specs[fid], rows, None) for fid, rows in page.rows.items()]
    new = sum(store.store_fetches([*fetches, StoredFetch(server, None, FetchNote())]))
    # A conflict needs the server's time of change; ask only for those entries.
    updates = page.updates
    unknown = queue.queued_among(server.source_id, [u.remote_id for u in updates if u.changed is None])
    if unknown:
        times = client.change_times(sorted(unknown))
        updates = [replace(u, changed=times.get(u.remote_id, u.changed)) for u in updates]
    queue.apply_page(server.source_id, page.items, updates, cursor, client.clock_offset or 0.0)
    return new


class _Workers:
    """The worker processes a pull prepares pages in, started when first asked for (a sync
    with little to pull needs none), as refresh starts its parsers."""

    def __init__(self) -> None:
        self.pool: Executor | None = None

    def __call__(self) -> Executor:
        if self.pool is None:
            from termnews.update import worker_pool

            self.pool = worker_pool(WORKERS)
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _push(queue: SyncQueue, client: ServerClient, sid: str) -> list[RefusedChange]:
    """Send the queue in batches; returns the changes the server refused for good."""
    refused: list[RefusedChange] = []
    while changes := queue.queued(sid, limit=PUSH_BATCH * 4):
        groups: dict[tuple[str, bool], list[QueuedChange]] = defaultdict(list)
        for change in changes:
            groups[(change.flag, change.value)].append(change)
        for group in groups.values():
            for batch in chunks(group, PUSH_BATCH):
                refused += _send(queue, client, sid, batch)
    return refused


def _send(queue: SyncQueue, client: ServerClient, sid: str, batch: list[QueuedChange]) -> list[RefusedChange]:
    """One batch of changes to one flag and value. A batch the server refuses for good (a 4xx
    other than credentials or "not now") is halved until the changes it refuses are found:
    those leave the queue as refused, the rest is sent. Any other failure keeps the queue."""
    try:
        client.push(batch[0].flag, batch[0].value, [c.remote_id for c in batch])
    except ServerError as exc:
        if not exc.lasting:
            raise
        if len(batch) == 1:
            return queue.refuse(sid, batch, str(exc), time.time())
        half = len(batch) // 2
        return _send(queue, client, sid, batch[:half]) + _send(queue, client, sid, batch[half:])
    queue.sent(sid, batch)
    return []


# -- subscriptions on a server ------------------------------------------------------------


def subscribe(store: Store, server: SourceSpec, url: str, category: str | None = None) -> SourceSpec:
    """Subscribe on the server (raises ServerError); the feed's articles come with the next sync."""
    with server_source(server).connect() as client:
        feed = client.subscribe(url, category)
        store.sync_queue().save_feeds(server.source_id, client.feeds())
    return feed_spec(server, feed)


def unsubscribe(store: Store, server: SourceSpec, feed: SourceSpec) -> int:
    """Unsubscribe one of a server's feeds there; its cached articles follow the
    retention rules at once (starred and drafted ones stay). Returns how many went."""
    with server_source(server).connect() as client:
        client.unsubscribe(feed.options["remote_id"])
    store.sync_queue().forget_feed(server.source_id, feed.options["remote_id"])
    return store.prune(feed.source_id, keep_newest=0)


def rename(store: Store, server: SourceSpec, feed: SourceSpec, title: str) -> None:
    with server_source(server).connect() as client:
        client.rename(feed.options["remote_id"], title)
        store.sync_queue().save_feeds(server.source_id, client.feeds())


def find_feeds(store: Store, servers: list[SourceSpec], name: str) -> list[tuple[SourceSpec, SourceSpec]]:
    """Every (server, feed) a name written `SERVER/FEED TITLE` (as `termnews sources` lists it) fits."""
    found = []
    for server in servers:
        prefix = f"{server.name}/"
        if name.startswith(prefix):
            title = name[len(prefix) :]
            found += [(server, feed) for feed in server_feeds(store, server) if feed.name == title]
    return found


def and_server_feeds(store: Store, specs: list[SourceSpec]) -> list[SourceSpec]:
    """`specs` with each server followed by its feeds (as last synced): the sources pane's
    list, and what the keep rules apply to."""
    shown: list[SourceSpec] = []
    for spec in specs:
        shown.append(spec)
        if is_server_kind(spec.kind):
            shown.extend(server_feeds(store, spec))
    return shown


def with_server_feeds(
    store: Store, specs: list[SourceSpec], counts: dict[str, tuple[int, int]]
) -> tuple[list[SourceSpec], int]:
    """For the sources pane: each server followed by its feeds (its counts the sum of
    theirs, added to `counts`); and how many flag changes wait for a server."""
    shown = and_server_feeds(store, specs)
    servers = {s.name: s.source_id for s in specs if is_server_kind(s.kind)}
    counts.update(dict.fromkeys(servers.values(), (0, 0)))
    for feed in shown:
        if (server := feed.options.get("server")) in servers:
            total, unread = counts[servers[server]]
            feed_total, feed_unread = counts.get(feed.source_id, (0, 0))
            counts[servers[server]] = (total + feed_total, unread + feed_unread)
    return shown, store.sync_queue().queued_total()
