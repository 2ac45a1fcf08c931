"""The sources pane: views and sources with unread counts, filtering the headlines."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app_support import (
    PINNED_MTIME,
    SEED_COUNT,
    Notices,
    choose_view,
    make_app,
    make_home,
    palette,
    screen_text,
    settle,
)
from termnews.screens.confirm import ConfirmDeleteScreen
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.sources import SourcesPane


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
        assert re.search(r"notes +2/2", text)
        assert re.search(rf"seeds +{SEED_COUNT}/{SEED_COUNT}", text)

        await choose_view(pilot, "notes")
        assert headlines.total == 2
        assert {headlines.row(i).title for i in range(2)} == {"Note one", "Note two"}
        assert headlines.has_focus
        assert "notes" in screen_text(app).splitlines()[-2]  # the status line names the view

        await pilot.press("1")
        await settle(app, pilot)
        await choose_view(pilot, "Starred")
        assert headlines.view.filter == "starred", headlines.view
        assert headlines.total == 1 and headlines.current.title == starred_title

        await pilot.press("enter")  # opening marks it read: the Unread view drops it
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        await choose_view(pilot, "Unread")
        assert headlines.total == SEED_COUNT + 2 - 1

        await pilot.press("1")
        await settle(app, pilot)
        await choose_view(pilot, "All")
        assert headlines.total == SEED_COUNT + 2
        await pilot.press("1")  # open but unfocused: focus it
        await settle(app, pilot)
        assert pane.display and pane.has_focus
        await pilot.press("1")  # focused: hide it
        await settle(app, pilot)
        assert not pane.display and headlines.has_focus


def status_line(app) -> str:
    return screen_text(app).splitlines()[-2]


def tagged_home(tmp_path: Path, broken_url: str) -> Path:
    """The seeds, a tagged folder with a long name, and a feed that fails."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("a", "b"):
        (notes / f"{name}.md").write_text(f"# Note {name}\n\nwords\n")
        os.utime(notes / f"{name}.md", (PINNED_MTIME, PINNED_MTIME))
    return make_home(
        tmp_path,
        f'\n[[sources]]\nname = "The notes folder with a very long name indeed"\nkind = "local"\n'
        f'location = "{notes}"\ntags = ["tech", "personal"]\n'
        f'\n[[sources]]\nname = "broken"\nkind = "feed"\nlocation = "{broken_url}"\n',
    )


async def test_the_pane_opens_on_the_current_view_and_one_key_closes_it(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await choose_view(pilot, "Starred")
        pane = app.screen.query_one(SourcesPane)
        await pilot.press("1")
        await settle(app, pilot)
        assert pane.has_focus and pane.choices[pane.highlighted].label == "Starred"
        await pilot.click(HeadlineList)  # the pane stays open, the list has focus
        await settle(app, pilot)
        if pane.is_open:
            await pilot.press("1")  # one press hides it
            await settle(app, pilot)
        assert not pane.display and app.screen.query_one(HeadlineList).has_focus


async def test_views_show_counts_names_end_in_an_ellipsis_failures_and_tags(server, tmp_path: Path) -> None:
    server.status("/broken.xml", 500)
    app = make_app(tagged_home(tmp_path, server.url("/broken.xml")))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # one starred
        await pilot.press("R")
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        text = screen_text(app)
        total = SEED_COUNT + 2
        assert re.search(rf"All +{total}/{total}", text)
        assert re.search(rf"Unread +{total}/{total}", text)
        assert re.search(r"Starred +1/1", text)
        assert re.search(r"Has draft +0/0", text)
        assert re.search(r"The notes folder[^…\n]*… +2/2", text)  # the counts stay in sight
        assert re.search(r"✗ broken +0/0", text)  # its last fetch failed
        assert re.search(r"#personal +2/2", text) and re.search(r"#tech +2/2", text)

        await choose_view(pilot, "#tech")
        headlines = app.screen.query_one(HeadlineList)
        assert headlines.total == 2
        assert {headlines.row(i).title for i in range(2)} == {"Note a", "Note b"}
        assert "#tech  2 unread / 2" in status_line(app)


async def test_the_status_line_counts_the_view_in_force(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path, '\n[identity]\nname = "Ann"\nemail = "ann@example.org"\n'))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "r")  # read the first article and start a reply
        await settle(app, pilot)
        await pilot.press(*"Nice", "escape")
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        await choose_view(pilot, "Has draft")
        assert "Has draft  0 unread / 1" in status_line(app)
        await pilot.press("1")
        await settle(app, pilot)
        await choose_view(pilot, "Starred")
        assert "Starred  0 unread / 0" in status_line(app)


