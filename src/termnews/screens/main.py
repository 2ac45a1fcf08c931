"""The main screen: headlines, reader and composer, and the keys that act on them."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown

from termnews.links import LinkRefused, open_link
from termnews.models import Headline
from termnews.render import article_markdown
from termnews.screens.help import HelpScreen
from termnews.session import Session
from termnews.store import View
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("n", "next_unread(1)", "Next unread", id="next_unread", tooltip="Next unread article"),
        Binding("N", "next_unread(-1)", "Prev unread", show=False, id="previous_unread",
                tooltip="Previous unread article"),
        Binding("m", "toggle_read", "Read", id="toggle_read", tooltip="Mark read / unread"),
        Binding("s", "toggle_star", "Star", id="toggle_star", tooltip="Star / unstar"),
        Binding("r", "reply", "Reply", id="reply", tooltip="Write a reply to the open article"),
        Binding("o", "open_link", "Open link", id="open_link", tooltip="Open the article's link in the browser"),
        Binding("slash", "search", "Search", id="search", tooltip="Search titles and bodies"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show all keys"),
        Binding("q", "app.quit", "Quit", id="quit", tooltip="Quit termnews"),
    ]

    DEFAULT_CSS = """
    MainScreen > #panes { height: 1fr; layout: vertical; }
    #headlines { height: 40%; min-height: 5; border-bottom: solid $panel-lighten-2; }
    #right { height: 1fr; }
    #reader { width: 1fr; }
    #search { dock: top; display: none; }
    #search.-open { display: block; }
    /* Wide terminals: headlines on the left, reader and composer on the right. */
    MainScreen.-wide > #panes { layout: horizontal; }
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

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search (escape to leave)", id="search")
        with Horizontal(id="panes"):
            yield HeadlineList(self.session.store, id="headlines")
            with Horizontal(id="right"):
                yield Reader(id="reader")
                yield Composer(id="composer")
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

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(self, headline: Headline) -> None:
        store = self.session.store
        article = store.article(headline.id)
        if article is None:
            return
        markdown = article_markdown(article)
        if not article.read:
            store.set_flag([article.id], "read", True)
        self.app.call_from_thread(self._show_article, article, markdown)

    async def _show_article(self, article, markdown: str) -> None:  # noqa: ANN001
        await self.reader.show(article, markdown)
        current = self.headlines.current
        if current is not None and current.id == article.id:
            self.headlines.update_current(read=True)

    @work(thread=True, group="flags", exit_on_error=False)
    def save_flag(self, article_id: str, flag: str, value: bool) -> None:
        self.session.store.set_flag([article_id], flag, value)  # type: ignore[arg-type]

    # -- messages --------------------------------------------------------------

    def on_headline_list_opened(self, message: HeadlineList.Opened) -> None:
        self.load_article(message.headline)

    def on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        self._open(message.href)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "search":
            query = message.value.strip()
            self.headlines.reload(View(query=query) if query else View())
            self.headlines.focus()

    def key_escape(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_class("-open"):
            search.remove_class("-open")
            search.value = ""
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
        self.query_one(Composer).open_for(article)

    def action_open_link(self) -> None:
        article = self.reader.article
        link = article.link if article else (self.headlines.current.link if self.headlines.current else None)
        if not link:
            self.notify("This article has no link", timeout=2)
            return
        self._open(link)

    def _open(self, url: str) -> None:
        try:
            open_link(url)
        except LinkRefused as exc:
            self.notify(str(exc), severity="warning")
        else:
            self.notify(f"Opening {url}", timeout=3, markup=False)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-open")
        search.focus()

    def action_help(self) -> None:
        nodes = [self.app, self, self.headlines, self.reader, self.query_one(Composer)]
        self.app.push_screen(HelpScreen(nodes))
