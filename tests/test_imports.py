"""The headless core never imports Textual (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

UI_MODULES = ("termnews.app", "termnews.keymap", "termnews.screens", "termnews.widgets", "termnews.themes")


def _core_modules() -> list[str]:
    """Every module of the package outside the Textual UI (pyproject's import contracts say the same)."""
    import pkgutil

    import termnews

    names = [m.name for m in pkgutil.walk_packages(termnews.__path__, "termnews.")]
    return sorted(n for n in names if not n.startswith(UI_MODULES) and n != "termnews.__main__")


CORE_MODULES = _core_modules()

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))))
"""


def loaded_textual_modules(env: dict[str, str], *modules: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_core_modules_together_do_not_import_textual(subprocess_env: dict[str, str]) -> None:
    assert loaded_textual_modules(subprocess_env, *CORE_MODULES) == []


@pytest.mark.parametrize("module", CORE_MODULES)
def test_each_core_module_alone_does_not_import_textual(subprocess_env: dict[str, str], module: str) -> None:
    assert loaded_textual_modules(subprocess_env, module) == []


def test_the_probe_would_notice_textual(subprocess_env: dict[str, str]) -> None:
    """The check can fail: importing textual itself is seen."""
    assert "textual" in loaded_textual_modules(subprocess_env, "textual")


# The app's first paint, in a fresh interpreter: what is loaded when the main screen is first drawn.
FIRST_PAINT = """
import asyncio, json, sys
from textual.screen import Screen
from termnews.app import TermnewsApp
from termnews.session import Session

loaded = []
footer_keys = []
paint = Screen._compositor_refresh

def painted(screen):
    paint(screen)
    if type(screen).__name__ == "MainScreen" and not loaded:
        loaded.extend(sorted(sys.modules))
        footer_keys.append(len(screen.query("FooterKey")))

Screen._compositor_refresh = painted

async def main():
    app = TermnewsApp(Session.open(sys.argv[1]))
    async with app.run_test(size=(80, 24)) as pilot:
        while not loaded:
            await pilot.pause()

asyncio.run(main())
print(json.dumps([loaded, footer_keys[0]]))
"""

# What the first screen (headlines, the reader's welcome, status line, footer) does not need.
NOT_BEFORE_THE_FIRST_PAINT = (
    "termnews.drafts",  # the composer's
    "termnews.widgets.composer",
    "termnews.widgets.comments",
    "termnews.widgets.inbox",
    "termnews.widgets.sources",
    "termnews.screens.drafts",
    "termnews.screens.help",
    "termnews.render",  # an article's Markdown
    "termnews.comments",
    "termnews.outbox",
    "termnews.update",  # the refresh machinery
    "termnews.fetch",
    "termnews.feedparse",
    "termnews.sync",
    "markdown_it",  # Textual's Markdown widget, with the first article
    "pygments",
    "httpx",
    "feedparser",
    "lxml",
    "importlib.metadata",  # plugin entry points
    "textual.widgets._text_area",
)


def test_the_first_paint_shows_the_whole_screen_and_imports_only_what_it_shows(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(  # a source in config: its kind is checked, not loaded
        f'[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{tmp_path}"\n', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT, str(home)],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    modules, footer_keys = json.loads(done.stdout.strip().splitlines()[-1])
    loaded = set(modules)
    assert "termnews.screens.main" in loaded and "textual" in loaded  # the probe saw the first paint
    assert sorted(loaded.intersection(NOT_BEFORE_THE_FIRST_PAINT)) == []
    assert footer_keys > 0  # the first paint is the whole screen, its keys included
