"""Replies to comments, from the comments pane and the inbox, and the choice between a
draft and a new reply: the composer is opened on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from termnews.screens.main_inbox import InboxActions

if TYPE_CHECKING:
    from termnews.comments import Comment
    from termnews.drafts import ArticleRef
    from termnews.widgets.comments import CommentsPane
    from termnews.widgets.composer import Composer
    from termnews.widgets.inbox import InboxList


class ReplyActions(InboxActions):
    @dataclass
    class OpenReplyFound(Message):
        article: ArticleRef
        comment: Comment
        draft_id: int | None

    def on_comments_pane_reply_requested(self, message: CommentsPane.ReplyRequested) -> None:
        from termnews.drafts import ArticleRef

        article = self.reader.article
        if article is None:
            return
        self.reply_to_comment(ArticleRef.of_article(article), message.comment)

    @work(thread=True, exclusive=True, group="comment-reply", exit_on_error=False)
    def reply_to_comment(self, article: ArticleRef, comment: Comment) -> None:
        """Continue the unsent reply to this comment, or start one that records it as parent."""
        draft = self.session.open_reply(article.id, comment.id)
        self.post_message(self.OpenReplyFound(article, comment, draft.id if draft else None))

    def on_inbox_list_reply_requested(self, message: InboxList.ReplyRequested) -> None:
        from termnews.drafts import ArticleRef
        from termnews.widgets.inbox import as_comment

        item = message.item
        self.mark_answer_read(item)
        self.reply_to_comment(ArticleRef.of_inbox_item(item), as_comment(item))

    async def on_reply_actions_open_reply_found(self, message: OpenReplyFound) -> None:
        composer = await self.ensure_composer()
        composer.reply_to_comment(message.article, message.comment, message.draft_id)

    def on_composer_choose_draft(self, message: Composer.ChooseDraft) -> None:
        """The article has drafts: ask whether to continue the last one or start a new reply."""
        from termnews.screens.drafts import ReplyChoiceScreen

        composer = self.composer
        if composer is None:  # it asked: it is there
            return

        def chosen(choice: str | None) -> None:
            if choice == "continue":
                composer.open_draft(message.article, message.drafts[0])
            elif choice == "copy":
                composer.open_draft(message.article, None, copy_of=message.drafts[0])
            elif choice == "new":
                composer.open_draft(message.article, None)

        self.app.push_screen(ReplyChoiceScreen(message.article, message.drafts), chosen)
