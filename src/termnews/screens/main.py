"""The main screen: headlines, reader and composer, and the keys that act on them.

Its parts live beside it, one topic each: refreshing (main_refresh), reading and
flags (main_reading), comments (main_comments) and links (main_links). Workers
post typed messages back; a worker that raises is reported (widgets/worker_errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Footer, Input

from termnews.comments import Comment
from termnews.drafts import ArticleRef, write_export
from termnews.models import SourceSpec, View
from termnews.screens.drafts import ReplyChoiceScreen, ask_and_export_drafts
from termnews.screens.help import HelpScreen
from termnews.screens.main_comments import CommentActions
from termnews.screens.main_links import LinkActions
from termnews.screens.main_refresh import RefreshActions
from termnews.screens.prompt import PromptScreen
from termnews.session import SubscriptionError, ViewCounts
from termnews.widgets.comments import CommentsPane
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader
from termnews.widgets.sources import SourcesPane
from termnews.widgets.status import StatusLine


class MainScreen(CommentActions, RefreshActions, LinkActions):
    BINDINGS = [
        Binding("n", "next_unread(1)", "Next unread", id="next_unread", tooltip="Next unread article"),
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
        Binding("D", "drafts", "Drafts", id="drafts", tooltip="Every draft: open, delete, export"),
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
        Binding("question_mark", "help", "Help", id="help", tooltip="Show all keys"),
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Quit termnews"),
    ]

    searching: reactive[bool] = reactive(False)

    @dataclass
    class CountsRead(Message):
        counts: ViewCounts

    @dataclass
    class SourceAdded(Message):
        spec: SourceSpec

    @dataclass
    class OpenReplyFound(Message):
        article: ArticleRef
        comment: Comment
        draft_id: int | None

    @dataclass
    class ViewMarkedRead(Message):
        marked: int

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search (escape to leave)", id="search")
        with Horizontal(id="body"):
            yield SourcesPane(id="sources")
            with Horizontal(id="panes"):
                yield HeadlineList(self.session.store, id="headlines")
                with Horizontal(id="right"):
                    with Vertical(id="reading"):
                        yield Reader(id="reader")
                        yield CommentsPane(id="comments")
                    yield Composer(
                        self.session.store,
                        self.session.config.identity,
                        nowhere_to_send=self.session.nowhere_to_send,
                        id="composer",
                    )
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.headlines.focus()
        self.headlines.reload()
        self.refresh_cheap_sources()
        if self.session.config.refresh_minutes:
            self.set_interval(self.session.config.refresh_minutes * 60, self.action_refresh_all)

    def on_resize(self) -> None:
        width = self.size.width
        self.set_class(width >= 160, "-wide")
        self.set_class(width >= 160 or width < 70, "-composer-below")
        self.set_class(width < 70, "-narrow")
        self.set_class(self.size.height < 40, "-short")

    # -- counts ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def update_counts(self) -> None:
        """Unread and total counts for the status line and the sources pane."""
        self.post_message(self.CountsRead(self.session.view_counts(self.headlines.view)))

    def on_main_screen_counts_read(self, message: CountsRead) -> None:
        counts = message.counts
        self.sources.show_sources(counts.sources, counts.per_source)
        self.status.show(unread=counts.unread, total=counts.total, sync_waiting=counts.sync_waiting)

    # -- replying to a comment -----------------------------------------------------

    def on_comments_pane_reply_requested(self, message: CommentsPane.ReplyRequested) -> None:
        article = self.reader.article
        if article is None:
            return
        self.reply_to_comment(ArticleRef.of_article(article), message.comment)

    @work(thread=True, exclusive=True, group="comment-reply", exit_on_error=False)
    def reply_to_comment(self, article: ArticleRef, comment: Comment) -> None:
        """Continue the unsent reply to this comment, or start one that records it as parent."""
        draft = self.session.open_reply(article.id, comment.id)
        self.post_message(self.OpenReplyFound(article, comment, draft.id if draft else None))

    def on_main_screen_open_reply_found(self, message: OpenReplyFound) -> None:
        composer, comment = self.composer, message.comment
        if message.draft_id is not None:
            composer.open_draft_id(message.draft_id)
        else:
            composer.open_draft(message.article, None)
            if composer.editor is not None:
                composer.editor.parent = comment.id  # recorded when the draft is first saved
        self.notify(f"Replying to {comment.author}", timeout=3, markup=False)

    def on_composer_choose_draft(self, message: Composer.ChooseDraft) -> None:
        """The article has drafts: ask whether to continue the last one or start a new reply."""

        def chosen(choice: str | None) -> None:
            if choice == "continue":
                self.composer.open_draft(message.article, message.drafts[0])
            elif choice == "copy":
                self.composer.open_draft(message.article, None, copy_of=message.drafts[0])
            elif choice == "new":
                self.composer.open_draft(message.article, None)

        self.app.push_screen(ReplyChoiceScreen(message.article, message.drafts), chosen)

    # -- messages --------------------------------------------------------------

    def on_headline_list_opened(self, message: HeadlineList.Opened) -> None:
        self.composer.leave_unless(message.headline.id)  # saves the reply it closes
        self.load_article(message.headline)

    def on_composer_drafts_changed(self, message: Composer.DraftsChanged) -> None:
        self.headlines.reload()  # the article's ✎ mark

    def on_headline_list_reloaded(self, message: HeadlineList.Reloaded) -> None:
        self.update_counts()

    def on_sources_pane_chosen(self, message: SourcesPane.Chosen) -> None:
        self.status.show(view_label=message.choice.label)
        self.headlines.reload(message.choice.view)
        self.headlines.focus()

    # -- sources -------------------------------------------------------------------

    def action_add_source(self) -> None:
        def chosen(location: str | None) -> None:
            if location:
                self.add_source(location)

        self.app.push_screen(
            PromptScreen(
                "Add a source: a feed URL, a feed file or a folder",
                "https://",
                "It is fetched at once; its articles join the list.",
            ),
            chosen,
        )

    @work(thread=True, group="sources-write", exit_on_error=False)
    def add_source(self, location: str) -> None:
        try:
            spec = self.session.subscribe(location)
        except SubscriptionError as exc:
            self.notify(str(exc), title="Not added", severity="error", markup=False)
            return
        self.post_message(self.SourceAdded(spec))

    def on_main_screen_source_added(self, message: SourceAdded) -> None:
        self.notify(f"Added {message.spec.name!r}; fetching it", markup=False)
        self.refresh_sources([message.spec])

    def action_export_opml(self) -> None:
        def chosen(path: str | None) -> None:
            if path:
                self.export_opml(Path(path).expanduser())

        self.app.push_screen(
            PromptScreen(
                "Export the feed subscriptions as OPML to:", str(Path.home() / "termnews-feeds.opml")
            ),
            chosen,
        )

    @work(thread=True, group="sources-write", exit_on_error=False)
    def export_opml(self, path: Path) -> None:
        export = self.session.export_opml()
        try:
            write_export(path, export.text)
        except OSError as exc:
            self.notify(f"Export failed: {exc}", severity="error", markup=False)
            return
        self.notify(f"Wrote {export.feeds} feeds to {path}", markup=False)

    def action_export_drafts(self) -> None:
        ask_and_export_drafts(self, self.session.store, len(self.session.store.drafts()))

    def action_mark_view_read(self) -> None:
        self.mark_view_read(self.headlines.view)

    @work(thread=True, group="flags", exit_on_error=False)
    def mark_view_read(self, view: View) -> None:
        self.post_message(self.ViewMarkedRead(self.session.store.mark_view_read(view)))

    def on_main_screen_view_marked_read(self, message: ViewMarkedRead) -> None:
        self.headlines.reload()
        self.notify(f"Marked {message.marked} articles read", timeout=3)

    def action_toggle_sources(self) -> None:
        """Open and focus the sources pane; close it if it already has focus."""
        pane = self.sources
        if pane.is_open and pane.has_focus:
            pane.is_open = False
            self.headlines.focus()
        else:
            pane.is_open = True
            pane.focus()

    # -- search ----------------------------------------------------------------------

    def watch_searching(self, searching: bool) -> None:
        self.query_one("#search", Input).set_class(searching, "-open")

    def action_search(self) -> None:
        self.searching = True
        self.query_one("#search", Input).focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "search":
            query = message.value.strip()
            self.headlines.reload(View(query=query) if query else View())
            self.status.show(view_label=f"Search: {query}" if query else "All")
            self.headlines.focus()

    def key_escape(self) -> None:
        if self.searching:
            self.searching = False
            self.query_one("#search", Input).value = ""
            self.status.show(view_label="All")
            self.headlines.reload(View())
            self.headlines.focus()

    def action_help(self) -> None:
        nodes = [self.app, self, self.headlines, self.reader, self.comments, self.composer]
        self.app.push_screen(HelpScreen(nodes))
