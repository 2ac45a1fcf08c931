"""What the last fetch of each source came to: HTTP validators, when, the error, the warnings,
when it is next due, whether it is gone or moved; and the hosts that asked to wait."""

from __future__ import annotations

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
    conn.execute(
        "INSERT INTO source_state (source_id, last_refresh, last_error, warnings) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (source_id) DO UPDATE SET last_refresh = excluded.last_refresh,"
        " last_error = excluded.last_error, warnings = excluded.warnings",
        (source_id, now, note.error, "\n".join(" ".join(w.split()) for w in note.warnings)),
    )
    if note.gone:
        conn.execute("UPDATE source_state SET gone = ? WHERE source_id = ?", (now, source_id))
    if note.error is not None:
        return
    seen_row = conn.execute(
        "SELECT moved_to, moved_seen, interval FROM source_state WHERE source_id = ?", (source_id,)
    ).fetchone()
    interval = note.interval
    if note.not_modified:
        interval = max(interval or 0.0, seen_row[2] or 0.0) or None
    conn.execute(
        "UPDATE source_state SET etag = ?, last_modified = ?, body_hash = ?, interval = ?,"
        " next_due = ? WHERE source_id = ?",
        (
            note.etag,
            note.last_modified,
            note.body_hash,
            interval,
            now + interval if interval else None,
            source_id,
        ),
    )
    _watch_move(conn, source_id, note.moved_to, seen_row)


def _watch_move(conn: sqlite3.Connection, source_id: str, moved_to: str | None, seen_row: tuple) -> None:
    """Count refreshes in a row redirected to `moved_to`; after MOVE_AFTER the source moves there."""
    seen = seen_row[1] + 1 if moved_to is not None and seen_row[0] == moved_to else 1
    if moved_to is None:
        conn.execute(
            "UPDATE source_state SET moved_to = NULL, moved_seen = 0 WHERE source_id = ?", (source_id,)
        )
    elif seen >= MOVE_AFTER:
        conn.execute(
            "UPDATE source_state SET location = ?, moved_to = NULL, moved_seen = 0 WHERE source_id = ?",
            (moved_to, source_id),
        )
    else:
        conn.execute(
            "UPDATE source_state SET moved_to = ?, moved_seen = ? WHERE source_id = ?",
            (moved_to, seen, source_id),
        )


class FetchState:
    def __init__(self, db: Database) -> None:
        self._db = db

    def source_status(self, source_id: str) -> SourceStatus | None:
        rows = self._db.query(
            "SELECT source_id, etag, last_modified, body_hash, last_refresh, last_error,"
            " next_due, gone, location, moved_to, moved_seen, warnings FROM source_state WHERE source_id = ?",
            (source_id,),
        )
        if not rows:
            return None
        source, etag, modified, digest, when, error, due, gone, location, moved_to, seen, warnings = rows[0]
        skipped = tuple(filter(None, warnings.split("\n")))
        return SourceStatus(
            source, etag, modified, digest, when, error, due, gone, location, moved_to, seen, skipped
        )

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
