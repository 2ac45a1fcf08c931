"""`kind = "miniflux"`: the Miniflux REST API v1 with an API token (`X-Auth-Token`).

Pull is one paged query, walked in id order so that no page is skipped or
repeated while the server adds entries. A first pull (everything) lists every
entry's id first (`GET /v1/entries/ids`) and asks for ranges of ids, each of
which costs the server a count of that range alone; a server too old to list
ids, and a later pull (entries changed since the last sync, `changed_after`, on
the server's own clock, so a wrong clock here changes nothing), are paged by
offset after one small request that counts them. Pages are downloaded and
prepared in worker processes, two at a time, while this process stores them in
order. Each entry carries its read and starred state and when it last changed,
which is what settles a conflict with a local change.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from termnews.models import ArticleData, Enclosure
from termnews.sources.server import Page, RemoteEntry, ServerClient, ServerError, ServerSource
from termnews.store.sync_queue import ServerFeed

P = TypeVar("P")

#: Seconds of changes looked at again after the newest one seen: Miniflux
#: compares whole seconds, and a change committed late may carry an earlier time.
OVERLAP = 2
#: Pages downloaded and prepared ahead in worker processes (one each, as many as
#: termnews.sync.WORKERS) while one is stored: the server renders some while the others are
#: cleaned and compressed, and at most this many pages (and the one being stored) are held.
PAGES_AHEAD = 3
#: Entries a page: Miniflux's most. Each request costs it a count of every entry the
#: query matches (about 45 ms for 10,000), so fewer, larger pages cost it less.
PAGE_SIZE = 1000
#: A range of ids holds this much less than a page (1/50): a range that comes back a whole
#: page met entries added since the ids were listed, and is followed to its end.
RANGE_SLACK = 50
#: Ids a request lists at most (Miniflux's `GET /v1/entries/ids`).
IDS_PAGE = 10_000


def _time(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def _feed(raw: dict[str, Any]) -> ServerFeed:
    category = (raw.get("category") or {}).get("title")
    return ServerFeed(
        str(raw["id"]), raw.get("title") or raw.get("feed_url", ""), raw.get("feed_url", ""), category
    )


# What is read of a page of entries. Decoded straight into these shapes, the fields left
# out (each entry repeats its whole feed, with its category and icon) are skipped
# unbuilt: a page costs a fraction of the time and memory of building it as dicts.


class _Enclosure(msgspec.Struct):
    url: str | None = None


class _Entry(msgspec.Struct):
    id: int
    feed_id: int
    title: str | None = None
    url: str | None = None
    content: str | None = None
    author: str | None = None
    published_at: str | None = None
    changed_at: str | None = None
    comments_url: str | None = None
    status: str | None = None
    starred: bool = False
    enclosures: list[_Enclosure] | None = None


class _EntryPage(msgspec.Struct):
    total: int = 0
    entries: list[_Entry] | None = None


_PAGE_DECODER = msgspec.json.Decoder(_EntryPage, strict=False)


def remote_entry(raw: _Entry) -> RemoteEntry:
    url = raw.url or None
    article = ArticleData(
        title=raw.title or "",
        body=raw.content or "",
        body_format="html",
        guid=url,
        link=url,
        author=raw.author or None,
        published=_time(raw.published_at),
        enclosures=tuple(Enclosure(e.url) for e in raw.enclosures or () if e.url),
        comments_url=raw.comments_url or None,
    )
    return RemoteEntry(
        remote_id=str(raw.id),
        feed_id=str(raw.feed_id),
        article=article,
        read=raw.status == "read",
        starred=raw.starred,
        changed=_time(raw.changed_at),
    )


def _entry_page(content: bytes, what: str) -> tuple[list[RemoteEntry], int]:
    """A page of `GET /v1/entries`: its entries and the query's total."""
    try:
        page = _PAGE_DECODER.decode(content)
    except msgspec.ValidationError:
        raise  # JSON, but not shaped as documented: said as such by the sync
    except msgspec.DecodeError:
        raise ServerError(f"{what}: the server's answer is not JSON") from None
    return [remote_entry(e) for e in page.entries or ()], page.total


