"""Articles' full texts (cache side): the extracted page beside the feed's text, and its search index."""

from __future__ import annotations

import time

from termnews.models import FullTextState
from termnews.store.db import Database
from termnews.store.search_index import body_text, compress_body
from termnews.text import plain_text


class FullTexts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def full_text(self, article_id: str) -> FullTextState | None:
        """What the last extraction of an article's page came to, if it was tried."""
        rows = self._db.query(
            "SELECT t.body, t.fetched, t.error FROM full_texts t JOIN articles a ON a.rowid = t.article_rowid"
            " WHERE a.id = ?",
            (article_id,),
        )
        if not rows:
            return None
        body, fetched, error = rows[0]
        return FullTextState(body_text(body) if body is not None else None, fetched, error)

    def save_full_text(self, article_id: str, body: str | None, error: str | None) -> bool:
        """Keep an extracted body (HTML, sanitized) or why there is none; False if the article is gone.

        A failure after a success keeps the text already extracted."""
        with self._db.transaction() as conn:
            row = conn.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return False
            rowid = row[0]
            if body is None:
                conn.execute(
                    "INSERT INTO full_texts (article_rowid, fetched, error) VALUES (?, ?, ?)"
                    " ON CONFLICT (article_rowid) DO UPDATE SET fetched = excluded.fetched,"
                    " error = excluded.error",
                    (rowid, time.time(), error),
                )
                return True
            conn.execute(
                "INSERT OR REPLACE INTO full_texts (article_rowid, fetched, body, error) VALUES (?, ?, ?, NULL)",
                (rowid, time.time(), compress_body(body)),
            )
            conn.execute("DELETE FROM full_text_fts WHERE rowid = ?", (rowid,))
            conn.execute(
                "INSERT INTO full_text_fts (rowid, body) VALUES (?, ?)", (rowid, plain_text(body, "html"))
            )
            return True

    def without_full_text(self, source_id: str, limit: int) -> list[tuple[str, str | None]]:
        """(id, link) of a source's newest articles whose page was never tried."""
        return [
            (r[0], r[1])
            for r in self._db.query(
                "SELECT a.id, a.link FROM articles a WHERE a.source_id = ?"
                " AND NOT EXISTS (SELECT 1 FROM full_texts t WHERE t.article_rowid = a.rowid)"
                " ORDER BY a.sort_key DESC LIMIT ?",
                (source_id, limit),
            )
        ]
