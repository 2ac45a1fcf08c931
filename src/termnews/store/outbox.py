"""The outbox's side of drafts (state side): claiming a ready draft, recording what a send came to."""

from __future__ import annotations

import time

from termnews.models import Draft
from termnews.store.db import Database
from termnews.store.drafts import DRAFT_COLUMNS, check_draft_state, swap


class Outbox:
    def __init__(self, db: Database) -> None:
        self._db = db

    def outbox(self) -> list[Draft]:
        """Drafts the outbox acts on: `ready` ones and those whose last attempt is in doubt."""
        rows = self._db.query(
            f"SELECT {DRAFT_COLUMNS} FROM state.drafts WHERE state IN ('ready', 'sending') ORDER BY updated, id"
        )
        return [Draft(*r) for r in rows]

    def claim_for_sending(self, draft_id: int, expected_version: int, now: float | None = None) -> Draft:
        """`ready` -> `sending`, compare-and-swap: only one sender ever holds a draft.

        Raises `DraftConflict` when the draft changed, vanished or is not ready.
        """
        now = time.time() if now is None else now
        return swap(
            self._db,
            draft_id,
            expected_version,
            "UPDATE state.drafts SET state = 'sending', send_started = ?, send_error = NULL,"
            " send_after = NULL, attempts = attempts + 1, updated = ?, version = version + 1"
            " WHERE id = ? AND version = ? AND state = 'ready'",
            (now, now, draft_id, expected_version),
        )

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
        check_draft_state(state)
        now = time.time() if now is None else now
        return swap(
            self._db,
            draft_id,
            None,
            "UPDATE state.drafts SET state = ?, send_error = ?, send_after = ?,"
            " sent_at = COALESCE(?, sent_at), remote_id = COALESCE(?, remote_id),"
            " remote_url = COALESCE(?, remote_url), updated = ?, version = version + 1"
            " WHERE id = ? AND state = 'sending'",
            (state, error, send_after, sent_at, remote_id, remote_url, now, draft_id),
        )

    def publish_held(self, draft_id: int, remote_id: str | None, remote_url: str | None) -> Draft:
        """`held` -> `sent`: the site published a reply it held (found in its comment feed).

        Raises `DraftConflict` if the draft is no longer `held`.
        """
        now = time.time()
        return swap(
            self._db,
            draft_id,
            None,
            "UPDATE state.drafts SET state = 'sent', send_error = NULL, remote_id = COALESCE(?, remote_id),"
            " remote_url = COALESCE(?, remote_url), updated = ?, version = version + 1"
            " WHERE id = ? AND state = 'held'",
            (remote_id, remote_url, now, draft_id),
        )
