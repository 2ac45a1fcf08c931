"""How much room the cache takes, per source and on disk, and giving freed room back."""

from __future__ import annotations

from pathlib import Path

from termnews.store import search_index
from termnews.store.db import Database


class CacheSpace:
    def __init__(self, db: Database) -> None:
        self._db = db

    def source_sizes(self) -> dict[str, int]:
        """Per source id: bytes of its stored articles (compressed bodies, titles, links)."""
        rows = self._db.query(
            "SELECT source_id, SUM(LENGTH(body) + LENGTH(CAST(title AS BLOB))"
            " + COALESCE(LENGTH(CAST(link AS BLOB)), 0)) FROM articles GROUP BY source_id"
        )
        return dict(rows)

    def cache_files_size(self) -> int:
        """Bytes on disk of the cache database, its WAL and shared memory."""
        base = self._db.paths.cache_db
        return sum(p.stat().st_size for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if p.exists())

    def compact(self) -> None:
        """Give the room freed by deleted articles back to the disk.

        The search index keeps tombstones of deleted rows until its segments
        are merged; then the free pages are cut off the end of the file (a
        cache made before incremental vacuum is rewritten once, which turns
        it on) and the WAL is emptied into the file and truncated.
        """
        with self._db.transaction() as conn:
            search_index.optimize(conn)
        conn = self._db.conn
        if conn.execute("PRAGMA main.auto_vacuum").fetchone()[0] == 0:
            conn.execute("PRAGMA main.auto_vacuum = INCREMENTAL")
            conn.execute("VACUUM main")
        else:
            # Each step frees one page; only executescript steps a statement to its end.
            conn.executescript("PRAGMA main.incremental_vacuum;")
        conn.execute("PRAGMA main.wal_checkpoint(TRUNCATE)").fetchall()
