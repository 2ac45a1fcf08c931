"""The composer and the drafts screen, driven through Pilot like a person would.

Each test runs the real app on a throwaway profile (real state.sqlite, the
bundled seeds as the only source) and checks what was stored on disk.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from textual.widgets import DataTable, Input, Static, TextArea
from textual.worker import WorkerCancelled

from app_support import Notices, make_app, screen_text
from termnews.app import TermnewsApp
from termnews.screens.drafts import ConfirmDeleteScreen, DraftsScreen, ReplyChoiceScreen
from termnews.screens.prompt import PromptScreen
from termnews.session import Session
from termnews.store import Draft
from termnews.widgets.composer import Composer
from termnews.widgets.composer_storage import AUTOSAVE_DELAY

PUTIN = "Russia’s Putin won’t congratulate Biden until Trump concede"
SENDABLE = "Riverside Library reopens after a two-year renovation"  # a seed with a link: may be sent
SIZE = (100, 30)
WIDE = (140, 30)  # the drafts table's columns at their widest: titles clipped at 40


def stored(home: Path) -> list[Draft]:
    """What is on disk now, read through a second connection (as a new process would)."""
    session = Session.open(str(home))
    try:
        return session.store.drafts()
    finally:
        session.close()


async def settle(app: TermnewsApp, pilot) -> None:
    """Wait until every worker has finished and the messages they posted are handled."""
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            pass
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            await pilot.pause()
            return
    raise AssertionError("workers never settled")


async def open_article(app: TermnewsApp, pilot, title: str = PUTIN) -> None:
    await settle(app, pilot)  # the seeds are read at start
    screen = app.screen
    titles = [screen.headlines.row(i).title for i in range(screen.headlines.total)]
    screen.headlines.move_to(titles.index(title))
    screen.headlines.focus()
    await pilot.press("enter")
    await settle(app, pilot)
    assert screen.reader.article is not None and screen.reader.article.title == title


async def reply(app: TermnewsApp, pilot, choice: str | None = None) -> Composer:
    await pilot.press("r")
    await settle(app, pilot)
    if choice is not None:
        assert isinstance(app.screen, ReplyChoiceScreen)
        await pilot.press(choice)
        await settle(app, pilot)
    composer = app.screen.query_one(Composer)
    assert composer.is_open
    return composer


async def type_text(pilot, text: str) -> None:
    keys = {" ": "space", "\n": "enter", ".": "full_stop", ",": "comma", "@": "at"}
    await pilot.press(*[keys.get(ch, ch) for ch in text])


def error_text(composer: Composer, field: str) -> str:
    label = composer.query_one(f"#{field}-error", Static)
    return str(label.render()) if label.has_class("-shown") else ""


# -- typing and autosave ------------------------------------------------------------


async def test_typing_is_saved_about_a_second_after_the_last_key(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        assert str(composer.query_one("#composer-heading", Static).render()) == "Leave a Reply"
        assert str(composer.query_one("#composer-article", Static).render()) == PUTIN
        assert "Required fields are marked *" in str(composer.query_one("#composer-note", Static).render())
        # Name and email come from [identity] in config.toml.
        assert composer.query_one("#name", Input).value == "Ann Reader"
        assert composer.query_one("#email", Input).value == "ann@example.org"
        await type_text(pilot, "Hello ther")
        last_key = time.monotonic()  # just before the last key: the debounce starts after this
        await type_text(pilot, "e")
        assert composer.query_one("#comment", TextArea).text == "Hello there"
        assert app.session.store.drafts() == []  # still debouncing: nothing written yet
        saved_after = None
        while time.monotonic() - last_key < 10:
            await asyncio.sleep(0.02)
            if app.session.store.drafts():
                saved_after = time.monotonic() - last_key
                break
        assert saved_after is not None, "the draft never reached state.sqlite"
        # Not before the pause; after it, soon, with room for a loaded two-core machine.
        assert AUTOSAVE_DELAY <= saved_after <= AUTOSAVE_DELAY + 4, saved_after
        await settle(app, pilot)
        [draft] = stored(identity_home)
        assert (draft.comment, draft.name, draft.email, draft.state) == (
            "Hello there",
            "Ann Reader",
            "ann@example.org",
            "draft",
        )
        assert draft.article_title == PUTIN and draft.article_source == "seeds"
        assert "Draft #1 · draft · saved" == str(composer.query_one("#composer-status", Static).render())
        # The headline shows the ✎ mark (the list steps aside while a reply is written at 100x30).
        await pilot.press("escape")
        await settle(app, pilot)
        headlines = app.screen.headlines
        assert headlines.current.title == PUTIN and headlines.current.has_draft
        assert "✎" in "".join(
            s.text for s in headlines.render_line(headlines.cursor - int(headlines.scroll_y))
        )


async def test_opening_and_closing_without_typing_leaves_no_draft(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not composer.is_open
    assert stored(identity_home) == []


async def test_quitting_right_after_typing_saves(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        await reply(app, pilot)
        await type_text(pilot, "typed then quit at once")
        await pilot.press("ctrl+q")  # well inside the autosave delay
    assert [d.comment for d in stored(identity_home)] == ["typed then quit at once"]


async def test_closing_the_pane_saves(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await type_text(pilot, "closing")
        await pilot.press("escape")
        await settle(app, pilot)
        assert not composer.is_open and app.focused is app.screen.headlines
        assert [d.comment for d in app.session.store.drafts()] == ["closing"]


async def test_switching_article_saves_and_puts_the_reply_away(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await type_text(pilot, "before switching")
        app.screen.headlines.focus()
        await pilot.press("j", "enter")  # the next article, at once
        await settle(app, pilot)
        assert not composer.is_open
        assert app.screen.reader.article.title != PUTIN
        [draft] = app.session.store.drafts()
        assert draft.comment == "before switching" and draft.article_title == PUTIN


# -- validation and states -------------------------------------------------------------


async def test_validation_messages_sit_next_to_their_fields(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        assert [error_text(composer, f) for f in ("comment", "name", "email", "website")] == ["", "", "", ""]
        composer.query_one("#name", Input).value = ""
        composer.query_one("#email", Input).value = "not-an-email"
        composer.query_one("#website", Input).value = "ftp://example.org"
        await pilot.pause()
        assert error_text(composer, "name") == "Name is required"
        assert error_text(composer, "email") == "Not an email address (expected name@example.org)"
        assert error_text(composer, "website") == "Website must be an http:// or https:// address"
        assert error_text(composer, "comment") == ""  # not touched yet
        await pilot.press("ctrl+s")  # asks for ready: refused, every problem shown
        await settle(app, pilot)
        assert error_text(composer, "comment") == "Comment is required"
        assert app.focused is composer.query_one("#comment", TextArea)  # the first problem
        composer.query_one("#comment", TextArea).insert("x" * 65_526)
        await pilot.pause()
        assert error_text(composer, "comment") == "Comment is too long: 65,526 characters (at most 65,525)"
        composer.save_now()
        await settle(app, pilot)
        [draft] = app.session.store.drafts()  # invalid, and kept all the same
        assert (draft.state, draft.email, draft.website, len(draft.comment)) == (
            "draft",
            "not-an-email",
            "ftp://example.org",
            65_526,
        )


async def test_ctrl_s_marks_ready_only_when_valid_and_back_to_draft(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot, SENDABLE)
        composer = await reply(app, pilot)
        await pilot.press("ctrl+s")  # empty comment: not ready
        await settle(app, pilot)
        assert app.session.store.drafts() == []  # nothing typed: nothing to keep
        assert error_text(composer, "comment") == "Comment is required"
        await type_text(pilot, "Ready to go.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [draft] = app.session.store.drafts()
        assert (draft.state, draft.comment) == ("ready", "Ready to go.")
        status = composer.query_one("#composer-status", Static)
        assert str(status.render()) == f"Draft #{draft.id} · ready · saved" and status.has_class("-ready")
        await pilot.press("ctrl+s")  # back to draft
        await settle(app, pilot)
        assert app.session.store.draft(draft.id).state == "draft"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.session.store.draft(draft.id).state == "ready"
        await type_text(pilot, " More")  # editing a ready draft makes it a draft again
        composer.save_now()
        await settle(app, pilot)
        again = app.session.store.draft(draft.id)
        assert (again.state, again.comment) == ("draft", "Ready to go. More")


# -- reopening -------------------------------------------------------------------------


async def test_reopening_restores_the_draft_with_the_cursor_at_the_end(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await type_text(pilot, "First line\nSecond line")
        composer.query_one("#website", Input).value = "https://ann.example.org"
        await pilot.press("ctrl+q")
    app = make_app(identity_home)  # the program again
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        headline = app.screen.headlines.current
        assert headline.has_draft
        composer = await reply(app, pilot, choice="c")  # continue the last draft
        area = composer.query_one("#comment", TextArea)
        assert area.text == "First line\nSecond line"
        assert area.cursor_location == area.document.end == (1, 11)
        assert composer.query_one("#website", Input).value == "https://ann.example.org"
        assert app.focused is area
        await type_text(pilot, "!")
        await pilot.press("escape")
        await settle(app, pilot)
        assert [d.comment for d in app.session.store.drafts()] == ["First line\nSecond line!"]


async def test_a_new_reply_beside_the_last_draft(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        await reply(app, pilot)
        await type_text(pilot, "one")
        await pilot.press("escape")
        await settle(app, pilot)
        dialog_app = app
        await pilot.press("r")
        await settle(dialog_app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ReplyChoiceScreen)
        text = " ".join(str(s.render()) for s in dialog.query(Static))
        assert "This article has 1 draft" in text and "“one”" in text
        footer = screen_text(app).splitlines()[-1]  # the dialog's keys, not the main screen's
        assert "c Continue" in footer and "esc Cancel" in footer and "Quit" not in footer
        await pilot.press("n")
        await settle(app, pilot)
        composer = app.screen.query_one(Composer)
        assert composer.query_one("#comment", TextArea).text == ""
        assert composer.query_one("#name", Input).value == "Ann Reader"
        await type_text(pilot, "two")
        await pilot.press("escape")
        await settle(app, pilot)
        assert sorted(d.comment for d in app.session.store.drafts()) == ["one", "two"]
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("escape")  # cancel: nothing opens
        await settle(app, pilot)
        assert not app.screen.query_one(Composer).is_open


# -- the drafts screen -------------------------------------------------------------------


def seed_drafts(home: Path) -> list[Draft]:
    session = Session.open(str(home))
    try:
        store = session.store
        a = store.create_draft(
            article_id="gone1",
            article_title="[bold red]Not markup[/] title",
            article_link="https://example.org/a",
            article_source="feed [x]",
            comment="\n[i]first[/i] line\nsecond",
            name="Ann",
            email="ann@example.org",
        )
        b = store.create_draft(
            article_id="gone2",
            article_title="Another article",
            article_link=None,
            article_source="seeds",
            comment="ready one",
            name="Ann",
            email="ann@example.org",
            state="ready",
        )
        return [a, b]
    finally:
        session.close()


async def test_drafts_screen_lists_every_draft_as_plain_text(identity_home: Path) -> None:
    a, b = seed_drafts(identity_home)
    app = make_app(identity_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DraftsScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 2
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(2)]
        # newest change first; titles, sources and comments exactly as written
        assert rows[0][0] == str(b.id) and rows[0][1] == "ready" and rows[0][4] == "Another article"
        assert rows[1][1] == "draft" and rows[1][3] == "feed [x]"
        assert rows[1][4] == "[bold red]Not markup[/] title" and rows[1][5] == "[i]first[/i] line"
        assert rows[1][2] == time.strftime("%Y-%m-%d %H:%M", time.localtime(a.updated))
        assert str(screen.query_one("#drafts-title", Static).render()) == "Drafts: 2 (1 ready)"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, DraftsScreen)


async def test_drafts_screen_delete_asks_first(identity_home: Path) -> None:
    a, b = seed_drafts(identity_home)
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        await pilot.press("d")  # the first row: b
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDeleteScreen)
        await pilot.press("n")  # keep
        await settle(app, pilot)
        assert len(app.session.store.drafts()) == 2
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert [d.id for d in app.session.store.drafts()] == [a.id]
        assert isinstance(app.screen, DraftsScreen)
        assert app.screen.query_one(DataTable).row_count == 1


async def test_drafts_screen_export(identity_home: Path, tmp_path: Path) -> None:
    seed_drafts(identity_home)
    app = make_app(identity_home)
    target = tmp_path / "out" / "drafts.json"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)
        field = app.screen.query_one(Input)
        assert field.value.endswith(".md")
        field.value = str(target)
        await pilot.press("enter")
        await settle(app, pilot)
        data = json.loads(target.read_text(encoding="utf-8"))
        assert {d["article_title"] for d in data} == {"[bold red]Not markup[/] title", "Another article"}


async def test_drafts_screen_opens_a_draft_whose_article_left_the_cache(identity_home: Path) -> None:
    a, _ = seed_drafts(identity_home)
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        composer = app.screen.query_one(Composer)
        assert composer.is_open
        assert (
            str(composer.query_one("#composer-article", Static).render()) == "[bold red]Not markup[/] title"
        )
        assert composer.query_one("#comment", TextArea).text == "\n[i]first[/i] line\nsecond"
        await type_text(pilot, " more")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.session.store.draft(a.id).comment == "\n[i]first[/i] line\nsecond more"
        assert app.session.store.draft(a.id).version == 2  # updated in place, no conflict


async def test_drafts_from_the_command_palette(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await type_text(pilot, "Drafts")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DraftsScreen)
        assert app.screen.has_class("-empty")


async def test_deleting_the_cache_keeps_drafts_in_the_app(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=WIDE) as pilot:
        await open_article(app, pilot)
        await reply(app, pilot)
        await type_text(pilot, "survives the cache")
        await pilot.press("ctrl+q")
    shutil.rmtree(app.session.paths.cache_dir)
    app = make_app(identity_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][4:] == [PUTIN[:39] + "…", "survives the cache"]


# -- $EDITOR ---------------------------------------------------------------------------------


def scripted_editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "fake_editor.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return f"{sys.executable} {script}"


async def test_editor_round_trip(identity_home: Path, tmp_path: Path, monkeypatch, suspend_calls) -> None:
    monkeypatch.setenv(
        "VISUAL",
        scripted_editor(
            tmp_path,
            """
        import sys
        path = sys.argv[1]
        text = open(path, encoding="utf-8").read()
        assert text.endswith("\\n")  # a file as editors write them
        open(path, "w", encoding="utf-8").write(text[:-1] + " and more from the editor\\n")
    """,
        ),
    )
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await type_text(pilot, "typed")
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert suspend_calls == ["suspend", "resume"]
        area = composer.query_one("#comment", TextArea)
        assert area.text == "typed and more from the editor"
        assert area.cursor_location == area.document.end
        await pilot.pause(AUTOSAVE_DELAY + 0.3)
        await settle(app, pilot)
        assert [d.comment for d in app.session.store.drafts()] == ["typed and more from the editor"]


async def test_editor_failure_loses_nothing(
    identity_home: Path, tmp_path: Path, monkeypatch, suspend_calls
) -> None:
    monkeypatch.setenv(
        "VISUAL",
        scripted_editor(
            tmp_path,
            """
        import sys
        open(sys.argv[1], "w").write("")
        sys.exit(1)
    """,
        ),
    )
    app = make_app(identity_home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await type_text(pilot, "precious")
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert composer.query_one("#comment", TextArea).text == "precious"
        assert any("exited with status 1" in n.message for n in notices)
        assert [d.comment for d in app.session.store.drafts()] == ["precious"]  # saved before the editor


# -- two processes ---------------------------------------------------------------------------

OTHER_PROCESS = textwrap.dedent("""
    import sys
    from termnews.paths import Paths
    from termnews.store import Store
    store = Store(Paths.resolve(sys.argv[1]))
    draft = store.draft(int(sys.argv[2]))
    store.update_draft(draft.id, draft.version, comment="written by the other window",
                       name=draft.name, email=draft.email, website=draft.website)
    store.close()
""")


async def test_another_process_editing_the_open_draft_keeps_both(
    identity_home: Path, subprocess_env: dict[str, str]
) -> None:
    app = make_app(identity_home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await type_text(pilot, "mine")
        composer.save_now()
        await settle(app, pilot)
        [draft] = app.session.store.drafts()
        subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS, str(identity_home), str(draft.id)],
            env=subprocess_env,
            check=True,
            timeout=60,
        )
        await type_text(pilot, " too")
        composer.save_now()
        await settle(app, pilot)
        comments = sorted(d.comment for d in app.session.store.drafts())
        assert comments == ["mine too", "written by the other window"]
        warnings = [n.message for n in notices if n.severity == "warning"]
        assert any("both versions are kept" in m for m in warnings), warnings
        assert composer.editor.draft.id != draft.id  # we go on with our own copy


async def test_opening_a_draft_from_the_drafts_screen_shows_its_article(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        await reply(app, pilot)
        await type_text(pilot, "from the list")
        await pilot.press("ctrl+q")
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.screen.reader.article is None
        await pilot.press("D")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.reader.article is not None and app.screen.reader.article.title == PUTIN
        composer = app.screen.query_one(Composer)
        assert composer.is_open and composer.query_one("#comment", TextArea).text == "from the list"
