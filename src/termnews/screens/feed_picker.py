"""Choosing among the feeds a web page names (adding a source by a site's address)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from termnews.discover import FoundFeed
from termnews.screens.dialog import Dialog

ALL = "all"


class FeedPickerScreen(Dialog[list[FoundFeed] | None]):
    """Dismisses with the feeds chosen (one, or all), or None (escape)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="feed_picker.cancel", tooltip="Add none of them")]

    def __init__(self, location: str, feeds: list[FoundFeed]) -> None:
        super().__init__()
        self.location, self.feeds = location, feeds

    def compose(self) -> ComposeResult:
        options = [
            Option(Text(f"{f.title or '(untitled)'}  [{f.format}]  {f.url}"), id=str(n))
            for n, f in enumerate(self.feeds)
        ]
        with Vertical():
            yield Static(Text(f"{len(self.feeds)} feeds found at {self.location}"), classes="dialog-title")
            yield OptionList(*options, Option(Text("All of them"), id=ALL), id="feed-picker")
            yield Static(Text("enter adds the one chosen, escape adds none."), classes="dialog-detail")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = event.option.id
        self.dismiss(list(self.feeds) if chosen == ALL else [self.feeds[int(chosen or 0)]])

    def action_cancel(self) -> None:
        self.dismiss(None)
