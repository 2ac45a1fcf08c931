"""SQLite storage: the only package that writes SQL.

Two files, as DESIGN.md lays out:

- `cache.sqlite` (user cache dir): downloaded articles, their search index,
  the HTTP validators of each source and fetched comment feeds. Disposable:
  rebuilt from the sources.
- `state.sqlite` (user data dir): read and star flags, drafts and the outbox,
  subscriptions added from the app, settings. The user's data: never deleted
  by termnews.

Modules: `db` (connections, migrations), `schema`, `salvage` (damaged
files); cache side `articles`, `search_index`, `headlines` (read-only
queries built by `query_builder`), `fetch_state`, `comment_feeds`,
`cache_space`, `retention`; state side `flags`, `subscriptions`, `drafts`,
`outbox`, `inbox`. `Store` (in `facade`) puts them behind one object.
"""

from __future__ import annotations

from termnews.models import (
    DRAFT_STATES,
    SENT_STATES,
    ArticleReplyInfo,
    CommentFeedState,
    Draft,
    DraftConflict,
    SourceStatus,
    StoreError,
    View,
    ViewFilter,
)
from termnews.store.facade import Store
from termnews.store.headlines import SEARCH_WINDOW, iter_pages
from termnews.store.retention import clean
from termnews.store.schema import CACHE_MIGRATIONS, STATE_MIGRATIONS

__all__ = [
    "CACHE_MIGRATIONS",
    "DRAFT_STATES",
    "SEARCH_WINDOW",
    "SENT_STATES",
    "STATE_MIGRATIONS",
    "ArticleReplyInfo",
    "CommentFeedState",
    "Draft",
    "DraftConflict",
    "SourceStatus",
    "Store",
    "StoreError",
    "View",
    "ViewFilter",
    "clean",
    "iter_pages",
]
