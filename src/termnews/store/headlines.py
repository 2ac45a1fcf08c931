"""Read-only headline queries: pages, counts, positions and searches of a view.

Safe to call from any thread (each has its own connection), so the app can
read pages in a worker while the UI paints.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator
from typing import Protocol

from termnews.models import Headline, View
from termnews.store.db import Database
from termnews.store.query_builder import NEWEST_FIRST, Select, view_select
from termnews.store.search_index import MATCHING_ROWIDS, body_text, fts_query
from termnews.text import plain_text, snippet

# A search shows at most this many matches, the newest, ranked by relevance.
SEARCH_WINDOW = 2000

_HEADLINE_COLUMNS = """
    a.rowid, a.id, a.title, a.source, a.published,
    COALESCE(f.read, 0), COALESCE(f.starred, 0),
    EXISTS (SELECT 1 FROM state.drafts d WHERE d.article_id = a.id),
    a.link
"""


_JSON_LIST = "(SELECT value FROM json_each(?))"
_EVERYTHING = View()


class HeadlineQueries:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._searches: dict[tuple[View, int], list[int]] = {}

    def count(self, view: View = _EVERYTHING, unread_only: bool = False) -> int:
        """Rows in a view (of a search: the rows it shows); with `unread_only`, its unread ones."""
        if view.query is None:
            return self._db.query(*view_select(view, unread_only=unread_only).sql("COUNT(*)"))[0][0]
        rowids = self._search_rowids(view)
        if not unread_only or not rowids:
            return len(rowids)
        unread = Select().join("LEFT JOIN state.flags f ON f.article_id = a.id")
        unread = unread.where(f"a.rowid IN {_JSON_LIST}", json.dumps(rowids)).where("COALESCE(f.read, 0) = 0")
        return self._db.query(*unread.sql("COUNT(*)"))[0][0]

    def headlines(self, view: View = _EVERYTHING, offset: int = 0, limit: int = 100) -> list[Headline]:
        if view.query is not None:
            rowids = self._search_rowids(view)[offset : offset + limit]
        else:
            # Two steps: skipping `offset` rows reads only the index; the columns
            # (and the flag and draft look-ups) are fetched for the page alone.
            page = view_select(view).sql(
                "a.rowid", f"ORDER BY {NEWEST_FIRST} LIMIT ? OFFSET ?", limit, offset
            )
            rowids = [r[0] for r in self._db.query(*page)]
        return self._rows(rowids, view.query) if rowids else []

    def _rows(self, rowids: list[int], query: str | None) -> list[Headline]:
        """The headlines of `rowids`, in that order; with the words around a match for a search."""
        body = ", a.body, a.body_format" if query is not None else ""
        rows = self._db.query(
            f"SELECT {_HEADLINE_COLUMNS}{body} FROM articles a"
            " LEFT JOIN state.flags f ON f.article_id = a.id"
            f" WHERE a.rowid IN ({','.join('?' * len(rowids))})",
            rowids,
        )
        by_rowid = {
            r[0]: Headline(
                id=r[1],
                title=r[2],
                source=r[3],
                published=r[4],
                read=bool(r[5]),
                starred=bool(r[6]),
                has_draft=bool(r[7]),
                link=r[8],
                snippet=snippet(plain_text(body_text(r[9]), r[10]), query) if query is not None else None,
            )
            for r in rows
        }
        return [by_rowid[rowid] for rowid in rowids if rowid in by_rowid]

    def ids(self, view: View) -> list[str]:
        """The article ids of every row of a view (of a search: the rows it shows)."""
        if view.query is None:
            return [r[0] for r in self._db.query(*view_select(view).sql("a.id"))]
        rowids = json.dumps(self._search_rowids(view))
        return [
            r[0] for r in self._db.query(f"SELECT id FROM articles WHERE rowid IN {_JSON_LIST}", (rowids,))
        ]

    def position(self, view: View, aid: str) -> int | None:
        """Index of an article in a (non-search) view, or None if it is not there."""
        if view.query is not None:
            return None
        anchor = self._db.query("SELECT sort_key, rowid FROM articles WHERE id = ?", (aid,))
        if not anchor:
            return None
        key, rowid = anchor[0]
        select = view_select(view)
        if not self._db.query(*select.where("a.rowid = ?", rowid).sql("COUNT(*)"))[0][0]:
            return None  # not in this view (filtered out)
        # Rows sorted before it: a range of the time index, not a scan of the table.
        newer = self._db.query(*select.where("a.sort_key > ?", key).sql("COUNT(*)"))[0][0]
        same_time = select.where("a.sort_key = ? AND a.rowid > ?", key, rowid).sql("COUNT(*)")
        return newer + self._db.query(*same_time)[0][0]

    def article_counts(self) -> dict[str, tuple[int, int]]:
        """Per source id: (articles, unread).

        Totals come from the per-source index; read articles from the flags,
        so the cost follows what was read, not the size of the cache.
        """
        totals = self._db.query("SELECT source_id, COUNT(*) FROM articles GROUP BY source_id")
        # CROSS JOIN makes SQLite walk the flags and look articles up, not the reverse.
        read = dict(
            self._db.query(
                "SELECT a.source_id, COUNT(*) FROM state.flags f CROSS JOIN articles a ON a.id = f.article_id"
                " WHERE f.read = 1 GROUP BY a.source_id"
            )
        )
        return {source: (total, total - read.get(source, 0)) for source, total in totals}

    def forget_searches(self) -> None:
        """Drop the memo of the last search (for benchmarks that time a new one)."""
        self._searches = {}

    def _search_rowids(self, view: View) -> list[int]:
        """The ranked matches of a search view, computed once per query and cache state."""
        if not fts_query(view.query or ""):
            return []
        key = (view, self._db.generation)
        found = self._searches.get(key)
        if found is None:
            try:
                found = self._ranked_window(view)
            except sqlite3.OperationalError:  # a query FTS5 cannot parse
                found = []
            self._searches = {key: found}  # keep only the latest search
        return found

    def _ranked_window(self, view: View) -> list[int]:
        """The newest SEARCH_WINDOW matches of the view, best first by BM25 (newer first on a tie).

        Ranking every match of a common word in a large cache would cost a
        scan of them all: only the rowid range of the window is ranked (the
        newest articles are mostly the latest stored, so the range is narrow).
        """
        words = fts_query(view.query or "")
        some = self._db.query(f"{MATCHING_ROWIDS} LIMIT ?", (words, words, SEARCH_WINDOW + 1))
        window = view_select(view, many_matches=len(some) > SEARCH_WINDOW).sql(
            "a.rowid", f"ORDER BY {NEWEST_FIRST} LIMIT ?", SEARCH_WINDOW
        )
        newest = [r[0] for r in self._db.query(*window)]
        if not newest:
            return []
        ranks = dict(
            self._db.query(
                "SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?",
                (words, min(newest), max(newest)),
            )
        )
        order = {rowid: n for n, rowid in enumerate(newest)}
        return sorted(newest, key=lambda rowid: (ranks.get(rowid, math.inf), order[rowid]))


class _Paged(Protocol):
    def headlines(self, view: View = ..., offset: int = ..., limit: int = ...) -> list[Headline]: ...


def iter_pages(pages: _Paged, view: View, page: int = 500) -> Iterator[Headline]:
    """Every headline of a view, read a page at a time."""
    offset = 0
    while True:
        rows = pages.headlines(view, offset, page)
        yield from rows
        if len(rows) < page:
            return
        offset += page
