"""The main screen's reading: articles and flags read and written in workers, shown by message."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message

from termnews.drafts import ArticleRef
from termnews.models import Article, Draft, Headline
from termnews.render import article_markdown
from termnews.screens.drafts import DraftsResult, DraftsScreen
from termnews.screens.main_base import MainScreenBase


class ReadingActions(MainScreenBase):
    @dataclass
    class ArticleLoaded(Message):
        article: Article
        markdown: str
        marked_read: bool = False

    class FlagsSaved(Message):
        """Read or starred flags were written: counts may have changed."""

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(self, headline: Headline) -> None:
        store = self.session.store
        article = store.article(headline.id)
        if article is None:
            return
        markdown = article_markdown(article)
        if not article.read:
            store.set_flag([article.id], "read", True)
        self.post_message(self.ArticleLoaded(article, markdown, marked_read=not article.read))

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def show_draft_article(self, draft: Draft) -> None:
        """The article a draft answers, in the reader: from the cache, else the draft's own copy."""
        article = self.session.store.article(draft.article_id) or ArticleRef.of_draft(draft).uncached()
        self.post_message(self.ArticleLoaded(article, article_markdown(article)))

    async def on_reading_actions_article_loaded(self, message: ArticleLoaded) -> None:
        article = message.article
        if message.marked_read:
            self.update_counts()
        await self.reader.show(article, message.markdown)
        current = self.headlines.current
        if current is not None and current.id == article.id:
            self.headlines.update_current(read=True)
        self.article_shown(article)

    def article_shown(self, article: Article) -> None:
        """A new article is in the reader (the comments part follows it)."""

    @work(thread=True, group="flags", exit_on_error=False)
    def save_flag(self, article_id: str, flag: str, value: bool) -> None:
        self.session.store.set_flag([article_id], flag, value)  # type: ignore[arg-type]
        self.post_message(self.FlagsSaved())

    def on_reading_actions_flags_saved(self) -> None:
        self.update_counts()

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
        self.composer.reply_to(article)

    def action_drafts(self) -> None:
        self.app.push_screen(
            DraftsScreen(self.session.store, settle=self.composer.prepare_flush(), specs=self.session.specs),
            self._drafts_closed,
        )

    def _drafts_closed(self, result: DraftsResult | None) -> None:
        composer = self.composer
        composer.reread_open_draft()  # the screen may have sent it
        if result is None:
            return
        if result.deleted:
            composer.forget(result.deleted)
            self.headlines.reload()
        if result.open is not None:
            composer.open_draft_id(result.open.id)
            if self.reader.article is None or self.reader.article.id != result.open.article_id:
                self.show_draft_article(result.open)
