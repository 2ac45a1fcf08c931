"""'Delete this?': the one yes-or-no question before something is removed (a draft, a source).

It names what goes and what it takes with it; "keep" is focused and `n` or
`escape` answers it, so a stray `enter` removes nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from termnews.screens.dialog import Dialog


class ConfirmDeleteScreen(Dialog[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Delete", id="confirm_delete.yes", tooltip="Yes: delete it"),
        Binding("n,escape", "answer(False)", "Keep", id="confirm_delete.no", tooltip="No: keep it"),
    ]

    def __init__(self, question: str, details: list[str]) -> None:
        """`question` in bold, then each of `details` (plain text, never markup)."""
        super().__init__()
        self.question = question
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question), classes="dialog-title")
            for detail in self.details:
                yield Static(Text(detail), classes="dialog-detail")
            with Horizontal():
                yield Button("Delete (y)", id="yes", variant="error")
                yield Button("Keep (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
