"""`kind = "greader"`: the Google Reader API as FreshRSS, Miniflux, Inoreader and others serve it.

`url` is the base under which `accounts/` and `reader/api/0/` live. Login is
`accounts/ClientLogin` (username and a password from `password_command`), then
`Authorization: GoogleLogin auth=...`; writes carry the token from
`reader/api/0/token` as `T`.

Pull works on id sets, which every server answers cheaply: every entry, the
unread ones and the starred ones (`stream/items/ids`, paged by
`continuation`). Entries we do not have yet are fetched in pages with
`stream/items/contents`; for the ones we have, only a state that differs from
what the server last said is applied. (`ot=` is not used to find new entries:
servers filter it by publication date, so an entry fetched late with an old
date would be missed.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from typing import Any, TypeVar

from termnews.models import ArticleData
from termnews.sources.server import (
    PAGE_SIZE,
    Page,
    RemoteEntry,
    ServerClient,
    ServerError,
    ServerSource,
    chunks,
)
from termnews.store.sync_queue import FlagUpdate, ServerFeed

P = TypeVar("P")

API = "/reader/api/0"
READING_LIST = "user/-/state/com.google/reading-list"
READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
TAGS = {"read": READ, "starred": STARRED}
#: Ids asked for per request (Miniflux caps a page at 10,000).
IDS_PAGE = 10_000
ITEM_PREFIX = "tag:google.com,2005:reader/item/"


def item_id(value: str) -> str:
    """An item id in its short decimal form, whatever form the server used."""
    if value.startswith(ITEM_PREFIX):
        return str(int(value[len(ITEM_PREFIX) :], 16))
    if len(value) == 16 and not value.isdigit():
        return str(int(value, 16))
    return str(int(value))


def _href(item: dict[str, Any]) -> str | None:
    for key in ("canonical", "alternate"):
        for link in item.get(key) or ():
            if link.get("href"):
                return link["href"]
    return None


def entry_from_item(item: dict[str, Any]) -> RemoteEntry:
    categories = item.get("categories") or ()
    url = _href(item)
    body = (item.get("content") or item.get("summary") or {}).get("content") or ""
    published = item.get("published")
    changed = item.get("updated")
    article = ArticleData(
        title=item.get("title") or "",
        body=body,
        body_format="html",
        guid=url,
        link=url,
        author=item.get("author") or None,
        published=float(published) if published else None,
        enclosures=tuple(e["href"] for e in item.get("enclosure") or () if e.get("href")),
    )
    return RemoteEntry(
        remote_id=item_id(item["id"]),
        feed_id=(item.get("origin") or {}).get("streamId", ""),
        article=article,
        read=any(c.endswith("/state/com.google/read") for c in categories),
        starred=any(c.endswith("/state/com.google/starred") for c in categories),
        changed=float(changed) if changed else None,
    )


class GReaderClient(ServerClient):
    _write_token: str | None = None

    def _token(self) -> str:
        if self._write_token is None:
            self._write_token = self.request("GET", f"{API}/token").text.strip()
        return self._write_token

    def _post(self, path: str, data: dict[str, Any]) -> Any:
        return self.request(
            "POST", f"{API}/{path}", params={"output": "json"}, data={**data, "T": self._token()}
        )

    def feeds(self) -> list[ServerFeed]:
        body = self.json("GET", f"{API}/subscription/list", params={"output": "json"})
        feeds = []
        for sub in body.get("subscriptions") or ():
            labels = [c.get("label") for c in sub.get("categories") or () if c.get("label")]
            feeds.append(
                ServerFeed(
                    sub["id"],
                    sub.get("title") or sub.get("url", ""),
                    sub.get("url", ""),
                    (labels or [None])[0],
                )
            )
        return feeds

    def _ids(self, stream: str, exclude: str | None = None) -> set[str]:
        found: set[str] = set()
        continuation: str | None = None
        while True:
            params: dict[str, Any] = {"output": "json", "s": stream, "n": IDS_PAGE}
            if exclude:
                params["xt"] = exclude
            if continuation:
                params["c"] = continuation
            body = self.json("GET", f"{API}/stream/items/ids", params=params)
            found.update(item_id(str(ref["id"])) for ref in body.get("itemRefs") or ())
            continuation = body.get("continuation") or None
            if not continuation or continuation == "0":
                return found

    def _contents(self, remote_ids: list[str]) -> list[dict[str, Any]]:
        response = self._post("stream/items/contents", {"i": remote_ids})
        try:
            return response.json().get("items") or []
        except ValueError:
            raise ServerError("stream/items/contents: the server's answer is not JSON") from None

    def pull(
        self,
        cursor: dict,
        known: Mapping[str, tuple[bool, bool]],
        prepare: Callable[[Page], P],
        workers: Callable[[], Executor],
    ) -> Iterator[tuple[P, dict | None]]:
        # Prepared here: the pages' items are decoded into dicts, which cost more to send to
        # another process than to prepare.
        for page in self._pages(known):
            yield prepare(page), page.cursor

    def _pages(self, known: Mapping[str, tuple[bool, bool]]) -> Iterator[Page]:
        every = self._ids(READING_LIST)
        unread = self._ids(READING_LIST, exclude=READ)
        starred = self._ids(STARRED)
        updates = [
            FlagUpdate(rid, rid not in unread, rid in starred)
            for rid, state in known.items()
            if rid in every and (rid not in unread, rid in starred) != state
        ]
        for part in range(0, len(updates), 1000):
            yield Page(updates=updates[part : part + 1000])
        new = sorted(every.difference(known), key=int)
        for batch in chunks(new, self.page_size):
            yield Page(entries=[entry_from_item(item) for item in self._contents(batch)], cursor={})

    def change_times(self, remote_ids: list[str]) -> dict[str, float]:
        times = {}
        for batch in chunks(remote_ids, PAGE_SIZE):
            for item in self._contents(batch):
                if item.get("updated"):
                    times[item_id(item["id"])] = float(item["updated"])
        return times

    def push(self, flag: str, value: bool, remote_ids: list[str]) -> None:
        self._post("edit-tag", {"i": remote_ids, "a" if value else "r": TAGS[flag]})

    def subscribe(self, url: str, category: str | None = None) -> ServerFeed:
        body = self._post("subscription/quickadd", {"quickadd": url}).json()
        stream = body.get("streamId")
        if not body.get("numResults") or not stream:
            raise ServerError(f"the server found no feed at {url}")
        if category:
            self._post("subscription/edit", {"ac": "edit", "s": stream, "a": f"user/-/label/{category}"})
        for feed in self.feeds():
            if feed.remote_id == stream:
                return feed
        return ServerFeed(stream, body.get("streamName") or url, url, category)

    def unsubscribe(self, feed_id: str) -> None:
        self._post("subscription/edit", {"ac": "unsubscribe", "s": feed_id})

    def rename(self, feed_id: str, title: str) -> None:
        self._post("subscription/edit", {"ac": "edit", "s": feed_id, "t": title})


class GReaderSource(ServerSource):
    kind = "greader"

    def connect(self) -> GReaderClient:
        username = self.spec.options.get("username")
        if not isinstance(username, str) or not username:
            raise ServerError(f"{self.spec.name}: set username (the server account's name)")
        password = self.secret("password_command")
        # Inoreader asks every client for its registered app id and key.
        headers: dict[str, str] = {}
        if self.spec.options.get("app_id"):
            headers = {"AppId": str(self.spec.options["app_id"]), "AppKey": self.secret("app_key_command")}
        login = GReaderClient(self.url, headers)
        try:
            answer = login.request(
                "POST", "/accounts/ClientLogin", data={"Email": username, "Passwd": password}
            ).text
        finally:
            login.close()
        auth = next((line[5:] for line in answer.splitlines() if line.startswith("Auth=")), None)
        if not auth:
            raise ServerError(f"{self.url} refused the login (no Auth token in its answer)")
        headers["Authorization"] = f"GoogleLogin auth={auth}"
        return GReaderClient(self.url, headers, self.page_size)
