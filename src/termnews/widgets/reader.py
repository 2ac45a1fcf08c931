"""The reader pane: one article, rendered as Markdown, scrollable."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from termnews.models import Article
from termnews.render import article_links, article_markdown

WELCOME = "# termnews\n\nPick a headline and press **enter** to read it."


class Reader(VerticalScroll, can_focus=True):
    """Shows the article chosen in the headline pane."""

    BINDING_GROUP_TITLE = "reader"
    ALLOW_MAXIMIZE = True  # full-screen reading (`z`, and the palette's "Maximize")

    BINDINGS = [
        Binding("j,down", "scroll_down", "Down", show=False, id="reader.down", tooltip="Scroll down a line"),
        Binding("k,up", "scroll_up", "Up", show=False, id="reader.up", tooltip="Scroll up a line"),
        Binding(
            "space,pagedown",
            "page_down",
            "Scroll",
            show=False,
            id="reader.page_down",
            tooltip="Scroll down a page",
        ),
        Binding("b,pageup", "page_up", "Back", show=False, id="reader.page_up", tooltip="Scroll up a page"),
        Binding("g,home", "scroll_home", "Top", show=False, id="reader.top", tooltip="The article's start"),
        Binding("G,end", "scroll_end", "End", show=False, id="reader.end", tooltip="The article's end"),
    ]

    DEFAULT_CSS = """
    Reader {
        padding: 0 1;
        background: $surface;
        & > Markdown { max-width: 100; padding: 0; margin: 0; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None
        self.links: list[str] = []

    def compose(self):
        yield Markdown(WELCOME, open_links=False)

    async def show(self, article: Article, markdown: str | None = None) -> None:
        self.article = article
        self.links = article_links(article)
        await self.query_one(Markdown).update(markdown or article_markdown(article))
        self.scroll_home(animate=False)
