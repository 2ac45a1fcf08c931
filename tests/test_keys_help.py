"""Keys as a person meets them: `?` per pane with ids, the keymap's checks, `f`'s prompt,
the reader's own keys and full screen, mark all read with undo, add a source."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input

from app_support import Notices, make_app, make_home, open_article, screen_text, settle
from termnews.app import TermnewsApp
from termnews.screens.drafts import DraftsScreen
from termnews.screens.help import HelpScreen
from termnews.screens.prompt import PromptScreen
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader
from termnews.widgets.status import StatusLine

LONG = "\n\n".join(f"Paragraph {n} of a long article, long enough to scroll." for n in range(80))


def with_articles(tmp_path: Path, extra_config: str = "") -> Path:
    home = make_home(tmp_path, extra_config)
    links = "\n".join(f"See [link {n}](https://example.org/{n})." for n in range(1, 13))
    (tmp_path / "seeds" / "links.md").write_text(f"---\ntitle: Many links\ndate: 2031-01-02\n---\n{links}\n")
    (tmp_path / "seeds" / "long.md").write_text(f"---\ntitle: A long read\ndate: 2031-01-01\n---\n{LONG}\n")
    return home


async def press(pilot, *keys: str) -> None:
    """Press the keys, then let workers finish and the screen catch up."""
    await pilot.press(*keys)
    await settle(pilot.app, pilot)


@contextlib.asynccontextmanager
async def reading(tmp_path: Path, title: str) -> AsyncIterator[tuple[TermnewsApp, Pilot]]:
    """The app at 100x30 with the article `title` open."""
    app = make_app(with_articles(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, title)
        yield app, pilot


def status_text(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


# -- 9: `?` shows what is bound, per pane, with ids, after the keymap -------------------------


async def test_help_shows_the_keymap_per_pane_with_ids(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path, '\n[keys]\ntoggle_star = "s,x"\n'))
    async with app.run_test(size=(120, 100)) as pilot:
        await settle(app, pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
        star = next(line for line in lines if "Star / unstar" in line)
        assert "s, x" in star and "toggle_star" in star
        shown = "\n".join(lines)
        for internal in ("Focus Next", "Scroll Left", "Page Left", "Copy"):
            assert internal not in shown
        assert sum("Quit" in line for line in lines if "│" in line) == 1  # the help box, not the footer
        composer_at = next(n for n, line in enumerate(lines) if "Composer (r)" in line)
        ready_at = next(n for n, line in enumerate(lines) if "composer.ready" in line)
        assert ready_at > composer_at
        for binding_id in ("headlines.next", "reader.down", "comments.reply", "sources.down", "drafts.open"):
            assert binding_id in shown


async def test_help_at_50_columns_keeps_the_descriptions_readable(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(50, 60)) as pilot:
        await settle(app, pilot)
        await press(pilot, "question_mark")
        lines = screen_text(app).splitlines()
        star = next(n for n, line in enumerate(lines) if "s " in line and "Star / unstar" in line)
        assert "toggle_star" in lines[star + 1]  # the id under what the key does
        assert any("Previous unread article" in line for line in lines)  # not cut to a few characters
        await pilot.resize_terminal(100, 60)  # wide again: the ids in their column
        await pilot.pause()
        star_line = next(line for line in screen_text(app).splitlines() if "Star / unstar" in line)
        assert "toggle_star" in star_line


# -- 10: the keymap: conflicts named, bad key names refused, every id accepted ----------------


async def test_keymap_conflict_says_which_binding_lost(tmp_path: Path) -> None:
    app = make_app(with_articles(tmp_path, '\n[keys]\ntoggle_star = "s,f"\n'))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert any("follow_link" in m and "'f'" in m for m in notices.messages)
        await open_article(pilot, "Many links")
        headlines = app.screen.query_one(HeadlineList)
        await press(pilot, "f")
        assert headlines.current.starred  # f stars now, as the person asked
        assert "Link number" not in status_text(app)


async def test_keymap_rejects_a_bad_key_name_and_keeps_the_default(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path, '\n[keys]\ntoggle_star = "notakey!!"\n'))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert any("notakey!!" in m and "not a key name" in m for m in notices.messages)
        await press(pilot, "s")
        assert app.screen.query_one(HeadlineList).current.starred


async def test_j_k_space_and_b_scroll_the_help_in_a_small_terminal(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await press(pilot, "question_mark")
        view = app.screen.query_one(VerticalScroll)
        assert view.max_scroll_y > 0
        await press(pilot, "j", "j")
        assert view.scroll_y == 2
        await press(pilot, "k")
        assert view.scroll_y == 1
        await press(pilot, "space")
        assert view.scroll_y > 10
        await press(pilot, "b")
        assert view.scroll_y == 1


def test_every_binding_id_of_every_screen_and_widget_is_accepted() -> None:
    from termnews.app import keys_in_force

    wanted = {
        "drafts.open": "o",
        "drafts.close": "x",
        "comments.reply": "ctrl+y",
        "sources.down": "ctrl+j",
        "composer.ready": "ctrl+t",
        "reply_choice.new": "w",
        "confirm_delete.yes": "Y",
        "prompt.cancel": "ctrl+g",
        "help.close": "h",
        "help.down": "J",
        "reader.top": "t",
    }
    assert keys_in_force(wanted).problems == []


async def test_a_rebound_drafts_screen_key_works(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path, '\n[keys]\n"drafts.close" = "x"\n'))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(pilot, "D")
        assert isinstance(app.screen, DraftsScreen)
        await press(pilot, "x")
        assert not isinstance(app.screen, DraftsScreen)
        assert notices.messages == []


# -- 11: `f` waits visibly; escape cancels; other keys are not swallowed ------------------------


async def test_link_prompt_shows_in_status_and_escape_cancels(tmp_path: Path) -> None:
    async with reading(tmp_path, "Many links") as (app, pilot):
        await pilot.press("f")
        await pilot.pause()
        assert "Link number (1-12)" in status_text(app)
        await pilot.press("1")
        await pilot.pause()
        assert "Link number (1-12): 1_" in status_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Link number" not in status_text(app)


async def test_a_key_after_f_cancels_and_still_acts(tmp_path: Path) -> None:
    async with reading(tmp_path, "Many links") as (app, pilot):
        headlines = app.screen.query_one(HeadlineList)
        before = headlines.cursor
        await press(pilot, "f", "j")
        assert "Link number" not in status_text(app)
        assert headlines.cursor == before + 1


# -- 12: the reader's own keys, and reading full screen --------------------------------------


async def test_reader_keys_scroll_the_article(tmp_path: Path) -> None:
    async with reading(tmp_path, "A long read") as (app, pilot):
        reader = app.screen.query_one(Reader)
        reader.focus()
        await press(pilot, "j", "j", "j")
        assert reader.scroll_y == 3
        await press(pilot, "k")
        assert reader.scroll_y == 2
        await press(pilot, "G")
        assert reader.scroll_y == reader.max_scroll_y > 10
        await press(pilot, "g")
        assert reader.scroll_y == 0


async def test_full_screen_reading_on_one_key(tmp_path: Path) -> None:
    async with reading(tmp_path, "A long read") as (app, pilot):
        reader = app.screen.query_one(Reader)
        await press(pilot, "z")
        assert app.screen.maximized is reader
        assert reader.size.height >= 25
        await press(pilot, "j")
        assert reader.scroll_y == 1  # the reader has the keys
        await press(pilot, "z")
        assert app.screen.maximized is None
        await press(pilot, "z", "escape")
        assert app.screen.maximized is None


async def test_z_with_no_article_open_says_so_and_maximizes_nothing(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        await press(pilot, "z")
        assert app.screen.maximized is None
        assert notices.messages[-1].startswith("Open an article first")


async def test_tab_after_a_search_moves_between_panes_not_into_the_query(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"library", "enter")
        await settle(app, pilot)
        field = app.screen.query_one("#search", Input)
        for _ in range(4):
            await pilot.press("tab")
            await settle(app, pilot)
            assert app.focused is not field
        await pilot.press("escape")  # back to the view before the search
        await settle(app, pilot)
        await pilot.press("slash", *"lighthouse")  # / edits the query again
        await settle(app, pilot)
        assert app.focused is field and field.value == "lighthouse"


async def test_palette_maximize_works_on_the_reader(tmp_path: Path) -> None:
    async with reading(tmp_path, "A long read") as (app, pilot):
        reader = app.screen.query_one(Reader)
        reader.focus()
        await press(pilot, "ctrl+p")
        await press(pilot, *"Maximize", "enter")
        assert app.screen.maximized is reader


# -- 20: mark all read (with undo), add a source -----------------------------------------------


async def test_mark_all_read_in_view_and_undo(tmp_path: Path) -> None:
    app = make_app(with_articles(tmp_path))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        total = headlines.total
        await press(pilot, "A")
        assert all(headlines.row(i).read for i in range(total))
        assert any(f"Marked {total} articles read" in m and "u to undo" in m for m in notices.messages)
        await press(pilot, "u")
        assert not any(headlines.row(i).read for i in range(total))


async def test_undo_expires(tmp_path: Path) -> None:
    app = make_app(with_articles(tmp_path))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.UNDO_SECONDS = 0.2  # type: ignore[attr-defined]
        headlines = app.screen.query_one(HeadlineList)
        await press(pilot, "A")
        await pilot.pause(0.5)
        await press(pilot, "u")
        assert headlines.row(0).read
        assert "Nothing to undo" in notices.messages


async def test_add_source_on_a_key(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, PromptScreen)
        assert "Add a source" in screen_text(app)


async def test_help_and_quit_stay_in_the_footer_at_80_columns(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for keys in ((), ("enter",), ("tab",), ("1",)):  # the list, an article open, the reader, sources
            await pilot.press(*keys)
            await settle(app, pilot)
            footer = screen_text(app).splitlines()[-1]
            assert "? Help" in footer and "q Quit" in footer, (keys, footer)
