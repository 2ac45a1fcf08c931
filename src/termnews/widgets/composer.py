"""The composer pane: the reply form that stands for the site's comment form.

Every change is staged in a `DraftEditor` (termnews.drafts) and written by
the saving half (composer_storage), so the UI never waits on the disk.
Validation only decides whether a draft may be marked ready: the words are
saved whatever they are. When the article already has drafts, the composer
asks its screen (`ChooseDraft`) to ask the person which to open. What the
pane says about the reply (its state, why it failed, read-only once sent, too
small to write in) is composer_state's; the hand-over to $EDITOR is
composer_editor's.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Static, TextArea

from termnews.comments import Comment
from termnews.config import Identity
from termnews.drafts import (
    FIELD_NAMES,
    ArticleRef,
    DraftEditor,
    DraftFields,
    validate,
)
from termnews.models import Article, Draft
from termnews.store import Store
from termnews.widgets.composer_editor import ExternalEditor
from termnews.widgets.composer_state import ComposerState, is_read_only, refusal
from termnews.widgets.composer_storage import DraftStorage, NowhereCheck

NOTE = "Your email address will not be published. Required fields are marked *"


_INPUTS = (
    ("name", "Name *", "Your name"),
    ("email", "Email *", "you@example.org"),
    ("website", "Website", "https://…"),
)


class Composer(ComposerState, DraftStorage, ExternalEditor, Vertical):
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
        # Priority: handled as the key arrives, so focus has moved before the next key is
        # dispatched. Without it, Tab bubbles up through the queues of the field and its
        # parents while keys typed right after it are still sent to the field Tab leaves.
        # System: the screen's own tab and shift+tab, only sooner; help lists them once.
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True, system=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True, system=True),
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
        & > #composer-form { height: 1fr; scrollbar-size-vertical: 1; }
        & > #composer-too-small { display: none; color: $warning; text-style: bold; }
        &.-too-small > #composer-form { display: none; }
        &.-too-small > #composer-too-small { display: block; }
        & #composer-heading { text-style: bold; }
        & #composer-article { text-style: italic; }
        & #composer-note { color: $text-muted; }
        & .field-row { height: 1; }
        & .field-row > Label { width: 10; }
        & .field-row > Input { width: 1fr; }
        & #comment-row { margin-top: 1; }
        & #composer-status { width: 1fr; text-align: right; color: $text-muted; }
        & #composer-status.-ready { color: $success; }
        & #composer-status.-failed { color: $error; text-style: bold; }
        & #composer-reason { color: $warning; display: none; &.-shown { display: block; } }
        /* 40% of the pane, 5 lines (and the border) at least: problems shown beside the
           fields never shrink it; the form scrolls to the focused field instead. */
        & TextArea { height: 40%; min-height: 7; }
        & .field-error { color: $error; display: none; padding-left: 10; }
        & #comment-error { padding-left: 0; }
        & .field-error.-shown { display: block; }
    }
    """

    @dataclass
    class DraftsChanged(Message):
        """A draft row was created for this article: its headline's ✎ may change."""

        article_id: str

    @dataclass
    class ChooseDraft(Message):
        """The article has drafts: the screen asks whether to continue the last one or start anew."""

        article: ArticleRef
        drafts: list[Draft]

    is_open: reactive[bool] = reactive(False)

    def __init__(
        self,
        store: Store,
        identity: Identity | None = None,
        *,
        nowhere_to_send: NowhereCheck | None = None,
        id: str | None = None,
    ) -> None:
        """`nowhere_to_send(article_id, link, source)` says why a reply could never be sent."""
        super().__init__(id=id)
        self.store = store
        self.identity = identity or Identity()
        self.nowhere_check = nowhere_to_send
        self._touched: set[str] = set()
        self._loaded = DraftFields()
        # The comment the open reply answers, while known: named in the heading, quoted for $EDITOR.
        self.answered_comment: Comment | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="composer-too-small", markup=False)
        with VerticalScroll(id="composer-form", can_focus=False):
            yield Static("Leave a Reply", id="composer-heading", markup=False)
            yield Static("", id="composer-article", markup=False)
            yield Static(NOTE, id="composer-note", markup=False)
            with Horizontal(id="comment-row", classes="field-row"):
                yield Label("Comment *", markup=False)
                yield Static("", id="composer-status", markup=False)
            yield Static("", id="composer-reason", markup=False)
            yield Static("", id="comment-error", classes="field-error", markup=False)
            yield TextArea(id="comment", soft_wrap=True)
            for name, label, placeholder in _INPUTS:
                with Horizontal(classes="field-row"):
                    yield Label(label, markup=False)
                    yield Input(id=name, placeholder=placeholder, compact=True, select_on_focus=False)
                yield Static("", id=f"{name}-error", classes="field-error", markup=False)

    # -- the form ---------------------------------------------------------------

    def watch_is_open(self, is_open: bool) -> None:
        self.set_class(is_open, "-open")
        self.screen.set_class(is_open, "-composing")  # the screen may make room (termnews.tcss)

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
        if self.is_open and self.article_id == ref.id and not self.read_only:
            self.screen.set_focus(self._area)
            return
        self._find_drafts(ref, self.settle())

    def open_draft_id(self, draft_id: int) -> None:
        """Open one stored draft (from the drafts screen), re-read so its version is current."""
        self._load_draft(draft_id, self.settle())

    def reply_to_comment(self, article: ArticleRef, comment: Comment, draft_id: int | None) -> None:
        """Open the reply to `comment`: its unsent draft `draft_id`, else a new one that records it as parent."""
        self.answered_comment = comment
        if draft_id is not None:
            self.open_draft_id(draft_id)
        else:
            self.open_draft(article, None, parent=comment.id)

    def open_draft(
        self,
        article: ArticleRef,
        draft: Draft | None,
        copy_of: Draft | None = None,
        parent: str | None = None,
    ) -> None:
        """Show `draft` (or a new reply to `article`: filled from the identity, or a copy of `copy_of`;
        `parent` is the comment a new reply answers)."""
        if self.editor is not None and self.editor.needs_save:
            self._save(self.editor)
        self._stop_timer()
        self._unsaved_since, self.save_failure, self.nowhere = None, None, None
        initial = DraftFields.of(copy_of) if copy_of else DraftFields.from_identity(self.identity)
        if copy_of is not None:
            parent = copy_of.parent_comment
        self.editor = DraftEditor(self.store, article, draft, initial, parent)
        answered = self.answered_comment
        if answered is not None and self.editor.parent != answered.id:
            self.answered_comment = None  # this reply answers the article, or a comment not at hand
        self._loaded = self.editor.staged  # a field differing from this was touched
        self._touched = set(FIELD_NAMES) if draft is not None or copy_of else set()
        self.query_one("#composer-article", Static).update(Text(self.editor.article.title))
        answered = self.answered_comment
        to = f" to {answered.author}" if answered is not None and answered.author else ""
        self.query_one("#composer-heading", Static).update(Text(f"Leave a Reply{to}"))
        self._fill(self.editor.staged)
        self.read_only = is_read_only(draft)
        self.is_open = True
        self.show_problems()
        self.show_status()
        self.screen.set_focus(self._area)
        if copy_of is not None:
            self.notify(f"A copy of draft #{copy_of.id} ({copy_of.state}): a new reply once you change it")
        if self.nowhere_check is not None and not self.read_only:
            self.check_destination(self.editor.article, self.nowhere_check)

    # -- editing and autosave ---------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._edited("comment")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id in ("name", "email", "website"):
            self._edited(event.input.id)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        if self.editor is not None and event.input.id in ("name", "email", "website"):
            self._touched.add(event.input.id)
            self.show_problems()

    def _edited(self, name: str) -> None:
        editor = self.editor
        if editor is None or not self.is_open:
            return
        fields = self.read_fields()
        loaded = self._loaded
        self._touched.update(n for n in FIELD_NAMES if getattr(fields, n) != getattr(loaded, n))
        draft, was_changed = editor.draft, editor.needs_save
        if draft is not None and draft.state == "ready" and not was_changed and fields != editor.saved:
            self.notify("Changed: the reply is a draft again (ctrl+s marks it ready)", timeout=4)
        if not editor.stage(fields):
            self.show_problems()
            return
        self.show_problems()
        self.show_status()
        self.schedule_save()

    # -- what the pane shows ----------------------------------------------------

    def drafts_found(self, article: ArticleRef, drafts: list[Draft]) -> None:
        if drafts:
            self.post_message(self.ChooseDraft(article, drafts))
        else:
            self.open_draft(article, None)

    def draft_created(self, article_id: str) -> None:
        self.post_message(self.DraftsChanged(article_id))

    # -- actions ----------------------------------------------------------------

    def action_close(self) -> None:
        self.close()

    def close(self, focus_headlines: bool = True) -> None:
        """Save (in a worker) and hide the pane."""
        if not self.is_open:
            return
        self.save_now()
        self.is_open = False
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
            self.is_open = False

    def action_toggle_ready(self) -> None:
        editor = self.editor
        if editor is None:
            return
        if editor.draft is not None and is_read_only(editor.draft):
            self.notify(refusal(editor.draft), timeout=6, markup=False)
            return
        fields = self.read_fields()
        editor.stage(fields)
        if editor.draft is not None and editor.draft.state == "ready":
            self.save_now("draft")
            self.notify("Back to draft: edit away", timeout=3)
            return
        problems = validate(fields)
        if problems:
            self.show_problems(everything=True)
            first = next(iter(problems))
            self.screen.set_focus(self.query_one(f"#{first}"))  # now: the next key goes there
            n = len(problems)  # short: the problems are beside their fields, and a toast covers the last
            message = f"Not ready yet: {n} problem{'s' if n != 1 else ''}, shown beside the fields"
            self.notify(message, severity="warning", timeout=4)
            self.save_now()  # the words are kept all the same
            return
        self.mark_ready()
