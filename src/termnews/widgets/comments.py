"""The comments pane, under the reader: an article's comments, nested, one selectable each.

The screen fetches the comment feed in a worker (`termnews.comments`) and
hands the result to `show`; this widget only draws it. Authors and words come
from a feed: they are shown as plain `Text`, never parsed as markup. `r` on a
comment asks the screen for a reply to it (`ReplyRequested`), `R` for the
comments again (`RefetchRequested`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from termnews.comments import Comment, CommentsResult, comment_text, nest
from termnews.models import Draft, ThreadMarks
from termnews.text import format_date

MAX_INDENT = 6  # deeper replies are drawn at this depth
PENDING = "termnews-draft:"  # the id of a reply of the person's not in the feed yet


class CommentsPane(Vertical):
    """The thread of the article in the reader."""

    BINDING_GROUP_TITLE = "comments"

    BINDINGS = [
        Binding("j", "move(1)", "Next comment", show=False, id="comments.next"),
        Binding("k", "move(-1)", "Previous comment", show=False, id="comments.previous"),
        Binding(
            "R",
            "refetch",
            "Fetch again",
            id="comments.refetch",
            tooltip="Fetch the comments again from the site",
        ),
        Binding(
            "r",
            "reply",
            "Reply to comment",
            id="comments.reply",
            tooltip="Write a reply to the comment under the cursor",
        ),
        Binding(
            "n",
            "next_new",
            "Next new",
            id="comments.next_new",
            tooltip="Jump to the next comment that arrived since you last opened this thread",
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

    @dataclass
    class RefetchRequested(Message):
        """`R`: fetch this article's comments again."""

        article_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article_id: str | None = None
        self.comments: list[tuple[int, Comment]] = []
        self.shown_at: float | None = None  # time.monotonic() when a fetch's result was shown
        self.marks = ThreadMarks()
        self.want: str | None = None  # a comment to put the cursor on once the thread is shown

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
        self.shown_at = None
        self.query_one(OptionList).clear_options()
        self.query_one("#comments-status", Static).update(Text(message))

    def show(self, article_id: str, result: CommentsResult, marks: ThreadMarks | None = None) -> None:
        """Draw the thread; `marks` says which comments are new and which are the person's own
        (their replies not in the feed yet are drawn where they will appear, with their state)."""
        self.article_id = article_id
        self.shown_at = time.monotonic()
        self.marks = marks = marks or ThreadMarks()
        self.comments = list(nest([*result.comments, *(_as_comment(d) for d in marks.pending)]))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            [Option(_prompt(depth, c, self._tag(c)), id=str(i)) for i, (depth, c) in enumerate(self.comments)]
        )
        if self.comments:
            wanted = [i for i, (_, c) in enumerate(self.comments) if c.id == self.want]
            options.highlighted = wanted[0] if wanted else 0
        self.want = None
        count = len(result.comments)
        status = f"{count} comment{'s' if count != 1 else ''}" if count else "No comments yet"
        if marks.new:
            status += f", {len(marks.new)} new since your last visit (n: next new)"
        if count and not result.threaded:
            status += " (this feed does not say who answers whom: shown flat)"
        if result.error:
            status += (
                f" — shown from the copy of {format_date(result.fetched, '%Y-%m-%d %H:%M')}"
                if result.stale
                else ""
            ) + f"; could not fetch: {result.error}"
        if result.error and not count:
            status = f"Could not fetch the comments: {result.error} · R tries again"
        elif count:
            status += " · r replies to the comment under the cursor"
        self.query_one("#comments-status", Static).update(Text(status))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_refetch(self) -> None:
        if self.article_id is not None:
            self.post_message(self.RefetchRequested(self.article_id))

    def _tag(self, comment: Comment) -> tuple[str, str] | None:
        """A mark beside the author: (words, style)."""
        if comment.id.startswith(PENDING):
            draft = next((d for d in self.marks.pending if comment.id == f"{PENDING}{d.id}"), None)
            state = draft.state if draft else "held"
            words = "held for moderation" if state == "held" else f"not in the feed yet ({state})"
            return f"you · {words}", "italic"
        if comment.id in self.marks.own:
            return "you · published", "italic"
        if comment.id in self.marks.new:
            return "● new", "bold"
        return None

    def action_next_new(self) -> None:
        options = self.query_one(OptionList)
        start = (options.highlighted if options.highlighted is not None else -1) + 1
        order = list(range(start, len(self.comments))) + list(range(0, start))
        found = next((i for i in order if self.comments[i][1].id in self.marks.new), None)
        if found is None:
            self.notify("No new comments since your last visit", timeout=2)
            return
        options.highlighted = found

    def action_reply(self) -> None:
        comment = self.current
        if comment is None:
            self.notify("No comment under the cursor", timeout=2)
            return
        if comment.id.startswith(PENDING):
            self.notify("Your reply is not published yet: it cannot be answered", timeout=3)
            return
        self.post_message(self.ReplyRequested(comment))

    def action_close(self) -> None:
        self.close()
        self.post_message(self.Closed())


def _as_comment(draft: Draft) -> Comment:
    """One of the person's replies the feed does not show yet, drawn where it will appear."""
    return Comment(
        f"{PENDING}{draft.id}", draft.name, draft.comment, "text", draft.sent_at, None, draft.parent_comment
    )


def _prompt(depth: int, comment: Comment, tag: tuple[str, str] | None = None) -> Text:
    indent = "  " * min(depth, MAX_INDENT)
    bar = "│ " if depth else ""
    head = Text(indent + bar)
    head.append(comment.author, style="bold")
    if tag is not None:
        head.append(f" [{tag[0]}]", style=tag[1])
    when = format_date(comment.published, "%Y-%m-%d %H:%M")
    if when:
        head.append(f" · {when}", style="dim")
    lines = [head]
    for line in (comment_text(comment) or "(empty)").split("\n"):
        lines.append(Text(indent + bar + line))
    lines.append(Text(""))
    return Text("\n").join(lines)
