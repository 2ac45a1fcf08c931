"""The composer's side that reads and writes state.sqlite, always in thread workers.

Opening a reply reads the article's drafts first (after writing what was open).
Saving: what is typed goes to state.sqlite shortly after, in a thread worker.

A save waits `AUTOSAVE_DELAY` after the last keystroke, but never lets more than
`MAX_UNSAVED` pass while someone types without a pause; a failed save (a full
disk, a lock held by another process) says so once and retries. Closing the
pane, switching article and quitting write too. The words on screen are never
dropped: they stay staged in the `DraftEditor` until a write succeeds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import get_current_worker

from termnews.drafts import ArticleRef, DraftEditor, DraftFields, SaveOutcome
from termnews.models import Draft
from termnews.store import Store
from termnews.widgets.worker_errors import ReportsWorkerErrors

AUTOSAVE_DELAY = 0.5  # seconds after the last keystroke
MAX_UNSAVED = 5.0  # while typing without a pause, still save this often
RETRY_DELAY = 2.0  # after a failed save (say, another process holds the lock)

# (article id, link, source) -> why a reply to it could never be sent, or None; reads the disk.
NowhereCheck = Callable[[str, str | None, str], str | None]


class DraftStorage(ReportsWorkerErrors, Widget):
    """The storage half of the composer; the form half (composer.py) supplies the fields."""

    @dataclass
    class _Saved(Message):
        editor: DraftEditor
        outcome: SaveOutcome

    @dataclass
    class _SaveFailed(Message):
        editor: DraftEditor
        error: str

    @dataclass
    class _Found(Message):
        """The drafts of an article, read off the UI thread (for `reply_to`)."""

        article: ArticleRef
        drafts: list[Draft]

    @dataclass
    class _Destination(Message):
        """Why a reply to this article could never be sent (None: it may be)."""

        article_id: str
        nowhere: str | None

    @dataclass
    class _Loaded(Message):
        draft: Draft | None
        draft_id: int

    @dataclass
    class _Reread(Message):
        """The open draft as stored now (the outbox may have sent it meanwhile)."""

        editor: DraftEditor
        draft: Draft

    store: Store
    editor: DraftEditor | None = None
    save_failure: str | None = None  # why the last write of the open draft failed, until one succeeds
    nowhere: str | None = None  # why the open reply could never be sent, once checked
    _timer: Timer | None = None
    _unsaved_since: float | None = None

    # -- what the form supplies ---------------------------------------------------

    @property
    def is_open(self) -> bool:
        raise NotImplementedError

    def read_fields(self) -> DraftFields:
        raise NotImplementedError

    def show_status(self) -> None:
        """Say on screen whether the open draft is saved."""

    def open_draft(self, article: ArticleRef, draft: Draft | None) -> None:
        raise NotImplementedError

    def drafts_found(self, article: ArticleRef, drafts: list[Draft]) -> None:
        """`reply_to` read the article's drafts: open one, or ask which."""

    def draft_created(self, article_id: str) -> None:
        """A draft row now exists for this article."""

    def destination_checked(self, article_id: str, nowhere: str | None) -> None:
        """`check_destination` found whether a reply to this article can be sent."""

    # -- when to save ----------------------------------------------------------------

    def schedule_save(self) -> None:
        """Something was typed: save after a pause, or now if typing has gone on too long."""
        now = time.monotonic()
        if self._unsaved_since is None:
            self._unsaved_since = now
        if now - self._unsaved_since >= MAX_UNSAVED:
            self.save_now()
        else:
            self._stop_timer()
            self._timer = self.set_timer(AUTOSAVE_DELAY, self.save_now, name="autosave")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def save_now(self, state: str | None = None) -> None:
        """Write what is on screen now, in a worker (autosave, close, switching article)."""
        self._stop_timer()
        self._unsaved_since = None
        editor = self.editor
        if editor is None:
            return
        if self.is_open:
            editor.stage(self.read_fields())
        if editor.needs_save or state is not None:
            self._save(editor, state)

    def settle(self) -> DraftEditor | None:
        """Stage what is on screen and return the editor, for a worker to flush before it reads."""
        self._stop_timer()
        if self.editor is not None and self.is_open:
            self.editor.stage(self.read_fields())
        return self.editor

    def prepare_flush(self) -> Callable[[], object]:
        """Stage what is on screen now; the returned function writes it (run it in a worker)."""
        editor = self.settle()
        return editor.flush if editor is not None else (lambda: None)

    def flush_blocking(self) -> None:
        """Write any pending change on the calling thread (quit, or a worker that must read after it)."""
        editor = self.editor
        if editor is not None:
            editor.flush()

    # -- reading the draft to open, in workers ---------------------------------------------

    @work(thread=True, group="composer-open", exclusive=True, exit_on_error=False)
    def _find_drafts(self, article: ArticleRef, previous: DraftEditor | None) -> None:
        self.flush_and_report(previous)
        drafts = self.store.drafts(article.id)
        if not get_current_worker().is_cancelled:  # a later `r` took over
            self.post_message(self._Found(article, drafts))

    @work(thread=True, group="composer-open", exclusive=True, exit_on_error=False)
    def _load_draft(self, draft_id: int, previous: DraftEditor | None) -> None:
        self.flush_and_report(previous)
        draft = self.store.draft(draft_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self._Loaded(draft, draft_id))

    @work(thread=True, group="composer-destination", exclusive=True, exit_on_error=False)
    def check_destination(self, article: ArticleRef, check: NowhereCheck) -> None:
        self.post_message(self._Destination(article.id, check(article.id, article.link, article.source)))

    def on_draft_storage__destination(self, message: _Destination) -> None:
        message.stop()
        self.destination_checked(message.article_id, message.nowhere)

    @work(thread=True, group="composer-reread", exclusive=True, exit_on_error=False)
    def reread_open_draft(self) -> None:
        """Re-read the open draft's row: the drafts screen may have sent it (call on the UI thread)."""
        editor = self.editor
        draft = editor.draft if editor is not None else None
        if editor is None or draft is None:
            return
        now = self.store.draft(draft.id)
        if now is not None and now.version != draft.version:
            self.post_message(self._Reread(editor, now))

    def on_draft_storage__reread(self, message: _Reread) -> None:
        message.stop()
        editor = message.editor
        if editor is self.editor and not editor.needs_save and editor.adopt(message.draft):
            self.draft_state_changed()

    def draft_state_changed(self) -> None:
        """The open draft's stored state changed under it (sent, failed): show it."""

    def on_draft_storage__found(self, message: _Found) -> None:
        message.stop()
        self.drafts_found(message.article, message.drafts)

    def on_draft_storage__loaded(self, message: _Loaded) -> None:
        message.stop()
        if message.draft is None:
            self.notify(f"Draft #{message.draft_id} no longer exists", severity="warning")
            return
        self.open_draft(ArticleRef.of_draft(message.draft), message.draft)

    # -- writing, in workers -------------------------------------------------------------

    @work(thread=True, group="draft-save", exit_on_error=False)
    def _save(self, editor: DraftEditor, state: str | None = None) -> None:
        self.flush_and_report(editor, state)

    def flush_and_report(self, editor: DraftEditor | None, state: str | None = None) -> None:
        """Write `editor` (in a worker) and post how it went."""
        if editor is None:
            return
        try:
            outcome = editor.flush(state)
        except Exception as exc:
            self.post_message(self._SaveFailed(editor, str(exc)))
        else:
            self.post_message(self._Saved(editor, outcome))

    def on_draft_storage__saved(self, message: _Saved) -> None:
        message.stop()
        outcome = message.outcome
        if outcome.message:
            self.notify(outcome.message, title="Draft conflict", severity="warning", timeout=12, markup=False)
        if outcome.created:
            self.draft_created(message.editor.article.id)
        if message.editor is self.editor:
            self.save_failure = None
            self.show_status()

    def on_draft_storage__save_failed(self, message: _SaveFailed) -> None:
        message.stop()
        if message.editor is not self.editor:
            self.notify(f"A draft could not be saved: {message.error}", severity="error", markup=False)
            return
        first = self.save_failure is None
        self.save_failure = message.error
        self.show_status()
        if first:
            self.notify(f"Draft not saved: {message.error}; retrying", severity="error", markup=False)
        self._stop_timer()
        self._timer = self.set_timer(RETRY_DELAY, self.save_now, name="autosave-retry")

    def on_unmount(self) -> None:
        """Quitting: whatever is on screen goes to disk before the app is gone."""
        self._stop_timer()
        try:
            self.settle()
            self.flush_blocking()
        except Exception:
            pass  # the words were offered to the disk; a failure here has no one left to tell
