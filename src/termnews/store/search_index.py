"""The full-text index: a contentless FTS5 table over the articles' plain text.

Bodies are stored zlib-compressed, and the index keeps no copy of the text
(contentless), so the cache stays smaller than the articles themselves.
Removing a row from such an index needs the text it was indexed with, which
`unindex` recomputes from the stored body.

Index rows are keyed by time, not by the article's rowid: an article's key
(`articles.fts_key`) is its time in whole seconds in the high bits and its
rowid in the low ones. FTS5 walks a match list newest key first and stops
after the first few thousand, so a search for the newest matches of a common
word or a prefix reads a window of the index, never every match.

The index is built after the articles are stored (`index_pending`): a row
with no `fts_key` is stored but not searchable yet. Prefix queries of two and
three letters read a prefix index (`prefix='2 3'` in the schema); longer
prefixes merge the few terms they match.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable, Iterable

from termnews.text import plain_text

#: Low bits of a key: the article's rowid (268 million articles before two could share a key).
ROWID_BITS = 28
_ROWID_MASK = (1 << ROWID_BITS) - 1
_LAST_SECOND = (1 << (63 - ROWID_BITS)) - 1  # the year 3058; later dates share it


def fts_query(text: str) -> str:
    """User words to an FTS5 query: every word must match; `word*` matches as a prefix.

    Each word is quoted, so nothing the user types is FTS5 syntax but the
    trailing star.
    """
    terms = []
    for word in text.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if word:
            terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


_deflate: Callable[[bytes, int], bytes] | None = None


def deflater() -> Callable[[bytes, int], bytes]:
    """What compresses bodies: ISA-L's deflate when installed (a zlib stream, as the
    standard module writes, three times faster and a little smaller at level 1), else zlib's.
    Either is read back by `zlib.decompress`. Loaded on first use, not at start-up."""
    global _deflate
    if _deflate is None:
        try:
            from isal import isal_zlib

            _deflate = isal_zlib.compress
        except ImportError:
            _deflate = zlib.compress
    return _deflate


def compress_body(body: str) -> bytes:
    return (_deflate or deflater())(body.encode("utf-8", "replace"), 1)  # fast; level 6 saves only 5%


def body_text(stored: bytes) -> str:
    return zlib.decompress(stored).decode("utf-8", "replace")


def second_of(sort_key: float) -> int:
    """The whole second a key sorts by: 0 for dates before 1970 (or none), clamped at the top."""
    if not sort_key >= 1:  # also NaN
        return 0
    return _LAST_SECOND if sort_key >= _LAST_SECOND else int(sort_key)


def time_key(sort_key: float, rowid: int) -> int:
    """The index key of an article: newer (by whole second, then rowid) is larger."""
    return (second_of(sort_key) << ROWID_BITS) | (rowid & _ROWID_MASK)


def second_keys(second: int) -> tuple[int, int]:
    """The lowest and highest key of one whole second."""
    return second << ROWID_BITS, (second << ROWID_BITS) | _ROWID_MASK


def key_second(key: int) -> int:
    return key >> ROWID_BITS


def pending(conn: sqlite3.Connection) -> int:
    """Articles stored but not yet in the index."""
    return conn.execute("SELECT COUNT(*) FROM articles WHERE fts_key IS NULL").fetchone()[0]


def index_pending(conn: sqlite3.Connection, limit: int) -> int:
    """Index up to `limit` stored articles not yet in the index (inside the caller's
    transaction); returns how many."""
    rows = conn.execute(
        "SELECT rowid, sort_key, title, body, body_format FROM articles WHERE fts_key IS NULL LIMIT ?",
        (limit,),
    ).fetchall()
    keyed = [(time_key(r[1], r[0]), r[0], r[2], r[3], r[4]) for r in rows]
    conn.executemany(
        "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
        [(key, title, plain_text(body_text(body), fmt)) for key, _, title, body, fmt in keyed],
    )
    conn.executemany("UPDATE articles SET fts_key = ? WHERE rowid = ?", [(k[0], k[1]) for k in keyed])
    return len(rows)


def unindex(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Remove (fts_key, title, stored body, format) rows from the index; rows never indexed are skipped."""
    conn.executemany(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        [(r[0], r[1], plain_text(body_text(r[2]), r[3])) for r in rows if r[0] is not None],
    )


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the index into one segment: a delete only adds tombstones until then."""
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