async def test_skipped_files_of_a_folder_are_shown_in_the_app(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# Note\n\nwords\n")
    (tmp_path / "secret.md").write_text("# Secret\n")
    (notes / "out.md").symlink_to(tmp_path / "secret.md")
    os.mkfifo(notes / "pipe.md")
    home = make_home(tmp_path, f'\n[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{notes}"\n')
    notices = Notices()
    app = make_app(home)
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        said = [(n.title, n.message) for n in notices if n.title.startswith("notes")]
        assert said and said[0][0] == "notes: 2 warnings", notices.messages
        assert "out.md: skipped (link leads out of the folder)" in said[0][1]
        assert "pipe.md: skipped (not a regular file)" in said[0][1]
        await pilot.press("1")
        await settle(app, pilot)
        assert re.search(r"⚠ notes +1/1", screen_text(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 30)])
async def test_sources_with_names_alike_stay_distinct_where_there_is_room(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    config = ""
    for n, name in enumerate(("Valid & Hostile", "Valid & Hostile (2)")):
        folder = tmp_path / f"folder{n}"
        folder.mkdir()
        (folder / "a.md").write_text(f"# Story from {n}\n\nwords\n")
        config += f'\n[[sources]]\nname = "{name}"\nkind = "local"\nlocation = "{folder}"\n'
    app = make_app(make_home(tmp_path, config))
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        if size == (80, 24):  # 80 columns as they were: the title keeps its room
            assert text.count("Valid & Hos…") == 2, text
            return
        assert "Valid & Hostile (2)" in text and re.search(r"Valid & Hostile(?! \(2\))(?!…)", text), text
        await pilot.press("1")
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        assert any(re.search(r"▊? *Valid & Hostile \(2\) +1/1", line) for line in lines), "\n".join(lines)


def note_folder(tmp_path: Path, notes: int) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    for n in range(notes):
        (folder / f"{n}.md").write_text(f"# Note {n}\n\nwords\n")
    return folder


async def highlight_source(pilot, name: str) -> SourcesPane:
    pane = pilot.app.screen.query_one(SourcesPane)
    pane.highlighted = next(i for i, c in enumerate(pane.choices) if c.source == name)
    await pilot.pause()
    return pane


async def test_a_source_added_by_mistake_is_removed_from_the_app_after_asking(
    tmp_path: Path, profile, run
) -> None:
    notes = note_folder(tmp_path, 2)
    mine = tmp_path / "mine"
    mine.mkdir()
    home = profile(f'[[sources]]\nname = "mine"\nkind = "local"\nlocation = "{mine}"\n', seeds=True)
    run("add", str(notes), "--name", "notes")
    notices = Notices()
    app = make_app(home)
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        await highlight_source(pilot, "notes")
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDeleteScreen)
        asked = screen_text(app)
        assert "Remove the source 'notes' and delete its 2 cached articles?" in asked, asked
        await pilot.press("n")  # kept
        await settle(app, pilot)
        assert [s.name for s in app.session.store.subscriptions()] == ["notes"]
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert app.session.store.subscriptions() == []
        assert (
            "Removed 'notes' and 2 cached articles (read marks, stars and drafts are kept)"
            in notices.messages
        )
        assert all(c.source != "notes" for c in app.screen.query_one(SourcesPane).choices)
        # From config.toml, or the bundled sample: refused in the CLI's words, nothing asked.
        for name, words in (("mine", "is defined in"), ("seeds", "turn it off with `seeds = false`")):
            await highlight_source(pilot, name)
            await pilot.press("d")
            await settle(app, pilot)
            assert not isinstance(app.screen, ConfirmDeleteScreen)
            assert words in notices.messages[-1], notices.messages
    assert "remove it there" in run("remove", "mine", check=2).stderr


async def test_the_palette_removes_the_source_of_the_headline_under_the_cursor(
    tmp_path: Path, profile, run
) -> None:
    notes = note_folder(tmp_path, 1)
    home = profile()
    run("add", str(notes), "--name", "notes")
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await palette(pilot, "Remove source")
        assert isinstance(app.screen, ConfirmDeleteScreen)
        assert "Remove the source 'notes' and delete its 1 cached article?" in screen_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.session.store.subscriptions() == []
        assert app.screen.headlines.total == 0
