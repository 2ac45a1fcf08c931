"""The status line: counts in the current view, refresh state, the current source."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.view_label = "All"
        self.unread = 0
        self.total = 0
        self.activity = ""
        self.sync_waiting = 0  # sync: flag changes queued for feed servers

    def show(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self, name, value)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(self.view_label, style="bold")
        line.append(f"  {self.unread} unread / {self.total}")
        if self.activity:
            line.append(f"  ·  {self.activity}")
        if self.sync_waiting:
            n = self.sync_waiting
            line.append(f"  ·  {n} change{'s' * (n != 1)} waiting for the server")
        self.update(line)
