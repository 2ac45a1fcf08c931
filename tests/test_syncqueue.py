"""The sync queue and the newer-wins rule, on a real state database (no server needed)."""

from __future__ import annotations

from termnews.store import Store
from termnews.store.sync_queue import FlagUpdate

SERVER = "server-source-id"
HOURS = 3 * 3600


def known_entry(store: Store, remote_id: str = "7", article: str = "article-7") -> str:
    """An entry the server gave us earlier: unread, not starred."""
    store.sync_queue().apply_page(SERVER, [(remote_id, article, "feed/1")], [], None, 0.0)
    return article


def starred(store: Store, article: str) -> bool:
    rows = (
        store.sync_queue()
        .conn.execute("SELECT starred FROM state.flags WHERE article_id = ?", (article,))
        .fetchall()
    )
    return bool(rows and rows[0][0])


def test_a_flag_on_a_server_article_is_queued_in_the_same_write(store: Store) -> None:
    article = known_entry(store)
    store.set_flag([article, "a-local-article"], "starred", True)
    store.set_flag([article], "starred", False)
    store.set_flag([article], "starred", True)
    queued = store.sync_queue().queued(SERVER)
    assert [(c.remote_id, c.flag, c.value) for c in queued] == [("7", "starred", True)]  # one row, the latest


def test_a_server_clock_hours_ahead_does_not_make_an_older_server_change_win(store: Store) -> None:
    article = known_entry(store)
    store.set_flag([article], "starred", True)
    local = store.sync_queue().queued(SERVER)[0].changed
    # The server unstarred it a minute before our star, by its own clock three hours ahead.
    update = FlagUpdate("7", read=True, starred=False, changed=local + HOURS - 60)
    queue = store.sync_queue()
    queue.conn.execute("UPDATE state.sync_items SET srv_starred = 1")  # the server had it starred
    queue.apply_page(SERVER, [], [update], None, clock_offset=HOURS)
    assert starred(store, article)  # ours is newer: kept, and still queued
    assert len(queue.queued(SERVER)) == 1


def test_a_server_clock_hours_behind_does_not_make_a_newer_server_change_lose(store: Store) -> None:
    article = known_entry(store)
    store.set_flag([article], "starred", True)
    local = store.sync_queue().queued(SERVER)[0].changed
    queue = store.sync_queue()
    queue.conn.execute("UPDATE state.sync_items SET srv_starred = 1")
    # The server unstarred it a minute after our star, by its clock three hours behind.
    update = FlagUpdate("7", read=False, starred=False, changed=local - HOURS + 60)
    queue.apply_page(SERVER, [], [update], None, clock_offset=-HOURS)
    assert not starred(store, article)
    assert queue.queued(SERVER) == []
