"""The sources pane: the built-in views and every source, with unread counts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from termnews.models import SourceSpec, View

VIEWS: tuple[tuple[str, View], ...] = (
    ("All", View()),
    ("Unread", View(filter="unread")),
    ("Starred", View(filter="starred")),
    ("Has draft", View(filter="drafts")),
)


@dataclass(frozen=True)
class Choice:
    label: str
    view: View
    inbox: bool = False  # the inbox of answers, not a headline view


class SourcesPane(OptionList):
    """Choosing an entry filters the headline list to that view or source."""

    BINDING_GROUP_TITLE = "sources"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="sources.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sources.up"),
    ]

    DEFAULT_CSS = """
    SourcesPane {
        display: none;
        width: 28;
        border: none;
        border-right: solid $panel-lighten-2;
        background: $surface;
        &.-open { display: block; }
    }
    """

    @dataclass
    class Chosen(Message):
        choice: Choice

    is_open: reactive[bool] = reactive(False)

    def watch_is_open(self, is_open: bool) -> None:
        self.set_class(is_open, "-open")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices: list[Choice] = []

    def show_sources(
        self, specs: list[SourceSpec], counts: dict[str, tuple[int, int]], inbox_unread: int = 0
    ) -> None:
        """Fill the list; `counts` maps a source id to (articles, unread)."""
        highlighted = self.highlighted
        self.choices = [Choice(label, view) for label, view in VIEWS]
        self.clear_options()
        for label, _ in VIEWS:
            self.add_option(Option(Text(label, style="bold")))
        inbox = Text("Inbox", style="bold")
        if inbox_unread:
            inbox.append(f"  {inbox_unread} new", style="bold")
        self.choices.append(Choice("Inbox", View(), inbox=True))
        self.add_option(Option(inbox))
        self.add_option(None)
        for spec in specs:
            total, unread = counts.get(spec.source_id, (0, 0))
            server_feed = bool(spec.options.get("server"))  # sync: a server's feed, under the server
            line = Text(("  " if server_feed else "") + spec.name, no_wrap=True, overflow="ellipsis")
            line.append(f"  {unread}/{total}", style="dim")
            if server_feed and len(spec.tags) > 1:
                line.append(f"  {', '.join(spec.tags[1:])}", style="italic dim")
            self.choices.append(Choice(spec.name, View(source_id=spec.source_id)))
            self.add_option(Option(line))
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.choices[event.option_index]))
