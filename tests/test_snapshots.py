"""What the screen looks like (pytest-textual-snapshot).

Update the baselines with `pytest tests/test_snapshots.py --snapshot-update`
after a deliberate change, and look at the report before committing them.
"""

from __future__ import annotations

from pathlib import Path

from app_support import SEED_TITLE, make_app, make_home, settle
from termnews.widgets.headlines import HeadlineList


async def _open_seed(pilot) -> None:
    await settle(pilot.app, pilot)
    headlines = pilot.app.screen.query_one(HeadlineList)
    headlines.move_to(headlines.find(0, 1, lambda h: h.title == SEED_TITLE))
    await pilot.press("enter")
    await settle(pilot.app, pilot)


def test_start_screen(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(100, 30), run_before=lambda p: settle(p.app, p))


def test_seed_article_open(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(100, 30), run_before=_open_seed)


def test_help_screen(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(100, 40), run_before=run_before)


def test_narrow_terminal_stacks_panes(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(60, 24), run_before=_open_seed)


def test_wide_terminal_side_by_side(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(170, 40), run_before=_open_seed)
