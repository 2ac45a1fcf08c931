"""The main screen's inbox: answers to the person's replies, chosen in the sources pane.

The inbox list takes the headline list's place while it is chosen. Opening
an answer marks it read and shows its article with the thread open, the
cursor on the answer; `r` answers it (the main screen opens the composer).
A refresh that found answers, or saw a held reply published, says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.message import Message

from termnews.models import InboxItem
from termnews.screens.main_comments import CommentActions
from termnews.screens.main_refresh import RefreshActions

if TYPE_CHECKING:
    from termnews.widgets.inbox import InboxList


class InboxActions(CommentActions):
    @dataclass
    class InboxRead(Message):
        items: list[InboxItem]

    @dataclass
    class AnswerOpened(Message):
        item: InboxItem
        in_cache: bool  # the article is still in the cache

    async def show_inbox(self) -> None:
        from termnews.widgets.inbox import InboxList

        inbox = await self.ensure_pane("inbox", lambda: InboxList(id="inbox"), "#panes", after="#headlines")
        self.headlines.display = False
        inbox.is_open = True
        inbox.focus()
        self.load_inbox()

    def hide_inbox(self) -> None:
        if self.inbox is not None and self.inbox.is_open:
            self.inbox.is_open = False
            self.headlines.display = True

    @work(thread=True, exclusive=True, group="inbox", exit_on_error=False)
    def load_inbox(self) -> None:
        self.post_message(self.InboxRead(self.session.store.inbox()))

    def on_inbox_actions_inbox_read(self, message: InboxRead) -> None:
        if self.inbox is not None:
            self.inbox.show_items(message.items)

    @work(thread=True, group="inbox-read", exit_on_error=False)
    def mark_answer_read(self, item: InboxItem) -> None:
        """Opened (or answered): read from now on."""
        store = self.session.store
        store.mark_inbox_read(item.id)
        self.post_message(self.AnswerOpened(item, store.article(item.article_id) is not None))

    async def on_inbox_list_opened(self, message: InboxList.Opened) -> None:
        (await self.ensure_comments()).want = message.item.comment_id  # the cursor goes to the answer
        self.mark_answer_read(message.item)

    async def on_inbox_actions_answer_opened(self, message: AnswerOpened) -> None:
        from termnews.drafts import ArticleRef

        self.load_inbox()
        self.update_counts()
        item = message.item
        if not message.in_cache:
            self.notify(
                f"The article is no longer in the cache; the answer is at {item.link or '(no link)'}",
                timeout=6,
                markup=False,
            )
            return
        comments = await self.ensure_comments()
        if self.reader.article is None or self.reader.article.id != item.article_id:
            comments.open()  # the thread is fetched once the article is shown
            self.show_article(ArticleRef.of_inbox_item(item))
        elif not comments.is_open or comments.article_id != item.article_id:
            comments.open()
            self.load_comments(comments, item.article_id)

    @on(RefreshActions.Done)
    def tell_what_the_watched_threads_gave(self) -> None:
        report = self.session.last_watch
        if report is None:
            return
        if report.new:
            count = len(report.new)
            self.notify(
                f"{count} new answer{'s' * (count != 1)} to your replies: Inbox, in the sources pane (1)",
                title="Inbox",
                timeout=8,
            )
        if report.published:
            count = len(report.published)
            self.notify(f"{count} held repl{'ies' if count != 1 else 'y'} published by the site", timeout=6)
        if self.inbox is not None and self.inbox.is_open:
            self.load_inbox()
