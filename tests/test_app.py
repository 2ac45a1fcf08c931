"""The reader app driven through Pilot: panes, keys, flags that persist."""

from __future__ import annotations

import contextlib
import sqlite3
import stat
import sys
import threading
from pathlib import Path

from textual.widgets import Input

from app_support import (
    SEED_COUNT,
    SEED_TITLE,
    Notices,
    make_app,
    make_home,
    open_article,
    palette,
    screen_text,
    settle,
)
from termnews.screens.help import HelpScreen
from termnews.store import View
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader


async def test_opens_on_seeds_with_three_panes(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        assert headlines.total == SEED_COUNT
        titles = [headlines.row(i).title for i in range(headlines.total)]
        assert SEED_TITLE in titles
        assert headlines.has_focus
        assert app.screen.query_one(Reader).display
        assert not app.screen.query(Composer)  # composed when a reply is first begun


async def test_enter_shows_caption_literally_and_marks_read(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, SEED_TITLE)
        reader = app.screen.query_one(Reader)
        assert reader.article is not None and reader.article.title == SEED_TITLE
        shown = screen_text(app)
        assert "Vladimir Putin [Photo via Getty Images]" in shown
        assert "Leave a Reply" not in shown
        headlines = app.screen.query_one(HeadlineList)
        assert headlines.current.read
        assert app.session.store.article(headlines.current.id).read


async def test_j_k_move_and_m_s_toggle_and_persist(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.press("j", "j")
        assert headlines.cursor == 2
        await pilot.press("k")
        assert headlines.cursor == 1
        await pilot.press("down")
        assert headlines.cursor == 2
        target = headlines.current
        await pilot.press("s", "m")
        await settle(app, pilot)
        assert headlines.current.starred and headlines.current.read
        await pilot.press("q")
    app.session.close()

    again = make_app(home)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        store = again.session.store
        assert store.article(target.id).starred
        assert store.article(target.id).read
        assert store.count(View(filter="starred")) == 1
        assert store.count(View(filter="unread")) == SEED_COUNT - 1
        headlines = again.screen.query_one(HeadlineList)
        await pilot.press("j", "j", "m")
        await settle(again, pilot)
        assert not store.article(target.id).read


async def test_n_opens_next_unread_and_skips_read(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.press("j", "m", "k")  # row 1 read, cursor back on row 0
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert headlines.cursor == 2
        assert app.screen.query_one(Reader).article.id == headlines.current.id
        await pilot.press("N")
        await settle(app, pilot)
        assert headlines.cursor == 0


async def test_n_at_the_bottom_wraps_to_the_first_unread_and_says_so(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.press("G", "m")  # the last row read: every unread article is above the cursor
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert headlines.cursor == 0
        assert app.screen.query_one(Reader).article.id == headlines.current.id
        assert notices.messages[-1] == "Wrapped to the first unread article"


async def test_r_opens_composer_and_escape_closes_it(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("r")  # nothing open yet: only a hint
        assert not app.screen.query(Composer)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("r")
        await pilot.pause()
        composer = app.screen.query_one(Composer)
        assert composer.is_open
        assert "Leave a Reply" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not composer.is_open
        assert app.screen.query_one(HeadlineList).has_focus


async def test_tab_moves_between_panes(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        assert app.screen.query_one(Reader).has_focus
        await pilot.press("shift+tab")
        assert app.screen.query_one(HeadlineList).has_focus


async def test_space_scrolls_the_article(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, SEED_TITLE)
        reader = app.screen.query_one(Reader)
        await pilot.press("tab", "space")
        await pilot.pause(0.3)
        assert reader.scroll_y > 0


async def test_search_replaces_list_until_escape(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.press("slash")
        assert app.screen.query_one("#search", Input).has_focus
        await pilot.press(*"Peskov", "enter")
        await settle(app, pilot)
        assert headlines.total == 1 and headlines.current.title == SEED_TITLE
        assert "Dmitry Peskov told" in screen_text(app)  # the match, shown beside the title
        await pilot.press("escape")
        await settle(app, pilot)
        assert headlines.total == SEED_COUNT


async def test_click_selects_and_opens(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.click(HeadlineList, offset=(10, 3))
        await settle(app, pilot)
        assert headlines.cursor == 3
        assert app.screen.query_one(Reader).article.id == headlines.current.id


async def test_help_lists_bindings_in_force(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
        for words in ("Mark read / unread", "Star / unstar", "Next unread article"):
            assert words in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_o_opens_link_with_argument_list(tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "browser.log"
    browser = tmp_path / "browser"
    browser.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(repr(sys.argv[1:]))\n")
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("BROWSER", str(browser))
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, "Riverside Library reopens after a two-year renovation")
        link = app.screen.query_one(Reader).article.link
        assert link and link.startswith("https://")
        await pilot.press("o")
        for _ in range(50):
            if log.exists():
                break
            await pilot.pause(0.05)
        assert log.read_text() == repr([link])


async def test_markup_in_a_title_is_shown_as_text(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    seeds = tmp_path / "seeds"
    (seeds / "zz_markup.txt").write_text("[bold]Not bold[/] [@click=app.quit]x[/]\n\nbody [/] text\n")
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, "[bold]Not bold[/] [@click=app.quit]x[/]")
        assert app.is_running
        assert "[bold]Not bold[/]" in screen_text(app)


async def test_palette_marks_all_read_in_view(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await palette(pilot, "Mark all read")
        assert app.session.store.count(View(filter="unread")) == 0
        assert app.screen.query_one(HeadlineList).current.read


async def test_f_and_a_number_opens_that_link(tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "browser.log"
    browser = tmp_path / "browser"
    browser.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(sys.argv[1])\n")
    browser.chmod(browser.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("BROWSER", str(browser))
    home = make_home(tmp_path)
    links = "\n".join(f"See [link {n}](https://example.org/{n})." for n in range(1, 13))
    (tmp_path / "seeds" / "links.md").write_text(f"---\ntitle: Many links\ndate: 2031-01-01\n---\n{links}\n")
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, "Many links")
        assert len(app.screen.query_one(Reader).links) == 12
        await pilot.press("f", "1", "1")  # 11: two digits, since there are 12 links
        for _ in range(50):
            if log.exists():
                break
            await pilot.pause(0.05)
        assert log.read_text() == "https://example.org/11"
        assert "Link #" not in screen_text(app)


async def test_palette_adds_a_source_and_exports_opml(tmp_path: Path) -> None:
    feed = tmp_path / "extra.rss"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Extra</title>'
        "<item><title>From the added feed</title><guid>x1</guid></item></channel></rss>"
    )
    app = make_app(make_home(tmp_path))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        await palette(pilot, "Add source")
        field = app.screen.query_one(Input)
        field.value = str(feed)
        await pilot.press("enter")
        await settle(app, pilot)
        assert [s.name for s in app.session.store.subscriptions()] == ["Extra"], [  # its title
            n.message for n in notices
        ]
        headlines = app.screen.query_one(HeadlineList)
        for _ in range(100):  # the feed is parsed in a worker process
            await settle(app, pilot)
            if headlines.total == SEED_COUNT + 1:
                break
        assert headlines.total == SEED_COUNT + 1, screen_text(app)[-400:]
        assert headlines.find(0, 1, lambda h: h.title == "From the added feed") is not None

        out = tmp_path / "feeds.opml"
        await palette(pilot, "Export OPML")
        app.screen.query_one(Input).value = str(out)
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(feed) not in out.read_text()  # a file's path means nothing to another reader
        assert notices.messages[-1] == (
            f"Wrote 0 feeds to {out}; 2 sources that are not on the web"  # the file and the seeds
            " (local folders and files, feed servers) left out of the OPML"
        )


async def test_a_worker_that_fails_says_so(tmp_path: Path) -> None:
    """Saving a star fails for real (its table is gone): the person is told, not left guessing."""
    app = make_app(make_home(tmp_path))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        with contextlib.closing(sqlite3.connect(app.session.paths.state_db)) as db:
            db.execute("DROP TABLE flags")
            db.commit()
        await pilot.press("s")
        await settle(app, pilot)
    failures = [n for n in notices if n.severity == "error"]
    assert any("save flag failed" in n.message and "flags" in n.message for n in failures), notices.messages


async def test_painting_the_list_never_reads_sqlite_on_the_ui_thread(tmp_path: Path, monkeypatch) -> None:
    app = make_app(make_home(tmp_path))
    store = app.session.store
    readers: list[bool] = []  # per page read: was it on the UI thread?
    read_page = store.headlines

    def recording(*args, **kwargs):
        readers.append(threading.current_thread() is threading.main_thread())
        return read_page(*args, **kwargs)

    monkeypatch.setattr(store, "headlines", recording)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert "Dark-sky evening" in screen_text(app)  # rows painted, from a page the worker read
        await pilot.press("G", "g", "j", "m")
        await settle(app, pilot)
    assert readers and not any(readers), readers
