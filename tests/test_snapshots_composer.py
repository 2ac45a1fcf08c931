"""Snapshots of the composer pane (pytest-textual-snapshot).

The composer alone, in a small app, against a fixed article: the full screen
would also capture dates taken from file times and other panes' details.
Cursor blink is off so every run draws the same frame.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from termnews.config import Identity
from termnews.drafts import ArticleRef
from termnews.paths import Paths
from termnews.store import Store
from termnews.widgets.composer import Composer

ARTICLE = ArticleRef(
    "a1",
    "Russia’s Putin won’t congratulate Biden until Trump concede [Photo via Getty Images]",
    "https://example.org/putin",
    "seeds",
)
SIZE = (60, 26)


class ComposerApp(App[None]):
    CSS = "Composer { width: 100%; }"

    def __init__(self, home: Path, identity: Identity) -> None:
        super().__init__()
        self.store = Store(Paths.resolve(home))
        self.identity = identity

    def compose(self) -> ComposeResult:
        yield Composer(self.store, self.identity, id="composer")

    def on_mount(self) -> None:
        for widget in self.query(TextArea).results(TextArea):
            widget.cursor_blink = False
        for field in self.query(Input).results(Input):
            field.cursor_blink = False
        self.query_one(Composer).open_draft(ARTICLE, None)

    def on_unmount(self) -> None:
        self.store.close()


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_empty_reply_with_identity(snap_compare, tmp_path: Path) -> None:
    app = ComposerApp(tmp_path, Identity("Ann Reader", "ann@example.org", ""))
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_typed_reply_saved(snap_compare, tmp_path: Path) -> None:
    app = ComposerApp(tmp_path, Identity("Ann Reader", "ann@example.org", ""))

    async def run_before(pilot) -> None:
        await pilot.press(*"I", "space", *"agree", "full_stop", "enter", *"[b]Not", "space", *"bold[/b]")
        pilot.app.query_one(Composer).save_now()
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_validation_messages(snap_compare, tmp_path: Path) -> None:
    app = ComposerApp(tmp_path, Identity())

    async def run_before(pilot) -> None:
        composer = pilot.app.query_one(Composer)
        composer.query_one("#email", Input).value = "not-an-email"
        composer.query_one("#website", Input).value = "ftp://example.org"
        await pilot.press("ctrl+s")  # refused: every problem shown beside its field
        await _settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_ready(snap_compare, tmp_path: Path) -> None:
    app = ComposerApp(tmp_path, Identity("Ann Reader", "ann@example.org", "https://ann.example.org"))

    async def run_before(pilot) -> None:
        await pilot.press(*"Thanks", "full_stop")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
