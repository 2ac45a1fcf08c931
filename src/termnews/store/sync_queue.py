"""What sync with a feed server keeps in state.sqlite: its own SQL, in this one module.

Five tables beside the flags (state side, so they survive a cache rebuild):

- `sync_items`: the remote id of every article a server gave us, beside our
  stable article id, with the flags as the server last reported them (so a
  pull can tell what the server changed since, and a conflict who moved last).
- `sync_queue`: flag changes made here and not yet sent, one row per (entry,
  flag): a newer change to the same flag replaces the older one. Written in
  the same transaction as the flag itself (`enqueue`, called by `Flags`).
- `sync_feeds`: the server's subscriptions and their categories, as last pulled.
- `sync_state`: per server, where the incremental pull stands (a JSON cursor),
  when the last sync finished, its error, and the server's clock offset.
- `sync_refused`: changes a server refused for good (`refuse`), out of the
  queue, with the server's words, so none is lost without a trace; the newest
  `KEEP_REFUSED` a server.

Times in `sync_queue.changed` are this machine's clock; the server's times are
the server's clock; `sync_state.clock_offset` (server minus local, from the
HTTP `Date` header) converts one into the other.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from termnews.store.db import Database

FLAGS = ("read", "starred")
#: Refused changes kept per server (the newest).
KEEP_REFUSED = 100
_VERBS = {("read", True): "mark read", ("read", False): "mark unread", ("starred", True): "star"}


def enqueue(conn: sqlite3.Connection, ids: Sequence[str], flag: str, value: bool, now: float) -> None:
    """Queue a local flag change for every article in `ids` that came from a server.

    Runs inside the caller's transaction (the one that writes the flag).
    """
    conn.executemany(
        "INSERT INTO state.sync_queue (source_id, remote_id, flag, value, changed)"
        " SELECT source_id, remote_id, ?, ?, ? FROM state.sync_items WHERE article_id = ? AND true"
        " ON CONFLICT (source_id, remote_id, flag) DO UPDATE SET value = excluded.value,"
        " changed = excluded.changed, seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM state.sync_queue)",
        [(flag, int(value), now, aid) for aid in ids],
    )


@dataclass(frozen=True)
class QueuedChange:
    seq: int
    remote_id: str
    flag: str
    value: bool
    changed: float  # local clock


@dataclass(frozen=True)
class RefusedChange:
    """A change the server refused for good: not sent, and not retried."""

    remote_id: str
    title: str | None  # the article's, when it was refused
    flag: str
    value: bool
    changed: float  # when it was made here (local clock)
    refused: float
    reason: str  # the server's words

    def describe(self) -> str:
        """`star 'Title'`: what was asked of the server."""
        what = repr(self.title) if self.title else f"entry {self.remote_id}"
        return f"{_VERBS.get((self.flag, self.value), 'unstar')} {what}"


@dataclass(frozen=True)
class ServerFeed:
    remote_id: str
    title: str
    url: str
    category: str | None


@dataclass(frozen=True)
class SyncStatus:
    source_id: str
    cursor: dict
    last_sync: float | None
    last_error: str | None
    clock_offset: float
    queued: int
    feeds: int
    refused: int = 0


@dataclass(frozen=True)
class KnownItem:
    article_id: str
    read: bool  # as the server last said
    starred: bool


@dataclass(frozen=True)
class FlagUpdate:
    """A server's state for one entry, with when it changed there (server clock) if known."""

    remote_id: str
    read: bool
    starred: bool
    changed: float | None = None


