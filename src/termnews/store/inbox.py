"""The inbox (state side): answers to the person's replies, and what each thread showed last time.

An answer is kept once per (article, comment id), unread until the person
opens it; like a draft, it keeps its own copy of the article's title, link
and source. `thread_visits` remembers, per article, the ids of the comments
shown when its thread was last opened, so the comments pane can mark what
arrived since.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence

from termnews.models import InboxItem, NewReply
from termnews.store.db import Database

_COLUMNS = (
    "id, comment_id, article_id, article_title, article_link, article_source, draft_id, author,"
    " published, text, link, arrived, read"
)


def _item(row: tuple) -> InboxItem:
    return InboxItem(*row[:-1], bool(row[-1]))  # type: ignore[call-arg]  # mypy counts a slice as any length


class Inbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add_replies(self, replies: Iterable[NewReply], now: float | None = None) -> list[InboxItem]:
        """Keep answers not seen before (unread); returns the ones that are new."""
        now = time.time() if now is None else now
        added: list[int] = []
        with self._db.transaction() as conn:
            for r in replies:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO state.inbox (comment_id, article_id, article_title, article_link,"
                    " article_source, draft_id, author, published, text, link, arrived, read)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    (r.comment_id, r.article_id, r.article_title, r.article_link, r.article_source)
                    + (r.draft_id, r.author, r.published, r.text, r.link, now),
                )
                if cursor.rowcount and cursor.lastrowid is not None:
                    added.append(cursor.lastrowid)
        new = set(added)
        return [item for item in self.inbox() if item.id in new]

    def inbox(self, *, unread_only: bool = False) -> list[InboxItem]:
        """Newest answer first (by the site's date, else when it arrived)."""
        where = "WHERE read = 0" if unread_only else ""
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM state.inbox {where} ORDER BY COALESCE(published, arrived) DESC, id DESC"
        )
        return [_item(r) for r in rows]

    def inbox_item(self, item_id: int) -> InboxItem | None:
        rows = self._db.query(f"SELECT {_COLUMNS} FROM state.inbox WHERE id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def inbox_unread(self) -> int:
        return int(self._db.query("SELECT COUNT(*) FROM state.inbox WHERE read = 0")[0][0])

    def mark_inbox_read(self, item_id: int, read: bool = True) -> bool:
        """False when there is no such item."""
        with self._db.transaction() as conn:
            changed = conn.execute("UPDATE state.inbox SET read = ? WHERE id = ?", (int(read), item_id))
            return changed.rowcount > 0

    # -- what a thread showed when it was last opened ---------------------------------

    def thread_visit(self, article_id: str) -> tuple[float, frozenset[str]] | None:
        """When the thread was last opened and the comment ids it showed then (None: never)."""
        rows = self._db.query(
            "SELECT opened, seen FROM state.thread_visits WHERE article_id = ?", (article_id,)
        )
        if not rows:
            return None
        try:
            seen = json.loads(rows[0][1])
        except ValueError:
            seen = []
        return float(rows[0][0]), frozenset(str(s) for s in seen if isinstance(s, str))

    def record_thread_visit(self, article_id: str, seen: Sequence[str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO state.thread_visits (article_id, opened, seen) VALUES (?, ?, ?)"
                " ON CONFLICT (article_id) DO UPDATE SET opened = excluded.opened, seen = excluded.seen",
                (article_id, now, json.dumps(sorted(set(seen)))),
            )