@dataclass(frozen=True)
class _Span:
    """What a page's cursor needs of it: how many entries, the last one's id, the newest change."""

    size: int
    last_id: int
    newest: float

    @classmethod
    def of(cls, entries: list[RemoteEntry]) -> _Span:
        last = int(entries[-1].remote_id) if entries else 0
        return cls(len(entries), last, max((e.changed or 0.0 for e in entries), default=0.0))


@dataclass(frozen=True)
class _Request:
    """One page of a pull: its query; `upto`, the id up to which a range of ids is covered
    once it is stored (None: a page by offset, or the last range, open above)."""

    params: dict[str, Any]
    upto: int | None = None
    last: bool = False


#: A worker process's connections, by `ServerClient.connection`: opened on its first page.
_WORKER_CLIENTS: dict[str, MinifluxClient] = {}


def _prepared_page(
    connection: tuple[str, dict[str, str], int], request: _Request, prepare: Callable[[Page], P]
) -> tuple[P, _Span]:
    """Runs in a worker process: one page of a pull downloaded, decoded and prepared."""
    key = repr(connection)
    if key not in _WORKER_CLIENTS:
        _WORKER_CLIENTS[key] = MinifluxClient(*connection)
    entries = _WORKER_CLIENTS[key].download(request)
    return prepare(Page(entries=entries)), _Span.of(entries)


