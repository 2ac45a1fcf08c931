"""The main screen: headlines, reader and composer, and the keys that act on them."""

from __future__ import annotations

from pathlib import Path

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown

from termnews.drafts import ArticleRef, write_export
from termnews.links import LinkRefused, open_link
from termnews.models import Headline, SourceSpec, View
from termnews.render import article_markdown
from termnews.screens.drafts import DraftsResult, DraftsScreen, ask_and_export_drafts
from termnews.screens.help import HelpScreen
from termnews.screens.prompt import PromptScreen
from termnews.session import Session, SubscriptionError
from termnews.update import SourceOutcome
from termnews.widgets.comments import CommentsPane
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader
from termnews.widgets.sources import SourcesPane
from termnews.widgets.status import StatusLine


class MainScreen(Screen[None]):
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

    DEFAULT_CSS = """
    #body { height: 1fr; }
    #panes { height: 1fr; layout: vertical; }
    #headlines { height: 40%; min-height: 5; border-bottom: solid $panel-lighten-2; }
    #right { height: 1fr; }
    #reader { width: 1fr; }
    #reading { width: 1fr; }
    #search { dock: top; display: none; }
    #search.-open { display: block; }
    /* Wide terminals: headlines on the left, reader and composer on the right. */
    MainScreen.-wide #panes { layout: horizontal; }
    MainScreen.-wide #headlines { height: 100%; width: 40%; border-bottom: none; border-right: solid $panel-lighten-2; }
    /* Very wide or narrow: the composer goes under the reader, not beside it. */
    MainScreen.-composer-below #right { layout: vertical; }
    MainScreen.-composer-below #composer {
        width: 100%; height: 60%; border-left: none; border-top: solid $accent;
    }
    """

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._link_digits: str | None = None  # digits typed after `f`

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
                    yield Composer(self.session.store, self.session.config.identity, id="composer")
        yield StatusLine(id="status")
        yield Footer()

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

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

    # -- loading, off the UI thread ------------------------------------------

    @work(thread=True, exclusive=True, group="startup-refresh", exit_on_error=False)
    def refresh_cheap_sources(self) -> None:
        outcomes = self.session.refresh_cheap_sources()
        self.app.call_from_thread(self.headlines.reload)
        for outcome in outcomes:
            if outcome.error:
                self.app.call_from_thread(
                    self.notify, f"{outcome.spec.name}: {outcome.error}", severity="error"
                )

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def refresh_sources(self, specs: list[SourceSpec]) -> None:
        """Fetch `specs` in the background; the list updates without moving the cursor."""

        def progress(outcome: SourceOutcome, done: int, total: int) -> None:
            self.app.call_from_thread(self._refresh_progress, outcome, done, total)

        try:
            outcomes = self.session.refresh(specs, progress)
        except Exception as exc:  # the refresh machinery itself failed: say so, keep the cache
            self.app.call_from_thread(
                self.notify, f"Refresh failed: {type(exc).__name__}: {exc}", severity="error", markup=False
            )
            self.app.call_from_thread(self.query_one(StatusLine).show, activity="refresh failed")
            return
        self.app.call_from_thread(self._refresh_done, outcomes)

    def _refresh_progress(self, outcome: SourceOutcome, done: int, total: int) -> None:
        self.query_one(StatusLine).show(activity=f"refreshing {done}/{total}")
        if outcome.error:
            self.notify(
                f"{outcome.spec.name}: {outcome.error}",
                title="Refresh failed",
                severity="error",
                markup=False,
            )

    def _refresh_done(self, outcomes: list[SourceOutcome]) -> None:
        failed = sum(1 for o in outcomes if o.error)
        new = sum(o.new for o in outcomes)
        summary = f"{new} new" + (f", {failed} failed" if failed else "")
        self.query_one(StatusLine).show(activity=f"refreshed: {summary}")
        self.headlines.reload()

    def action_refresh_all(self) -> None:
        self.refresh_sources(self.session.specs())

    def action_refresh_current(self) -> None:
        current = self.headlines.current
        spec = self.session.spec_named(current.source) if current else None
        if spec is None:
            self.notify("No source under the cursor", timeout=2)
            return
        self.refresh_sources([spec])

    @work(thread=True, exclusive=True, group="counts", exit_on_error=False)
    def update_counts(self) -> None:
        """Unread and total counts for the status line and the sources pane."""
        counts = self.session.view_counts(self.headlines.view)
        self.app.call_from_thread(
            self._show_counts,
            counts.sources,
            counts.per_source,
            counts.unread,
            counts.total,
            counts.sync_waiting,
        )

    def _show_counts(self, specs, per_source, unread: int, total: int, waiting: int = 0) -> None:
        self.query_one(SourcesPane).show_sources(specs, per_source)
        self.query_one(StatusLine).show(unread=unread, total=total, sync_waiting=waiting)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(self, headline: Headline) -> None:
        store = self.session.store
        article = store.article(headline.id)
        if article is None:
            return
        markdown = article_markdown(article)
        if not article.read:
            store.set_flag([article.id], "read", True)
            self.app.call_from_thread(self.update_counts)
        self.app.call_from_thread(self._show_article, article, markdown)

    async def _show_article(self, article, markdown: str) -> None:
        await self.reader.show(article, markdown)
        current = self.headlines.current
        if current is not None and current.id == article.id:
            self.headlines.update_current(read=True)
        comments = self.query_one(CommentsPane)
        if comments.is_open and comments.article_id != article.id:
            self.load_comments(article.id, article.title)

    # -- comments ------------------------------------------------------------------

    def action_toggle_comments(self) -> None:
        pane = self.query_one(CommentsPane)
        if pane.is_open:
            pane.close()
            self.headlines.focus()
            return
        article = self.reader.article
        if article is None:
            self.notify("Open an article first (enter), then c for its comments", timeout=3)
            return
        pane.open()
        if pane.article_id != article.id or not pane.comments:
            self.load_comments(article.id, article.title)

    def load_comments(self, article_id: str, title: str) -> None:
        self.query_one(CommentsPane).show_message(article_id, "Fetching comments…")
        self.fetch_comments(article_id)

    @work(thread=True, exclusive=True, group="comments", exit_on_error=False)
    def fetch_comments(self, article_id: str) -> None:
        from termnews.comments import fetch_comments

        info = self.session.store.article_reply_info(article_id)
        if info is None or not info.comments_url:
            self.app.call_from_thread(
                self.query_one(CommentsPane).show_message,
                article_id,
                "This article's feed gives no comment feed: no comments to show",
            )
            return
        result = fetch_comments(self.session.store, info.comments_url)
        self.app.call_from_thread(self._show_comments, article_id, result)

    def _show_comments(self, article_id: str, result) -> None:
        pane = self.query_one(CommentsPane)
        if self.reader.article is not None and self.reader.article.id == article_id:
            pane.show(article_id, result)

    def on_comments_pane_closed(self, message: CommentsPane.Closed) -> None:
        self.headlines.focus()

    def on_comments_pane_reply_requested(self, message: CommentsPane.ReplyRequested) -> None:
        article = self.reader.article
        if article is None:
            return
        self.reply_to_comment(ArticleRef.of_article(article), message.comment)

    @work(thread=True, exclusive=True, group="comment-reply", exit_on_error=False)
    def reply_to_comment(self, article: ArticleRef, comment) -> None:
        """Continue the unsent reply to this comment, or start one that records it as parent."""
        draft = self.session.open_reply(article.id, comment.id)
        self.app.call_from_thread(self._reply_to_comment, article, comment, draft.id if draft else None)

    def _reply_to_comment(self, article: ArticleRef, comment, draft_id: int | None) -> None:
        composer = self.query_one(Composer)
        if draft_id is not None:
            composer.open_draft_id(draft_id)
        else:
            composer.open_draft(article, None)
            if composer.editor is not None:
                composer.editor.parent = comment.id  # recorded when the draft is first saved
        self.notify(f"Replying to {comment.author}", timeout=3, markup=False)

    @work(thread=True, group="flags", exit_on_error=False)
    def save_flag(self, article_id: str, flag: str, value: bool) -> None:
        self.session.store.set_flag([article_id], flag, value)  # type: ignore[arg-type]
        self.app.call_from_thread(self.update_counts)

    # -- messages --------------------------------------------------------------

    def on_headline_list_opened(self, message: HeadlineList.Opened) -> None:
        self.query_one(Composer).leave_unless(message.headline.id)  # saves the reply it closes
        self.load_article(message.headline)

    def on_composer_drafts_changed(self, message: Composer.DraftsChanged) -> None:
        self.headlines.reload()  # the article's ✎ mark

    def on_headline_list_reloaded(self, message: HeadlineList.Reloaded) -> None:
        self.update_counts()

    def on_sources_pane_chosen(self, message: SourcesPane.Chosen) -> None:
        self.query_one(StatusLine).show(view_label=message.choice.label)
        self.headlines.reload(message.choice.view)
        self.headlines.focus()

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
            self.app.call_from_thread(
                self.notify, str(exc), title="Not added", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self.notify, f"Added {spec.name!r}; fetching it", markup=False)
        self.app.call_from_thread(self.refresh_sources, [spec])

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
            self.app.call_from_thread(self.notify, f"Export failed: {exc}", severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"Wrote {export.feeds} feeds to {path}", markup=False)

    def action_export_drafts(self) -> None:
        ask_and_export_drafts(self, self.session.store, len(self.session.store.drafts()))

    def action_mark_view_read(self) -> None:
        self.mark_view_read(self.headlines.view)

    @work(thread=True, group="flags", exit_on_error=False)
    def mark_view_read(self, view: View) -> None:
        marked = self.session.store.mark_view_read(view)
        self.app.call_from_thread(self.headlines.reload)
        self.app.call_from_thread(self.notify, f"Marked {marked} articles read", timeout=3)

    def action_toggle_sources(self) -> None:
        """Open and focus the sources pane; close it if it already has focus."""
        pane = self.query_one(SourcesPane)
        if pane.has_class("-open") and pane.has_focus:
            pane.remove_class("-open")
            self.headlines.focus()
        else:
            pane.add_class("-open")
            pane.focus()

    def on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        self._open(message.href)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "search":
            query = message.value.strip()
            self.headlines.reload(View(query=query) if query else View())
            self.query_one(StatusLine).show(view_label=f"Search: {query}" if query else "All")
            self.headlines.focus()

    def key_escape(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_class("-open"):
            search.remove_class("-open")
            search.value = ""
            self.query_one(StatusLine).show(view_label="All")
            self.headlines.reload(View())
            self.headlines.focus()

    # -- actions ---------------------------------------------------------------

    def action_next_unread(self, step: int) -> None:
        found = self.headlines.find(self.headlines.cursor + step, step, lambda h: not h.read)
        if found is None:
            self.notify("No more unread articles", timeout=2)
            return
        self.headlines.move_to(found)
        self.headlines.action_open()

    def action_toggle_read(self) -> None:
        current = self.headlines.current
        if current is not None:
            self.headlines.update_current(read=not current.read)
            self.save_flag(current.id, "read", not current.read)

    def action_toggle_star(self) -> None:
        current = self.headlines.current
        if current is not None:
            self.headlines.update_current(starred=not current.starred)
            self.save_flag(current.id, "starred", not current.starred)

    def action_reply(self) -> None:
        article = self.reader.article
        if article is None:
            self.notify("Open an article first (enter), then r to reply", timeout=3)
            return
        self.query_one(Composer).reply_to(article)

    def action_drafts(self) -> None:
        composer = self.query_one(Composer)
        self.app.push_screen(
            DraftsScreen(self.session.store, settle=composer.prepare_flush(), specs=self.session.specs),
            self._drafts_closed,
        )

    def _drafts_closed(self, result: DraftsResult | None) -> None:
        if result is None:
            return
        composer = self.query_one(Composer)
        if result.deleted:
            composer.forget(result.deleted)
            self.headlines.reload()
        if result.open is not None:
            composer.open_draft_id(result.open.id)
            if self.reader.article is None or self.reader.article.id != result.open.article_id:
                self.show_article_id(result.open.article_id)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def show_article_id(self, article_id: str) -> None:
        """The article a draft answers, in the reader, if the cache still has it."""
        article = self.session.store.article(article_id)
        if article is not None:
            self.app.call_from_thread(self._show_article, article, article_markdown(article))

    def action_open_link(self) -> None:
        article = self.reader.article
        link = article.link if article else (self.headlines.current.link if self.headlines.current else None)
        if not link:
            self.notify("This article has no link", timeout=2)
            return
        self._open(link)

    def action_follow_link(self) -> None:
        links = self.reader.links
        if not links:
            self.notify("This article has no links", timeout=2)
            return
        self._link_digits = ""
        self.notify(f"Link number (1-{len(links)})?", timeout=3)

    def on_key(self, event: events.Key) -> None:
        """After `f`: digits choose a link, opened as soon as the number is unambiguous."""
        if self._link_digits is None:
            return
        event.stop()
        event.prevent_default()
        links = self.reader.links
        if event.character and event.character.isdigit():
            self._link_digits += event.character
            number = int(self._link_digits)
            if number * 10 > len(links):  # no further digit could make a valid number
                self._link_digits = None
                self._open_numbered(number)
        else:
            digits, self._link_digits = self._link_digits, None
            if event.key == "enter" and digits:
                self._open_numbered(int(digits))

    def _open_numbered(self, number: int) -> None:
        links = self.reader.links
        if 1 <= number <= len(links):
            self._open(links[number - 1])
        else:
            self.notify(f"No link {number}", timeout=2)

    def _open(self, url: str) -> None:
        try:
            open_link(url)
        except LinkRefused as exc:
            self.notify(str(exc), severity="warning", markup=False)
        else:
            self.notify(f"Opening {url}", timeout=3, markup=False)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-open")
        search.focus()

    def action_help(self) -> None:
        nodes = [
            self.app,
            self,
            self.headlines,
            self.reader,
            self.query_one(CommentsPane),
            self.query_one(Composer),
        ]
        self.app.push_screen(HelpScreen(nodes))
