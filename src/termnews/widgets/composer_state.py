"""What the composer says about the open reply, and when it holds the keys.

The state line and the line under it are plain functions of the draft;
`ComposerState` puts them on screen. A reply that is, or may be, at the site
(`sending`, `sent`, `held`) is read-only: what was sent stays as it was sent,
and `r` starts a new reply or an edited copy. A pane too small to write in
says so and holds the keys that would go into fields no one can see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.events import DescendantFocus, Key
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from termnews.drafts import FIELD_NAMES, DraftEditor, validate
from termnews.models import SENT_STATES, Draft

READ_ONLY_HINT = "read-only: r starts a new reply or an edited copy"


def is_read_only(draft: Draft | None) -> bool:
    return draft is not None and draft.state in SENT_STATES


@dataclass(frozen=True)
class StateLine:
    text: str
    ready: bool = False  # shown as ready (green)
    alarm: bool = False  # something the person must know (not saved, failed)


def state_line(draft: Draft | None, *, changed: bool, save_failure: str | None) -> StateLine:
    """`Draft #3 · ready · saved`: which reply, its state as it will be stored, whether saved."""
    state = draft.state if draft is not None else "draft"
    if changed and state in ("ready", "failed"):
        state = "draft"  # changed words are saved as a draft: ready means these words were checked
    parts = [f"Draft #{draft.id}" if draft is not None else "New reply", state]
    if save_failure:
        parts.append(f"NOT SAVED: {save_failure} (retrying)")
    elif changed:
        parts.append("unsaved changes")
    elif draft is not None:
        parts.append("saved")
    return StateLine(" · ".join(parts), ready=state == "ready" and not changed, alarm=bool(save_failure))


def reason_line(draft: Draft | None, nowhere: str | None) -> str:
    """What the site said, or why the reply cannot go anywhere; empty when there is nothing to say."""
    if draft is not None and draft.state == "failed":
        return f"Not sent: {draft.send_error or 'the site refused it'}"
    if draft is not None and draft.state == "sending":
        return f"In doubt ({draft.send_error or 'no answer came back'}); {READ_ONLY_HINT}"
    if draft is not None and draft.state == "held":
        return f"Held for moderation by the site; {READ_ONLY_HINT}"
    if draft is not None and draft.state == "sent":
        where = f" ({draft.remote_url})" if draft.remote_url else ""
        return f"Sent{where}; {READ_ONLY_HINT}"
    if nowhere:
        return f"Nowhere to send this reply: {nowhere}. It is kept as a draft all the same."
    return ""


def refusal(draft: Draft) -> str:
    """ctrl+s on a reply that is at the site: the one thing to say."""
    return f"Draft #{draft.id} is {draft.state}: it stays as it was sent ({READ_ONLY_HINT})"


MIN_SIZE = (30, 10)  # columns and rows the form needs to be usable (inside the pane's border)


def too_small(width: int, height: int) -> str:
    """What the pane says in place of the form: the room the form gets (not the terminal's size,
    which the other panes, borders and key lines share) and the room it needs."""
    return (
        f"Too small to write a reply: the reply form gets {width}x{height} of this terminal and needs"
        f" {MIN_SIZE[0]}x{MIN_SIZE[1]}. Make the terminal larger, or press escape to close: the draft is kept."
    )


class ComposerState(Widget):
    """The composer's say about its reply: state, reason, read-only, too small (composer.py has the form)."""

    read_only: reactive[bool] = reactive(False, init=False)  # the reply is at the site
    too_small: reactive[bool] = reactive(False)

    editor: DraftEditor | None
    save_failure: str | None
    nowhere: str | None
    _area: TextArea
    _inputs: dict[str, Input]
    _told_read_only: bool = False  # typing into a read-only reply is explained once
    _touched: set[str]  # fields whose problems are shown (changed or left)

    if TYPE_CHECKING:

        def save_now(self, state: str | None = None) -> None: ...

    @property
    def is_open(self) -> bool:
        raise NotImplementedError

    @property
    def article_id(self) -> str | None:
        raise NotImplementedError

    def on_resize(self) -> None:
        width, height = self.size
        self.query_one("#composer-too-small", Static).update(too_small(width, height))
        self.too_small = self.is_open and (width < MIN_SIZE[0] or height < MIN_SIZE[1])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Too small to write in: no keys but escape (ctrl+s would mark unseen words ready)."""
        return not (self.too_small and action in ("toggle_ready", "external_editor"))

    def watch_too_small(self, too_small: bool) -> None:
        """Hide the form and hold the keys (they would go into fields no one can see)."""
        self.set_class(too_small, "-too-small")
        self.refresh_bindings()
        self.can_focus = too_small
        focused = self.screen.focused
        if too_small and focused is not None and self in focused.ancestors_with_self:
            self.screen.set_focus(self)
        elif not too_small and focused is self:
            self.screen.set_focus(self._area)

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """The keys `on_key` holds are not offered in the footer either."""
        if character is None or not character.isprintable() or not (self.too_small or self.read_only):
            return False
        if self.too_small:
            return True
        keys = self.app.keys_in_force.keys  # type: ignore[attr-defined]  # TermnewsApp's
        return key not in keys.get("reply", ())  # a read-only reply: `r` starts a new one

    def on_key(self, event: Key) -> None:
        """Printable keys a field did not take: held while too small or read-only (but `r`, reply)."""
        if not event.is_printable or not (self.too_small or self.read_only):
            return
        bound = self.screen.active_bindings.get(event.key)
        if not self.too_small and bound is not None and bound.binding.action == "reply":
            return
        event.stop()
        event.prevent_default()
        draft = self.editor.draft if self.editor is not None else None
        if not self.too_small and draft is not None and not self._told_read_only:
            self._told_read_only = True
            self.notify(refusal(draft), timeout=6, markup=False)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """The focused field in view at once, with its problem (the form scrolls to the field alone)."""
        self._show_field(event.widget)
        self.keep_focus_in_view()

    def keep_focus_in_view(self) -> None:
        """Once laid out again: a line shown or hidden above the focused field (a problem, why the
        reply cannot be sent) must not push it, or the comment box's lower lines, out of view."""
        focused = self.screen.focused
        if focused is not None and focused.id in FIELD_NAMES and self in focused.ancestors:
            self.call_after_refresh(self._show_field, focused)

    def _show_field(self, field: Widget) -> None:
        if field.id not in FIELD_NAMES:
            return
        form = self.query_one("#composer-form")
        error = self.query_one(f"#{field.id}-error")
        if error.has_class("-shown"):
            form.scroll_to_widget(error, animate=False, immediate=True)
        form.scroll_to_widget(field, animate=False, immediate=True)

    def watch_read_only(self, read_only: bool) -> None:
        self._told_read_only = False
        self._area.read_only = read_only
        self.refresh_bindings()  # the footer: keys held while read-only
        for field in self._inputs.values():
            field.disabled = read_only

    def draft_state_changed(self) -> None:
        self.read_only = is_read_only(self.editor.draft if self.editor is not None else None)
        self.show_status()

    def destination_checked(self, article_id: str, nowhere: str | None) -> None:
        """Said in the line under the state (no toast: the pane says it where the reply is)."""
        if nowhere and self.article_id == article_id:
            self.nowhere = nowhere
            self.show_status()

    def mark_ready(self) -> None:
        """Valid words go to the outbox as ready, unless the reply could never be sent: then it
        stays a draft (saved) and ctrl+s says why."""
        if self.nowhere:
            message = f"Not ready: nowhere to send this reply ({self.nowhere}); kept as a draft"
            self.notify(message, severity="warning", timeout=6, markup=False)
            self.save_now()
            return
        self.save_now("ready")
        self.notify("Marked ready: waiting in the outbox (ctrl+s again to edit)", timeout=4)

    def show_status(self) -> None:
        editor = self.editor
        status = self.query_one("#composer-status", Static)
        reason = self.query_one("#composer-reason", Static)
        if editor is None:
            status.update("")
            reason.set_class(False, "-shown")
            return
        line = state_line(editor.draft, changed=editor.needs_save, save_failure=self.save_failure)
        status.update(Text(line.text))
        status.set_class(line.ready, "-ready")
        status.set_class(line.alarm, "-failed")
        said = reason_line(editor.draft, self.nowhere)
        reason.update(Text(said))
        reason.set_class(bool(said), "-shown")
        self.keep_focus_in_view()

    def show_problems(self, everything: bool = False) -> None:
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
        self.keep_focus_in_view()
