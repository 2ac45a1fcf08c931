"""The composer pane: the reply form that stands for the site's comment form.

Every change is staged in a `DraftEditor` (termnews.drafts) and written to
state.sqlite by a thread worker shortly after the last keystroke, so the UI
never waits on the disk; closing the pane, switching article and quitting
write it too. Validation only decides whether a draft may be marked ready:
the words are saved whatever they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, Static, TextArea
from textual.worker import get_current_worker

from termnews.config import Identity
from termnews.drafts import (
    FIELD_NAMES,
    ArticleRef,
    DraftEditor,
    DraftFields,
    SaveOutcome,
    edit_in_editor,
    editor_command,
    validate,
)
from termnews.models import Article, Draft
from termnews.screens.drafts import ReplyChoiceScreen
from termnews.store import Store

NOTE = "Your email address will not be published. Required fields are marked *"

AUTOSAVE_DELAY = 0.5  # seconds after the last keystroke
MAX_UNSAVED = 5.0  # while typing without a pause, still save this often
RETRY_DELAY = 2.0  # after a failed save (say, another process holds the lock)

_INPUTS = (
    ("name", "Name *", "Your name"),
    ("email", "Email *", "you@example.org"),
    ("website", "Website", "https://…"),
)


class Composer(Vertical):
    """Comment, name, email and website for a reply to one article, saved as you type."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="composer.close", tooltip="Save and close the composer"),
        Binding(
            "ctrl+s",
            "toggle_ready",
            "Ready",
            id="composer.ready",
            priority=True,
            tooltip="Mark the draft ready to send (valid drafts only), or back to draft",
        ),
        Binding(
            "ctrl+e",
            "external_editor",
            "Editor",
            id="composer.editor",
            priority=True,
            tooltip="Edit the comment in $VISUAL / $EDITOR",
        ),
    ]

    DEFAULT_CSS = """
    Composer {
        display: none;
        width: 50%;
        min-width: 30;
        border-left: solid $accent;
        padding: 0 1;
        background: $surface;
        &.-open { display: block; }
        & > #composer-heading { text-style: bold; }
        & > #composer-article { text-style: italic; }
        & > #composer-note { color: $text-muted; }
        & > .field-row { height: 1; }
        & > .field-row > Label { width: 10; }
        & > .field-row > Input { width: 1fr; }
        & > #comment-row { margin-top: 1; }
        & #composer-status { width: 1fr; text-align: right; color: $text-muted; }
        & #composer-status.-ready { color: $success; }
        & #composer-status.-failed { color: $error; text-style: bold; }
        & TextArea { height: 1fr; min-height: 3; }
        & > .field-error { color: $error; display: none; padding-left: 10; }
        & > #comment-error { padding-left: 0; }
        & > .field-error.-shown { display: block; }
    }
    """

    @dataclass
    class DraftsChanged(Message):
        """A draft row was created for this article: its headline's ✎ may change."""

        article_id: str

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
    class _Loaded(Message):
        draft: Draft | None
        draft_id: int

    def __init__(self, store: Store, identity: Identity = Identity(), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.identity = identity
        self.editor: DraftEditor | None = None
        self._timer: Timer | None = None
        self._unsaved_since: float | None = None
        self._touched: set[str] = set()
        self._loaded = DraftFields()
        self._failed: str | None = None

    def compose(self) -> ComposeResult:
        yield Static("Leave a Reply", id="composer-heading", markup=False)
        yield Static("", id="composer-article", markup=False)
        yield Static(NOTE, id="composer-note", markup=False)
        with Horizontal(id="comment-row", classes="field-row"):
            yield Label("Comment *", markup=False)
            yield Static("", id="composer-status", markup=False)
        yield Static("", id="comment-error", classes="field-error", markup=False)
        yield TextArea(id="comment", soft_wrap=True)
        for name, label, placeholder in _INPUTS:
            with Horizontal(classes="field-row"):
                yield Label(label, markup=False)
                yield Input(id=name, placeholder=placeholder, compact=True, select_on_focus=False)
            yield Static("", id=f"{name}-error", classes="field-error", markup=False)

    # -- the form ---------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def article_id(self) -> str | None:
        return self.editor.article.id if self.editor is not None else None

    def on_mount(self) -> None:
        # Kept by reference: quitting reads them while the DOM is being taken down.
        self._area = self.query_one("#comment", TextArea)
        self._inputs = {name: self.query_one(f"#{name}", Input) for name, _, _ in _INPUTS}

    def read_fields(self) -> DraftFields:
        return DraftFields(
            comment=self._area.text, **{name: field.value for name, field in self._inputs.items()}
        )

    def _fill(self, fields: DraftFields) -> None:
        area = self._area
        area.load_text(fields.comment)
        area.move_cursor(area.document.end)
        area.scroll_cursor_visible()
        for name, field in self._inputs.items():
            field.value = getattr(fields, name)
            field.cursor_position = len(field.value)

    # -- opening ----------------------------------------------------------------

    def reply_to(self, article: Article | ArticleRef) -> None:
        """`r`: continue the article's draft or start one; asks when drafts exist."""
        ref = ArticleRef.of_article(article) if isinstance(article, Article) else article
        if self.is_open and self.article_id == ref.id:
            self._area.focus()
            return
        self._find_drafts(ref, self._settle())

    def open_draft_id(self, draft_id: int) -> None:
        """Open one stored draft (from the drafts screen), re-read so its version is current."""
        self._load_draft(draft_id, self._settle())

    def open_draft(self, article: ArticleRef, draft: Draft | None) -> None:
        """Show `draft` (or an empty reply to `article`, filled from the identity)."""
        if self.editor is not None and self.editor.needs_save:
            self._save(self.editor)
        self._stop_timer()
        self._unsaved_since, self._failed = None, None
        initial = DraftFields.from_identity(self.identity)
        self.editor = DraftEditor(self.store, article, draft, initial)
        self._loaded = self.editor.staged  # a field differing from this was touched
        self._touched = set(FIELD_NAMES) if draft is not None else set()
        self.query_one("#composer-article", Static).update(Text(self.editor.article.title))
        self._fill(self.editor.staged)
        self.add_class("-open")
        self._show_problems()
        self._show_status()
        self._area.focus()

    def _settle(self) -> DraftEditor | None:
        """Stage what is on screen and return the editor, for a worker to flush before it reads."""
        self._stop_timer()
        if self.editor is not None and self.is_open:
            self.editor.stage(self.read_fields())
        return self.editor

    @work(thread=True, group="composer-open", exclusive=True, exit_on_error=False)
    def _find_drafts(self, article: ArticleRef, previous: DraftEditor | None) -> None:
        self._flush_quietly(previous)
        drafts = self.store.drafts(article.id)
        if not get_current_worker().is_cancelled:  # a later `r` took over
            self.post_message(self._Found(article, drafts))

    @work(thread=True, group="composer-open", exclusive=True, exit_on_error=False)
    def _load_draft(self, draft_id: int, previous: DraftEditor | None) -> None:
        self._flush_quietly(previous)
        draft = self.store.draft(draft_id)
        if not get_current_worker().is_cancelled:
            self.post_message(self._Loaded(draft, draft_id))

    def _flush_quietly(self, editor: DraftEditor | None) -> None:
        if editor is None:
            return
        try:
            outcome = editor.flush()
        except Exception as exc:
            self.post_message(self._SaveFailed(editor, str(exc)))
        else:
            self.post_message(self._Saved(editor, outcome))

    def on_composer__found(self, message: _Found) -> None:
        message.stop()
        if not message.drafts:
            self.open_draft(message.article, None)
            return

        def chosen(choice: str | None) -> None:
            if choice == "continue":
                self.open_draft(message.article, message.drafts[0])
            elif choice == "new":
                self.open_draft(message.article, None)

        self.app.push_screen(ReplyChoiceScreen(message.article, message.drafts), chosen)

    def on_composer__loaded(self, message: _Loaded) -> None:
        message.stop()
        if message.draft is None:
            self.notify(f"Draft #{message.draft_id} no longer exists", severity="warning")
            return
        self.open_draft(ArticleRef.of_draft(message.draft), message.draft)

    # -- editing and autosave ---------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._edited("comment")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("name", "email", "website"):
            self._edited(event.input.id)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if self.editor is not None and event.input.id in ("name", "email", "website"):
            self._touched.add(event.input.id)
            self._show_problems()

    def _edited(self, name: str) -> None:
        editor = self.editor
        if editor is None or not self.is_open:
            return
        fields = self.read_fields()
        loaded = self._loaded
        self._touched.update(n for n in FIELD_NAMES if getattr(fields, n) != getattr(loaded, n))
        if not editor.stage(fields):
            self._show_problems()
            return
        self._show_problems()
        self._show_status()
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

    @work(thread=True, group="draft-save", exit_on_error=False)
    def _save(self, editor: DraftEditor, state: str | None = None) -> None:
        try:
            outcome = editor.flush(state)
        except Exception as exc:
            self.post_message(self._SaveFailed(editor, str(exc)))
        else:
            self.post_message(self._Saved(editor, outcome))

    def prepare_flush(self) -> Callable[[], object]:
        """Stage what is on screen now; the returned function writes it (run it in a worker)."""
        editor = self._settle()
        return editor.flush if editor is not None else (lambda: None)

    def flush_blocking(self) -> None:
        """Write any pending change on the calling thread (quit, or a worker that must read after it)."""
        editor = self.editor
        if editor is not None:
            editor.flush()

    def on_composer__saved(self, message: _Saved) -> None:
        message.stop()
        outcome = message.outcome
        if outcome.message:
            self.notify(outcome.message, title="Draft conflict", severity="warning", timeout=12, markup=False)
        if outcome.created:
            self.post_message(self.DraftsChanged(message.editor.article.id))
        if message.editor is self.editor:
            self._failed = None
            self._show_status()

    def on_composer__save_failed(self, message: _SaveFailed) -> None:
        message.stop()
        if message.editor is not self.editor:
            self.notify(f"A draft could not be saved: {message.error}", severity="error", markup=False)
            return
        first = self._failed is None
        self._failed = message.error
        self._show_status()
        if first:
            self.notify(f"Draft not saved: {message.error}; retrying", severity="error", markup=False)
        self._stop_timer()
        self._timer = self.set_timer(RETRY_DELAY, self.save_now, name="autosave-retry")

    def on_unmount(self) -> None:
        """Quitting: whatever is on screen goes to disk before the app is gone."""
        self._stop_timer()
        try:
            if self.editor is not None and self.is_open:
                self.editor.stage(self.read_fields())
            self.flush_blocking()
        except Exception:
            pass

    # -- what the pane shows ----------------------------------------------------

    def _show_problems(self, everything: bool = False) -> None:
        if self.editor is None:
            return
        if everything:
            self._touched = set(FIELD_NAMES)
        problems = validate(self.editor.staged)
        for name in FIELD_NAMES:
            message = problems.get(name, "") if name in self._touched else ""
            label = self.query_one(f"#{name}-error", Static)
            label.update(Text(message))
            label.set_class(bool(message), "-shown")

    def _show_status(self) -> None:
        editor = self.editor
        status = self.query_one("#composer-status", Static)
        if editor is None:
            status.update("")
            return
        draft = editor.draft
        state = draft.state if draft is not None else "draft"
        parts = [f"Draft #{draft.id}" if draft is not None else "New reply", state]
        if self._failed:
            parts.append(f"NOT SAVED: {self._failed} (retrying)")
        elif editor.needs_save:
            parts.append("unsaved changes")
        elif draft is not None:
            parts.append("saved")
        status.update(Text(" · ".join(parts)))
        status.set_class(state == "ready" and not editor.needs_save, "-ready")
        status.set_class(bool(self._failed), "-failed")

    # -- actions ----------------------------------------------------------------

    def action_close(self) -> None:
        self.close()

    def close(self, focus_headlines: bool = True) -> None:
        """Save (in a worker) and hide the pane."""
        if not self.is_open:
            return
        self.save_now()
        self.remove_class("-open")
        if focus_headlines:
            headlines = self.screen.query("HeadlineList")
            if headlines:
                headlines.first().focus()
            else:
                self.screen.set_focus(None)

    def leave_unless(self, article_id: str) -> None:
        """Switching article: the open reply is saved and put away unless it answers this one."""
        if self.is_open and self.article_id != article_id:
            self.close(focus_headlines=False)

    def forget(self, draft_ids: set[int]) -> None:
        """Drafts deleted on purpose (drafts screen): close without writing them back."""
        editor = self.editor
        if editor is not None and editor.draft is not None and editor.draft.id in draft_ids:
            self._stop_timer()
            self.editor = None
            self.remove_class("-open")

    def action_toggle_ready(self) -> None:
        editor = self.editor
        if editor is None:
            return
        fields = self.read_fields()
        editor.stage(fields)
        if editor.draft is not None and editor.draft.state == "ready":
            self.save_now("draft")
            self.notify("Back to draft: edit away", timeout=3)
            return
        problems = validate(fields)
        if problems:
            self._show_problems(everything=True)
            first = next(iter(problems))
            self.query_one(f"#{first}").focus()
            self.notify(
                "Not ready yet: " + "; ".join(problems.values()), severity="warning", timeout=6, markup=False
            )
            self.save_now()  # the words are kept all the same
            return
        self.save_now("ready")
        self.notify("Marked ready: waiting in the outbox (ctrl+s again to edit)", timeout=4)

    def action_external_editor(self) -> None:
        editor = self.editor
        if editor is None:
            return
        argv = editor_command()
        if argv is None:
            self.notify("Set $VISUAL or $EDITOR to edit in your editor", severity="warning")
            return
        area = self._area
        self.save_now()  # a worker writes what is typed so far while the editor runs
        try:
            with self.app.suspend():
                result = edit_in_editor(area.text, argv)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to an editor", severity="warning")
            return
        if result.error:
            self.notify(result.error, severity="warning", markup=False)
        elif not result.changed:
            self.notify("Editor closed: no change", timeout=2)
        else:
            area.replace(result.text, area.document.start, area.document.end)
            area.move_cursor(area.document.end)
            self._edited("comment")
        area.focus()
