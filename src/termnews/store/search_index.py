"""The full-text index: a contentless FTS5 table over the articles' plain text.

Bodies are stored zlib-compressed, and the index keeps no copy of the text
(contentless), so the cache stays smaller than the articles themselves.
Removing a row from such an index needs the text it was indexed with, which
`unindex` recomputes from the stored body.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable

from termnews.models import BodyFormat
from termnews.text import plain_text

#: The rowids of articles whose title and feed text, or whose full text, match (two parameters: the query twice).
MATCHING_ROWIDS = (
    "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    " UNION SELECT rowid FROM full_text_fts WHERE full_text_fts MATCH ?"
)


def fts_query(text: str) -> str:
    """User words to an FTS5 query: every word must match; `word*` matches as a prefix.

    Each word is quoted, so nothing the user types is FTS5 syntax but the
    trailing star. (Prefixes are opt-in: they cost a scan of every matching term.)
    """
    terms = []
    for word in text.split():
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if word:
            terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    return " ".join(terms)


def compress_body(body: str) -> bytes:
    return zlib.compress(body.encode("utf-8", "replace"), 1)  # fast; level 6 saves only 7%


def body_text(stored: bytes) -> str:
    return zlib.decompress(stored).decode("utf-8", "replace")


def index(conn: sqlite3.Connection, rowid: int, title: str, body: str, body_format: BodyFormat) -> None:
    conn.execute(
        "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
        (rowid, title, plain_text(body, body_format)),
    )


def unindex(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Remove (rowid, title, stored body, format) rows from the index."""
    conn.executemany(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        [(r[0], r[1], plain_text(body_text(r[2]), r[3])) for r in rows],
    )


def optimize(conn: sqlite3.Connection) -> None:
    """Merge the index into one segment: a delete only adds tombstones until then."""
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