class SyncQueue:
    """The sync tables, read and written on the calling thread's connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def conn(self) -> sqlite3.Connection:
        return self._db.conn

    # -- reads ----------------------------------------------------------------------

    def status(self, source_id: str) -> SyncStatus:
        row = self.conn.execute(
            "SELECT cursor, last_sync, last_error, clock_offset FROM state.sync_state WHERE source_id = ?",
            (source_id,),
        ).fetchone()
        queued = self.conn.execute(
            "SELECT COUNT(*) FROM state.sync_queue WHERE source_id = ?", (source_id,)
        ).fetchone()[0]
        feeds, refused = (
            self.conn.execute(
                f"SELECT COUNT(*) FROM state.{table} WHERE source_id = ?", (source_id,)
            ).fetchone()[0]
            for table in ("sync_feeds", "sync_refused")
        )
        if row is None:
            return SyncStatus(source_id, {}, None, None, 0.0, queued, feeds, refused)
        return SyncStatus(source_id, json.loads(row[0]), row[1], row[2], row[3], queued, feeds, refused)

    def queued_total(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM state.sync_queue").fetchone()[0]

    def refused(self, source_id: str, limit: int = KEEP_REFUSED) -> list[RefusedChange]:
        """The changes the server refused, newest first."""
        rows = self.conn.execute(
            "SELECT remote_id, title, flag, value, changed, refused, reason FROM state.sync_refused"
            " WHERE source_id = ? ORDER BY id DESC LIMIT ?",
            (source_id, limit),
        )
        return [RefusedChange(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6]) for r in rows]

    def queued(self, source_id: str, limit: int = 500) -> list[QueuedChange]:
        rows = self.conn.execute(
            "SELECT seq, remote_id, flag, value, changed FROM state.sync_queue WHERE source_id = ?"
            " ORDER BY seq LIMIT ?",
            (source_id, limit),
        ).fetchall()
        return [QueuedChange(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]

    def feeds(self, source_id: str) -> list[ServerFeed]:
        rows = self.conn.execute(
            "SELECT remote_id, title, url, category FROM state.sync_feeds WHERE source_id = ?"
            " ORDER BY category, title COLLATE NOCASE",
            (source_id,),
        ).fetchall()
        return [ServerFeed(*r) for r in rows]

    def queued_among(self, source_id: str, remote_ids: Sequence[str]) -> set[str]:
        """Which of these entries have a local change waiting."""
        found: set[str] = set()
        for start in range(0, len(remote_ids), 500):
            part = list(remote_ids[start : start + 500])
            rows = self.conn.execute(
                "SELECT DISTINCT remote_id FROM state.sync_queue WHERE source_id = ?"
                f" AND remote_id IN ({','.join('?' * len(part))})",
                (source_id, *part),
            )
            found.update(r[0] for r in rows)
        return found

    def server_of(self, article_id: str) -> str | None:
        """The source id of the server an article came from (None: from none)."""
        row = self.conn.execute(
            "SELECT source_id FROM state.sync_items WHERE article_id = ? LIMIT 1", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def known_states(self, source_id: str) -> dict[str, tuple[bool, bool]]:
        rows = self.conn.execute(
            "SELECT remote_id, srv_read, srv_starred FROM state.sync_items WHERE source_id = ?", (source_id,)
        )
        return {r[0]: (bool(r[1]), bool(r[2])) for r in rows}

    # -- writes (each one transaction) ---------------------------------------------------

    def save_feeds(self, source_id: str, feeds: Iterable[ServerFeed]) -> None:
        with self._db.transaction():
            self.conn.execute("DELETE FROM state.sync_feeds WHERE source_id = ?", (source_id,))
            self.conn.executemany(
                "INSERT OR REPLACE INTO state.sync_feeds (source_id, remote_id, title, url, category)"
                " VALUES (?, ?, ?, ?, ?)",
                [(source_id, f.remote_id, f.title, f.url, f.category) for f in feeds],
            )

    def apply_page(
        self,
        source_id: str,
        items: Sequence[tuple[str, str, str]],
        updates: Sequence[FlagUpdate],
        cursor: dict | None,
        clock_offset: float,
    ) -> int:
        """Record a pulled page in one transaction: new (remote id, article id, feed id)
        mappings, the server's flags (applied locally unless a newer local change is
        queued), and the cursor to resume from. Returns how many local flags changed."""
        with self._db.transaction():
            self.conn.executemany(
                "INSERT INTO state.sync_items (source_id, remote_id, article_id, feed_id)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET feed_id = excluded.feed_id",
                [(source_id, rid, aid, fid) for rid, aid, fid in items],
            )
            changed = self._apply_updates(source_id, updates, clock_offset)
            if cursor is not None:
                self._save_cursor(source_id, cursor)
        return changed

    def _apply_updates(self, source_id: str, updates: Sequence[FlagUpdate], clock_offset: float) -> int:
        """Apply the server's flags in order, each as `_FlagPlan.decide` says: what they
        depend on is read in three queries and the outcome written in bulk (a page holds
        up to a thousand entries)."""
        remote_ids = json.dumps(sorted({u.remote_id for u in updates}))
        known = {
            r[0]: [r[1], bool(r[2]), bool(r[3])]
            for r in self.conn.execute(
                "SELECT remote_id, article_id, srv_read, srv_starred FROM state.sync_items"
                " WHERE source_id = ? AND remote_id IN (SELECT value FROM json_each(?))",
                (source_id, remote_ids),
            )
        }
        plan = _FlagPlan(source_id, clock_offset)
        article_ids = json.dumps(sorted({item[0] for item in known.values()}))
        for aid, read, starred in self.conn.execute(
            "SELECT article_id, read, starred FROM state.flags WHERE article_id IN"
            " (SELECT value FROM json_each(?))",
            (article_ids,),
        ):
            plan.local[aid] = [bool(read), bool(starred)]
        for remote_id, flag, changed in self.conn.execute(
            "SELECT remote_id, flag, changed FROM state.sync_queue"
            " WHERE source_id = ? AND remote_id IN (SELECT value FROM json_each(?))",
            (source_id, remote_ids),
        ):
            plan.queued[(remote_id, flag)] = changed
        for update in updates:
            item = known.get(update.remote_id)
            if item is not None:
                plan.decide(update, item)
        plan.write(self.conn)
        return plan.changed

    def _save_cursor(self, source_id: str, cursor: dict) -> None:
        self.conn.execute(
            "INSERT INTO state.sync_state (source_id, cursor) VALUES (?, ?)"
            " ON CONFLICT (source_id) DO UPDATE SET cursor = excluded.cursor",
            (source_id, json.dumps(cursor)),
        )

    def sent(self, source_id: str, changes: Sequence[QueuedChange]) -> None:
        """The server took these: drop them (unless replaced since) and remember its new state."""
        with self._db.transaction():
            self.conn.executemany("DELETE FROM state.sync_queue WHERE seq = ?", [(c.seq,) for c in changes])
            for c in changes:
                self.conn.execute(
                    f"UPDATE state.sync_items SET srv_{c.flag} = ? WHERE source_id = ? AND remote_id = ?",
                    (int(c.value), source_id, c.remote_id),
                )

    def refuse(
        self, source_id: str, changes: Sequence[QueuedChange], reason: str, when: float
    ) -> list[RefusedChange]:
        """The server refused these for good: out of the queue (unless replaced since), into
        the refused list with its words; the flags here stay as the person set them."""
        with self._db.transaction() as conn:
            refused = []
            for c in changes:
                title = conn.execute(
                    "SELECT a.title FROM state.sync_items i JOIN articles a ON a.id = i.article_id"
                    " WHERE i.source_id = ? AND i.remote_id = ?",
                    (source_id, c.remote_id),
                ).fetchone()
                refused.append(
                    RefusedChange(c.remote_id, title and title[0], c.flag, c.value, c.changed, when, reason)
                )
            conn.executemany(
                "INSERT INTO state.sync_refused (source_id, remote_id, title, flag, value, changed, refused,"
                " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (source_id, r.remote_id, r.title, r.flag, int(r.value), r.changed, when, reason)
                    for r in refused
                ],
            )
            conn.executemany("DELETE FROM state.sync_queue WHERE seq = ?", [(c.seq,) for c in changes])
            conn.execute(
                "DELETE FROM state.sync_refused WHERE source_id = ? AND id NOT IN (SELECT id FROM"
                " state.sync_refused WHERE source_id = ? ORDER BY id DESC LIMIT ?)",
                (source_id, source_id, KEEP_REFUSED),
            )
        return refused

    def forget_refused(self, source_id: str) -> int:
        """The person has seen what the server refused: the list is emptied (the flags stay)."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM state.sync_refused WHERE source_id = ?", (source_id,)).rowcount

    def finish(self, source_id: str, *, when: float, error: str | None, clock_offset: float | None) -> None:
        with self._db.transaction():
            self.conn.execute(
                "INSERT INTO state.sync_state (source_id, last_sync, last_error, clock_offset)"
                " VALUES (?, ?, ?, COALESCE(?, 0)) ON CONFLICT (source_id) DO UPDATE SET"
                " last_sync = COALESCE(excluded.last_sync, last_sync), last_error = excluded.last_error,"
                " clock_offset = COALESCE(?, clock_offset)",
                (source_id, when if error is None else None, error, clock_offset, clock_offset),
            )

    def forget_feed(self, source_id: str, feed_id: str) -> None:
        with self._db.transaction():
            self.conn.execute(
                "DELETE FROM state.sync_feeds WHERE source_id = ? AND remote_id = ?", (source_id, feed_id)
            )


