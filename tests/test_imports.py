"""The headless core never imports Textual (checked in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

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
