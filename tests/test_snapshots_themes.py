"""Every bundled theme and every screen, at 80x24 and 120x40.

Update with `pytest tests/test_snapshots_themes.py --snapshot-update` after a
deliberate change, and look at the report before committing the baselines.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app_support import PINNED_MTIME, make_app, make_home, open_article, settle

SIZES = [(80, 24), (120, 40)]
THEMES = ["termnews-dark", "termnews-light", "high-contrast", "sepia"]


def keys_after_opening(*keys: str):
    async def run_before(pilot) -> None:
        await open_article(pilot)
        for key in keys:
            if key == PIN_DRAFT_TIMES:
                pin_draft_times(pilot.app)
                continue
            await pilot.press(key)
            await settle(pilot.app, pilot)

    return run_before


PIN_DRAFT_TIMES = "<pin draft times>"


def pin_draft_times(app) -> None:
    """Drafts show when they last changed: give them a fixed time for a stable picture."""
    with sqlite3.connect(app.session.paths.state_db) as conn:
        conn.execute("UPDATE drafts SET created = ?, updated = ?", (PINNED_MTIME, PINNED_MTIME))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme", THEMES)
def test_theme(snap_compare, tmp_path: Path, theme: str, size: tuple[int, int]) -> None:
    app = make_app(make_home(tmp_path))
    app.theme = theme
    assert snap_compare(app, terminal_size=size, run_before=open_article)


SCREENS = {
    "help": ("question_mark",),
    "drafts": ("r", *"Nice piece.", "escape", PIN_DRAFT_TIMES, "D"),
    "composer": ("r",),
    "sources": ("1",),
    "search": ("slash", *"Peskov", "enter"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, tmp_path: Path, screen: str, size: tuple[int, int]) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=size, run_before=keys_after_opening(*SCREENS[screen]))
