"""Refreshing from the app: in the background, with the cursor kept on its article."""

from __future__ import annotations

import socket
from pathlib import Path

from app_support import SEED_COUNT, Notices, make_app, make_home, screen_text, settle
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader


async def test_R_adds_new_headlines_without_moving_the_cursor(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    for n in range(30):  # enough older articles that the list scrolls
        (tmp_path / "seeds" / f"old-{n:02d}.md").write_text(
            f"---\ntitle: Old story {n}\ndate: 2001-01-{n + 1:02d}\n---\nOld.\n"
        )
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.press(*["j"] * 25, "enter")
        await settle(app, pilot)
        reading = headlines.current
        screen_row = headlines.cursor - int(headlines.scroll_y)
        # Two newer articles arrive in the source folder.
        for n in (1, 2):
            (tmp_path / "seeds" / f"new-{n}.md").write_text(
                f"---\ntitle: Fresh story {n}\ndate: 2030-01-0{n}\n---\nBody {n}.\n"
            )
        await pilot.press("R")
        await settle(app, pilot)
        assert headlines.total == SEED_COUNT + 32
        assert headlines.current.id == reading.id
        assert headlines.scroll_y > 0
        assert headlines.cursor - int(headlines.scroll_y) == screen_row
        assert app.screen.query_one(Reader).article.id == reading.id
        assert "refreshed: 2 new" in screen_text(app)


async def test_failing_source_keeps_cached_articles_and_says_why(tmp_path: Path) -> None:
    home = make_home(
        tmp_path, '\n[[sources]]\nname = "gone"\nkind = "local"\nlocation = "/nonexistent/folder"\n'
    )
    app = make_app(home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        messages = [n.message for n in notices]
        assert any(m.startswith("gone: ") and "not a folder" in m for m in messages)
        assert app.screen.query_one(HeadlineList).total == SEED_COUNT
        assert "1 failed" in screen_text(app)


async def test_ctrl_r_refreshes_only_the_source_under_the_cursor(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_text("---\ntitle: Other story\ndate: 2001-01-01\n---\nOld.\n")
    home = make_home(tmp_path, f'\n[[sources]]\nname = "other"\nkind = "local"\nlocation = "{other}"\n')
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        (tmp_path / "seeds" / "new.md").write_text("---\ntitle: Fresh seed\ndate: 2030-01-01\n---\nNew.\n")
        (other / "b.md").write_text("---\ntitle: Fresh other\ndate: 2030-01-02\n---\nNew.\n")
        await pilot.press("ctrl+r")  # the cursor is on the newest seed
        await settle(app, pilot)
        text = screen_text(app)
        assert "Fresh seed" in text and "Fresh other" not in text
        assert "refreshed: 1 new" in text


NOTE = "---\ntitle: A note added since\ndate: 2031-01-01\n---\nWords.\n"


async def test_a_first_start_reads_the_local_folders_at_once(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one(HeadlineList).total == SEED_COUNT


async def cached_home(tmp_path: Path) -> Path:
    """A profile that has been opened once: its cache holds the seeds."""
    home = make_home(tmp_path)
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
    return home


async def wait_until(app, pilot, done) -> None:
    """Let time pass (and workers finish) until `done()`, for up to about five seconds."""
    for _ in range(100):
        if done():
            break
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
    await settle(app, pilot)


async def test_with_articles_cached_the_local_folders_are_read_a_moment_after_the_first_paint(
    tmp_path: Path, monkeypatch
) -> None:
    """The cached list is shown at once; the folders are read when the start has settled."""
    from termnews.screens.main_refresh import RefreshActions

    home = await cached_home(tmp_path)
    (tmp_path / "seeds" / "note.md").write_text(NOTE)

    monkeypatch.setattr(RefreshActions, "START_REFRESH_DELAY", 60.0)
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one(HeadlineList).total == SEED_COUNT  # not read yet
        assert "A note added since" not in screen_text(app)

    monkeypatch.setattr(RefreshActions, "START_REFRESH_DELAY", 0.2)
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(app, pilot, lambda: app.screen.query_one(HeadlineList).total == SEED_COUNT + 1)
        assert "A note added since" in screen_text(app)


async def test_a_start_up_read_that_finds_every_folder_as_it_was_leaves_the_list_as_it_is(
    tmp_path: Path, monkeypatch
) -> None:
    """Re-reading the list would redraw every row (a flash of placeholders under the keys)."""
    from termnews.screens.main_refresh import RefreshActions

    home = await cached_home(tmp_path)
    monkeypatch.setattr(RefreshActions, "START_REFRESH_DELAY", 0.1)
    messages: list[object] = []  # each once, though the hook sees it at every widget it bubbles to

    def hook(message) -> None:
        watched = (HeadlineList.Reloaded, RefreshActions.CheapSourcesRefreshed)
        if isinstance(message, watched) and not any(m is message for m in messages):
            messages.append(message)

    app = make_app(home)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await wait_until(
            app, pilot, lambda: any(isinstance(m, RefreshActions.CheapSourcesRefreshed) for m in messages)
        )
    seen = [type(m).__name__ for m in messages]
    assert seen == ["Reloaded", "CheapSourcesRefreshed"]  # the opening read, then none


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connecting is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_refreshing_offline_says_so_once_not_once_per_source(tmp_path: Path) -> None:
    port = closed_port()
    feeds = "".join(
        f'\n[[sources]]\nname = "feed-{n:02d}"\nkind = "feed"\nlocation = "http://127.0.0.1:{port}/{n}.xml"\n'
        for n in range(12)
    )
    app = make_app(make_home(tmp_path, feeds))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        failures = [n for n in notices if n.severity == "error"]
        assert len(failures) == 1, [n.message for n in failures]
        assert failures[0].message.startswith("12 sources failed: could not connect")
        assert "feed-00, feed-01, feed-02 and 9 more" in failures[0].message
        assert "12 failed" in screen_text(app)
        await pilot.press("1")
        await settle(app, pilot)
        assert screen_text(app).count("✗") == 12


async def test_a_folder_warning_is_told_once_not_at_every_start(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    (tmp_path / "seeds" / "blob.md").write_bytes(b"# Looks like markdown\n\x00\x01\x02\xff" * 50)
    told = []
    for _ in range(2):  # two starts of the app, the folder as it was
        notices = Notices()
        app = make_app(home)
        async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
            for _ in range(20):  # the folders are read a moment after the first paint
                await settle(app, pilot)
                await pilot.pause(0.1)
                if "reading local sources" not in screen_text(app) and app.screen.last_outcomes:
                    break
        told.append([n.message for n in notices if "blob.md" in n.message])
    assert len(told[0]) == 1 and told[1] == []