class MinifluxClient(ServerClient):
    def feeds(self) -> list[ServerFeed]:
        return [_feed(f) for f in self.json("GET", "/v1/feeds")]

    def pull(
        self,
        cursor: dict,
        known: Mapping[str, tuple[bool, bool]],
        prepare: Callable[[Page], P],
        workers: Callable[[], Executor],
    ) -> Iterator[tuple[P, dict | None]]:
        since = cursor.get("changed_after")
        after = int(cursor.get("after_id", 0))
        newest = float(cursor.get("newest", 0))
        params: dict[str, Any] = {"order": "id", "direction": "asc", "limit": self.page_size}
        if after:
            params["after_entry_id"] = after
        if since:
            params["changed_after"] = since
        plan = None if since else self._ranges(params, after)
        if plan is None:
            total, top = self._probe(params)
            if since and not after and top <= newest:
                return  # nothing changed after the newest change we have
            offsets = range(0, total, self.page_size) or [0]
            plan = [_Request({**params, "offset": o}, last=o == offsets[-1]) for o in offsets]
        resume = after
        for request, (prepared, span) in zip(plan, self._pages(plan, prepare, workers), strict=True):
            newest = max(newest, span.newest)
            resume = max(resume, span.last_id, request.upto or 0)
            if request.last and span.size < self.page_size:
                # The end: next time, only what changed after the newest change seen.
                since = max(int(newest) - OVERLAP, 1) if newest else since
                yield prepared, {"changed_after": since, "newest": newest}
            else:
                yield prepared, {"changed_after": since, "after_id": resume, "newest": newest}

    def _probe(self, params: dict[str, Any]) -> tuple[int, float]:
        """One small request: how many entries the query finds, and when the newest changed."""
        top = self.json(
            "GET", "/v1/entries", params={**params, "order": "changed_at", "direction": "desc", "limit": 1}
        )
        entries = top.get("entries") or []
        return int(top.get("total") or 0), (_time(entries[0].get("changed_at")) or 0.0) if entries else 0.0

    def _ranges(self, params: dict[str, Any], after: int) -> list[_Request] | None:
        """A pull of every entry, as ranges of ids (each a page and a little less, RANGE_SLACK):
        a range costs the server a count of its own entries only, where a page by offset
        costs a count of the whole query. None when the server cannot list ids (before
        Miniflux 2.3.2)."""
        ids = self._ids()
        if ids is None:
            return None
        ids = sorted({i for i in ids if i > after})
        step = max(1, self.page_size - max(1, self.page_size // RANGE_SLACK))
        plan = []
        for start in range(0, len(ids), step):
            low = ids[start - 1] if start else after
            high = ids[start + step] if start + step < len(ids) else None
            query = {**params, "after_entry_id": low} if low else dict(params)
            if high is None:
                plan.append(_Request(query, last=True))
            else:
                plan.append(_Request({**query, "before_entry_id": high}, upto=high - 1))
        return plan or [_Request(params, last=True)]

    def _ids(self) -> list[int] | None:
        """The id of every entry (`GET /v1/entries/ids`, 10,000 a request); None without it."""
        ids: list[int] = []
        while True:
            try:
                body = self.json("GET", "/v1/entries/ids", params={"limit": IDS_PAGE, "offset": len(ids)})
            except ServerError as exc:
                if exc.lasting and not ids:  # an older Miniflux: `ids` is taken for an entry's id
                    return None
                raise
            part = body.get("entry_ids") or []
            ids += (int(i) for i in part)
            if len(part) < IDS_PAGE:
                return ids

    def download(self, request: _Request) -> list[RemoteEntry]:
        """A page of entries. A range of ids that comes back a whole page holds entries it did not
        know of (added since the ids were listed): the rest of the range follows."""
        entries, _ = self._page(request.params)
        part = entries
        while request.upto is not None and part and len(part) == self.page_size:
            part, _ = self._page({**request.params, "after_entry_id": part[-1].remote_id})
            entries += part
        return entries

    def _page(self, params: dict[str, Any]) -> tuple[list[RemoteEntry], int]:
        return _entry_page(self.request("GET", "/v1/entries", params=params).content, "GET /v1/entries")

    def _pages(
        self, plan: list[_Request], prepare: Callable[[Page], P], workers: Callable[[], Executor]
    ) -> Iterator[tuple[P, _Span]]:
        """The pages of a plan, in order, prepared: a single one here; more in worker processes,
        PAGES_AHEAD at a time, while this process stores the earlier ones."""
        if len(plan) == 1:
            entries = self.download(plan[0])
            yield prepare(Page(entries=entries)), _Span.of(entries)
            return
        pool = workers()
        waiting = deque(plan)
        ahead: deque[Future[tuple[P, _Span]]] = deque()

        def refill() -> None:
            while waiting and len(ahead) < PAGES_AHEAD:
                ahead.append(pool.submit(_prepared_page, self.connection, waiting.popleft(), prepare))

        refill()
        while ahead:
            done = ahead.popleft().result()
            refill()  # before the caller stores this one
            yield done

    def change_times(self, remote_ids: list[str]) -> dict[str, float]:
        times = {}
        for rid in remote_ids:
            changed = _time(self.json("GET", f"/v1/entries/{int(rid)}").get("changed_at"))
            if changed is not None:
                times[rid] = changed
        return times

    def push(self, flag: str, value: bool, remote_ids: list[str]) -> None:
        body: dict[str, Any] = {"entry_ids": [int(r) for r in remote_ids]}
        if flag == "read":
            body["status"] = "read" if value else "unread"
        else:
            body["starred"] = value
        self.request("PUT", "/v1/entries", json=body)

    def subscribe(self, url: str, category: str | None = None) -> ServerFeed:
        body: dict[str, Any] = {"feed_url": url}
        if category:
            body["category_id"] = self._category_id(category)
        feed_id = self.json("POST", "/v1/feeds", json=body)["feed_id"]
        return _feed(self.json("GET", f"/v1/feeds/{feed_id}"))

    def _category_id(self, title: str) -> int:
        for category in self.json("GET", "/v1/categories"):
            if category.get("title") == title:
                return int(category["id"])
        return int(self.json("POST", "/v1/categories", json={"title": title})["id"])

    def unsubscribe(self, feed_id: str) -> None:
        self.request("DELETE", f"/v1/feeds/{int(feed_id)}")

    def rename(self, feed_id: str, title: str) -> None:
        self.request("PUT", f"/v1/feeds/{int(feed_id)}", json={"title": title})


class MinifluxSource(ServerSource):
    kind = "miniflux"
    default_page_size = PAGE_SIZE

    def connect(self) -> MinifluxClient:
        # A wrong token or URL is one clear error at the first request (the feed list).
        return MinifluxClient(self.url, {"X-Auth-Token": self.secret("token_command")}, self.page_size)
