"""What the app says: one "Keys" in the palette, a screenshot saved where it can be, plurals."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from app_support import Notices, choose_view, make_app, make_home, palette, screen_text, settle
from termnews.screens.help import HelpScreen


async def test_the_palette_has_one_keys_entry_and_it_is_the_help_screen(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles.count("Keys") == 1, titles
        await palette(pilot, "Keys")
        assert isinstance(app.screen, HelpScreen)


async def test_a_screenshot_in_a_fresh_home_is_saved_and_says_where(tmp_path: Path, monkeypatch) -> None:
    fresh = tmp_path / "fresh-home"  # no Downloads folder
    fresh.mkdir()
    monkeypatch.setenv("HOME", str(fresh))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    app = make_app(make_home(tmp_path))
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        await palette(pilot, "Screenshot")
        for _ in range(40):
            await pilot.pause(0.1)
            if any("screenshot" in m.lower() for m in notices.messages):
                break
    saved = list(fresh.glob("*.svg"))
    assert len(saved) == 1, notices.messages
    assert any(str(saved[0]) in m for m in notices.messages), notices.messages


async def test_marking_one_article_read_says_article(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Only note\n\nwords\n")
    home = make_home(tmp_path, f'\n[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{notes}"\n')
    app = make_app(home)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        await choose_view(pilot, "notes")
        await palette(pilot, "Mark all read")
        assert any(m.startswith("Marked 1 article read") for m in notices.messages), notices.messages
        assert "1 articles" not in screen_text(app)


async def export_to(app, pilot, command: str, path: Path) -> None:
    await palette(pilot, command)
    app.screen.query_one(Input).value = str(path)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_export_errors_read_the_same_in_the_app_and_the_cli(tmp_path: Path, termnews) -> None:
    home = make_home(tmp_path)
    app = make_app(home)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "r")
        await settle(app, pilot)
        await pilot.press(*"one draft", "escape")
        await settle(app, pilot)
        await export_to(app, pilot, "Export drafts", tmp_path / "drafts.md")
        assert notices.messages[-1] == f"Exported 1 draft to {tmp_path / 'drafts.md'}"
        await export_to(app, pilot, "Export drafts", tmp_path)
        assert notices.messages[-1] == f"cannot write {tmp_path}: is a directory"
        await export_to(app, pilot, "Export OPML", tmp_path)
        assert notices.messages[-1] == f"cannot write {tmp_path}: is a directory"
    done = termnews(home, "export-opml", str(tmp_path), check=None)
    assert done.stderr.strip() == f"termnews: cannot write {tmp_path}: is a directory"
    done = termnews(home, "drafts", "export", str(tmp_path), check=None)
    assert done.stderr.strip() == f"termnews: cannot write {tmp_path}: is a directory"
