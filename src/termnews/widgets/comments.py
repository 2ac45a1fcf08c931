"""The comments pane, under the reader: an article's comments, nested, one selectable each.

The screen fetches the comment feed in a worker (`termnews.comments`) and
hands the result to `show`; this widget only draws it. Authors and words come
from a feed: they are shown as plain `Text`, never parsed as markup. `r` on a
comment asks the screen for a reply to it (`ReplyRequested`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from termnews.comments import Comment, CommentsResult, comment_text
from termnews.text import format_date

MAX_INDENT = 6  # deeper replies are drawn at this depth


class CommentsPane(Vertical):
    """The thread of the article in the reader."""

    BINDING_GROUP_TITLE = "comments"

    BINDINGS = [
        Binding(
            "r",
            "reply",
            "Reply to comment",
            id="comments.reply",
            tooltip="Write a reply to the comment under the cursor",
        ),
        Binding("escape", "close", "Close", id="comments.close", tooltip="Hide the comments"),
    ]

    DEFAULT_CSS = """
    CommentsPane {
        display: none;
        height: 50%;
        min-height: 6;
        border-top: solid $panel-lighten-2;
        background: $surface;
        &.-open { display: block; }
        & > #comments-status { color: $text-muted; padding: 0 1; height: auto; }
        & > OptionList { height: 1fr; border: none; padding: 0; background: $surface; }
    }
    """

    @dataclass
    class ReplyRequested(Message):
        """`r` on a comment: reply to it."""

        comment: Comment

    @dataclass
    class Closed(Message):
        """The pane was hidden with escape."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article_id: str | None = None
        self.comments: list[tuple[int, Comment]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="comments-status", markup=False)
        yield OptionList(id="comments-list")

    is_open: reactive[bool] = reactive(False)

    def watch_is_open(self, is_open: bool) -> None:
        self.set_class(is_open, "-open")

    @property
    def current(self) -> Comment | None:
        options = self.query_one(OptionList)
        index = options.highlighted
        if index is None or not (0 <= index < len(self.comments)):
            return None
        return self.comments[index][1]

    def open(self) -> None:
        self.is_open = True
        self.query_one(OptionList).focus()

    def close(self) -> None:
        self.is_open = False

    def show_message(self, article_id: str | None, message: str) -> None:
        """No comments to list: "loading", "no comment feed"..."""
        self.article_id = article_id
        self.comments = []
        self.query_one(OptionList).clear_options()
        self.query_one("#comments-status", Static).update(Text(message))

    def show(self, article_id: str, result: CommentsResult) -> None:
        self.article_id = article_id
        self.comments = list(result.thread)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            [Option(_prompt(depth, c), id=str(i)) for i, (depth, c) in enumerate(self.comments)]
        )
        if self.comments:
            options.highlighted = 0
        count = len(self.comments)
        status = f"{count} comment{'s' if count != 1 else ''}" if count else "No comments yet"
        if count and not result.threaded:
            status += " (this feed does not say who answers whom: shown flat)"
        if result.error:
            status += (
                f" — shown from the copy of {format_date(result.fetched, '%Y-%m-%d %H:%M')}"
                if result.stale
                else ""
            ) + f"; could not fetch: {result.error}"
        if count:
            status += " · r replies to the comment under the cursor"
        self.query_one("#comments-status", Static).update(Text(status))

    def action_reply(self) -> None:
        comment = self.current
        if comment is None:
            self.notify("No comment under the cursor", timeout=2)
            return
        self.post_message(self.ReplyRequested(comment))

    def action_close(self) -> None:
        self.close()
        self.post_message(self.Closed())


def _prompt(depth: int, comment: Comment) -> Text:
    indent = "  " * min(depth, MAX_INDENT)
    bar = "│ " if depth else ""
    head = Text(indent + bar)
    head.append(comment.author, style="bold")
    when = format_date(comment.published, "%Y-%m-%d %H:%M")
    if when:
        head.append(f" · {when}", style="dim")
    lines = [head]
    for line in (comment_text(comment) or "(empty)").split("\n"):
        lines.append(Text(indent + bar + line))
    lines.append(Text(""))
    return Text("\n").join(lines)
