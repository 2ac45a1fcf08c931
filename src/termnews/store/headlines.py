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
from termnews.store.search_index import body_text, fts_query, key_second, pending, second_keys
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
# The read articles, found from their flags (CROSS JOIN: SQLite walks the flags, then looks articles up).
_READ = Select("state.flags f CROSS JOIN articles a ON a.id = f.article_id").where("f.read = 1")


class HeadlineQueries:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._searches: dict[tuple[View, int], list[int]] = {}

    def count(self, view: View = _EVERYTHING, unread_only: bool = False) -> int:
        """Rows in a view (of a search: the rows it shows); with `unread_only`, its unread ones."""
        if view.query is None and unread_only and view.filter == "all":
            # Its articles less the read ones: a walk of the flags, not a scan of every article
            # joined with its flag.
            return self.count(view) - self._db.query(*view_select(view, within=_READ).sql("COUNT(*)"))[0][0]
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
            return self._rows(self._search_rowids(view)[offset : offset + limit], view.query)
        if offset == 0:
            # The page a list opens on: one statement walking the time (or source) index.
            first = view_select(view, with_flags=True).sql(
                _HEADLINE_COLUMNS, f"ORDER BY {NEWEST_FIRST} LIMIT ?", limit
            )
            return [_headline(r, None) for r in self._db.query(*first)]
        # Further down, two steps, each on an index: skipping `offset` rows reads
        # only the time index; the columns (and the flag and draft look-ups) are
        # fetched by rowid for the page alone. (One statement with the page as a
        # subquery lets SQLite walk the time index testing each row: slower deep down.)
        page = view_select(view).sql("a.rowid", f"ORDER BY {NEWEST_FIRST} LIMIT ? OFFSET ?", limit, offset)
        return self._rows([r[0] for r in self._db.query(*page)], None)

    def _rows(self, rowids: list[int], query: str | None) -> list[Headline]:
        """The headlines of `rowids`, in that order; with the words around a match for a search."""
        if not rowids:
            return []
        body = ", a.body, a.body_format" if query is not None else ""
        rows = self._db.query(
            f"SELECT {_HEADLINE_COLUMNS}{body} FROM articles a"
            " LEFT JOIN state.flags f ON f.article_id = a.id"
            f" WHERE a.rowid IN ({','.join('?' * len(rowids))})",
            rowids,
        )
        by_rowid = {r[0]: _headline(r, query) for r in rows}
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
        """The newest SEARCH_WINDOW matches of the view, best first by BM25 (newer first on a tie)."""
        words = fts_query(view.query or "")
        window = self._newest_matches(view, words)
        if not window:
            return []
        keys = [key for _, _, key in window if key is not None]  # a full-text match may wait for the index
        ranks = (
            dict(
                self._db.query(
                    "SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ?",
                    (words, min(keys), max(keys)),
                )
            )
            if keys
            else {}
        )
        return [rowid for rowid, _, key in sorted(window, key=lambda row: ranks.get(row[2], math.inf))]

    def _newest_matches(self, view: View, words: str) -> list[tuple[int, float, int | None]]:
        """(rowid, sort_key, index key) of the newest SEARCH_WINDOW matches in the view, newest first.

        The index is walked newest key first, a slice at a time, until the
        window is full: a common word or a prefix costs a window's worth of
        reads, not one per match. Keys order by whole seconds, so the matches
        that share the last second of the window are all read, then sorted
        exactly.
        """
        found: list[tuple[int, float, int]] = []
        below: int | None = None  # the oldest key read so far
        step = SEARCH_WINDOW + 1
        while True:
            keys = self._match_keys(words, None, below, step)
            found += self._in_view(view, keys)
            if len(keys) < step:
                break  # every match read
            below, step = keys[-1], min(4 * step, 50_000)
            if len(found) >= SEARCH_WINDOW:
                # The rest of the window's last second, if the walk stopped inside it.
                found.sort(key=lambda row: row[2], reverse=True)
                first, _ = second_keys(key_second(found[SEARCH_WINDOW - 1][2]))
                found += self._in_view(view, self._match_keys(words, first, below, None))
                break
        # Every match of the extracted pages too (an article may match in both).
        matches = list({*found, *self._full_text_matches(view, words)})
        matches.sort(key=lambda row: (row[1], row[0]), reverse=True)
        return matches[:SEARCH_WINDOW]

    def _full_text_matches(self, view: View, words: str) -> list[tuple[int, float, int | None]]:
        """(rowid, sort_key, index key) of every article in the view whose extracted page matches.

        Full texts are the few pages a person or a source asked for, keyed by
        rowid: they are all read, and merged with the walk of the main index."""
        select = view_select(view).where(
            "a.rowid IN (SELECT rowid FROM full_text_fts WHERE full_text_fts MATCH ?)", words
        )
        return [tuple(r) for r in self._db.query(*select.sql("a.rowid, a.sort_key, a.fts_key"))]

    def _match_keys(self, words: str, lowest: int | None, below: int | None, limit: int | None) -> list[int]:
        """Index keys matching `words` in [lowest, below), newest first, at most `limit`."""
        sql = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        params: list[object] = [words]
        if lowest is not None:
            sql, params = sql + " AND rowid >= ?", [*params, lowest]
        if below is not None:
            sql, params = sql + " AND rowid < ?", [*params, below]
        sql += " ORDER BY rowid DESC" + (" LIMIT ?" if limit is not None else "")
        return [r[0] for r in self._db.query(sql, [*params, limit] if limit is not None else params)]

    def _in_view(self, view: View, keys: list[int]) -> list[tuple[int, float, int]]:
        if not keys:
            return []
        select = view_select(view).where(f"a.fts_key IN {_JSON_LIST}", json.dumps(keys))
        return [tuple(r) for r in self._db.query(*select.sql("a.rowid, a.sort_key, a.fts_key"))]

    def unindexed(self) -> int:
        """Articles stored but not in the search index yet: a search may miss them."""
        return pending(self._db.conn)


def _headline(r: tuple, query: str | None) -> Headline:
    """A headline from a row of `_HEADLINE_COLUMNS` (then, for a search, the body and its format)."""
    return Headline(
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
