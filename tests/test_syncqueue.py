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


def flags(store: Store, article: str) -> tuple[bool, bool]:
    rows = (
        store.sync_queue()
        .conn.execute("SELECT read, starred FROM state.flags WHERE article_id = ?", (article,))
        .fetchall()
    )
    return (bool(rows[0][0]), bool(rows[0][1])) if rows else (False, False)


def test_a_page_applies_its_flags_in_order_each_against_the_ones_before(store: Store) -> None:
    """An entry may come twice in a page (a state list, then the entry itself): the later
    state is applied over the earlier one, and a queued change settled by the first is gone."""
    queue = store.sync_queue()
    queue.apply_page(SERVER, [(str(n), f"article-{n}", "feed/1") for n in range(3)], [], None, 0.0)
    store.set_flag(["article-1"], "starred", True)  # queued here, then changed later on the server
    local = queue.queued(SERVER)[0].changed
    updates = [
        FlagUpdate("0", read=True, starred=True),
        FlagUpdate("1", read=False, starred=False, changed=local + 60),
        FlagUpdate("2", read=True, starred=False),
        FlagUpdate("0", read=False, starred=True),  # the same entry again: this state wins
        FlagUpdate("1", read=True, starred=True, changed=local + 120),  # moved again, after ours
        FlagUpdate("9", read=True, starred=True),  # not an entry we have: nothing happens
    ]
    changed = queue.apply_page(SERVER, [], updates, None, 0.0)
    assert [flags(store, f"article-{n}") for n in range(3)] == [(False, True), (True, True), (True, False)]
    assert queue.queued(SERVER) == []
    assert changed == 5
    known = queue.conn.execute(
        "SELECT remote_id, srv_read, srv_starred FROM state.sync_items ORDER BY remote_id"
    ).fetchall()
    assert known == [("0", 0, 1), ("1", 1, 1), ("2", 1, 0)]


def test_forget_refused_empties_the_list_and_keeps_the_flags(store: Store) -> None:
    article = known_entry(store)
    store.set_flag([article], "starred", True)
    queue = store.sync_queue()
    queue.refuse(SERVER, queue.queued(SERVER), "HTTP 400: no such entry", 1000.0)
    assert [r.remote_id for r in queue.refused(SERVER)] == ["7"]
    assert queue.forget_refused(SERVER) == 1
    assert queue.refused(SERVER) == [] and queue.status(SERVER).refused == 0
    assert starred(store, article)
