"""What the last fetch of each source came to: HTTP validators, when, the error, the warnings,
when it is next due, whether it is gone or moved; and the hosts that asked to wait."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from termnews.models import HostWait, SourceSpec, SourceStatus
from termnews.store.db import Database

if TYPE_CHECKING:
    from termnews.store.articles import ArticleRow

#: A permanent redirect moves a source once it has been seen on this many refreshes in a row.
MOVE_AFTER = 2


@dataclass(frozen=True)
class FetchNote:
    """What one fetch of a source came to, as its state keeps it."""

    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    #: Seconds until it is due again (the feed's <ttl>, the server's max-age).
    interval: float | None = None
    not_modified: bool = False
    #: Where a permanent redirect pointed (watched until it holds).
    moved_to: str | None = None
    gone: bool = False
    #: What the fetch skipped, one line each (they replace the last fetch's).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredFetch:
    """One source's fetch as a refresh stores it: its rows (None when there is nothing to
    store: an error or not modified) and what the fetch came to."""

    spec: SourceSpec
    rows: list[ArticleRow] | None
    #: None for a feed a server fetches (its fetches are the server's to keep).
    note: FetchNote | None


def record(conn: sqlite3.Connection, source_id: str, note: FetchNote) -> None:
    """Remember when a source was fetched (inside the caller's transaction). Validators, when it
    is next due and a redirect being watched only change on success; not modified, the
    interval known before still holds."""
    now = time.time()
    values: dict[str, object] = {
        "last_refresh": now,
        "last_error": note.error,
        "warnings": "\n".join(" ".join(w.split()) for w in note.warnings),
    }
    if note.gone:
        values["gone"] = now
    if note.error is None:
        before = conn.execute(
            "SELECT moved_to, moved_seen, interval FROM source_state WHERE source_id = ?", (source_id,)
        ).fetchone() or (None, 0, None)
        interval = note.interval
        if note.not_modified:
            interval = max(interval or 0.0, before[2] or 0.0) or None
        values.update(
            etag=note.etag,
            last_modified=note.last_modified,
            body_hash=note.body_hash,
            interval=interval,
            next_due=now + interval if interval else None,
        )
        values.update(_watch_move(note.moved_to, before))
    names = ", ".join(values)
    conn.execute(
        f"INSERT INTO source_state (source_id, {names}) VALUES (?{', ?' * len(values)})"
        f" ON CONFLICT (source_id) DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in values)}",
        (source_id, *values.values()),
    )


def _watch_move(moved_to: str | None, before: tuple) -> dict[str, object]:
    """Count refreshes in a row redirected to `moved_to`; after MOVE_AFTER the source moves there."""
    seen = before[1] + 1 if moved_to is not None and before[0] == moved_to else 1
    if moved_to is None:
        return {"moved_to": None, "moved_seen": 0}
    if seen >= MOVE_AFTER:
        return {"location": moved_to, "moved_to": None, "moved_seen": 0}
    return {"moved_to": moved_to, "moved_seen": seen}


_STATUS = (
    "source_id, etag, last_modified, body_hash, last_refresh, last_error,"
    " next_due, gone, location, moved_to, moved_seen, warnings"
)


def _status(row: tuple) -> SourceStatus:
    source, etag, modified, digest, when, error, due, gone, location, moved_to, seen, warnings = row
    skipped = tuple(filter(None, warnings.split("\n")))
    return SourceStatus(
        source, etag, modified, digest, when, error, due, gone, location, moved_to, seen, skipped
    )


class FetchState:
    def __init__(self, db: Database) -> None:
        self._db = db

    def source_status(self, source_id: str) -> SourceStatus | None:
        rows = self._db.query(f"SELECT {_STATUS} FROM source_state WHERE source_id = ?", (source_id,))
        return _status(rows[0]) if rows else None

    def source_statuses(self, source_ids: list[str]) -> dict[str, SourceStatus]:
        """The last fetch of each of `source_ids` that has one, in one query (a refresh's start)."""
        rows = self._db.query(
            f"SELECT {_STATUS} FROM source_state WHERE source_id IN (SELECT value FROM json_each(?))",
            (json.dumps(source_ids),),
        )
        return {row[0]: _status(row) for row in rows}

    def record_fetch(self, source_id: str, note: FetchNote) -> None:
        """Remember what a fetch of a source came to (see `record`)."""
        with self._db.transaction() as conn:
            record(conn, source_id, note)

    def forget_source(self, source_id: str) -> None:
        """Drop everything known of a source's fetches (validators, gone, moved)."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM source_state WHERE source_id = ?", (source_id,))

    def host_waits(self) -> list[HostWait]:
        """Hosts that asked to wait, the past ones included (their failure counts feed the backoff)."""
        rows = self._db.query("SELECT host, until, failures, reason FROM host_waits")
        return [HostWait(*row) for row in rows]

    def save_host_waits(self, waits: list[HostWait | tuple[str, None]]) -> None:
        """Store waits set during a refresh; a (host, None) clears that host's."""
        with self._db.transaction() as conn:
            for wait in waits:
                if isinstance(wait, HostWait):
                    conn.execute(
                        "INSERT OR REPLACE INTO host_waits (host, until, failures, reason) VALUES (?, ?, ?, ?)",
                        (wait.host, wait.until, wait.failures, wait.reason),
                    )
                else:
                    conn.execute("DELETE FROM host_waits WHERE host = ?", (wait[0],))
