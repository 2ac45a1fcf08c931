"""A one-line question in a dialog: a path to write, a source to add."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from termnews.screens.dialog import Dialog


class PromptScreen(Dialog[str | None]):
    """Dismisses with the text typed (enter), or None (escape or nothing typed)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Close, doing nothing")]

    def __init__(self, title: str, default: str = "", detail: str = "") -> None:
        super().__init__()
        self.title_text, self.default, self.detail = title, default, detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Input(self.default, id="prompt-input")
            yield Static(
                Text(f"{self.detail}  enter confirms, escape cancels.".strip()), classes="dialog-detail"
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
