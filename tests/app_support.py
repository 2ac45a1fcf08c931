"""Helpers for tests that drive the real app: a profile on a dated copy of the seeds."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import time
from pathlib import Path

from textual.message import Message
from textual.notifications import Notification, Notify

from termnews.app import TermnewsApp
from termnews.session import Session
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.sources import SourcesPane

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_COUNT = 7  # four articles and a feed file with three entries
SEED_TITLE = "Russia’s Putin won’t congratulate Biden until Trump concede"
# Files without a date of their own show none and are ordered by their mtime: pin it.
PINNED_MTIME = 1_700_000_000  # 2023-11-14 22:13:20 UTC


def make_home(tmp_path: Path, extra_config: str = "") -> Path:
    """A profile whose only source is a copy of the seeds with pinned dates (dates shown in UTC:
    the `utc` fixture in conftest.py)."""
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
    """Let workers finish and the screen catch up, with steady cursors (a snapshot is one frame)."""
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    no_cursor_blink(app)
    await pilot.pause()


async def open_article(pilot, title: str = SEED_TITLE) -> None:
    """Open the article `title` as a person would: the cursor to its headline, then enter."""
    await settle(pilot.app, pilot)
    headlines = pilot.app.screen.query_one(HeadlineList)
    index = headlines.find(0, 1, lambda h: h.title == title)
    assert index is not None, f"{title!r} not listed"
    headlines.move_to(index)
    await pilot.press("enter")
    await settle(pilot.app, pilot)


async def choose_view(pilot, label: str) -> None:
    """Pick a line of the sources pane (a view, a source, a #tag) as a person would: 1, then enter."""
    panes = pilot.app.screen.query(SourcesPane)  # composed at its first opening
    if not panes or not panes.first().is_open:
        await pilot.press("1")
        await settle(pilot.app, pilot)
    pane = pilot.app.screen.query_one(SourcesPane)
    pane.highlighted = next(i for i, c in enumerate(pane.choices) if c.label == label)
    await pilot.press("enter")
    await settle(pilot.app, pilot)


async def palette(pilot, command: str) -> None:
    """Run a command of the command palette by typing its name."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await pilot.pause(0.5)
    await pilot.press("enter")
    await settle(pilot.app, pilot)


def no_cursor_blink(app: TermnewsApp) -> None:
    """Every text cursor on every screen shown steadily, never mid-blink."""
    for screen in app.screen_stack:
        for field in screen.query("Input, TextArea"):
            field.cursor_blink = False  # type: ignore[attr-defined]  # both widgets have it


class Notices(list[Notification]):
    """Every notification the app raised, recorded through `run_test(message_hook=notices.hook)`."""

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.append(message.notification)

    @property
    def messages(self) -> list[str]:
        return [n.message for n in self]


_SVG_TEXT = re.compile(r'<text [^>]*x="([\d.]+)"[^>]*textLength="([\d.]+)"[^>]*-line-(\d+)\)">(.*?)</text>')


def screen_text(app: TermnewsApp) -> str:
    """What a person sees on the top screen, as plain text lines (read from a screenshot)."""
    lines: dict[int, dict[int, str]] = {}
    cell = None
    for x, length, line, escaped in _SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(escaped).replace("\xa0", " ")  # the screenshot writes spaces as &#160;
        cell = cell or float(length) / len(text)
        lines.setdefault(int(line), {})[round(float(x) / cell)] = text
    out = []
    for number in range(max(lines, default=-1) + 1):
        row = ""
        for column, text in sorted(lines.get(number, {}).items()):
            row = row.ljust(column) + text
        out.append(row)
    return "\n".join(out)


def browser_calls(log: Path, wait: float = 5.0, expect: int = 1) -> list[list[str]]:
    """The argument lists the `recording_browser` fixture saw, waiting for `expect` of them."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and len(list(log.iterdir())) < expect:
        time.sleep(0.05)
    return [json.loads(p.read_text()) for p in sorted(log.iterdir())]
