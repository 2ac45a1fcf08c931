"""The main screen's comments: the open article's comment feed, fetched in a worker."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from termnews.models import Article, ThreadMarks
from termnews.screens.main_reading import ReadingActions

if TYPE_CHECKING:
    from termnews.comments import CommentsResult
    from termnews.widgets.comments import CommentsPane

NO_COMMENT_FEED = "This article's feed gives no comment feed: no comments to show"
STALE_AFTER = 10 * 60  # seconds: comments shown longer ago are fetched again when the pane opens


class CommentActions(ReadingActions):
    @dataclass
    class CommentsFetched(Message):
        article_id: str
        result: CommentsResult | None  # None: the article has no comment feed
        marks: ThreadMarks | None = None  # what is new, which comments are the person's
        asked: bool = False  # fetched because the person pressed c (not because they moved on)

    def article_shown(self, article: Article) -> None:
        comments = self.comments
        if comments is not None and comments.is_open and comments.article_id != article.id:
            self.load_comments(comments, article.id)

    async def action_toggle_comments(self) -> None:
        pane = self.comments
        if pane is not None and pane.is_open:
            pane.is_open = False
            self.headlines.focus()
            return
        article = self.reader.article
        if article is None:
            self.notify("Open an article first (enter), then c for its comments", timeout=3)
            return
        pane = await self.ensure_comments()
        pane.open()
        stale = pane.shown_at is None or time.monotonic() - pane.shown_at >= STALE_AFTER
        if pane.article_id != article.id or not pane.comments or stale:
            self.load_comments(pane, article.id, asked=True)

    def load_comments(self, pane: CommentsPane, article_id: str, *, asked: bool = False) -> None:
        pane.show_message(article_id, "Fetching comments…")
        self.fetch_comments(article_id, asked)

    @work(thread=True, exclusive=True, group="comments", exit_on_error=False)
    def fetch_comments(self, article_id: str, asked: bool) -> None:
        from termnews.comments import fetch_comments

        info = self.session.store.article_reply_info(article_id)
        if info is None or not info.comments_url:
            self.post_message(self.CommentsFetched(article_id, None, asked=asked))
            return
        result = fetch_comments(self.session.store, info.comments_url)
        marks = self.session.thread_marks(article_id, result)  # and remembers this visit
        self.post_message(self.CommentsFetched(article_id, result, marks))

    def on_comment_actions_comments_fetched(self, message: CommentsFetched) -> None:
        pane = self.comments  # a fetch starts from the pane: it is there
        if pane is None:
            return
        if message.result is None and message.asked:  # an empty pane with keys that do nothing: shut
            pane.close()
            self.headlines.focus()
            self.notify(NO_COMMENT_FEED, timeout=4)
        elif message.result is None:  # moved on to it with the pane open: the pane says so
            pane.show_message(message.article_id, NO_COMMENT_FEED)
        elif self.reader.article is not None and self.reader.article.id == message.article_id:
            pane.show(message.article_id, message.result, message.marks)

    def on_comments_pane_refetch_requested(self, message: CommentsPane.RefetchRequested) -> None:
        if self.comments is not None:
            self.load_comments(self.comments, message.article_id)

    def on_comments_pane_closed(self, message: CommentsPane.Closed) -> None:
        self.headlines.focus()
