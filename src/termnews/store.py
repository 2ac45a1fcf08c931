"""SQLite storage: the only module that writes SQL.

Two files, as DESIGN.md lays out:

- `cache.sqlite` (user cache dir): downloaded articles, their search index and
  the HTTP validators of each source. Disposable: rebuilt from the sources.
- `state.sqlite` (user data dir): read and star flags, drafts, subscriptions
  added from the app, settings. The user's data: never deleted by termnews.

The state file is ATTACHed to the cache connection as `state`, so one query
can join articles with their flags. Flags and drafts are keyed by the
article's stable id, not by a cache rowid, so they survive a cache rebuild.
Each file has its own migrations keyed by `PRAGMA user_version`.

Bodies are stored zlib-compressed, and the search index is a contentless
FTS5 table over their plain text (tags stripped), so the cache stays smaller
than the articles themselves. Contentless means the index keeps no copy of
the text: removing a row from it needs the text it was indexed with, which
`_unindex` recomputes from the stored body.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from termnews import syncqueue
from termnews.models import Article, ArticleData, Headline, SourceSpec, article_id
from termnews.paths import Paths
from termnews.text import plain_text, snippet

ViewFilter = Literal["all", "unread", "starred", "drafts"]
# A search shows at most this many matches, the newest, ranked by relevance.
SEARCH_WINDOW = 2000

CACHE_MIGRATIONS: Sequence[str] = (
    """
    CREATE TABLE articles (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source_id TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        body BLOB NOT NULL,
        body_format TEXT NOT NULL,
        link TEXT,
        author TEXT,
        published REAL,
        sort_key REAL NOT NULL,
        enclosures TEXT NOT NULL DEFAULT '',
        comments_url TEXT
    );
    CREATE INDEX articles_by_time ON articles (sort_key DESC, rowid DESC);
    CREATE INDEX articles_by_source ON articles (source_id, sort_key DESC, rowid DESC);
    CREATE VIRTUAL TABLE articles_fts USING fts5 (title, body, content='');
    CREATE TABLE source_state (
        source_id TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        last_refresh REAL,
        last_error TEXT
    );
    """,
    # 2: the entry's guid (a WordPress post id lives there: `?p=ID`), and
    # comment feeds fetched on demand: validators and the comments, as JSON.
    """
    ALTER TABLE articles ADD COLUMN guid TEXT;
    CREATE TABLE comment_feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        fetched REAL NOT NULL,
        last_error TEXT,
        comments TEXT NOT NULL DEFAULT '[]'
    );
    """,
)

STATE_MIGRATIONS: Sequence[str] = (
    """
    CREATE TABLE flags (
        article_id TEXT PRIMARY KEY,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        changed REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL,
        article_title TEXT NOT NULL,
        article_link TEXT,
        article_source TEXT NOT NULL,
        parent_comment TEXT,
        comment TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'draft',
        created REAL NOT NULL,
        updated REAL NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX drafts_by_article ON drafts (article_id, updated DESC);
    CREATE TABLE subscriptions (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        tags TEXT NOT NULL DEFAULT '',
        added REAL NOT NULL
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the outbox. What the last attempt to send a draft came to (the
    # site's words), when it may be tried again (429), when the attempt in
    # flight started, when it was sent, and the site's id and URL for it.
    """
    ALTER TABLE state.drafts ADD COLUMN send_error TEXT;
    ALTER TABLE state.drafts ADD COLUMN send_after REAL;
    ALTER TABLE state.drafts ADD COLUMN send_started REAL;
    ALTER TABLE state.drafts ADD COLUMN sent_at REAL;
    ALTER TABLE state.drafts ADD COLUMN remote_id TEXT;
    ALTER TABLE state.drafts ADD COLUMN remote_url TEXT;
    ALTER TABLE state.drafts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    """,
)

_HEADLINE_COLUMNS = """
    a.id, a.title, a.source, a.published,
    COALESCE(f.read, 0), COALESCE(f.starred, 0),
    EXISTS (SELECT 1 FROM state.drafts d WHERE d.article_id = a.id),
    a.link
"""


class StoreError(RuntimeError):
    pass


@dataclass(frozen=True)
class View:
    """What the headline pane shows: a filter, optionally one source, optionally a search."""

    filter: ViewFilter = "all"
    source_id: str | None = None
    query: str | None = None


@dataclass(frozen=True)
class SourceStatus:
    source_id: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    last_refresh: float | None
    last_error: str | None


@dataclass(frozen=True)
class Draft:
    id: int
    article_id: str
    article_title: str
    article_link: str | None
    article_source: str
    parent_comment: str | None
    comment: str
    name: str
    email: str
    website: str
    state: str
    created: float
    updated: float
    version: int
    # The outbox's record (state migration 2).
    send_error: str | None = None
    send_after: float | None = None
    send_started: float | None = None
    sent_at: float | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    attempts: int = 0


@dataclass(frozen=True)
class ArticleReplyInfo:
    """What a sender needs to know about an article beyond `Article`."""

    id: str
    link: str | None
    guid: str | None
    comments_url: str | None


@dataclass(frozen=True)
class CommentFeedState:
    """A comment feed as last fetched: validators, when, the error, the comments (JSON)."""

    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    fetched: float
    last_error: str | None
    comments_json: str


def _migrate(conn: sqlite3.Connection, schema: str, migrations: Sequence[str]) -> None:
    version = conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0]
    if version > len(migrations):
        raise StoreError(f"{schema} database was written by a newer termnews (schema {version})")
    for number, script in enumerate(migrations[version:], start=version + 1):
        statements = script.replace("CREATE TABLE ", f"CREATE TABLE {schema}.")
        statements = statements.replace("CREATE INDEX ", f"CREATE INDEX {schema}.")
        statements = statements.replace("CREATE VIRTUAL TABLE ", f"CREATE VIRTUAL TABLE {schema}.")
        statements = statements.replace("CREATE TRIGGER ", f"CREATE TRIGGER {schema}.")
        conn.executescript(f"BEGIN; {statements} PRAGMA {schema}.user_version = {number}; COMMIT;")


def _fts_query(text: str) -> str:
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


def _draft_row(conn: sqlite3.Connection, draft_id: int) -> Draft | None:
    """A draft as it is now in the database (inside the caller's transaction)."""
    row = conn.execute(f"SELECT {_DRAFT_COLUMNS} FROM state.drafts WHERE id = ?", (draft_id,)).fetchone()
    return Draft(*row) if row else None


def _body_text(stored: bytes) -> str:
    return zlib.decompress(stored).decode("utf-8", "replace")


def _index(conn: sqlite3.Connection, rowid: int, title: str, body: str, body_format: str) -> None:
    conn.execute(
        "INSERT INTO articles_fts (rowid, title, body) VALUES (?, ?, ?)",
        (rowid, title, plain_text(body, body_format)),  # type: ignore[arg-type]
    )


def _unindex(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """Remove (rowid, title, stored body, format) rows from the contentless index."""
    conn.executemany(
        "INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        [(r[0], r[1], plain_text(_body_text(r[2]), r[3])) for r in rows],
    )


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            shutil.move(part, Path(f"{target}{suffix}"))
    return target


_SALVAGE_TABLES = ("flags", "drafts", "subscriptions", "settings")


def _salvage_state(conn: sqlite3.Connection, original: Path) -> dict[str, int]:
    """Copy every row still readable from a damaged state file into `state`.

    The damaged file is opened read-only (`immutable`: nothing, not even a
    journal, is written beside it); a table, or a row, that cannot be read is
    skipped. Returns the number of rows recovered per table.
    """
    saved: dict[str, int] = {}
    repaired = original.with_name(original.name + ".salvage")
    try:
        source = sqlite3.connect(f"{original.as_uri()}?mode=ro&immutable=1", uri=True)
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        # A clobbered header: read a copy whose 16-byte magic string is put back.
        try:
            data = bytearray(original.read_bytes())
            data[:16] = b"SQLite format 3\0"
            repaired.write_bytes(bytes(data))
            source = sqlite3.connect(f"{repaired.as_uri()}?mode=ro&immutable=1", uri=True)
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except (OSError, sqlite3.Error):
            repaired.unlink(missing_ok=True)
            return saved
    try:
        for table in _SALVAGE_TABLES:
            try:
                wanted = [r[1] for r in conn.execute(f"PRAGMA state.table_info({table})")]
                have = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
                columns = [c for c in have if c in wanted]
                if not columns:
                    continue
                rowids = (
                    [r[0] for r in source.execute(f"SELECT rowid FROM {table}")] if table != "flags" else None
                )
            except sqlite3.Error:
                continue
            names = ", ".join(columns)
            insert = f"INSERT OR IGNORE INTO state.{table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            rows: list[tuple] = []
            try:
                if rowids is None:
                    rows = source.execute(f"SELECT {names} FROM {table}").fetchall()
                else:
                    for rowid in rowids:  # one at a time: a damaged page loses only its rows
                        try:
                            rows.extend(
                                source.execute(f"SELECT {names} FROM {table} WHERE rowid = ?", (rowid,))
                            )
                        except sqlite3.Error:
                            continue
            except sqlite3.Error:
                pass
            with_values = [r for r in rows if r]
            conn.executemany(insert, with_values)
            if with_values:
                saved[table] = len(with_values)
    finally:
        source.close()
        repaired.unlink(missing_ok=True)  # our own scratch copy, never the user's file
    return saved


class Store:
    """All reads and writes of termnews's two SQLite files.

    Each thread gets its own connection (WAL lets readers run beside a
    writer), so a long query in a worker never holds up the UI thread reading
    a page of headlines. Every call is short: one page of rows, one transaction.
    """

    def __init__(self, paths: Paths, *, salvage_state: bool = False) -> None:
        """Open both files. An unreadable state file raises `StoreError`, untouched,
        unless `salvage_state`: then it is kept under a new name, and what can
        still be read from it goes into a new one (`notices` says where)."""
        self.paths = paths
        self.notices: list[str] = []
        self._local = threading.local()
        self._generation = 0  # bumped by every write transaction
        self._searches: dict[tuple[View, int], list[int]] = {}
        self._open: list[sqlite3.Connection] = []
        self._open_lock = threading.Lock()
        paths.cache_dir.mkdir(parents=True, exist_ok=True)
        paths.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._local.conn = self._connect(migrate=True)
        except sqlite3.DatabaseError as exc:
            moved = _move_aside(paths.cache_db)
            self.notices.append(f"the cache was unreadable ({exc}); moved to {moved} and rebuilt")
            self._local.conn = self._connect(migrate=True)
        except StoreError as exc:
            if not salvage_state or not isinstance(exc.__cause__, sqlite3.DatabaseError):
                raise
            kept = _move_aside(paths.state_db)  # renamed, never deleted
            self._local.conn = self._connect(migrate=True)
            saved = _salvage_state(self._local.conn, kept)
            self.notices.append(
                f"the state database {paths.state_db} was unreadable ({exc.__cause__}); the original is "
                f"kept at {kept}; recovered into a new one: "
                + (", ".join(f"{n} {table}" for table, n in saved.items()) or "nothing could be read")
            )

    def _connect(self, migrate: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(self.paths.cache_db, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            if migrate:
                _migrate(conn, "main", CACHE_MIGRATIONS)
        except (sqlite3.DatabaseError, StoreError):
            conn.close()
            raise
        try:
            conn.execute("ATTACH DATABASE ? AS state", (str(self.paths.state_db),))
            conn.execute("PRAGMA state.journal_mode = WAL")
            # Drafts and flags are the user's words: wait for the disk on every commit.
            conn.execute("PRAGMA state.synchronous = FULL")
            if migrate:
                _migrate(conn, "state", STATE_MIGRATIONS)
                syncqueue.create_tables(conn)  # sync: the server sources' tables (IF NOT EXISTS)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"the state database {self.paths.state_db} is unreadable ({exc}); it has not been touched"
            ) from exc
        with self._open_lock:
            self._open.append(conn)
        return conn

    @property
    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def close(self) -> None:
        with self._open_lock:
            for conn in self._open:
                conn.close()
            self._open.clear()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> _Txn:
        return _Txn(self)

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        return self._conn.execute(sql, tuple(params)).fetchall()

    # -- articles ---------------------------------------------------------

    def store_articles(self, spec: SourceSpec, entries: list[ArticleData], now: float | None = None) -> int:
        """Insert or update a source's articles in one transaction; returns how many are new."""
        now = time.time() if now is None else now
        source_id = spec.source_id
        new = 0
        with self._transaction() as conn:
            for entry in entries:
                aid = article_id(source_id, entry)
                body = zlib.compress(entry.body.encode("utf-8", "replace"), 1)  # fast; level 6 saves only 7%
                row = conn.execute(
                    "SELECT rowid, title, body, body_format FROM articles WHERE id = ?", (aid,)
                ).fetchone()
                values = (
                    spec.name,
                    entry.title,
                    body,
                    entry.body_format,
                    entry.link,
                    entry.author,
                    entry.published,
                    "\n".join(entry.enclosures),
                    entry.comments_url,
                    entry.guid,
                )
                if row is None:
                    rowid = conn.execute(
                        "INSERT INTO articles (source, title, body, body_format, link, author,"
                        " published, enclosures, comments_url, guid, id, source_id, sort_key)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*values, aid, source_id, entry.published or now),
                    ).lastrowid
                    _index(conn, rowid, entry.title, entry.body, entry.body_format)
                    new += 1
                    continue
                conn.execute(
                    "UPDATE articles SET source = ?, title = ?, body = ?, body_format = ?,"
                    " link = ?, author = ?, published = ?, enclosures = ?, comments_url = ?,"
                    " guid = ?, sort_key = COALESCE(?, sort_key) WHERE id = ?",
                    (*values, entry.published, aid),
                )
                if (row[1], row[2], row[3]) != (entry.title, body, entry.body_format):
                    _unindex(conn, [row])
                    _index(conn, row[0], entry.title, entry.body, entry.body_format)
        return new

    def _delete_where(self, condition: str, params: Iterable[object]) -> int:
        """Delete the articles matching `condition` (SQL over `a`), index entries first."""
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT a.rowid, a.title, a.body, a.body_format FROM articles a WHERE {condition}",
                tuple(params),
            ).fetchall()
            _unindex(conn, rows)
            conn.executemany("DELETE FROM articles WHERE rowid = ?", [(r[0],) for r in rows])
        return len(rows)

    def remove_source_articles(self, source_id: str) -> int:
        return self._delete_where("a.source_id = ?", (source_id,))

    def prune(
        self, source_id: str | None, *, keep_newest: int | None = None, older_than: float | None = None
    ) -> int:
        """Delete old articles of one source (or of all, with None), in one transaction.

        Removes articles beyond the `keep_newest` newest and those dated before
        `older_than`; never a starred article or one with a draft. The search
        index follows through the delete trigger.
        """
        if keep_newest is None and older_than is None:
            return 0
        scope, params = ("a.source_id = ?", [source_id]) if source_id else ("1", [])
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
        return self._delete_where(
            "a.rowid IN (SELECT a.rowid FROM articles a"
            " LEFT JOIN state.flags f ON f.article_id = a.id"
            f" WHERE {scope} AND COALESCE(f.starred, 0) = 0"
            " AND NOT EXISTS (SELECT 1 FROM state.drafts d WHERE d.article_id = a.id)"
            f" AND ({' OR '.join(doomed)}))",
            params,
        )

    def cache_files_size(self) -> int:
        """Bytes on disk of the cache database, its WAL and shared memory."""
        base = self.paths.cache_db
        return sum(p.stat().st_size for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if p.exists())

    def _view_sql(self, view: View, columns: str) -> tuple[str, list[object], str]:
        """`SELECT columns` over the rows of a view, its parameters, and its ORDER BY.

        The flags table is joined only when the filter needs it: a join on
        every row would turn index-only counts and skips into table scans.
        """
        clauses: list[str] = []
        params: list[object] = []
        if view.query is not None:
            # The newest SEARCH_WINDOW matches, ranked by relevance: ranking every
            # match of a common word in a large cache would cost a scan of them all.
            source = (
                "(SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ?"
                f" ORDER BY rowid DESC LIMIT {SEARCH_WINDOW}) m"
                " JOIN articles a ON a.rowid = m.rowid"
            )
            params.append(_fts_query(view.query))
            order = "ORDER BY m.rank"
        else:
            source = "articles a"
            order = "ORDER BY a.sort_key DESC, a.rowid DESC"
        if view.filter in ("unread", "starred"):
            source += " LEFT JOIN state.flags f ON f.article_id = a.id"
        if view.source_id:
            clauses.append("a.source_id = ?")
            params.append(view.source_id)
        if view.filter == "unread":
            clauses.append("COALESCE(f.read, 0) = 0")
        elif view.filter == "starred":
            clauses.append("f.starred = 1")
        elif view.filter == "drafts":
            clauses.append("EXISTS (SELECT 1 FROM state.drafts d WHERE d.article_id = a.id)")
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return f"SELECT {columns} FROM {source}{where}", params, order

    def count(self, view: View = View()) -> int:
        if view.query is not None:
            return len(self._search_rowids(view))
        sql, params, _ = self._view_sql(view, "COUNT(*)")
        return self._query(sql, params)[0][0]

    def _search_rowids(self, view: View) -> list[int]:
        """The ranked matches of a search view, computed once per query and cache state."""
        if not _fts_query(view.query or ""):
            return []
        key = (view, self._generation)
        found = self._searches.get(key)
        if found is None:
            sql, params, order = self._view_sql(view, "a.rowid")
            try:
                found = [r[0] for r in self._query(f"{sql} {order}", params)]
            except sqlite3.OperationalError:  # a query FTS5 cannot parse
                found = []
            self._searches = {key: found}  # keep only the latest search
        return found

    def headlines(self, view: View = View(), offset: int = 0, limit: int = 100) -> list[Headline]:
        if view.query is not None:
            rowids = self._search_rowids(view)[offset : offset + limit]
        else:
            # Two steps: skipping `offset` rows reads only the index; the columns
            # (and the flag and draft look-ups) are fetched for the page alone.
            sql, params, order = self._view_sql(view, "a.rowid")
            rowids = [r[0] for r in self._query(f"{sql} {order} LIMIT ? OFFSET ?", [*params, limit, offset])]
        if not rowids:
            return []
        body = ", a.body, a.body_format" if view.query is not None else ""
        rows = self._query(
            f"SELECT a.rowid, {_HEADLINE_COLUMNS}{body} FROM articles a"
            " LEFT JOIN state.flags f ON f.article_id = a.id"
            f" WHERE a.rowid IN ({','.join('?' * len(rowids))})",
            rowids,
        )
        by_rowid = {
            r[0]: Headline(
                r[1],
                r[2],
                r[3],
                r[4],
                bool(r[5]),
                bool(r[6]),
                bool(r[7]),
                r[8],
                snippet=snippet(plain_text(_body_text(r[9]), r[10]), view.query) if body else None,
            )
            for r in rows
        }
        return [by_rowid[rowid] for rowid in rowids if rowid in by_rowid]

    def position(self, view: View, aid: str) -> int | None:
        """Index of an article in a (non-search) view, or None if it is not there."""
        if view.query is not None:
            return None
        anchor = self._query("SELECT sort_key, rowid FROM articles WHERE id = ?", (aid,))
        if not anchor:
            return None
        key, rowid = anchor[0]
        sql, params, _ = self._view_sql(view, "COUNT(*)")
        where = " AND " if " WHERE " in sql else " WHERE "
        if not self._query(f"{sql}{where}a.rowid = ?", [*params, rowid])[0][0]:
            return None  # not in this view (filtered out)
        # Rows sorted before it: a range of the time index, not a scan of the table.
        newer = self._query(f"{sql}{where}a.sort_key > ?", [*params, key])[0][0]
        same_time = self._query(f"{sql}{where}a.sort_key = ? AND a.rowid > ?", [*params, key, rowid])[0][0]
        return newer + same_time

    def article(self, aid: str) -> Article | None:
        rows = self._query(
            "SELECT a.id, a.source, a.title, a.body, a.body_format, a.link, a.author,"
            " a.published, a.enclosures, COALESCE(f.read, 0), COALESCE(f.starred, 0)"
            " FROM articles a LEFT JOIN state.flags f ON f.article_id = a.id WHERE a.id = ?",
            (aid,),
        )
        if not rows:
            return None
        r = rows[0]
        return Article(
            id=r[0],
            source=r[1],
            title=r[2],
            body=_body_text(r[3]),
            body_format=r[4],
            link=r[5],
            author=r[6],
            published=r[7],
            enclosures=tuple(e for e in r[8].split("\n") if e),
            read=bool(r[9]),
            starred=bool(r[10]),
        )

    # -- flags --------------------------------------------------------------

    def set_flag(self, ids: Iterable[str], flag: Literal["read", "starred"], value: bool) -> None:
        now = time.time()
        ids = list(ids)
        with self._transaction() as conn:
            conn.executemany(
                f"INSERT INTO state.flags (article_id, {flag}, changed) VALUES (?, ?, ?)"
                f" ON CONFLICT (article_id) DO UPDATE SET {flag} = excluded.{flag},"
                " changed = excluded.changed",
                [(aid, int(value), now) for aid in ids],
            )
            # sync: a change to a server's article is queued for it in the same transaction.
            syncqueue.enqueue(conn, ids, flag, value, now)

    def sync_queue(self) -> syncqueue.SyncQueue:
        """sync: the server sources' tables, on this thread's connection."""
        return syncqueue.SyncQueue(self._conn)

    def mark_view_read(self, view: View) -> int:
        sql, params, _ = self._view_sql(view, "a.id")
        ids = [r[0] for r in self._query(sql, params)]
        self.set_flag(ids, "read", True)
        return len(ids)

    # -- sources --------------------------------------------------------------

    def source_status(self, source_id: str) -> SourceStatus | None:
        rows = self._query(
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
        now = time.time()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO source_state (source_id, last_refresh, last_error) VALUES (?, ?, ?)"
                " ON CONFLICT (source_id) DO UPDATE SET last_refresh = excluded.last_refresh,"
                " last_error = excluded.last_error",
                (source_id, now, error),
            )
            if error is None:
                conn.execute(
                    "UPDATE source_state SET etag = ?, last_modified = ?, body_hash = ? WHERE source_id = ?",
                    (etag, last_modified, body_hash, source_id),
                )

    def article_counts(self) -> dict[str, tuple[int, int]]:
        """Per source id: (articles, unread).

        Totals come from the per-source index; read articles from the flags,
        so the cost follows what was read, not the size of the cache.
        """
        totals = self._query("SELECT source_id, COUNT(*) FROM articles GROUP BY source_id")
        # CROSS JOIN makes SQLite walk the flags and look articles up, not the reverse.
        read = dict(
            self._query(
                "SELECT a.source_id, COUNT(*) FROM state.flags f CROSS JOIN articles a ON a.id = f.article_id"
                " WHERE f.read = 1 GROUP BY a.source_id"
            )
        )
        return {source: (total, total - read.get(source, 0)) for source, total in totals}

    def subscriptions(self) -> list[SourceSpec]:
        rows = self._query(
            "SELECT name, kind, location, options, tags FROM state.subscriptions ORDER BY added"
        )
        return [
            SourceSpec(r[0], r[1], r[2], json.loads(r[3]), tuple(t for t in r[4].split(",") if t))
            for r in rows
        ]

    def add_subscription(self, spec: SourceSpec) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO state.subscriptions (name, kind, location, options, tags, added)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    spec.name,
                    spec.kind,
                    spec.location,
                    json.dumps(spec.options),
                    ",".join(spec.tags),
                    time.time(),
                ),
            )

    def remove_subscription(self, name: str) -> bool:
        with self._transaction() as conn:
            return conn.execute("DELETE FROM state.subscriptions WHERE name = ?", (name,)).rowcount > 0

    # -- settings -------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM state.settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO state.settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- drafts -----------------------------------------------------------------

    def drafts(self, article: str | None = None) -> list[Draft]:
        where, params = ("WHERE article_id = ?", (article,)) if article else ("", ())
        rows = self._query(
            f"SELECT {', '.join(Draft.__dataclass_fields__)} FROM state.drafts {where}"
            " ORDER BY updated DESC, id DESC",
            params,
        )
        return [Draft(*r) for r in rows]

    def draft(self, draft_id: int) -> Draft | None:
        rows = self._query(
            f"SELECT {', '.join(Draft.__dataclass_fields__)} FROM state.drafts WHERE id = ?",
            (draft_id,),
        )
        return Draft(*rows[0]) if rows else None

    def create_draft(
        self,
        *,
        article_id: str,
        article_title: str,
        article_link: str | None,
        article_source: str,
        comment: str = "",
        name: str = "",
        email: str = "",
        website: str = "",
        state: str = "draft",
        parent_comment: str | None = None,
        now: float | None = None,
    ) -> Draft:
        """A new draft row, with its own copy of the article's title, link and source."""
        _check_draft_state(state)
        now = time.time() if now is None else now
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO state.drafts (article_id, article_title, article_link,"
                " article_source, parent_comment, comment, name, email, website, state,"
                " created, updated, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (
                    article_id,
                    article_title,
                    article_link,
                    article_source,
                    parent_comment,
                    comment,
                    name,
                    email,
                    website,
                    state,
                    now,
                    now,
                ),
            )
            created = _draft_row(conn, cursor.lastrowid)
        assert created is not None
        return created

    def update_draft(
        self,
        draft_id: int,
        expected_version: int,
        *,
        comment: str,
        name: str,
        email: str,
        website: str,
        state: str | None = None,
        now: float | None = None,
    ) -> Draft:
        """Compare-and-swap: write only if the row is still at `expected_version`.

        Raises `DraftConflict` (with what is stored now, or None if the row is
        gone) when another writer got there first; nothing is written then.
        """
        if state is not None:
            _check_outbox_only(state)
        now = time.time() if now is None else now
        with self._transaction() as conn:
            # A reply that is (or may be) at the site keeps its state: only the
            # outbox moves it, so editing its words can never queue it again.
            changed = conn.execute(
                "UPDATE state.drafts SET comment = ?, name = ?, email = ?, website = ?,"
                " state = CASE WHEN state IN ('sending', 'sent', 'held') THEN state"
                " ELSE COALESCE(?, state) END, updated = ?, version = version + 1"
                " WHERE id = ? AND version = ?",
                (comment, name, email, website, state, now, draft_id, expected_version),
            ).rowcount
            current = _draft_row(conn, draft_id)
        if not changed or current is None:
            raise DraftConflict(draft_id, expected_version, current)
        return current

    def set_draft_state(self, draft_id: int, expected_version: int, state: str) -> Draft:
        """`draft` or `ready`, with the same compare-and-swap as `update_draft`.

        A draft in `sending`, `sent` or `held` is left as it is (`DraftConflict`).
        """
        _check_outbox_only(state)
        now = time.time()
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE state.drafts SET state = ?, updated = ?, version = version + 1"
                " WHERE id = ? AND version = ? AND state NOT IN ('sending', 'sent', 'held')",
                (state, now, draft_id, expected_version),
            ).rowcount
            current = _draft_row(conn, draft_id)
        if not changed or current is None:
            raise DraftConflict(draft_id, expected_version, current)
        return current

    def delete_draft(self, draft_id: int) -> bool:
        """Remove one draft (only ever at the person's request); False if it was not there."""
        with self._transaction() as conn:
            return conn.execute("DELETE FROM state.drafts WHERE id = ?", (draft_id,)).rowcount > 0

    # -- the outbox -------------------------------------------------------------------

    def claim_for_sending(self, draft_id: int, expected_version: int, now: float | None = None) -> Draft:
        """`ready` -> `sending`, compare-and-swap: only one sender ever holds a draft.

        Raises `DraftConflict` when the draft changed, vanished or is not ready.
        """
        now = time.time() if now is None else now
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE state.drafts SET state = 'sending', send_started = ?, send_error = NULL,"
                " send_after = NULL, attempts = attempts + 1, updated = ?, version = version + 1"
                " WHERE id = ? AND version = ? AND state = 'ready'",
                (now, now, draft_id, expected_version),
            ).rowcount
            current = _draft_row(conn, draft_id)
        if not changed or current is None:
            raise DraftConflict(draft_id, expected_version, current)
        return current

    def record_send(
        self,
        draft_id: int,
        state: str,
        *,
        error: str | None = None,
        send_after: float | None = None,
        sent_at: float | None = None,
        remote_id: str | None = None,
        remote_url: str | None = None,
        now: float | None = None,
    ) -> Draft:
        """What an attempt came to, for a draft in `sending`; its words are never touched.

        `state` is `sent` or `held` (with the site's id and URL), `failed` (with
        the site's reason), `ready` (not sent: try again, after `send_after` if
        given) or `sending` (the outcome is unknown: checked before any retry).
        Raises `DraftConflict` if the draft is no longer `sending`.
        """
        _check_draft_state(state)
        now = time.time() if now is None else now
        with self._transaction() as conn:
            changed = conn.execute(
                "UPDATE state.drafts SET state = ?, send_error = ?, send_after = ?,"
                " sent_at = COALESCE(?, sent_at), remote_id = COALESCE(?, remote_id),"
                " remote_url = COALESCE(?, remote_url), updated = ?, version = version + 1"
                " WHERE id = ? AND state = 'sending'",
                (state, error, send_after, sent_at, remote_id, remote_url, now, draft_id),
            ).rowcount
            current = _draft_row(conn, draft_id)
        if not changed or current is None:
            raise DraftConflict(draft_id, current.version if current else 0, current)
        return current

    def outbox(self) -> list[Draft]:
        """Drafts the outbox acts on: `ready` ones and those whose last attempt is in doubt."""
        rows = self._query(
            f"SELECT {_DRAFT_COLUMNS} FROM state.drafts WHERE state IN ('ready', 'sending')"
            " ORDER BY updated, id"
        )
        return [Draft(*r) for r in rows]

    # -- what senders and the comments pane need ------------------------------------

    def article_reply_info(self, aid: str) -> ArticleReplyInfo | None:
        rows = self._query("SELECT id, link, guid, comments_url FROM articles WHERE id = ?", (aid,))
        return ArticleReplyInfo(*rows[0]) if rows else None

    def comment_feed(self, url: str) -> CommentFeedState | None:
        rows = self._query(
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
        with self._transaction() as conn:
            if comments_json is None:
                conn.execute(
                    "INSERT INTO comment_feeds (url, fetched, last_error) VALUES (?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET fetched = excluded.fetched,"
                    " last_error = excluded.last_error",
                    (url, now, error),
                )
            else:
                conn.execute(
                    "INSERT INTO comment_feeds (url, etag, last_modified, body_hash, fetched,"
                    " last_error, comments) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                    " last_modified = excluded.last_modified, body_hash = excluded.body_hash,"
                    " fetched = excluded.fetched, last_error = excluded.last_error,"
                    " comments = excluded.comments",
                    (url, etag, last_modified, body_hash, now, error, comments_json),
                )


DRAFT_STATES = ("draft", "ready", "sending", "sent", "held", "failed")
#: States only the outbox moves a draft out of: the reply is at the site, or may be.
SENT_STATES = ("sending", "sent", "held")
_DRAFT_COLUMNS = ", ".join(Draft.__dataclass_fields__)


def _check_draft_state(state: str) -> None:
    if state not in DRAFT_STATES:
        raise ValueError(f"draft state must be one of {', '.join(DRAFT_STATES)}, not {state!r}")


def _check_outbox_only(state: str) -> None:
    """Editing may set `draft`, `ready` or `failed`; the sent states belong to the outbox."""
    _check_draft_state(state)
    if state in SENT_STATES:
        raise ValueError(f"only the outbox puts a draft in {state!r}")


class DraftConflict(StoreError):
    """A draft changed or vanished since it was read; `current` is what is stored now."""

    def __init__(self, draft_id: int, expected_version: int, current: Draft | None) -> None:
        what = (
            "was deleted" if current is None else (f"is at version {current.version}, not {expected_version}")
        )
        super().__init__(f"draft {draft_id} {what}")
        self.draft_id, self.expected_version, self.current = draft_id, expected_version, current


class _Txn:
    """`with store._transaction() as conn:` runs BEGIN IMMEDIATE .. COMMIT on this thread's connection."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._conn = store._conn

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._conn.execute("ROLLBACK" if exc_type else "COMMIT")
        self._store._generation += 1  # cached search results are stale now


def iter_pages(store: Store, view: View, page: int = 500) -> Iterator[Headline]:
    """Every headline of a view, read a page at a time."""
    offset = 0
    while True:
        rows = store.headlines(view, offset, page)
        yield from rows
        if len(rows) < page:
            return
        offset += page
