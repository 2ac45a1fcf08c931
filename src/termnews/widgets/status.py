"""The status line: counts in the current view, refresh state, the current source."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusLine(Widget):
    """One line; each field is reactive, so setting one redraws it."""

    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    view_label: reactive[str] = reactive("All")
    unread: reactive[int] = reactive(0)
    total: reactive[int] = reactive(0)
    activity: reactive[str] = reactive("")
    sync_waiting: reactive[int] = reactive(0)  # flag changes queued for feed servers
    prompt: reactive[str] = reactive("")  # a key waiting for more keys (`f` and a link number)

    def show(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self, name, value)

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.prompt:
            line.append(f" {self.prompt} ", style="reverse")
            line.append("  ")
        line.append(self.view_label, style="bold")
        line.append(f"  {self.unread} unread / {self.total}")
        if self.activity:
            line.append(f"  ·  {self.activity}")
        if self.sync_waiting:
            n = self.sync_waiting
            line.append(f"  ·  {n} change{'s' * (n != 1)} waiting for the server")
        return line
