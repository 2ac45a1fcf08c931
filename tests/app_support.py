"""Helpers for tests that drive the real app: a profile on a dated copy of the seeds."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from termnews.app import TermnewsApp
from termnews.session import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_COUNT = 7  # four articles and a feed file with three entries
SEED_TITLE = "Russia’s Putin won’t congratulate Biden until Trump concede"
# Files without a date of their own show none and are ordered by their mtime: pin it.
PINNED_MTIME = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def make_home(tmp_path: Path, extra_config: str = "") -> Path:
    """A profile whose only source is a copy of the seeds with pinned dates."""
    os.environ["TZ"] = "UTC"
    time.tzset()
    home = tmp_path / "home"
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO_ROOT / "seeds", seeds)
    for path in seeds.iterdir():
        os.utime(path, (PINNED_MTIME, PINNED_MTIME))
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        "[general]\nseeds = false\n\n"
        f'[[sources]]\nname = "seeds"\nkind = "local"\nlocation = "{seeds}"\n' + extra_config,
        encoding="utf-8",
    )
    return home


def make_app(home: Path) -> TermnewsApp:
    return TermnewsApp(Session.open(str(home)))


async def settle(app: TermnewsApp, pilot) -> None:
    """Let workers finish and the screen catch up."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: TermnewsApp) -> str:
    """What a person sees on the top screen, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def browser_calls(log: Path, wait: float = 5.0, expect: int = 1) -> list[list[str]]:
    """The argument lists the `recording_browser` fixture saw, waiting for `expect` of them."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and len(list(log.iterdir())) < expect:
        time.sleep(0.05)
    return [json.loads(p.read_text()) for p in sorted(log.iterdir())]
