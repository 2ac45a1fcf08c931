"""The main screen's reading: articles and flags read and written in workers, shown by message."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.timer import Timer

from termnews.models import Article, Headline, View
from termnews.screens.main_base import MainScreenBase
from termnews.text import plural

if TYPE_CHECKING:
    from termnews.drafts import ArticleRef
    from termnews.screens.drafts import DraftsResult


class ReadingActions(MainScreenBase):
    @dataclass
    class ArticleLoaded(Message):
        article: Article
        markdown: str
        marked_read: bool = False

    @dataclass
    class FullTextFailed(Message):
        reason: str

    @dataclass
    class FlagsSaved(Message):
        """Read or starred flags were written: counts may have changed."""

        reload: bool = False

    @dataclass
    class ViewMarkedRead(Message):
        ids: list[str]

    UNDO_SECONDS = 6.0
    _undo_read: list[str] = []  # the ids the last "mark all read" marked, while it can be undone
    _undo_timer: Timer | None = None

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(self, headline: Headline) -> None:
        from termnews.render import article_markdown

        store = self.session.store
        article = store.article(headline.id)
        if article is None:
            return
        markdown = article_markdown(article)
        if not article.read:
            store.set_flag([article.id], "read", True)
        self.post_message(self.ArticleLoaded(article, markdown, marked_read=not article.read))

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def show_article(self, article: ArticleRef) -> None:
        """An article in the reader, as the cache has it; gone from the cache, the copy `article` holds."""
        from termnews.render import article_markdown

        shown = self.session.store.article(article.id) or article.uncached()
        self.post_message(self.ArticleLoaded(shown, article_markdown(shown)))

    async def on_reading_actions_article_loaded(self, message: ArticleLoaded) -> None:
        article = message.article
        if message.marked_read:
            self.update_counts()
        await self.reader.show(article, message.markdown)
        current = self.headlines.current
        if current is not None and current.id == article.id:
            self.headlines.update_current(read=True)
        self.article_shown(article)

    def action_full_text(self) -> None:
        article = self.reader.article
        if article is None:
            self.notify("Open an article first (enter), then F for its full text", timeout=3)
            return
        self.notify("Fetching the article's page…", timeout=2)
        self.load_full_text(article)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_full_text(self, article: Article) -> None:
        """The article with its page's main text as the body; the feed's text stays in the cache."""
        from termnews.render import article_markdown

        state = self.session.full_text(article.id)
        if state is None or state.body is None:
            self.post_message(
                self.FullTextFailed((state.error if state else None) or "the article is gone from the cache")
            )
            return
        full = replace(article, body=state.body, body_format="html")
        self.post_message(self.ArticleLoaded(full, article_markdown(full)))

    def on_reading_actions_full_text_failed(self, message: FullTextFailed) -> None:
        self.notify(
            f"{message.reason}; the feed's text is kept",
            title="No full text",
            severity="warning",
            markup=False,
        )

    def article_shown(self, article: Article) -> None:
        """A new article is in the reader (the comments part follows it)."""

    @work(thread=True, group="flags", exit_on_error=False)
    def save_flag(self, article_ids: list[str], flag: str, value: bool) -> None:
        self.session.store.set_flag(article_ids, flag, value)  # type: ignore[arg-type]
        self.post_message(self.FlagsSaved(reload=len(article_ids) > 1))

    def on_reading_actions_flags_saved(self, message: FlagsSaved) -> None:
        if message.reload:  # many rows changed (an undo): read the list again
            self.headlines.reload()
        self.update_counts()

    # -- mark all read, with a few seconds of undo ------------------------------------

    def action_mark_view_read(self) -> None:
        self.mark_view_read(self.headlines.view)

    @work(thread=True, group="flags", exit_on_error=False)
    def mark_view_read(self, view: View) -> None:
        self.post_message(self.ViewMarkedRead(self.session.store.mark_view_read(view)))

    def on_reading_actions_view_marked_read(self, message: ViewMarkedRead) -> None:
        self.headlines.reload()
        count = len(message.ids)
        if not count:
            self.notify("Nothing unread here", timeout=2)
            return
        self._undo_read = message.ids
        if self._undo_timer is not None:
            self._undo_timer.stop()
        self._undo_timer = self.set_timer(self.UNDO_SECONDS, self._forget_undo)
        self.notify(f"Marked {plural(count, 'article')} read; u to undo", timeout=self.UNDO_SECONDS)

    def _forget_undo(self) -> None:
        self._undo_read = []

    def action_undo_mark_read(self) -> None:
        ids, self._undo_read = self._undo_read, []
        if not ids:
            self.notify("Nothing to undo", timeout=2)
            return
        self.save_flag(ids, "read", False)
        self.notify(f"{len(ids)} article{'s' * (len(ids) != 1)} unread again", timeout=3)

    # -- reading full screen -------------------------------------------------------------

    def action_full_screen(self) -> None:
        """The reader alone on the screen; the same key (or escape) brings the panes back."""
        if self.maximized is not None:
            self.minimize()
            return
        if self.reader.article is None:
            self.notify("Open an article first (enter), then z to read it full screen", timeout=3)
            return
        self.reader.focus()
        self.maximize(self.reader)

    def action_next_unread(self, step: int) -> None:
        unread = lambda h: not h.read  # noqa: E731
        found = self.headlines.find(self.headlines.cursor + step, step, unread)
        if found is None:  # wrap around: unread articles above (or below) the cursor count too
            found = self.headlines.find(0 if step > 0 else self.headlines.total - 1, step, unread)
            if found is None:
                self.notify("No unread articles", timeout=2)
                return
            self.notify(f"Wrapped to the {'first' if step > 0 else 'last'} unread article", timeout=2)
        self.headlines.move_to(found)
        self.headlines.action_open()

    def action_toggle_read(self) -> None:
        current = self.headlines.current
        if current is not None:
            self.headlines.update_current(read=not current.read)
            self.save_flag([current.id], "read", not current.read)

    def action_toggle_star(self) -> None:
        current = self.headlines.current
        if current is not None:
            self.headlines.update_current(starred=not current.starred)
            self.save_flag([current.id], "starred", not current.starred)

    async def action_reply(self) -> None:
        article = self.reader.article
        if article is None:
            self.notify("Open an article first (enter), then r to reply", timeout=3)
            return
        (await self.ensure_composer()).reply_to(article)

    def action_drafts(self) -> None:
        from termnews.screens.drafts import DraftsScreen

        composer = self.composer
        settle = composer.prepare_flush() if composer is not None else (lambda: None)
        self.app.push_screen(
            DraftsScreen(self.session.store, settle=settle, specs=self.session.specs), self._drafts_closed
        )

    async def _drafts_closed(self, result: DraftsResult | None) -> None:
        from termnews.drafts import ArticleRef

        composer = self.composer
        if composer is not None:
            composer.reread_open_draft()  # the screen may have sent it
        if result is None:
            return
        if result.deleted:
            if composer is not None:
                composer.forget(result.deleted)
            self.headlines.reload()
        if result.open is not None:
            (await self.ensure_composer()).open_draft_id(result.open.id)
            if self.reader.article is None or self.reader.article.id != result.open.article_id:
                self.show_article(ArticleRef.of_draft(result.open))
