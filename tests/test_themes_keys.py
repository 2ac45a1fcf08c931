"""Themes as data files, a persisted theme choice, and the keymap from config."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_support import Notices, make_app, make_home, settle
from termnews.paths import bundled_dir
from termnews.themes import DEFAULT_THEME, ThemeProblem, load_themes, theme_from_file
from termnews.widgets.headlines import HeadlineList


def test_bundled_themes_all_load() -> None:
    themes, problems = load_themes(Path("/nonexistent"))
    assert problems == []
    names = {t.name for t in themes}
    assert {DEFAULT_THEME, "termnews-light", "high-contrast", "sepia"} <= names
    assert len(list(bundled_dir("themes").glob("*.toml"))) >= 4


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("name = 'x'\n[colors]\nprimary = 'not-a-colour'\n", "colors.primary"),
        ("[colors]\nprimary = '#ffffff'\n", "name"),
        ("name = 'x'\ndark = 'yes'\n[colors]\nprimary = '#fff'\n", "dark"),
        ("name = 'x'\n[colors]\nprimry = '#fff'\n", "colors.primry"),
        ("name = 'x'\n[colors]\nsurface = '#fff'\n", "colors.primary"),
        ("name = = 'x'\n", "(file)"),
    ],
)
def test_invalid_theme_names_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    problem = theme_from_file(path)
    assert isinstance(problem, ThemeProblem)
    assert problem.field == field
    assert str(path) in str(problem)


async def test_invalid_user_theme_notifies_and_default_is_used(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    themes = home / "config" / "themes"
    themes.mkdir()
    (themes / "broken.toml").write_text("name = 'broken'\n[colors]\nprimary = 'nope'\n")
    (home / "config" / "config.toml").write_text(
        (home / "config" / "config.toml")
        .read_text()
        .replace("seeds = false", "seeds = false\ntheme = 'broken'")
    )
    app = make_app(home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        messages = [n.message for n in notices]
        assert any("broken.toml" in m and "colors.primary" in m for m in messages)
        assert app.theme == DEFAULT_THEME


async def test_user_theme_and_choice_persist(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    themes = home / "config" / "themes"
    themes.mkdir()
    (themes / "mine.toml").write_text("name = 'mine'\n[colors]\nprimary = '#123456'\n")
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert "mine" in app.available_themes
        assert app.theme == DEFAULT_THEME
        app.theme = "sepia"
        await settle(app, pilot)
    app.session.close()
    again = make_app(home)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        assert again.theme == "sepia"


async def test_keys_rebind_by_id(tmp_path: Path) -> None:
    home = make_home(tmp_path, '\n[keys]\n"headlines.next" = "x"\nnot_a_binding = "z"\n')
    app = make_app(home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        await pilot.press("x")
        assert headlines.cursor == 1
        await pilot.press("j")  # no longer bound to "next"
        assert headlines.cursor == 1
        messages = [n.message for n in notices]
        assert any("not_a_binding" in m for m in messages)
