"""What the screen looks like (pytest-textual-snapshot).

Update the baselines with `pytest tests/test_snapshots.py --snapshot-update`
after a deliberate change, and look at the report before committing them.
"""

from __future__ import annotations

from pathlib import Path

from app_support import make_app, make_home, open_article, settle
from termnews.store.fetch_state import FetchNote


def test_start_screen(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(100, 30), run_before=lambda p: settle(p.app, p))


def test_seed_article_open(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(100, 30), run_before=open_article)


def test_help_screen(snap_compare, tmp_path: Path) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(100, 40), run_before=run_before)


def test_narrow_terminal_stacks_panes(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(60, 24), run_before=open_article)


def test_wide_terminal_side_by_side(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(170, 40), run_before=open_article)


def test_sources_pane_counts_marks_and_tags(snap_compare, tmp_path: Path) -> None:
    """Counts on every line, a long name cut short, a failed source marked, tags listed."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("---\ntitle: A tagged note\ndate: 2030-01-01\n---\nwords\n")
    broken = "http://127.0.0.1:9/feed.xml"
    home = make_home(
        tmp_path,
        f'\n[[sources]]\nname = "A folder of notes with a rather long name"\nkind = "local"\n'
        f'location = "{notes}"\ntags = ["tech", "personal"]\n'
        f'\n[[sources]]\nname = "broken"\nkind = "feed"\nlocation = "{broken}"\n',
    )
    app = make_app(home)
    [spec] = [s for s in app.session.specs() if s.name == "broken"]
    app.session.store.record_fetch(spec.source_id, FetchNote(error="could not connect"))

    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        await pilot.press("1")
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)
