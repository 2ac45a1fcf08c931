"""The composer pane: the reply form that stands for the site's comment form."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static, TextArea

from termnews.models import Article

NOTE = "Your email address will not be published. Required fields are marked *"


class Composer(Vertical):
    """Comment, name, email and website for a reply to the open article."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="composer.close", tooltip="Close the composer"),
    ]

    DEFAULT_CSS = """
    Composer {
        display: none;
        width: 50%;
        min-width: 30;
        border-left: solid $accent;
        padding: 0 1;
        background: $surface;
        &.-open { display: block; }
        & > #composer-heading { text-style: bold; }
        & > #composer-note { color: $text-muted; }
        & TextArea { height: 1fr; min-height: 4; }
        & Input { height: 3; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("Leave a Reply", id="composer-heading", markup=False)
        yield Static(NOTE, id="composer-note", markup=False)
        yield Label("Comment *")
        yield TextArea(id="comment", soft_wrap=True)
        yield Input(placeholder="Name *", id="name")
        yield Input(placeholder="Email *", id="email")
        yield Input(placeholder="Website", id="website")

    def open_for(self, article: Article) -> None:
        self.query_one("#composer-heading", Static).update(Text(f"Leave a Reply: {article.title}"))
        self.add_class("-open")
        self.query_one("#comment", TextArea).focus()

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def action_close(self) -> None:
        self.remove_class("-open")
        self.screen.query_one("HeadlineList").focus()
