"""The sources pane: the built-in views, every source and every tag, with their counts.

A source whose last fetch failed is marked ✗, one whose last fetch skipped
files (a local folder's warnings) ⚠. Tags come from the sources (OPML
categories, `tags = [...]` in the config); choosing one shows its sources.
A feed server is listed with its feeds under it; choosing the server shows
the articles of all its feeds.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from termnews.models import SourceOutcome, SourceSpec, View
from termnews.session import ViewCounts

#: The built-in views, in the order listed (another view is one more line here).
VIEWS: tuple[tuple[str, View], ...] = (
    ("All", View()),
    ("Unread", View(filter="unread")),
    ("Starred", View(filter="starred")),
    ("Has draft", View(filter="drafts")),
)
LISTED_VIEWS = tuple(view for _, view in VIEWS)


@dataclass(frozen=True)
class Choice:
    label: str
    view: View
    inbox: bool = False  # the inbox of answers, not a headline view
    source: str | None = None  # a source's line: its name


class SourcesPane(OptionList):
    """Choosing an entry filters the headline list to that view, source or tag."""

    BINDING_GROUP_TITLE = "sources"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="sources.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sources.up"),
        Binding(
            "d",
            "screen.remove_source",
            "Remove",
            show=False,
            id="sources.remove",
            tooltip="Remove the source under the cursor and its cached articles (asks first)",
        ),
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
    current: reactive[View] = reactive(View)  # the headline list's view

    def watch_is_open(self, is_open: bool) -> None:
        self.set_class(is_open, "-open")
        if is_open:
            self._highlight_current()

    def watch_current(self) -> None:
        self._highlight_current()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices: list[Choice] = []

    def show_sources(
        self, counts: ViewCounts, outcomes: dict[str, SourceOutcome], warned: frozenset[str] = frozenset()
    ) -> None:
        """Fill the list; `outcomes` are the sources' refreshes in this run (a sync's error is
        only there), `warned` the sources whose last stored refresh left warnings (before this run)."""
        highlighted = self.highlighted
        self.choices = []
        self.clear_options()
        for label, view in VIEWS:
            total, unread = counts.views.get(view, (0, 0))
            self._add(Choice(label, view), Text(label, style="bold"), unread, total)
        inbox_total = counts.inbox_unread
        self._add(Choice("Inbox", View(), inbox=True), Text("Inbox", style="bold"), inbox_total, inbox_total)
        self.add_option(None)
        server_feeds = _server_feeds(counts.sources)
        for spec in counts.sources:
            total, unread = counts.per_source.get(spec.source_id, (0, 0))
            server_feed = bool(spec.options.get("server"))  # sync: a server's feed, under the server
            name = Text("  " if server_feed else "")
            outcome = outcomes.get(spec.source_id)
            if spec.source_id in counts.errors or (outcome is not None and outcome.error):
                name.append("✗ ", style="bold red")
            elif outcome.warnings if outcome is not None else spec.source_id in warned:
                name.append("⚠ ", style="bold yellow")
            name.append(spec.name)
            if server_feed and len(spec.tags) > 1:
                name.append(f"  {', '.join(spec.tags[1:])}", style="italic dim")
            # A feed server shows its feeds' articles, as a tag does (none synced yet: none).
            feeds = () if server_feed else server_feeds.get(spec.name, ())
            view = View(source_ids=feeds) if feeds else View(source_id=spec.source_id)
            self._add(Choice(spec.name, view, source=spec.name), name, unread, total)
        tags = _tags(counts.sources)
        if tags:
            self.add_option(None)
        for tag, ids in tags.items():
            parts = [counts.per_source.get(i, (0, 0)) for i in ids]
            total, unread = sum(t for t, _ in parts), sum(u for _, u in parts)
            self._add(Choice(f"#{tag}", View(source_ids=ids)), Text(f"#{tag}", style="italic"), unread, total)
        if highlighted is not None and highlighted < self.option_count:
            self.highlighted = highlighted
        # On the view in force, unless the person is moving through the list (a first filling,
        # when the pane opened before the counts were read, has nothing to keep).
        if self.is_open and (highlighted is None or not self.has_focus):
            self._highlight_current()

    def _add(self, choice: Choice, name: Text, unread: int, total: int) -> None:
        """One line: the name, cut with an ellipsis if long, then its counts at the right."""
        grid = Table.grid(expand=True, padding=(0, 0, 0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(no_wrap=True, justify="right", style="dim")
        grid.add_row(name, f"{unread}/{total}")
        self.choices.append(choice)
        self.add_option(Option(grid))

    @property
    def source_under_cursor(self) -> str | None:
        """The name of the source on the highlighted line (None on a view, the inbox or a tag)."""
        index = self.highlighted
        return self.choices[index].source if index is not None and index < len(self.choices) else None

    def _highlight_current(self) -> None:
        index = next((i for i, c in enumerate(self.choices) if c.view == self.current), None)
        if index is not None and index < self.option_count:
            self.highlighted = index

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.choices[event.option_index]))


def _server_feeds(specs: list[SourceSpec]) -> dict[str, tuple[str, ...]]:
    """Each feed server's name, with the ids of its feeds (listed after it)."""
    feeds: dict[str, list[str]] = {}
    for spec in specs:
        if server := spec.options.get("server"):
            feeds.setdefault(server, []).append(spec.source_id)
    return {name: tuple(ids) for name, ids in feeds.items()}


def _tags(specs: list[SourceSpec]) -> dict[str, tuple[str, ...]]:
    """Each tag, sorted, with the ids of its sources (a server's feed: its first tag is the server)."""
    tags: dict[str, list[str]] = {}
    for spec in specs:
        own = spec.tags[1:] if spec.options.get("server") else spec.tags
        for tag in own:
            tags.setdefault(tag, []).append(spec.source_id)
    return {tag: tuple(ids) for tag, ids in sorted(tags.items(), key=lambda kv: kv[0].casefold())}
