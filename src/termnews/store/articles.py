"""The article cache: downloaded articles, kept in step with the search index.

Disposable: everything here is rebuilt from the sources. Flags and drafts
live in the state file, keyed by the article's stable id.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

from termnews.models import (
    Article,
    ArticleData,
    ArticleReplyInfo,
    SourceSpec,
    article_id,
    decode_media,
    encode_media,
)
from termnews.store import search_index
from termnews.store.db import Database


def _store_one(conn: sqlite3.Connection, spec: SourceSpec, entry: ArticleData, seen: float) -> bool:
    """Insert or update one entry (inside the caller's transaction); True if it is new.

    An undated entry is placed by `seen` when it is new, and keeps that place.
    """
    aid = article_id(spec.source_id, entry)
    body = search_index.compress_body(entry.body)
    row = conn.execute("SELECT rowid, title, body, body_format FROM articles WHERE id = ?", (aid,)).fetchone()
    values = (
        spec.name,
        entry.title,
        body,
        entry.body_format,
        entry.link,
        entry.author,
        entry.published,
        encode_media(entry.enclosures, entry.image, entry.comments_page),
        entry.comments_url,
        entry.guid,
    )
    if row is None:
        rowid = conn.execute(
            "INSERT INTO articles (source, title, body, body_format, link, author,"
            " published, enclosures, comments_url, guid, id, source_id, sort_key)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, aid, spec.source_id, entry.published or entry.first_seen or seen),
        ).lastrowid
        assert rowid is not None
        search_index.index(conn, rowid, entry.title, entry.body, entry.body_format)
        return True
    conn.execute(
        "UPDATE articles SET source = ?, title = ?, body = ?, body_format = ?,"
        " link = ?, author = ?, published = ?, enclosures = ?, comments_url = ?,"
        " guid = ?, sort_key = COALESCE(?, sort_key) WHERE id = ?",
        (*values, entry.published, aid),
    )
    if (row[1], row[2], row[3]) != (entry.title, body, entry.body_format):
        search_index.unindex(conn, [row])
        search_index.index(conn, row[0], entry.title, entry.body, entry.body_format)
    return False


class ArticleCache:
    def __init__(self, db: Database) -> None:
        self._db = db

    def store_articles(self, spec: SourceSpec, entries: list[ArticleData], now: float | None = None) -> int:
        """Insert or update a source's articles in one transaction; returns how many are new.

        Undated entries first seen together keep the source's order (its first is newest).
        """
        now = time.time() if now is None else now
        with self._db.transaction() as conn:
            return sum(_store_one(conn, spec, entry, now - i * 1e-3) for i, entry in enumerate(entries))

    def article(self, aid: str) -> Article | None:
        rows = self._db.query(
            "SELECT a.id, a.source, a.title, a.body, a.body_format, a.link, a.author,"
            " a.published, a.enclosures, COALESCE(f.read, 0), COALESCE(f.starred, 0)"
            " FROM articles a LEFT JOIN state.flags f ON f.article_id = a.id WHERE a.id = ?",
            (aid,),
        )
        if not rows:
            return None
        r = rows[0]
        enclosures, image, comments_page = decode_media(r[8])
        return Article(
            id=r[0],
            source=r[1],
            title=r[2],
            body=search_index.body_text(r[3]),
            body_format=r[4],
            link=r[5],
            author=r[6],
            published=r[7],
            enclosures=enclosures,
            read=bool(r[9]),
            starred=bool(r[10]),
            image=image,
            comments_page=comments_page,
        )

    def article_reply_info(self, aid: str) -> ArticleReplyInfo | None:
        rows = self._db.query("SELECT id, link, guid, comments_url FROM articles WHERE id = ?", (aid,))
        return ArticleReplyInfo(*rows[0]) if rows else None

    def delete_where(self, condition: str, params: Iterable[object]) -> int:
        """Delete the articles matching `condition` (SQL over `a`), index entries first."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                f"SELECT a.rowid, a.title, a.body, a.body_format FROM articles a WHERE {condition}",
                tuple(params),
            ).fetchall()
            search_index.unindex(conn, rows)
            conn.executemany("DELETE FROM articles WHERE rowid = ?", [(r[0],) for r in rows])
        return len(rows)

    def remove_source_articles(self, source_id: str) -> int:
        return self.delete_where("a.source_id = ?", (source_id,))

    def prune(
        self, source_id: str | None, *, keep_newest: int | None = None, older_than: float | None = None
    ) -> int:
        """Delete old articles of one source (or of all, with None), in one transaction.

        Removes articles beyond the `keep_newest` newest and those dated before
        `older_than`; never a starred article or one with a draft.
        """
        if keep_newest is None and older_than is None:
            return 0
        scope = "a.source_id = ?" if source_id else "1"
        params: list[object] = [source_id] if source_id else []
        doomed: list[str] = []
        if older_than is not None:
            doomed.append("a.sort_key < ?")
            params.append(older_than)
        if keep_newest is not None:
            inner = "source_id = ?" if source_id else "1"
            doomed.append(
                f"a.rowid NOT IN (SELECT rowid FROM articles WHERE {inner}"
                " ORDER BY sort_key DESC, rowid DESC LIMIT ?)"
            )
            params.extend([source_id, keep_newest] if source_id else [keep_newest])
        return self.delete_where(
            "a.rowid IN (SELECT a.rowid FROM articles a"
            " LEFT JOIN state.flags f ON f.article_id = a.id"
            f" WHERE {scope} AND COALESCE(f.starred, 0) = 0"
            " AND NOT EXISTS (SELECT 1 FROM state.drafts d WHERE d.article_id = a.id)"
            f" AND ({' OR '.join(doomed)}))",
            params,
        )
