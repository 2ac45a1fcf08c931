"""What the last fetch of each source came to: HTTP validators, when, the error, the warnings."""

from __future__ import annotations

import time

from termnews.models import SourceStatus
from termnews.store.db import Database


class FetchState:
    def __init__(self, db: Database) -> None:
        self._db = db

    def source_status(self, source_id: str) -> SourceStatus | None:
        rows = self._db.query(
            "SELECT source_id, etag, last_modified, body_hash, last_refresh, last_error, warnings"
            " FROM source_state WHERE source_id = ?",
            (source_id,),
        )
        if not rows:
            return None
        source, etag, modified, digest, when, error, warnings = rows[0]
        return SourceStatus(
            source, etag, modified, digest, when, error, tuple(filter(None, warnings.split("\n")))
        )

    def record_fetch(
        self,
        source_id: str,
        *,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        warnings: tuple[str, ...] = (),
    ) -> None:
        """Remember when a source was fetched; validators only change on success.

        `warnings` (one line each) replace the last fetch's.
        """
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO source_state (source_id, last_refresh, last_error, warnings) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (source_id) DO UPDATE SET last_refresh = excluded.last_refresh,"
                " last_error = excluded.last_error, warnings = excluded.warnings",
                (source_id, time.time(), error, "\n".join(" ".join(w.split()) for w in warnings)),
            )
            if error is None:
                conn.execute(
                    "UPDATE source_state SET etag = ?, last_modified = ?, body_hash = ? WHERE source_id = ?",
                    (etag, last_modified, body_hash, source_id),
                )
