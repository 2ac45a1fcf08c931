"""The inbox list: answers to the person's replies, newest first, in place of the headlines.

Shown when "Inbox" is chosen in the sources pane. Authors and words come from
a site: they are drawn as plain `Text`, never parsed as markup. `enter`
opens an answer (the screen marks it read and shows its thread); `r` asks for
a reply to it (`ReplyRequested`).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from termnews.comments import Comment
from termnews.models import InboxItem
from termnews.text import format_date

UNREAD_MARK = "●"


def as_comment(item: InboxItem) -> Comment:
    """The answer as the comment it is, for replying to it."""
    return Comment(item.comment_id, item.author, item.text, "text", item.published, item.link)


class InboxList(OptionList):
    BINDING_GROUP_TITLE = "inbox"
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="inbox.down"),
        Binding("k", "cursor_up", "Up", show=False, id="inbox.up"),
        Binding("r", "reply", "Reply", id="inbox.reply", tooltip="Answer the comment under the cursor"),
    ]

    DEFAULT_CSS = """
    InboxList {
        display: none;
        width: 1fr;
        border: none;
        &.-open { display: block; }
    }
    """

    @dataclass
    class Opened(Message):
        item: InboxItem

    @dataclass
    class ReplyRequested(Message):
        item: InboxItem

    is_open: reactive[bool] = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[InboxItem] = []

    def watch_is_open(self, is_open: bool) -> None:
        self.set_class(is_open, "-open")

    @property
    def current(self) -> InboxItem | None:
        index = self.highlighted
        return self.items[index] if index is not None and 0 <= index < len(self.items) else None

    def show_items(self, items: list[InboxItem]) -> None:
        highlighted = self.highlighted
        self.items = list(items)
        self.clear_options()
        if not self.items:
            self.add_option(Option(Text("No answers yet: they arrive with a refresh (R)"), disabled=True))
            return
        self.add_options([Option(_prompt(item)) for item in self.items])
        self.highlighted = min(highlighted or 0, len(self.items) - 1)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.items):
            self.post_message(self.Opened(self.items[event.option_index]))

    def action_reply(self) -> None:
        item = self.current
        if item is None:
            self.notify("No answer under the cursor", timeout=2)
            return
        self.post_message(self.ReplyRequested(item))


def _prompt(item: InboxItem) -> Text:
    head = Text(f"{' ' if item.read else UNREAD_MARK} ", style="bold")
    head.append(item.author, style="" if item.read else "bold")
    when = format_date(item.published if item.published is not None else item.arrived, "%Y-%m-%d %H:%M")
    head.append(f" · {when} · on ", style="dim")
    head.append(item.article_title, style="italic")
    lines = [head]
    for line in [line for line in item.text.split("\n") if line.strip()][:3]:
        lines.append(Text("  " + line, no_wrap=True, overflow="ellipsis"))
    lines.append(Text(""))
    return Text("\n").join(lines)
