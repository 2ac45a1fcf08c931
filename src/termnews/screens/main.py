"""The main screen: headlines, reader and composer, and the keys that act on them.

Its parts live beside it, one topic each: refreshing (main_refresh), reading and
flags (main_reading), comments (main_comments), links (main_links), sources
(main_sources), the inbox (main_inbox) and the search bar (main_search). Workers
post typed messages back; a worker that raises is reported (widgets/worker_errors).

The first paint shows the headlines, the reader's welcome, the status line and
the footer, and imports no more than those: the hidden panes are composed on
first use (main_base), and what the first screen does not show (counts, the
start-up refresh of local folders) is read after it is painted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message

from termnews.models import View
from termnews.screens.main_links import LinkActions
from termnews.screens.main_refresh import RefreshActions
from termnews.screens.main_replies import ReplyActions
from termnews.screens.main_search import SearchActions
from termnews.screens.main_sources import SourceActions
from termnews.widgets.footer import KeyFooter
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader
from termnews.widgets.status import StatusLine

if TYPE_CHECKING:
    from termnews.session import ViewCounts
    from termnews.widgets.composer import Composer
    from termnews.widgets.sources import SourcesPane


class MainScreen(ReplyActions, RefreshActions, LinkActions, SourceActions, SearchActions):
    BINDINGS = [
        # The footer fits 80 columns with ? Help and q Quit in it: short labels, the rest in ? help.
        Binding("n", "next_unread(1)", "Unread", id="next_unread", tooltip="Next unread article"),
        Binding(
            "N",
            "next_unread(-1)",
            "Prev unread",
            show=False,
            id="previous_unread",
            tooltip="Previous unread article",
        ),
        Binding("m", "toggle_read", "Read", show=False, id="toggle_read", tooltip="Mark read / unread"),
        Binding("s", "toggle_star", "Star", show=False, id="toggle_star", tooltip="Star / unstar"),
        Binding("r", "reply", "Reply", id="reply", tooltip="Write a reply to the open article"),
        Binding(
            "c",
            "toggle_comments",
            "Comments",
            show=False,
            id="toggle_comments",
            tooltip="Show / hide the open article's comments (fetched from its comment feed)",
        ),
        Binding(
            "A",
            "mark_view_read",
            "All read",
            show=False,
            id="mark_view_read",
            tooltip="Mark every article in the list read (u undoes, for a few seconds)",
        ),
        Binding("u", "undo_mark_read", "Undo", show=False, id="undo_mark_read", tooltip="Undo mark all read"),
        Binding(
            "z",
            "full_screen",
            "Full screen",
            show=False,
            id="full_screen",
            tooltip="Read the article full screen (z or escape returns)",
        ),
        Binding(
            "D", "drafts", "Drafts", show=False, id="drafts", tooltip="Every draft: open, delete, export"
        ),
        Binding(
            "F",
            "full_text",
            "Full text",
            show=False,
            id="full_text",
            tooltip="Fetch the open article's web page and show its main text (the feed's text is kept)",
        ),
        Binding(
            "o",
            "open_link",
            "Open link",
            show=False,
            id="open_link",
            tooltip="Open the article's link in the browser",
        ),
        Binding(
            "f",
            "follow_link",
            "Link #",
            show=False,
            id="follow_link",
            tooltip="Open link number N of the article: f then the number",
        ),
        Binding("slash", "search", "Search", id="search", tooltip="Search titles and bodies"),
        Binding("R", "refresh_all", "Refresh", id="refresh_all", tooltip="Refresh every source"),
        Binding(
            "ctrl+r",
            "refresh_current",
            "Refresh source",
            show=False,
            id="refresh_source",
            tooltip="Refresh the source of the article under the cursor",
        ),
        Binding(
            "1",
            "toggle_sources",
            "Sources",
            show=False,
            id="toggle_sources",
            tooltip="Show / hide the sources pane",
        ),
        Binding(
            "a",
            "add_source",
            "Add source",
            show=False,
            id="add_source",
            tooltip="Subscribe to a feed URL, a feed file or a folder",
        ),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show all keys"),
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Quit termnews"),
    ]

    @dataclass
    class CountsRead(Message):
        counts: ViewCounts
        warned: frozenset[str] = frozenset()  # sources whose last refresh (stored) left warnings

    #: The last counts read (the sources pane is filled from them when it first opens).
    counts: ViewCounts | None = None
    #: Sources whose last refresh, in this run or before it, left warnings (read with the counts).
    warned: frozenset[str] = frozenset()

    def compose(self) -> ComposeResult:
        # The terminal's size is known: the panes are styled for it once, not again at the first resize.
        self._fit(self.app.size, update=False)
        # The search bar (#search, docked at the top), the sources pane (#sources, first in #body),
        # the inbox (#inbox, after #headlines), the comments (#comments, under #reader) and the
        # composer (#composer, after #reading) join this layout on first use.
        with Horizontal(id="body"):
            with Horizontal(id="panes"):
                yield HeadlineList(self.session.store, id="headlines")
                with Horizontal(id="right"):
                    with Vertical(id="reading"):
                        yield Reader(id="reader")
        yield StatusLine(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.headlines.focus()
        self.headlines.reload()
        if not self.headlines.total:  # an empty list at first start is not the end
            self.status.show(activity="reading local sources…")
        self.call_after_refresh(self.refresh_at_start)
        if self.session.config.refresh_minutes:
            self.set_interval(self.session.config.refresh_minutes * 60, self.action_refresh_all)

    def on_resize(self) -> None:
        self._fit(self.size)

    def _fit(self, size: Size, update: bool = True) -> None:
        """The layout's classes for the terminal's size (termnews.tcss), set in one go: each
        class changed on its own would restyle the whole screen again."""
        width, height = size
        self.update_classes(
            {
                "-wide": width >= 160,
                "-composer-below": width >= 160 or width < 70,
                "-narrow": width < 70,
                "-short": height < 40,
            },
            update=update,
        )

    # -- counts ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def read_counts(self, view: View, every_view: bool) -> None:
        """Unread and total counts for the status line, and with `every_view` for the sources pane."""
        if not every_view:
            self.post_message(self.CountsRead(self.session.view_counts(view)))
            return
        from termnews.widgets.sources import LISTED_VIEWS

        counts = self.session.view_counts(view, LISTED_VIEWS)
        statuses = self.session.store.source_statuses([spec.source_id for spec in counts.sources])
        warned = frozenset(source_id for source_id, status in statuses.items() if status.warnings)
        self.post_message(self.CountsRead(counts, warned))

    def update_counts(self) -> None:
        # Read after the screen is painted: the first paint never waits for the counts.
        self.call_after_refresh(lambda: self.read_counts(self.headlines.view, self.sources is not None))

    def on_main_screen_counts_read(self, message: CountsRead) -> None:
        counts = self.counts = message.counts
        if counts.views:  # every view's counts: the stored warnings were read with them
            self.warned = message.warned
        if self.sources is not None:
            self.sources.show_sources(counts, self.last_outcomes, self.warned)
        self.status.show(unread=counts.unread, total=counts.total, sync_waiting=counts.sync_waiting)

    # -- replying to a comment -----------------------------------------------------

    # -- messages --------------------------------------------------------------

    def on_headline_list_opened(self, message: HeadlineList.Opened) -> None:
        if self.composer is not None:
            self.composer.leave_unless(message.headline.id)  # saves the reply it closes
        self.load_article(message.headline)

    def on_composer_drafts_changed(self, message: Composer.DraftsChanged) -> None:
        self.headlines.reload()  # the article's ✎ mark

    def on_headline_list_reloaded(self, message: HeadlineList.Reloaded) -> None:
        if self.sources is not None:
            self.sources.current = self.headlines.view
        self.update_counts()

    async def on_sources_pane_chosen(self, message: SourcesPane.Chosen) -> None:
        if self.sources is not None:
            self.sources.is_open = False  # a picker: `1` opens it again on the view in force
        if message.choice.inbox:
            self.status.show(view_label="Inbox")
            await self.show_inbox()
            return
        self.hide_inbox()
        self.status.show(view_label=message.choice.label)
        self.headlines.reload(message.choice.view)
        self.headlines.focus()

    def action_export_drafts(self) -> None:
        from termnews.screens.drafts import ask_and_export_drafts

        ask_and_export_drafts(self, self.session.store, len(self.session.store.drafts()))

    async def action_toggle_sources(self) -> None:
        """Open and focus the sources pane; close it if it is open."""
        pane = self.sources
        if pane is not None and pane.is_open:
            pane.is_open = False
            if pane.has_focus:
                self.headlines.focus()
            return
        if pane is None:
            pane = await self._mount_sources()
        pane.is_open = True
        pane.focus()

    async def _mount_sources(self) -> SourcesPane:
        """The sources pane, at its first opening: filled from the counts, which now count every view."""
        from termnews.widgets.sources import SourcesPane

        pane: SourcesPane = await self.ensure_pane(
            "sources", lambda: SourcesPane(id="sources"), "#body", before="#panes"
        )
        pane.current = self.headlines.view
        if self.counts is not None and self.counts.views:
            pane.show_sources(self.counts, self.last_outcomes, self.warned)
        else:
            self.update_counts()
        return pane

    async def action_help(self) -> None:
        await self.app.run_action("show_keys")  # the app holds the keymap in force
