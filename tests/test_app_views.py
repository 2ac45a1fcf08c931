"""Views a person can land in: empty ones say so, leaving a search keeps the place, a resize keeps
the cursor in sight."""

from __future__ import annotations

import os
from pathlib import Path

from app_support import (
    PINNED_MTIME,
    SEED_COUNT,
    SEED_TITLE,
    choose_view,
    make_app,
    make_home,
    screen_text,
    settle,
)
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader


async def test_an_empty_view_and_a_search_without_matches_say_so(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await choose_view(pilot, "Starred")
        assert "No starred articles" in screen_text(app)
        await choose_view(pilot, "Has draft")
        assert "No article has a draft" in screen_text(app)
        await pilot.press("slash", *"zzzz", "enter")
        await settle(app, pilot)
        assert "No matches for 'zzzz'" in screen_text(app)


async def test_escape_from_a_search_returns_to_the_article_read_from_the_results(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.press("slash", *"Peskov", "enter")
        await settle(app, pilot)
        await pilot.press("enter")  # read the match
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert headlines.total == SEED_COUNT
        assert headlines.current.title == SEED_TITLE  # not the top of the list
        assert app.screen.query_one(Reader).article.title == SEED_TITLE
        assert "All" in screen_text(app).splitlines()[-2]


async def test_escape_from_a_search_returns_to_the_view_it_started_in(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # star the first one
        await settle(app, pilot)
        await choose_view(pilot, "Starred")
        await pilot.press("slash", *"Peskov", "enter", "escape")
        await settle(app, pilot)
        assert app.screen.query_one(HeadlineList).total == 1
        assert screen_text(app).splitlines()[-2].startswith(" Starred")


async def test_after_a_resize_the_cursor_row_stays_in_view(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for n in range(40):
        (notes / f"{n:02}.md").write_text(
            f"---\ntitle: Note number {n:02}\ndate: 2030-01-{1 + n % 28:02}\n---\nx\n"
        )
        os.utime(notes / f"{n:02}.md", (PINNED_MTIME, PINNED_MTIME))
    app = make_app(
        make_home(tmp_path, f'\n[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{notes}"\n')
    )
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        for _ in range(30):
            await pilot.press("j")
        await settle(app, pilot)
        title = headlines.current.title
        assert title in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert title in screen_text(app)
        await pilot.resize_terminal(100, 12)
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert title in screen_text(app)
