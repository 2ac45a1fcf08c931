"""Comment feeds fetched on demand: their validators and the comments, as JSON (cache side)."""

from __future__ import annotations

import time

from termnews.models import CommentFeedState
from termnews.store.db import Database


class CommentFeedCache:
    def __init__(self, db: Database) -> None:
        self._db = db

    def comment_feed(self, url: str) -> CommentFeedState | None:
        rows = self._db.query(
            "SELECT url, etag, last_modified, body_hash, fetched, last_error, comments"
            " FROM comment_feeds WHERE url = ?",
            (url,),
        )
        return CommentFeedState(*rows[0]) if rows else None

    def save_comment_feed(
        self,
        url: str,
        *,
        comments_json: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        error: str | None = None,
        now: float | None = None,
    ) -> None:
        """Remember a fetch of a comment feed; a failed one keeps the comments and validators."""
        now = time.time() if now is None else now
        with self._db.transaction() as conn:
            if comments_json is None:
                conn.execute(
                    "INSERT INTO comment_feeds (url, fetched, last_error) VALUES (?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET fetched = excluded.fetched,"
                    " last_error = excluded.last_error",
                    (url, now, error),
                )
                return
            conn.execute(
                "INSERT INTO comment_feeds (url, etag, last_modified, body_hash, fetched,"
                " last_error, comments) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, body_hash = excluded.body_hash,"
                " fetched = excluded.fetched, last_error = excluded.last_error,"
                " comments = excluded.comments",
                (url, etag, last_modified, body_hash, now, error, comments_json),
            )
