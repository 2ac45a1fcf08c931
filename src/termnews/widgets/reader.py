"""The reader pane: one article, rendered as Markdown, scrollable.

Until the first article opens it shows a welcome drawn as Textual's Markdown
would draw it, from two plain lines: the Markdown widget (markdown-it, the
code highlighter) loads with the first article, not before the first paint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

if TYPE_CHECKING:
    from termnews.models import Article


class Welcome(Vertical):
    """A heading and a line, in the look of Markdown's `# heading` and paragraph."""

    DEFAULT_CSS = """
    Welcome {
        height: auto;
        color: $foreground;
        & > Static { width: 1fr; height: auto; }
        & > #welcome-title {
            margin: 2 0 1 0;
            content-align: center middle;
            color: $markdown-h1-color;
            background: $markdown-h1-background;
            text-style: $markdown-h1-text-style;
        }
        & > #welcome-text { margin: 0 0 1 0; }
    }
    """

    def compose(self):
        yield Static("termnews", id="welcome-title", markup=False)
        yield Static(
            Text.assemble("Pick a headline and press ", ("enter", "bold"), " to read it."), id="welcome-text"
        )


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
        & > Markdown, & > Welcome { max-width: 100; padding: 0; margin: 0; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None
        self.links: list[str] = []

    def compose(self):
        yield Welcome()

    async def show(self, article: Article, markdown: str | None = None) -> None:
        from textual.widgets import Markdown

        from termnews.render import article_links, article_markdown

        self.article = article
        self.links = article_links(article)
        text = markdown or article_markdown(article)
        shown = self.query(Markdown)
        if shown:
            await shown.first().update(text)
        else:
            await self.query(Welcome).remove()
            await self.mount(Markdown(text, open_links=False))
        self.scroll_home(animate=False)
