"""The schema of both files, as migrations keyed by `PRAGMA user_version`.

Migration N brings a file from version N-1 to N; each runs on a connection to
its own file (see `db.migrate`), so the statements name tables unqualified.
"""

from __future__ import annotations

from collections.abc import Sequence

#: cache.sqlite: disposable, rebuilt from the sources.
CACHE_MIGRATIONS: Sequence[str] = (
    """
    CREATE TABLE articles (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source_id TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        body BLOB NOT NULL,
        body_format TEXT NOT NULL,
        link TEXT,
        author TEXT,
        published REAL,
        sort_key REAL NOT NULL,
        enclosures TEXT NOT NULL DEFAULT '',
        comments_url TEXT
    );
    CREATE INDEX articles_by_time ON articles (sort_key DESC, rowid DESC);
    CREATE INDEX articles_by_source ON articles (source_id, sort_key DESC, rowid DESC);
    CREATE VIRTUAL TABLE articles_fts USING fts5 (title, body, content='');
    CREATE TABLE source_state (
        source_id TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        last_refresh REAL,
        last_error TEXT
    );
    """,
    # 2: the entry's guid (a WordPress post id lives there: `?p=ID`), and
    # comment feeds fetched on demand: validators and the comments, as JSON.
    """
    ALTER TABLE articles ADD COLUMN guid TEXT;
    CREATE TABLE comment_feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,
        fetched REAL NOT NULL,
        last_error TEXT,
        comments TEXT NOT NULL DEFAULT '[]'
    );
    """,
    # 3: what the last fetch skipped, one warning a line (a FIFO, a link out
    # of a local folder), shown beside the source like its error.
    """
    ALTER TABLE source_state ADD COLUMN warnings TEXT NOT NULL DEFAULT '';
    """,
    # 4: politeness and endings. When a source may next be fetched (the
    # feed's <ttl>, the server's max-age), when it answered 410 Gone, the
    # location in force after a permanent redirect held, and the one being
    # watched; hosts that asked to wait (429/503 and Retry-After).
    """
    ALTER TABLE source_state ADD COLUMN interval REAL;
    ALTER TABLE source_state ADD COLUMN next_due REAL;
    ALTER TABLE source_state ADD COLUMN gone REAL;
    ALTER TABLE source_state ADD COLUMN location TEXT;
    ALTER TABLE source_state ADD COLUMN moved_to TEXT;
    ALTER TABLE source_state ADD COLUMN moved_seen INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE host_waits (
        host TEXT PRIMARY KEY,
        until REAL NOT NULL,
        failures INTEGER NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # 5: the whole story. An article's page, extracted (or why not), beside
    # the feed's text, and its own search index (which keeps its text, so an
    # article's deletion takes its full text with it, by a trigger).
    """
    CREATE TABLE full_texts (
        article_rowid INTEGER PRIMARY KEY,
        fetched REAL NOT NULL,
        body BLOB,
        error TEXT
    );
    CREATE VIRTUAL TABLE full_text_fts USING fts5 (body);
    CREATE TRIGGER full_text_gone AFTER DELETE ON articles BEGIN
        DELETE FROM full_texts WHERE article_rowid = old.rowid;
        DELETE FROM full_text_fts WHERE rowid = old.rowid;
    END;
    """,
    # 6: the search index keyed by time (`search_index.time_key`), built after
    # the articles are stored (a NULL `fts_key`: not indexed yet), with a prefix
    # index for two and three letters. The old index is dropped and rebuilt.
    # The key's index carries the time too: a search reads a window's times
    # from it, never from the rows (whose bodies lie before `sort_key`).
    """
    DROP TABLE articles_fts;
    CREATE VIRTUAL TABLE articles_fts USING fts5 (title, body, content='', prefix='2 3');
    ALTER TABLE articles ADD COLUMN fts_key INTEGER;
    CREATE INDEX articles_by_fts_key ON articles (fts_key, sort_key);
    """,
)

_DRAFT_COLUMNS = (
    "id, article_id, article_title, article_link, article_source, parent_comment, comment, name,"
    " email, website, state, created, updated, version, send_error, send_after, send_started,"
    " sent_at, remote_id, remote_url, attempts"
)

#: state.sqlite: the person's own data, never deleted by termnews.
STATE_MIGRATIONS: Sequence[str] = (
    """
    CREATE TABLE flags (
        article_id TEXT PRIMARY KEY,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        changed REAL NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL,
        article_title TEXT NOT NULL,
        article_link TEXT,
        article_source TEXT NOT NULL,
        parent_comment TEXT,
        comment TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'draft',
        created REAL NOT NULL,
        updated REAL NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX drafts_by_article ON drafts (article_id, updated DESC);
    CREATE TABLE subscriptions (
        name TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        location TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        tags TEXT NOT NULL DEFAULT '',
        added REAL NOT NULL
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the outbox. What the last attempt to send a draft came to (the
    # site's words), when it may be tried again (429), when the attempt in
    # flight started, when it was sent, and the site's id and URL for it.
    """
    ALTER TABLE drafts ADD COLUMN send_error TEXT;
    ALTER TABLE drafts ADD COLUMN send_after REAL;
    ALTER TABLE drafts ADD COLUMN send_started REAL;
    ALTER TABLE drafts ADD COLUMN sent_at REAL;
    ALTER TABLE drafts ADD COLUMN remote_id TEXT;
    ALTER TABLE drafts ADD COLUMN remote_url TEXT;
    ALTER TABLE drafts ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    """,
    # 3: a draft id is never given out twice (AUTOINCREMENT), so a reference to
    # a deleted draft can never land on a newer one. SQLite cannot add it to a
    # table in place: every row is copied into the new table, ids and all.
    f"""
    CREATE TABLE drafts_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL,
        article_title TEXT NOT NULL,
        article_link TEXT,
        article_source TEXT NOT NULL,
        parent_comment TEXT,
        comment TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'draft',
        created REAL NOT NULL,
        updated REAL NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        send_error TEXT,
        send_after REAL,
        send_started REAL,
        sent_at REAL,
        remote_id TEXT,
        remote_url TEXT,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO drafts_new ({_DRAFT_COLUMNS}) SELECT {_DRAFT_COLUMNS} FROM drafts;
    DROP TABLE drafts;
    ALTER TABLE drafts_new RENAME TO drafts;
    CREATE INDEX drafts_by_article ON drafts (article_id, updated DESC);
    """,
    # 4: sync with feed servers (store/sync_queue.py owns these tables).
    """
    CREATE TABLE sync_items (
        source_id TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        article_id TEXT NOT NULL,
        feed_id TEXT NOT NULL,
        srv_read INTEGER NOT NULL DEFAULT 0,
        srv_starred INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (source_id, remote_id)
    ) WITHOUT ROWID;
    CREATE INDEX sync_items_by_article ON sync_items (article_id);
    CREATE TABLE sync_queue (
        seq INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        flag TEXT NOT NULL,
        value INTEGER NOT NULL,
        changed REAL NOT NULL,
        UNIQUE (source_id, remote_id, flag)
    );
    CREATE TABLE sync_feeds (
        source_id TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        title TEXT NOT NULL,
        url TEXT NOT NULL,
        category TEXT,
        PRIMARY KEY (source_id, remote_id)
    ) WITHOUT ROWID;
    CREATE TABLE sync_state (
        source_id TEXT PRIMARY KEY,
        cursor TEXT NOT NULL DEFAULT '{}',
        last_sync REAL,
        last_error TEXT,
        clock_offset REAL NOT NULL DEFAULT 0
    );
    """,
    # 5: the inbox (answers to the person's replies, found in watched threads)
    # and, per thread, the comments shown when it was last opened (what is new).
    """
    CREATE TABLE inbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        comment_id TEXT NOT NULL,
        article_id TEXT NOT NULL,
        article_title TEXT NOT NULL,
        article_link TEXT,
        article_source TEXT NOT NULL,
        draft_id INTEGER,
        author TEXT NOT NULL,
        published REAL,
        text TEXT NOT NULL,
        link TEXT,
        arrived REAL NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        UNIQUE (article_id, comment_id)
    );
    CREATE TABLE thread_visits (
        article_id TEXT PRIMARY KEY,
        opened REAL NOT NULL,
        seen TEXT NOT NULL DEFAULT '[]'
    ) WITHOUT ROWID;
    """,
    # 6: flag changes a feed server refused for good (a 4xx other than credentials):
    # out of the queue, kept here with the server's words (store/sync_queue.py).
    """
    CREATE TABLE sync_refused (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        remote_id TEXT NOT NULL,
        title TEXT,
        flag TEXT NOT NULL,
        value INTEGER NOT NULL,
        changed REAL NOT NULL,
        refused REAL NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE INDEX sync_refused_by_source ON sync_refused (source_id, id);
    """,
)
