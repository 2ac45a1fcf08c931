"""Drafts (state side): the person's replies, written with compare-and-swap on a version.

A draft is only ever deleted at the person's request. Its id is never given
out again (AUTOINCREMENT, state migration 3).
"""

from __future__ import annotations

import sqlite3
import time

from termnews.models import DRAFT_STATES, SENT_STATES, Draft, DraftConflict
from termnews.store.db import Database

DRAFT_COLUMNS = ", ".join(Draft.__dataclass_fields__)


def check_draft_state(state: str) -> None:
    if state not in DRAFT_STATES:
        raise ValueError(f"draft state must be one of {', '.join(DRAFT_STATES)}, not {state!r}")


def check_outbox_only(state: str) -> None:
    """Editing may set `draft`, `ready` or `failed`; the sent states belong to the outbox."""
    check_draft_state(state)
    if state in SENT_STATES:
        raise ValueError(f"only the outbox puts a draft in {state!r}")


def read_draft(conn: sqlite3.Connection, draft_id: int) -> Draft | None:
    """A draft as it is now in the database (inside the caller's transaction)."""
    row = conn.execute(f"SELECT {DRAFT_COLUMNS} FROM state.drafts WHERE id = ?", (draft_id,)).fetchone()
    return Draft(*row) if row else None


def swap(db: Database, draft_id: int, expected_version: int | None, sql: str, params: tuple) -> Draft:
    """Run one conditional UPDATE of a draft and return the row as it is now.

    Raises `DraftConflict` (with what is stored now, or None if the row is
    gone) when the UPDATE changed nothing: another writer got there first.
    """
    with db.transaction() as conn:
        changed = conn.execute(sql, params).rowcount
        current = read_draft(conn, draft_id)
    if not changed or current is None:
        if expected_version is None:
            expected_version = current.version if current else 0
        raise DraftConflict(draft_id, expected_version, current)
    return current


class Drafts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def drafts(self, article: str | None = None) -> list[Draft]:
        where, params = ("WHERE article_id = ?", (article,)) if article else ("", ())
        rows = self._db.query(
            f"SELECT {DRAFT_COLUMNS} FROM state.drafts {where} ORDER BY updated DESC, id DESC", params
        )
        return [Draft(*r) for r in rows]

    def draft(self, draft_id: int) -> Draft | None:
        return read_draft(self._db.conn, draft_id)

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
        check_draft_state(state)
        now = time.time() if now is None else now
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO state.drafts (article_id, article_title, article_link,"
                " article_source, parent_comment, comment, name, email, website, state,"
                " created, updated, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (article_id, article_title, article_link, article_source, parent_comment)
                + (comment, name, email, website, state, now, now),
            )
            assert cursor.lastrowid is not None
            created = read_draft(conn, cursor.lastrowid)
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
            check_outbox_only(state)
        now = time.time() if now is None else now
        # A reply that is (or may be) at the site keeps its state: only the
        # outbox moves it, so editing its words can never queue it again.
        return swap(
            self._db,
            draft_id,
            expected_version,
            "UPDATE state.drafts SET comment = ?, name = ?, email = ?, website = ?,"
            " state = CASE WHEN state IN ('sending', 'sent', 'held') THEN state"
            " ELSE COALESCE(?, state) END, updated = ?, version = version + 1"
            " WHERE id = ? AND version = ?",
            (comment, name, email, website, state, now, draft_id, expected_version),
        )

    def set_draft_state(self, draft_id: int, expected_version: int, state: str) -> Draft:
        """`draft` or `ready`, with the same compare-and-swap as `update_draft`.

        A draft in `sending`, `sent` or `held` is left as it is (`DraftConflict`).
        """
        check_outbox_only(state)
        return swap(
            self._db,
            draft_id,
            expected_version,
            "UPDATE state.drafts SET state = ?, updated = ?, version = version + 1"
            " WHERE id = ? AND version = ? AND state NOT IN ('sending', 'sent', 'held')",
            (state, time.time(), draft_id, expected_version),
        )

    def delete_draft(self, draft_id: int) -> bool:
        """Remove one draft (only ever at the person's request); False if it was not there."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM state.drafts WHERE id = ?", (draft_id,)).rowcount > 0
