"""What the last fetch of each source came to: HTTP validators, when, and the error."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from termnews.models import SourceSpec, SourceStatus
from termnews.store.db import Database

if TYPE_CHECKING:
    from termnews.store.articles import ArticleRow


@dataclass(frozen=True)
class StoredFetch:
    """One source's fetch as a refresh stores it: its rows (None when there is nothing to
    store: an error or not modified) and what the fetch came to."""

    spec: SourceSpec
    rows: list[ArticleRow] | None
    error: str | None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


def record(
    conn: sqlite3.Connection,
    source_id: str,
    error: str | None,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
) -> None:
    """Remember when a source was fetched (inside the caller's transaction); validators only change on success."""
    conn.execute(
        "INSERT INTO source_state (source_id, last_refresh, last_error) VALUES (?, ?, ?)"
        " ON CONFLICT (source_id) DO UPDATE SET last_refresh = excluded.last_refresh,"
        " last_error = excluded.last_error",
        (source_id, time.time(), error),
    )
    if error is None:
        conn.execute(
            "UPDATE source_state SET etag = ?, last_modified = ?, body_hash = ? WHERE source_id = ?",
            (etag, last_modified, body_hash, source_id),
        )


class FetchState:
    def __init__(self, db: Database) -> None:
        self._db = db

    def source_status(self, source_id: str) -> SourceStatus | None:
        rows = self._db.query(
            "SELECT source_id, etag, last_modified, body_hash, last_refresh, last_error"
            " FROM source_state WHERE source_id = ?",
            (source_id,),
        )
        return SourceStatus(*rows[0]) if rows else None

    def record_fetch(
        self,
        source_id: str,
        *,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
    ) -> None:
        """Remember when a source was fetched; validators only change on success."""
        with self._db.transaction() as conn:
            record(conn, source_id, error, etag, last_modified, body_hash)
