"""The composer's hand-over to $VISUAL / $EDITOR (ctrl+e).

What is typed is saved first; the app is suspended while the editor runs.
The comment a reply answers is quoted in the editor's file and taken out
again on return (termnews.drafts). An editor that fails or changes nothing
leaves the words as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App, SuspendNotSupported
from textual.widget import Widget
from textual.widgets import TextArea

from termnews.comments import Comment, comment_text
from termnews.drafts import DraftEditor, EditResult, edit_in_editor, editor_command


class ExternalEditor(Widget):
    """The comment through the person's own editor (composer.py has the form)."""

    editor: DraftEditor | None
    answered_comment: Comment | None
    _area: TextArea

    if TYPE_CHECKING:

        def save_now(self, state: str | None = None) -> None: ...

        def _edited(self, name: str) -> None: ...

    def action_external_editor(self) -> None:
        if self.editor is None:
            return
        area = self._area
        self.save_now()  # a worker writes what is typed so far while the editor runs
        result = _edit_outside(self.app, area.text, quote_answered(self.answered_comment))
        if isinstance(result, str):
            self.notify(result, severity="warning")
        elif result.error:
            self.notify(result.error, severity="warning", markup=False)
        elif not result.changed:
            self.notify("Editor closed: no change", timeout=2)
        else:
            area.replace(result.text, area.document.start, area.document.end)
            area.move_cursor(area.document.end)
            self._edited("comment")
        area.focus()


def _edit_outside(app: App, text: str, context: str | None) -> EditResult | str:
    """`text` through $VISUAL / $EDITOR while the app is suspended; or why that cannot be done."""
    argv = editor_command()
    if argv is None:
        return "Set $VISUAL or $EDITOR to edit in your editor"
    try:
        with app.suspend():
            return edit_in_editor(text, argv, context=context)
    except SuspendNotSupported:
        return "This terminal cannot hand over to an editor"


def quote_answered(comment: Comment | None) -> str | None:
    """The comment a reply answers, for the editor's file (None: it answers the article)."""
    if comment is None:
        return None
    return f"{comment.author} wrote:\n{comment_text(comment)}"
