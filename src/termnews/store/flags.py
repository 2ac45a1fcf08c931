"""Read and starred flags (state side), keyed by the article's stable id."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Literal

from termnews.store import sync_queue
from termnews.store.db import Database


class Flags:
    def __init__(self, db: Database) -> None:
        self._db = db

    def set_flag(self, ids: Iterable[str], flag: Literal["read", "starred"], value: bool) -> None:
        if flag not in ("read", "starred"):  # the column name goes into the SQL
            raise ValueError(f"no flag {flag!r}")
        now = time.time()
        ids = list(ids)
        with self._db.transaction() as conn:
            conn.executemany(
                f"INSERT INTO state.flags (article_id, {flag}, changed) VALUES (?, ?, ?)"
                f" ON CONFLICT (article_id) DO UPDATE SET {flag} = excluded.{flag},"
                " changed = excluded.changed",
                [(aid, int(value), now) for aid in ids],
            )
            # A change to a server's article is queued for it in the same transaction.
            sync_queue.enqueue(conn, ids, flag, value, now)

    def read_among(self, ids: Iterable[str]) -> set[str]:
        """Which of `ids` are flagged read."""
        rows = self._db.query(
            "SELECT article_id FROM state.flags WHERE read = 1"
            " AND article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(ids)),),
        )
        return {r[0] for r in rows}
