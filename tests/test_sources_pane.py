"""The sources pane: views and sources with unread counts, filtering the headlines."""

from __future__ import annotations

from pathlib import Path

from app_support import SEED_COUNT, make_app, make_home, screen_text, settle
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.sources import SourcesPane


async def choose(pilot, label: str) -> None:
    pane = pilot.app.screen.query_one(SourcesPane)
    index = next(i for i, c in enumerate(pane.choices) if c.label == label)
    option_index = index  # views and sources are options in the same order
    pane.highlighted = option_index
    await pilot.press("enter")
    await settle(pilot.app, pilot)


async def test_views_and_sources_filter_the_list(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Note one\n\nfirst\n")
    (notes / "b.md").write_text("# Note two\n\nsecond\n")
    home = make_home(tmp_path, f'\n[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{notes}"\n')
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        headlines = app.screen.query_one(HeadlineList)
        assert headlines.total == SEED_COUNT + 2
        await pilot.press("s")  # star the first headline
        await settle(app, pilot)
        starred_title = headlines.current.title

        await pilot.press("1")
        await settle(app, pilot)
        pane = app.screen.query_one(SourcesPane)
        assert pane.display and pane.has_focus
        text = screen_text(app)
        assert "notes  2/2" in text
        assert f"seeds  {SEED_COUNT}/{SEED_COUNT}" in text

        await choose(pilot, "notes")
        assert headlines.total == 2
        assert {headlines.row(i).title for i in range(2)} == {"Note one", "Note two"}
        assert headlines.has_focus
        assert "notes" in screen_text(app).splitlines()[-2]  # the status line names the view

        await pilot.press("1")
        await settle(app, pilot)
        await choose(pilot, "Starred")
        assert headlines.view.filter == "starred", headlines.view
        assert headlines.total == 1 and headlines.current.title == starred_title

        await pilot.press("enter")  # opening marks it read: the Unread view drops it
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        await choose(pilot, "Unread")
        assert headlines.total == SEED_COUNT + 2 - 1

        await pilot.press("1")
        await settle(app, pilot)
        await choose(pilot, "All")
        assert headlines.total == SEED_COUNT + 2
        await pilot.press("1")  # open but unfocused: focus it
        await settle(app, pilot)
        assert pane.display and pane.has_focus
        await pilot.press("1")  # focused: hide it
        await settle(app, pilot)
        assert not pane.display and headlines.has_focus