class _FlagPlan:
    """The writes a page's server flags come to, decided one update after another against
    what the earlier ones changed (an entry may come twice in a page)."""

    def __init__(self, source_id: str, clock_offset: float) -> None:
        self.source_id, self.clock_offset = source_id, clock_offset
        self.local: dict[str, list[bool]] = {}  # article id: [read, starred] here
        self.queued: dict[tuple[str, str], float] = {}  # (remote id, flag): when changed here
        self.dequeued: list[tuple[str, str, str]] = []
        self.flags: dict[str, list[tuple[str, int, float]]] = {flag: [] for flag in FLAGS}
        self.items: list[tuple[int, int, str, str]] = []
        self.changed = 0
        self.now = time.time()

    def decide(self, update: FlagUpdate, item: list) -> None:
        """`item`: [article id, read, starred as the server last said]. The server's flag is
        applied unless a local change to it is queued and is newer (or the server did not
        move it): then ours is kept, to be pushed."""
        local = self.local.setdefault(item[0], [False, False])
        for i, flag in enumerate(FLAGS):
            server_value = getattr(update, flag)
            queued = self.queued.get((update.remote_id, flag))
            if queued is not None:
                server_moved = server_value != item[1 + i]
                server_newer = update.changed is None or update.changed > queued + self.clock_offset
                if not (server_moved and server_newer):
                    continue  # ours is newer (or the server did not touch it): it is pushed
                del self.queued[(update.remote_id, flag)]
                self.dequeued.append((self.source_id, update.remote_id, flag))
            if local[i] == server_value:
                continue
            local[i] = server_value
            self.flags[flag].append((item[0], int(server_value), self.now))
            self.changed += 1
        if (item[1], item[2]) != (update.read, update.starred):  # else the server said so before
            item[1], item[2] = update.read, update.starred
            self.items.append((int(update.read), int(update.starred), self.source_id, update.remote_id))

    def write(self, conn: sqlite3.Connection) -> None:
        conn.executemany(
            "DELETE FROM state.sync_queue WHERE source_id = ? AND remote_id = ? AND flag = ?", self.dequeued
        )
        for flag, rows in self.flags.items():
            conn.executemany(
                f"INSERT INTO state.flags (article_id, {flag}, changed) VALUES (?, ?, ?)"
                f" ON CONFLICT (article_id) DO UPDATE SET {flag} = excluded.{flag}, changed = excluded.changed",
                rows,
            )
        conn.executemany(
            "UPDATE state.sync_items SET srv_read = ?, srv_starred = ? WHERE source_id = ? AND remote_id = ?",
            self.items,
        )
