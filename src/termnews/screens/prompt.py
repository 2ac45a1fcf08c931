"""A one-line question in a dialog: a path to write, a source to add."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    """Dismisses with the text typed (enter), or None (escape or nothing typed)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel", tooltip="Close, doing nothing")]
    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical {
        width: 70; max-width: 95%; height: auto;
        border: round $accent; background: $panel; padding: 1 2;
    }
    PromptScreen .dialog-title { text-style: bold; }
    PromptScreen .dialog-detail { color: $text-muted; margin-top: 1; }
    """

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
