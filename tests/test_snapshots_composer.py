"""Snapshots of the composer pane (pytest-textual-snapshot).

The composer alone, in a small app, against a fixed article: the full screen
would also capture dates taken from file times and other panes' details.
Cursor blink is off so every run draws the same frame.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from app_support import make_app, make_home, open_article
from app_support import settle as app_settle
from termnews.config import Identity
from termnews.drafts import ArticleRef
from termnews.paths import Paths
from termnews.store import Store
from termnews.widgets.composer import Composer
from test_snapshots_themes import pin_draft_times

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


# -- the composer in the whole app, at the sizes people use (issue 12, points 7 and 18) --------


def in_the_app(*steps):
    """Open the seed article, then run `steps` (keys, or functions of the pilot); toasts cleared."""

    async def run_before(pilot) -> None:
        await open_article(pilot)
        for step in steps:
            if callable(step):
                await step(pilot)
            else:
                await pilot.press(step)
            await app_settle(pilot.app, pilot)
        pilot.app.clear_notifications()
        await app_settle(pilot.app, pilot)
        # The form's scroll position is in the text; its scrollbar thumb is drawn from a size
        # that is sometimes a frame behind, so it is left out of the picture.
        for form in pilot.app.screen.query("#composer-form"):
            form.styles.scrollbar_size_vertical = 0
        await pilot.wait_for_scheduled_animations()
        await app_settle(pilot.app, pilot)

    return run_before


async def every_problem_and_website_focused(pilot) -> None:
    composer = pilot.app.screen.query_one(Composer)
    composer.query_one("#name", Input).value = ""
    composer.query_one("#email", Input).value = "not-an-email"
    composer.query_one("#website", Input).value = "ftp://example.org"
    await pilot.press("ctrl+s")  # refused: every problem shown
    await app_settle(pilot.app, pilot)
    composer.query_one("#website", Input).focus()


async def pin_times(pilot) -> None:
    pin_draft_times(pilot.app)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_composer_in_the_app(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=size, run_before=in_the_app("r"))


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_composer_with_problems_and_the_last_field_focused(
    snap_compare, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(make_home(tmp_path))
    run_before = in_the_app("r", every_problem_and_website_focused)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_composer_in_a_terminal_too_small(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    assert snap_compare(app, terminal_size=(40, 10), run_before=in_the_app("r"))


def test_drafts_screen_with_a_failed_reply(snap_compare, tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))

    async def failed(pilot) -> None:
        store = pilot.app.session.store
        [draft] = store.drafts()
        ready = store.set_draft_state(draft.id, draft.version, "ready")
        claimed = store.claim_for_sending(ready.id, ready.version)
        store.record_send(
            claimed.id, "failed", error="the site refused the comment: HTTP 501 Not Implemented"
        )
        pin_draft_times(pilot.app)

    run_before = in_the_app("r", *"Nice piece.", "escape", failed, "D")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
