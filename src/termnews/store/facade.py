"""`Store`: both SQLite files behind one object, each topic served by its own repository.

Callers keep writing `store.headlines(...)`, `store.create_draft(...)`: each
name is bound to the one repository method that does it.
"""

from __future__ import annotations

import time

from termnews.models import View
from termnews.paths import Paths
from termnews.store.articles import ArticleCache, write_rows
from termnews.store.cache_space import CacheSpace
from termnews.store.comment_feeds import CommentFeedCache
from termnews.store.db import Database
from termnews.store.drafts import Drafts
from termnews.store.fetch_state import FetchState, StoredFetch, record
from termnews.store.flags import Flags
from termnews.store.full_text import FullTexts
from termnews.store.headlines import HeadlineQueries
from termnews.store.inbox import Inbox
from termnews.store.outbox import Outbox
from termnews.store.subscriptions import Settings, Subscriptions
from termnews.store.sync_queue import SyncQueue


class Store:
    """All reads and writes of termnews's two SQLite files. Every call is short:
    one page of rows, one transaction; any thread may call (each has its own connection)."""

    def __init__(self, paths: Paths, *, salvage_state: bool = False) -> None:
        self.db = Database(paths, salvage_state=salvage_state)
        self.paths = paths
        self.notices = self.db.notices
        self._bind_cache()
        self._bind_state()

    def _bind_cache(self) -> None:
        """The cache side (disposable): articles, queries, fetch state, full texts, comment feeds."""
        self.articles = articles = ArticleCache(self.db)
        self.store_articles = articles.store_articles
        self.article = articles.article
        self.article_reply_info = articles.article_reply_info
        self.remove_source_articles = articles.remove_source_articles
        self.prune = articles.prune
        self.index_pending = articles.index_pending
        self.queries = queries = HeadlineQueries(self.db)
        self.headlines = queries.headlines
        self.count = queries.count
        self.position = queries.position
        self.article_counts = queries.article_counts
        self.unindexed = queries.unindexed
        self.space = space = CacheSpace(self.db)
        self.source_sizes = space.source_sizes
        self.cache_files_size = space.cache_files_size
        self.compact = space.compact
        fetch_state = FetchState(self.db)
        self.source_status = fetch_state.source_status
        self.source_statuses = fetch_state.source_statuses
        self.record_fetch = fetch_state.record_fetch
        self.forget_source = fetch_state.forget_source
        self.host_waits = fetch_state.host_waits
        self.save_host_waits = fetch_state.save_host_waits
        full_texts = FullTexts(self.db)
        self.full_text = full_texts.full_text
        self.save_full_text = full_texts.save_full_text
        self.without_full_text = full_texts.without_full_text
        comment_feeds = CommentFeedCache(self.db)
        self.comment_feed = comment_feeds.comment_feed
        self.save_comment_feed = comment_feeds.save_comment_feed

    def _bind_state(self) -> None:
        """The state side (precious): flags, subscriptions and settings, drafts, outbox, inbox."""
        self.flags = Flags(self.db)
        self.set_flag = self.flags.set_flag
        subscriptions, settings = Subscriptions(self.db), Settings(self.db)
        self.subscriptions = subscriptions.subscriptions
        self.add_subscription = subscriptions.add_subscription
        self.remove_subscription = subscriptions.remove_subscription
        self.setting = settings.setting
        self.set_setting = settings.set_setting
        drafts = Drafts(self.db)
        self.drafts = drafts.drafts
        self.draft = drafts.draft
        self.create_draft = drafts.create_draft
        self.update_draft = drafts.update_draft
        self.set_draft_state = drafts.set_draft_state
        self.delete_draft = drafts.delete_draft
        outbox = Outbox(self.db)
        self.outbox = outbox.outbox
        self.claim_for_sending = outbox.claim_for_sending
        self.record_send = outbox.record_send
        self.publish_held = outbox.publish_held
        inbox = Inbox(self.db)
        self.add_replies = inbox.add_replies
        self.inbox = inbox.inbox
        self.inbox_item = inbox.inbox_item
        self.inbox_unread = inbox.inbox_unread
        self.mark_inbox_read = inbox.mark_inbox_read
        self.thread_visit = inbox.thread_visit
        self.record_thread_visit = inbox.record_thread_visit

    def store_fetches(self, fetches: list[StoredFetch]) -> list[int]:
        """Store several sources' fetches (their rows, their validators) in one transaction;
        returns how many articles of each are new. The search index follows (`index_pending`)."""
        now = time.time()
        with self.db.transaction() as conn:
            news = []
            for f in fetches:
                news.append(write_rows(conn, f.spec, f.rows, now) if f.rows is not None else 0)
                if f.note is not None:
                    record(conn, f.spec.source_id, f.note)
            return news

    def mark_view_read(self, view: View) -> list[str]:
        """Mark every unread article of a view read; returns their ids (to undo it)."""
        ids = self.queries.ids(view)
        already = self.flags.read_among(ids)
        unread = [aid for aid in ids if aid not in already]
        self.flags.set_flag(unread, "read", True)
        return unread

    def sync_queue(self) -> SyncQueue:
        """The feed servers' sync tables, on this thread's connection."""
        return SyncQueue(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
