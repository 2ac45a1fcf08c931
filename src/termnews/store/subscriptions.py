"""Subscriptions added from the app or the CLI, and settings (state side)."""

from __future__ import annotations

import json
import time

from termnews.models import SourceSpec
from termnews.store.db import Database


class Subscriptions:
    def __init__(self, db: Database) -> None:
        self._db = db

    def subscriptions(self) -> list[SourceSpec]:
        rows = self._db.query(
            "SELECT name, kind, location, options, tags FROM state.subscriptions ORDER BY added"
        )
        return [
            SourceSpec(r[0], r[1], r[2], json.loads(r[3]), tuple(t for t in r[4].split(",") if t))
            for r in rows
        ]

    def add_subscription(self, spec: SourceSpec) -> None:
        with self._db.transaction() as conn:
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
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM state.subscriptions WHERE name = ?", (name,)).rowcount > 0


class Settings:
    def __init__(self, db: Database) -> None:
        self._db = db

    def setting(self, key: str) -> str | None:
        rows = self._db.query("SELECT value FROM state.settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_setting(self, key: str, value: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO state.settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
