"""What the last fetch of each source came to: HTTP validators, when, and the error."""

from __future__ import annotations

import time

from termnews.models import SourceStatus
from termnews.store.db import Database


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
