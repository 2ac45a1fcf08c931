"""Sync with a real Miniflux, through its REST API (`miniflux`) and its Google Reader API (`greader`).

Every test gets its own Miniflux user (tests/miniflux_server.py) and homes in
its temporary folder; feeds for Miniflux to fetch come from tests/feedserver.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feedserver import FeedServer, simple_rss
from miniflux_server import CuttingProxy, Miniflux, User
from termnews import hosts
from termnews.session import Session
from termnews.store import View

KINDS = ["miniflux", "greader"]


def server_config(kind: str, user: User, folder: Path, url: str | None = None, extra: str = "") -> str:
    """A `[[sources]]` table for the user; the secret sits in a file a command prints."""
    secret = folder / f"{kind}-secret"
    secret.write_text(user.token if kind == "miniflux" else user.greader_password)
    auth = (
        f'token_command = "cat {secret}"'
        if kind == "miniflux"
        else f'username = "{user.username}"\npassword_command = "cat {secret}"'
    )
    return f'[[sources]]\nname = "home"\nkind = "{kind}"\nurl = "{url or user.base}"\n{auth}\n{extra}'


def make_home(tmp_path: Path, name: str, kind: str, user: User, **kw: str) -> Path:
    home = tmp_path / name
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        "[general]\nseeds = false\n\n" + server_config(kind, user, tmp_path, **kw)
    )
    return home


def sync(home: Path) -> list:
    session = Session.open(str(home))
    try:
        return session.refresh(session.specs())
    finally:
        session.close()


def titles_and_flags(home: Path) -> dict[str, tuple[bool, bool]]:
    session = Session.open(str(home))
    try:
        return {h.title: (h.read, h.starred) for h in session.store.headlines(View(), 0, 10_000)}
    finally:
        session.close()


def set_flag(home: Path, title: str, flag: str, value: bool) -> None:
    session = Session.open(str(home))
    try:
        found = [h.id for h in session.store.headlines(View(), 0, 10_000) if h.title == title]
        assert found, title
        session.store.set_flag(found, flag, value)  # type: ignore[arg-type]
    finally:
        session.close()


def queued(home: Path) -> int:
    session = Session.open(str(home))
    try:
        return session.store.sync_queue().queued_total()
    finally:
        session.close()


def server_entry(user: User, title: str) -> dict:
    return next(e for e in user.entries() if e["title"] == title)


@pytest.fixture
def feeds():
    with FeedServer() as running:
        yield running


@pytest.fixture
def user(miniflux: Miniflux) -> User:
    return miniflux.new_user()


def subscribed(user: User, feeds: FeedServer, n: int = 3, path: str = "/a.xml", prefix: str = "Story") -> int:
    feeds.feed(path, simple_rss(n, prefix))
    return user.subscribe(feeds.url(path), category="News")


def run_cli(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "termnews", "--home", str(home), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.mark.parametrize("kind", KINDS)
def test_subscribe_through_termnews_then_sync_and_read(kind, tmp_path, user, feeds, subprocess_env) -> None:
    feeds.feed("/news.xml", simple_rss(4))
    home = make_home(tmp_path, "a", kind, user)
    added = run_cli(home, subprocess_env, "add", feeds.url("/news.xml"), "--server", "home", "--tag", "News")
    assert added.returncode == 0, added.stderr
    on_server = [f for f in user.feeds() if f["feed_url"] == feeds.url("/news.xml")]
    assert len(on_server) == 1 and on_server[0]["category"]["title"] == "News"

    done = run_cli(home, subprocess_env, "refresh")
    assert done.returncode == 0, done.stderr
    assert "4 new articles" in done.stdout
    assert set(titles_and_flags(home)) == {f"Story {i}" for i in range(4)}
    listing = run_cli(home, subprocess_env, "sources").stdout
    assert kind in listing and "home" in listing and "1 feed" in listing
    assert f"home/{on_server[0]['title']}" in listing and "News" in listing


@pytest.mark.parametrize("kind", KINDS)
def test_read_and_star_here_reach_the_server(kind, tmp_path, user, feeds) -> None:
    subscribed(user, feeds)
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    set_flag(home, "Story 1", "read", True)
    set_flag(home, "Story 2", "starred", True)
    assert queued(home) == 2
    assert [o.error for o in sync(home)] == [None]
    assert queued(home) == 0
    assert server_entry(user, "Story 1")["status"] == "read"
    assert server_entry(user, "Story 2")["starred"] is True
    assert server_entry(user, "Story 0")["status"] == "unread"


@pytest.mark.parametrize("kind", KINDS)
def test_a_change_on_the_server_reaches_here(kind, tmp_path, user, feeds) -> None:
    subscribed(user, feeds)
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    assert titles_and_flags(home)["Story 0"] == (False, False)
    user.set_entries([server_entry(user, "Story 0")["id"]], status="read", starred=True)
    sync(home)
    assert titles_and_flags(home)["Story 0"] == (True, True)
    assert queued(home) == 0  # what came from the server is not sent back


@pytest.mark.parametrize("kind", KINDS)
def test_two_homes_share_read_state_and_an_offline_star_arrives_later(
    kind, tmp_path, user, feeds, miniflux
) -> None:
    subscribed(user, feeds)
    a = make_home(tmp_path, "a", kind, user)
    b = make_home(tmp_path, "b", kind, user)
    sync(a)
    set_flag(a, "Story 1", "read", True)
    sync(a)
    sync(b)
    assert titles_and_flags(b)["Story 1"] == (True, False)

    miniflux.kill()
    try:
        set_flag(b, "Story 2", "starred", True)  # works offline: stored and queued at once
        outcome = sync(b)
        assert outcome[0].error and "cannot reach" in outcome[0].error
        assert queued(b) == 1
        assert titles_and_flags(b)["Story 2"] == (False, True)
    finally:
        miniflux.restart()
    assert [o.error for o in sync(b)] == [None]
    assert queued(b) == 0
    sync(a)
    assert titles_and_flags(a)["Story 2"] == (False, True)


@pytest.mark.parametrize("kind", KINDS)
def test_newer_change_wins_whichever_side_made_it(kind, tmp_path, user, feeds) -> None:
    subscribed(user, feeds)
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    # Here first, the server later: the server's (newer) change wins, nothing flips back.
    set_flag(home, "Story 0", "read", True)
    set_flag(home, "Story 0", "read", False)
    time.sleep(1.5)
    user.set_entries([server_entry(user, "Story 0")["id"]], status="read")
    # The server first, here later: ours wins and is sent.
    user.set_entries([server_entry(user, "Story 1")["id"]], starred=True)
    time.sleep(1.5)
    set_flag(home, "Story 1", "starred", True)
    set_flag(home, "Story 1", "starred", False)
    sync(home)
    flags = titles_and_flags(home)
    assert flags["Story 0"] == (True, False)
    assert server_entry(user, "Story 0")["status"] == "read"
    assert flags["Story 1"] == (False, False)
    assert server_entry(user, "Story 1")["starred"] is False
    assert queued(home) == 0
    sync(home)  # and again: still as settled
    assert titles_and_flags(home)["Story 0"] == (True, False)
    assert titles_and_flags(home)["Story 1"] == (False, False)


@pytest.mark.parametrize("kind", KINDS)
def test_a_deleted_cache_is_rebuilt_from_the_server(kind, tmp_path, user, feeds) -> None:
    subscribed(user, feeds)
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    set_flag(home, "Story 1", "starred", True)
    sync(home)
    before = titles_and_flags(home)
    session = Session.open(str(home))
    cache = session.paths.cache_dir
    session.close()
    shutil.rmtree(cache)  # the cache may be deleted: only downloaded copies go
    assert titles_and_flags(home) == {}
    assert [o.error for o in sync(home)] == [None]
    assert titles_and_flags(home) == before
    assert before["Story 1"] == (False, True)


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_credentials_is_one_clear_error_and_deletes_nothing(
    kind, tmp_path, user, feeds, subprocess_env
) -> None:
    subscribed(user, feeds)
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    set_flag(home, "Story 0", "starred", True)
    (tmp_path / f"{kind}-secret").write_text("not-the-secret")
    done = run_cli(home, subprocess_env, "refresh")
    assert done.returncode == 1
    errors = done.stderr.strip().splitlines()
    assert errors == [f"termnews: home: {user.base} refused the credentials (HTTP 401)"]
    assert len(titles_and_flags(home)) == 3
    assert titles_and_flags(home)["Story 0"] == (False, True)
    assert queued(home) == 1
    listing = run_cli(home, subprocess_env, "sources").stdout
    assert "refused the credentials" in listing and "1 change waiting" in listing


@pytest.mark.parametrize("kind", KINDS)
def test_server_dying_mid_sync_keeps_what_was_stored_and_the_next_sync_resumes(
    kind, tmp_path, user, feeds
) -> None:
    subscribed(user, feeds, n=3)
    proxy = CuttingProxy(user.base)
    try:
        home = make_home(tmp_path, "a", kind, user, url=proxy.url, extra="page_size = 10\n")
        sync(home)
        set_flag(home, "Story 0", "read", True)
        subscribed(user, feeds, n=35, path="/b.xml", prefix="Later")
        pages = "/v1/entries" if kind == "miniflux" else "stream/items/contents"
        # Miniflux: its count of what changed, then three pages asked for at once, in any order;
        # the fourth only once the first is in. Cutting the fourth leaves the first three stored.
        proxy.cut_after(pages, 4 if kind == "miniflux" else 2)
        outcome = sync(home)
        assert outcome[0].error
        stored = titles_and_flags(home)
        # What arrived before the cut stays (at least a page; Miniflux's first
        # repeats the last seconds of the previous sync, the overlap for whole seconds).
        assert 3 + 7 <= len(stored) < 3 + 35
        assert queued(home) == 1  # the queue is kept
        proxy.heal()
        proxy.seen.clear()
        assert [o.error for o in sync(home)] == [None]
        assert len(titles_and_flags(home)) == 3 + 35
        assert queued(home) == 0
        assert server_entry(user, "Story 0")["status"] == "read"
        # Resumed where it stopped: only the pages not yet stored were asked for. From the start it
        # would be 4 pages (and for Miniflux, its count before them and the push after).
        from_start = 6 if kind == "miniflux" else 4
        assert sum(pages in p for p in proxy.seen) < from_start
        assert max(proxy.sizes) <= 10  # never more than a page at once
    finally:
        proxy.close()


def test_a_first_miniflux_sync_comes_in_ranges_of_ids_and_resumes_after_a_cut(
    tmp_path, user, feeds, subprocess_env
) -> None:
    subscribed(user, feeds, n=35)
    proxy = CuttingProxy(user.base)
    try:
        home = make_home(tmp_path, "a", "miniflux", user, url=proxy.url, extra="page_size = 10\n")
        # Three ranges are asked for at once, in any order; the fourth only once the first is in.
        # Cutting the fourth leaves the first three stored, whatever order they came in.
        proxy.cut_after("/v1/entries?", 3)
        [outcome] = sync(home)
        assert outcome.error
        assert 0 < len(titles_and_flags(home)) < 35
        proxy.heal()
        proxy.seen.clear()
        done = run_cli(home, subprocess_env, "refresh")  # its own process: workers forked
        assert done.returncode == 0, done.stderr
        assert len(titles_and_flags(home)) == 35
        pages = [p for p in proxy.seen if p.startswith("/v1/entries?")]
        # Ranges of ids (all closed but the last), each asked for once: from the start there would be 4.
        assert sum("before_entry_id" not in p for p in pages) == 1
        assert len(pages) == len(set(pages)) < 4
        assert max(proxy.sizes) <= 10
    finally:
        proxy.close()


def test_a_miniflux_that_cannot_list_ids_is_paged_by_offset(tmp_path, user, feeds) -> None:
    subscribed(user, feeds, n=25)
    proxy = CuttingProxy(user.base)
    try:
        home = make_home(tmp_path, "a", "miniflux", user, url=proxy.url, extra="page_size = 10\n")
        proxy.answer("GET", "/v1/entries/ids", 400)  # before Miniflux 2.3.2: "invalid entry ID"
        [outcome] = sync(home)
        assert outcome.error is None
        assert len(titles_and_flags(home)) == 25
        assert any(p.startswith("/v1/entries/ids") for p in proxy.seen)
        pages = [p for p in proxy.seen if p.startswith("/v1/entries?") and "changed_at" not in p]
        assert len(pages) == 3 and all("offset=" in p for p in pages)
    finally:
        proxy.close()


async def test_app_starts_offline_shows_the_waiting_queue_and_server_feeds(
    tmp_path, user, feeds, miniflux
) -> None:
    from app_support import make_app, screen_text, settle

    subscribed(user, feeds)
    home = make_home(tmp_path, "a", "miniflux", user)
    sync(home)
    miniflux.kill()
    try:
        set_flag(home, "Story 1", "starred", True)
        app = make_app(home)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app, pilot)
            text = screen_text(app)
            assert "Story 1" in text and "Story 2" in text
            assert "1 change waiting for the server" in text
            await pilot.press("R")  # refresh all: the sync fails, the app goes on
            await settle(app, pilot)
            text = screen_text(app)
            assert "1 failed" in text and "1 change waiting for the server" in text
            await pilot.press("1")  # the sources pane: the server, its feed under it, its category
            await settle(app, pilot)
            lines = screen_text(app).splitlines()
            server = next(i for i, line in enumerate(lines) if re.search(r"✗ home +3/3", line))  # ✗: failed
            assert re.search(r"  Test feed  News +3/3", lines[server + 1])
    finally:
        miniflux.restart()
    assert queued(home) == 1


async def test_refreshing_the_source_of_a_servers_article_syncs_the_server(tmp_path, user, feeds) -> None:
    from app_support import Notices, make_app, screen_text, settle

    feed_id = subscribed(user, feeds, n=3)
    home = make_home(tmp_path, "a", "miniflux", user)
    sync(home)
    feeds.feed("/a.xml", simple_rss(4))  # a new entry, fetched by the server
    user.refresh(feed_id)
    app = make_app(home)
    notices = Notices()
    async with app.run_test(size=(120, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        assert "Story 3" not in screen_text(app)
        await pilot.press("ctrl+r")  # the cursor is on one of the server's articles
        await settle(app, pilot)
        assert "Story 3" in screen_text(app)
        assert "refreshed: 1 new" in screen_text(app)
    assert not any("No source" in m for m in notices.messages), notices.messages


async def test_choosing_the_server_in_the_sources_pane_shows_all_its_feeds_articles(
    tmp_path, user, feeds
) -> None:
    from app_support import choose_view, make_app, screen_text, settle

    subscribed(user, feeds, n=3)
    subscribed(user, feeds, n=2, path="/b.xml", prefix="Later")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "note.md").write_text("# A local note\n\nNot from the server.\n")
    local = f'\n[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{notes}"\n'
    home = make_home(tmp_path, "a", "miniflux", user, extra=local)
    sync(home)
    set_flag(home, "Later 1", "read", True)
    app = make_app(home)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await choose_view(pilot, "home")
        text = screen_text(app)
        for title in ("Story 0", "Story 1", "Story 2", "Later 0", "Later 1"):
            assert title in text
        assert "A local note" not in text
        assert "home  4 unread / 5" in text  # the status line counts the server's articles
        await pilot.press("1")
        await settle(app, pilot)
        assert re.search(r"home +4/5", screen_text(app))


@pytest.mark.parametrize("kind", KINDS)
def test_import_rename_and_remove_act_on_the_server(kind, tmp_path, user, feeds, subprocess_env) -> None:
    for name in ("One", "Two"):
        body = simple_rss(2, name).replace(
            b"<title>Test feed</title>", f"<title>Feed {name}</title>".encode(), 1
        )
        feeds.feed(f"/{name.lower()}.xml", body)
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="Tech">'
        f'<outline type="rss" text="one" xmlUrl="{feeds.url("/one.xml")}"/>'
        f'<outline type="rss" text="two" xmlUrl="{feeds.url("/two.xml")}"/>'
        "</outline></body></opml>"
    )
    home = make_home(tmp_path, "a", kind, user)
    done = run_cli(home, subprocess_env, "import-opml", str(opml), "--server", "home")
    assert done.returncode == 0 and "subscribed 2 feeds on home" in done.stdout, done.stderr
    assert sorted(f["feed_url"] for f in user.feeds()) == [feeds.url("/one.xml"), feeds.url("/two.xml")]
    assert {f["category"]["title"] for f in user.feeds()} == {"Tech"}
    assert run_cli(home, subprocess_env, "refresh").returncode == 0
    assert len(titles_and_flags(home)) == 4
    first, second = sorted(user.feeds(), key=lambda f: f["id"])

    done = run_cli(home, subprocess_env, "rename", f"home/{first['title']}", "Renamed")
    assert done.returncode == 0, done.stderr
    assert {f["id"]: f["title"] for f in user.feeds()}[first["id"]] == "Renamed"
    done = run_cli(home, subprocess_env, "remove", f"home/{second['title']}")
    assert done.returncode == 0, done.stderr
    assert [f["id"] for f in user.feeds()] == [first["id"]]
    assert sorted(titles_and_flags(home)) == ["One 0", "One 1"]
    listing = run_cli(home, subprocess_env, "sources").stdout
    assert "home/Renamed" in listing and second["title"] not in listing
    wrong = run_cli(home, subprocess_env, "add", feeds.url("/two.xml"), "--server", "nowhere")
    assert wrong.returncode == 2 and wrong.stderr.startswith("termnews: no feed server named 'nowhere'")


@pytest.mark.parametrize("kind", KINDS)
def test_a_feed_removed_on_the_server_leaves_only_starred_articles(kind, tmp_path, user, feeds) -> None:
    subscribed(user, feeds, n=2)
    gone = subscribed(user, feeds, n=3, path="/gone.xml", prefix="Gone")
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    set_flag(home, "Gone 1", "starred", True)
    with user.api() as client:
        client.delete(f"/v1/feeds/{gone}").raise_for_status()
    assert [o.error for o in sync(home)] == [None]
    assert sorted(titles_and_flags(home)) == ["Gone 1", "Story 0", "Story 1"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_servers_keep_applies_to_its_feeds_starred_and_drafted_stay(
    kind, tmp_path, user, feeds, subprocess_env
) -> None:
    subscribed(user, feeds, n=4)
    subscribed(user, feeds, n=3, path="/b.xml", prefix="Later")
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    set_flag(home, "Story 0", "starred", True)
    session = Session.open(str(home))
    try:
        [later0] = [h for h in session.store.headlines(View(), 0, 100) if h.title == "Later 0"]
        session.store.create_draft(
            article_id=later0.id, article_title=later0.title, article_link=None, article_source=later0.source
        )
    finally:
        session.close()
    config = home / "config" / "config.toml"
    config.write_text(config.read_text() + "keep = 1\n")
    done = run_cli(home, subprocess_env, "cache", "clean")
    assert done.returncode == 0 and "removed 3 articles" in done.stdout, done.stdout
    # Each feed keeps its newest; the starred and the drafted stay.
    assert sorted(titles_and_flags(home)) == ["Later 0", "Later 2", "Story 0", "Story 3"]
    config.write_text(config.read_text().replace("keep = 1\n", 'keep = "1d"\n'))
    sync(home)  # a sync applies the keep rules too: every entry here is years old
    assert sorted(titles_and_flags(home)) == ["Later 0", "Story 0"]


def test_a_wordpress_post_read_through_miniflux_can_be_answered(tmp_path, user, request) -> None:
    from termnews.drafts import ArticleRef, DraftEditor, DraftFields
    from termnews.outbox import Outbox

    site = request.getfixturevalue("wordpress")
    post = site.create_post(f"Through Miniflux {time.monotonic_ns()}")
    user.subscribe(f"{site.url}/?feed=rss2")
    home = make_home(tmp_path, "a", "miniflux", user)
    assert [o.error for o in sync(home)] == [None]
    session = Session.open(str(home))
    try:
        [headline] = [h for h in session.store.headlines(View(), 0, 100) if h.title.startswith("Through")]
        article = ArticleRef(headline.id, headline.title, headline.link, headline.source)
        editor = DraftEditor(session.store, article)
        text = f"A reply from termnews via Miniflux ({time.monotonic_ns()})"
        editor.stage(DraftFields(text, "Test Reader", "reader@example.org", ""))
        editor.flush("ready")
        [report] = Outbox(session.store).send_all()
    finally:
        session.close()
    assert report.state == "sent", report
    assert [c["content"] for c in site.comments(post)] == [text]


def fake_miniflux_home(tmp_path: Path, feeds: FeedServer) -> Path:
    """A home syncing with `feeds` as if it were a Miniflux (its answers set per test)."""
    home = tmp_path / "a"
    (home / "config").mkdir(parents=True)
    (tmp_path / "token").write_text("t")
    (home / "config" / "config.toml").write_text(
        '[general]\nseeds = false\n[[sources]]\nname = "home"\nkind = "miniflux"\n'
        f'url = "{feeds.url("")}"\ntoken_command = "cat {tmp_path / "token"}"\n'
    )
    return home


@pytest.mark.parametrize("body", [b'{"not": "a list"}', b"[1, 2]", b"<html>a login page</html>"])
def test_an_answer_not_shaped_like_miniflux_is_one_error(tmp_path, feeds, body) -> None:
    feeds.feed("/v1/feeds", body, "application/json")
    [outcome] = sync(fake_miniflux_home(tmp_path, feeds))
    assert outcome.error and "\n" not in outcome.error
    assert "not understood" in outcome.error or "not JSON" in outcome.error


# -- pushes the server refuses ----------------------------------------------------------------

#: An entry id no Miniflux can take (beyond a 64-bit integer): both its APIs answer 400.
UNTAKEABLE = "99999999999999999999"


def plant_untakeable_entry(home: Path, title: str = "Deleted upstream") -> str:
    """An article the server once listed under an id it now refuses (as a server that
    dropped or renumbered an entry would); returns its article id."""
    from termnews.models import ArticleData, SourceSpec

    session = Session.open(str(home))
    try:
        [server] = session.specs()
        feed = SourceSpec("Old feed", server.kind, f"{server.location}#old", {"server": server.name})
        session.store.store_articles(feed, [ArticleData(title=title, body="", guid="old-1")])
        [aid] = [h.id for h in session.store.headlines(View(), 0, 10_000) if h.title == title]
        session.store.sync_queue().apply_page(server.source_id, [(UNTAKEABLE, aid, "old")], [], None, 0.0)
        return aid
    finally:
        session.close()


@pytest.mark.parametrize("kind", KINDS)
def test_a_change_the_server_refuses_leaves_the_queue_with_a_report_and_the_rest_is_sent(
    kind, tmp_path, user, feeds, subprocess_env
) -> None:
    subscribed(user, feeds)
    home = make_home(tmp_path, "a", kind, user)
    sync(home)
    plant_untakeable_entry(home)
    set_flag(home, "Story 1", "starred", True)
    set_flag(home, "Deleted upstream", "starred", True)  # one batch with Story 1's star
    set_flag(home, "Story 2", "read", True)
    assert queued(home) == 3
    [outcome] = sync(home)
    assert outcome.error is None
    [warning] = outcome.warnings
    assert "refused" in warning and "star 'Deleted upstream'" in warning and "HTTP 400" in warning
    assert queued(home) == 0  # not retried at every sync
    assert server_entry(user, "Story 1")["starred"] is True  # the rest of its batch was sent
    assert server_entry(user, "Story 2")["status"] == "read"
    assert titles_and_flags(home)["Deleted upstream"] == (False, True)  # the star stays here
    [again] = sync(home)
    assert again.error is None and again.warnings == ()
    listing = run_cli(home, subprocess_env, "sources")
    assert "1 change refused by the server" in listing.stdout
    assert "star 'Deleted upstream'" in listing.stdout and "HTTP 400" in listing.stdout
    [row] = [
        json.loads(line) for line in run_cli(home, subprocess_env, "sources", "--json").stdout.splitlines()
    ]
    [refused] = row["server"]["refused"]
    assert (refused["title"], refused["flag"], refused["value"]) == ("Deleted upstream", "starred", True)
    assert "HTTP 400" in refused["reason"]


@pytest.mark.parametrize(
    ("status", "kept"), [(403, True), (429, True), (500, True), (503, True), (404, False), (410, False)]
)
def test_only_a_lasting_refusal_drops_a_change_credentials_waits_and_server_errors_keep_it(
    status, kept, tmp_path, user, feeds
) -> None:
    subscribed(user, feeds)
    proxy = CuttingProxy(user.base)
    try:
        home = make_home(tmp_path, "a", "miniflux", user, url=proxy.url)
        sync(home)
        set_flag(home, "Story 1", "read", True)
        proxy.answer("PUT", "/v1/entries", status)
        [outcome] = sync(home)
        assert queued(home) == (1 if kept else 0)
        assert bool(outcome.error) is kept
        assert bool(outcome.warnings) is not kept
        proxy.heal()
        [outcome] = sync(home)
        assert outcome.error is None and queued(home) == 0
        assert server_entry(user, "Story 1")["status"] == ("read" if kept else "unread")
    finally:
        proxy.close()


@pytest.mark.parametrize(
    "body",
    [
        b'{"total": 1, "entries": [{"id": "one", "feed_id": 1}]}',
        b'{"total": 1, "entries": [{"feed_id": 1, "title": "no id"}]}',
        b'{"total": 1, "entries": {"id": 1}}',
        b"<html>a login page</html>",
    ],
)
def test_a_page_of_entries_not_shaped_like_miniflux_is_one_error(tmp_path, feeds, body) -> None:
    feeds.feed("/v1/feeds", b'[{"id": 1, "title": "A feed", "feed_url": "http://x/f"}]', "application/json")
    feeds.feed("/v1/entries", body, "application/json")
    [outcome] = sync(fake_miniflux_home(tmp_path, feeds))
    assert outcome.error and "\n" not in outcome.error
    assert "not understood" in outcome.error or "not JSON" in outcome.error, outcome.error


def test_a_server_on_this_machine_is_asked_for_answers_uncompressed(tmp_path, feeds, monkeypatch) -> None:
    """Over loopback compressing buys nothing and costs both ends; elsewhere gzip is asked for."""
    feeds.feed("/v1/feeds", b"[]", "application/json")
    feeds.feed("/v1/entries", b'{"total": 0, "entries": []}', "application/json")
    home = fake_miniflux_home(tmp_path, feeds)
    [outcome] = sync(home)
    assert outcome.error is None
    assert feeds.requests("/v1/feeds")[-1].headers["accept-encoding"] == "identity"
    monkeypatch.setattr(hosts, "TEST_PUBLIC_ADDRESSES", {"127.0.0.1"})  # as if it were elsewhere
    sync(home)
    assert "gzip" in feeds.requests("/v1/feeds")[-1].headers["accept-encoding"]
