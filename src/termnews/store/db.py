"""Connections and migrations: one SQLite connection per thread over both files.

The state file is ATTACHed to the cache connection as `state`, so one query
can join articles with their flags. Each thread gets its own connection (WAL
lets readers run beside a writer), so a long query in a worker never holds up
the UI thread reading a page of headlines; a thread's connection is closed
when the thread ends, and every one of them by `close()`.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from termnews.models import StoreError
from termnews.paths import Paths
from termnews.store.salvage import move_aside, salvage_state
from termnews.store.schema import CACHE_MIGRATIONS, STATE_MIGRATIONS


def migrate(conn: sqlite3.Connection, migrations: Sequence[str], what: str) -> None:
    """Run the migrations `conn`'s file has not seen yet, each in its own transaction."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(migrations):
        raise StoreError(f"{what} database was written by a newer termnews (schema {version})")
    for number, script in enumerate(migrations[version:], start=version + 1):
        conn.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")


def _version(conn: sqlite3.Connection, schema: str) -> int:
    return conn.execute(f"PRAGMA {schema}.user_version").fetchone()[0]


def _migrate_cache(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A new cache gives pages freed by a clean back to the disk (`Database.compact`);
        # the mode can only be chosen before the first table exists.
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, CACHE_MIGRATIONS, "main")
    finally:
        conn.close()


def _migrate_state(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, STATE_MIGRATIONS, "state")
    finally:
        conn.close()


class _Held:
    """A thread's connection, in the thread's local storage: it goes when the thread does."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn


class Database:
    """Both files, migrated, with a connection per thread and short transactions."""

    def __init__(self, paths: Paths, *, salvage_state: bool = False) -> None:
        """Open both files. An unreadable state file raises `StoreError`, untouched,
        unless `salvage_state`: then it is kept under a new name, and what can
        still be read from it goes into a new one (`notices` says where)."""
        self.paths = paths
        self.notices: list[str] = []
        self.generation = 0  # bumped by every write transaction
        self._local = threading.local()
        self._closers: set[weakref.finalize] = set()
        self._lock = threading.Lock()
        paths.cache_dir.mkdir(parents=True, exist_ok=True)
        paths.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._open(migrate=True)
        except sqlite3.DatabaseError as exc:
            moved = move_aside(paths.cache_db)
            self.notices.append(f"the cache was unreadable ({exc}); moved to {moved} and rebuilt")
            self._open(migrate=True)
        except StoreError as exc:
            if not salvage_state or not isinstance(exc.__cause__, sqlite3.DatabaseError):
                raise
            self._salvage(exc.__cause__)

    def _salvage(self, cause: sqlite3.DatabaseError) -> None:
        kept = move_aside(self.paths.state_db)  # renamed, never deleted
        saved = salvage_state(self._open(migrate=True), kept)
        self.notices.append(
            f"the state database {self.paths.state_db} was unreadable ({cause}); the original is "
            f"kept at {kept}; recovered into a new one: "
            + (", ".join(f"{n} {table}" for table, n in saved.items()) or "nothing could be read")
        )

    def _open(self, migrate: bool = False) -> sqlite3.Connection:
        """This thread's connection over both files (migrating a file first if asked and it is behind).

        The connection opens before any migration's: a file left current is not
        opened twice, and the connection a migration closes is never the file's
        last (closing the last one checkpoints the write-ahead log and deletes it).
        """
        conn = sqlite3.connect(self.paths.cache_db, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            if migrate and _version(conn, "main") != len(CACHE_MIGRATIONS):
                _migrate_cache(self.paths.cache_db)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except (sqlite3.DatabaseError, StoreError):
            conn.close()
            raise
        try:
            conn.execute("ATTACH DATABASE ? AS state", (str(self.paths.state_db),))
            if migrate and _version(conn, "state") != len(STATE_MIGRATIONS):
                _migrate_state(self.paths.state_db)
            conn.execute("PRAGMA state.journal_mode = WAL")
            # Drafts and flags are the user's words: wait for the disk on every commit.
            conn.execute("PRAGMA state.synchronous = FULL")
        except (sqlite3.DatabaseError, StoreError) as exc:
            conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(
                f"the state database {self.paths.state_db} is unreadable ({exc}); it has not been touched"
            ) from exc
        held = self._local.held = _Held(conn)
        with self._lock:
            self._closers = {closer for closer in self._closers if closer.alive}
            self._closers.add(weakref.finalize(held, conn.close))
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        held: _Held | None = getattr(self._local, "held", None)
        return held.conn if held is not None else self._open()

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            closers, self._closers = self._closers, set()
        for closer in closers:
            closer()

    def query(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        return self.conn.execute(sql, tuple(params)).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE .. COMMIT on this thread's connection; ROLLBACK on any error."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self.generation += 1  # what was read before may be stale now
