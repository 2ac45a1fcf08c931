"""The composer where it is small: keys typed fast land where focus is; every field stays in view.

Issue 12, points 7 and 8, driven through Pilot on the real app at the sizes a
person uses (80x24, 100x30, 40x10).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea

from app_support import Notices, make_app, screen_text
from termnews.app import TermnewsApp
from termnews.widgets.composer import Composer
from termnews.widgets.composer_state import MIN_SIZE
from test_composer import open_article, reply, settle


def burst(app: TermnewsApp, keys: list[str]) -> None:
    """Keys arriving together, as a terminal delivers fast typing: queued before any is handled."""
    names = {" ": "space", "@": "at", ".": "full_stop"}
    for key in keys:
        character = key if len(key) == 1 else None
        app.post_message(events.Key(names.get(key, key), character))


def visible(widget: Widget) -> bool:
    """The whole widget is on screen (not clipped away by its containers)."""
    region = widget.region
    return (
        bool(widget.display)
        and region.area > 0
        and widget.screen.region.contains_region(region)
        and (
            widget.content_region.intersection(widget.parent.content_region).area
            == widget.content_region.area
            if isinstance(widget.parent, Widget)
            else True
        )
    )


async def test_keys_typed_right_after_tab_land_in_the_next_field(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        name = composer.query_one("#name", Input)
        name.value = ""
        composer.query_one("#email", Input).value = ""
        name.focus()
        await pilot.pause()
        burst(app, [*"Ann Reader", "tab", *"ann@example.org"])
        await settle(app, pilot)
        assert name.value == "Ann Reader"
        assert composer.query_one("#email", Input).value == "ann@example.org"


def comment_lines(composer: Composer) -> int:
    return composer.query_one("#comment", TextArea).content_region.height


async def show_every_problem(app: TermnewsApp, pilot, composer: Composer) -> None:
    composer.query_one("#name", Input).value = ""
    composer.query_one("#email", Input).value = "not-an-email"
    composer.query_one("#website", Input).value = "ftp://example.org"
    await pilot.press("ctrl+s")  # refused: every problem shown, focus on the first (the comment)
    await settle(app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_comment_box_keeps_five_lines_and_the_focused_field_is_visible(
    identity_home: Path, size: tuple[int, int]
) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=size) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        assert comment_lines(composer) >= 5
        before = comment_lines(composer)
        await show_every_problem(app, pilot, composer)
        assert comment_lines(composer) >= 5
        if size == (100, 30):
            assert comment_lines(composer) == before  # errors showing do not shrink it
        for field in ("comment", "name", "email", "website"):
            composer.query_one(f"#{field}").focus()
            await settle(app, pilot)
            focused = app.focused
            assert focused is not None and focused.id == field
            assert visible(focused), (field, focused.region)
            error = composer.query_one(f"#{field}-error")
            assert visible(error), (field, error.region)


async def test_a_terminal_too_small_to_compose_says_so_and_takes_no_keys(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await pilot.resize_terminal(40, 10)
        await settle(app, pilot)
        assert "too small" in str(composer.query_one("#composer-too-small").render()).lower()
        assert visible(composer.query_one("#composer-too-small"))
        await pilot.press(*"lost")
        await settle(app, pilot)
        assert composer.query_one("#comment", TextArea).text == ""
        await pilot.resize_terminal(100, 30)
        await settle(app, pilot)
        assert app.focused is composer.query_one("#comment", TextArea)
        await pilot.press(*"kept")
        await settle(app, pilot)
        assert composer.query_one("#comment", TextArea).text == "kept"


async def test_too_small_states_the_real_need_and_ctrl_s_does_nothing(identity_home: Path) -> None:
    app = make_app(identity_home)
    notices = Notices()
    async with app.run_test(size=(40, 12), message_hook=notices.hook) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await settle(app, pilot)
        said = str(composer.query_one("#composer-too-small").render())
        width, height = composer.size
        # The room the form gets, named as such: not to be read as the terminal's size.
        assert (
            f"the reply form gets {width}x{height} of this terminal and needs {MIN_SIZE[0]}x{MIN_SIZE[1]}"
            in " ".join(said.split())
        )
        assert width < MIN_SIZE[0] or height < MIN_SIZE[1]
        before = len(notices)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert notices.messages[before:] == []
        assert app.session.store.drafts() == []
        assert "Ready" not in screen_text(app).splitlines()[-1]


async def test_a_small_terminal_shows_five_lines_of_the_comment_box_whole(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=(50, 15)) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await settle(app, pilot)
        area = composer.query_one("#comment", TextArea)
        assert app.focused is area
        assert comment_lines(composer) >= 5
        assert visible(area), area.region


async def test_the_footer_offers_no_key_the_comment_box_types(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(app, pilot)
        await reply(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Ready" in footer and "Search" not in footer
        await pilot.press("slash")
        await settle(app, pilot)
        assert app.screen.query_one("#comment", TextArea).text == "/"
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Search" in screen_text(app).splitlines()[-1]  # the headlines: / searches again


async def test_too_small_the_footer_offers_only_escape_and_the_keys_that_act(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=(100, 9)) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await settle(app, pilot)
        assert composer.too_small
        footer = screen_text(app).splitlines()[-1]
        assert "Close" in footer
        for held in ("Unread", "Reply", "Search", "Refresh", "Help", "Quit", "Ready"):
            assert held not in footer, footer
