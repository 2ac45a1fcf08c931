"""The article cache: downloaded articles, kept in step with the search index.

Disposable: everything here is rebuilt from the sources. Flags and drafts
live in the state file, keyed by the article's stable id.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from typing import NamedTuple

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

#: Articles indexed per transaction when the index catches up.
INDEX_BATCH = 500


class ArticleRow(NamedTuple):
    """An article ready to store: built where it was parsed (a worker process), so the
    writing process only writes. The body is compressed already."""

    id: str
    title: str
    body: bytes
    body_format: str
    link: str | None
    author: str | None
    published: float | None
    media: str
    comments_url: str | None
    guid: str | None
    first_seen: float | None


def prepare_rows(source_id: str, entries: Iterable[ArticleData]) -> list[ArticleRow]:
    """The rows of a source's (cleaned) entries, one per article id (the last entry wins)."""
    rows: dict[str, ArticleRow] = {}
    for e in entries:
        aid = article_id(source_id, e)
        rows[aid] = ArticleRow(
            aid,
            e.title,
            search_index.compress_body(e.body),
            e.body_format,
            e.link,
            e.author,
            e.published,
            encode_media(e.enclosures, e.image, e.comments_page),
            e.comments_url,
            e.guid,
            e.first_seen,
        )
    return list(rows.values())


_STORED = (
    "id, source, title, body, body_format, link, author, published, enclosures, comments_url, guid,"
    " rowid, sort_key, fts_key"
)


def write_rows(conn: sqlite3.Connection, spec: SourceSpec, rows: list[ArticleRow], now: float) -> int:
    """Insert new rows and update changed ones (inside the caller's transaction); returns
    how many are new. A row whose text or time changed leaves the search index, to be
    indexed again; an unchanged row is not written at all."""
    stored = {
        r[0]: r
        for r in conn.execute(
            f"SELECT {_STORED} FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([row.id for row in rows]),),
        )
    }
    inserts, updates, stale = [], [], []
    for i, row in enumerate(rows):
        values = (spec.name, *row[1:10])
        old = stored.get(row.id)
        if old is None:
            # An undated entry is placed when first seen, and keeps that place; undated
            # entries first seen together keep the source's order (its first is newest).
            inserts.append(
                (*values, row.id, spec.source_id, row.published or row.first_seen or now - i * 1e-3)
            )
            continue
        sort_key = old[12] if row.published is None else row.published
        if values == old[1:11] and sort_key == old[12]:
            continue
        reindex = (row.title, row.body, row.body_format) != old[2:5] or sort_key != old[12]
        if reindex and old[13] is not None:
            stale.append((old[13], old[2], old[3], old[4]))
        updates.append((*values, sort_key, 1 if reindex else 0, row.id))
    search_index.unindex(conn, stale)
    conn.executemany(
        "INSERT INTO articles (source, title, body, body_format, link, author, published,"
        " enclosures, comments_url, guid, id, source_id, sort_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        inserts,
    )
    conn.executemany(
        "UPDATE articles SET source = ?, title = ?, body = ?, body_format = ?, link = ?, author = ?,"
        " published = ?, enclosures = ?, comments_url = ?, guid = ?, sort_key = ?,"
        " fts_key = CASE WHEN ? THEN NULL ELSE fts_key END WHERE id = ?",
        updates,
    )
    return len(inserts)


class ArticleCache:
    def __init__(self, db: Database) -> None:
        self._db = db

    def store_articles(self, spec: SourceSpec, entries: list[ArticleData], now: float | None = None) -> int:
        """Insert or update a source's articles in one transaction, then index them; returns how many are new."""
        rows = prepare_rows(spec.source_id, entries)
        with self._db.transaction() as conn:
            new = write_rows(conn, spec, rows, time.time() if now is None else now)
        while self.index_pending():
            pass
        return new

    def index_pending(self, limit: int = INDEX_BATCH) -> int:
        """Put up to `limit` stored articles into the search index, in one transaction; returns how many."""
        with self._db.transaction() as conn:
            return search_index.index_pending(conn, limit)

    def unindexed(self) -> int:
        """Articles stored but not searchable yet (the index is being built)."""
        return search_index.pending(self._db.conn)

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
                f"SELECT a.fts_key, a.title, a.body, a.body_format, a.rowid FROM articles a WHERE {condition}",
                tuple(params),
            ).fetchall()
            search_index.unindex(conn, rows)
            conn.executemany("DELETE FROM articles WHERE rowid = ?", [(r[4],) for r in rows])
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
