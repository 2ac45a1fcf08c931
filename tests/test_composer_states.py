"""The composer and the drafts screen with replies the outbox has acted on (issue 12, points 2-6).

Sent and held replies stay as they were sent; a refused or doubtful one says why;
a ready one that is changed says it is a draft again; an article with nowhere to
send to says so when the reply begins; a draft whose article left the cache shows
its own copy of the article. Driven through Pilot on a real profile.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Static, TextArea

from app_support import Notices, make_app, screen_text
from termnews.app import TermnewsApp
from termnews.screens.drafts import DraftsScreen, ReplyChoiceScreen
from termnews.session import Session
from termnews.store import Draft
from termnews.widgets.composer import Composer
from test_composer import PUTIN, open_article, reply, settle, type_text

SIZE = (100, 30)
OTHER = "Riverside Library reopens after a two-year renovation"


def text_of(composer: Composer, selector: str) -> str:
    widget = composer.query_one(selector, Static)
    return str(widget.render()) if widget.display else ""


def through_the_outbox(app: TermnewsApp, draft: Draft, state: str, error: str | None = None) -> Draft:
    """What `termnews send` would have stored: ready, claimed, then the site's answer."""
    store = app.session.store
    ready = store.set_draft_state(draft.id, store.draft(draft.id).version, "ready")
    claimed = store.claim_for_sending(ready.id, ready.version)
    if state == "sending":
        return store.record_send(claimed.id, "sending", error=error)
    return store.record_send(
        claimed.id, state, error=error, remote_id="7", remote_url="http://example.org/#comment-7"
    )


async def written(app: TermnewsApp, pilot, words: str, title: str = PUTIN) -> Draft:
    await open_article(app, pilot, title)
    await reply(app, pilot)
    await type_text(pilot, words)
    await pilot.press("escape")
    await settle(app, pilot)
    [draft] = app.session.store.drafts()
    return draft


async def open_from_drafts_screen(app: TermnewsApp, pilot) -> Composer:
    await pilot.press("D")
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    composer = app.screen.query_one(Composer)
    assert composer.is_open
    return composer


# -- 2. what was sent stays as it was sent ------------------------------------------------


async def test_r_on_a_sent_reply_offers_an_edited_copy_and_never_overwrites_it(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        draft = await written(app, pilot, "as sent")
        sent = through_the_outbox(app, draft, "sent")
        await pilot.press("r")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ReplyChoiceScreen)
        assert [str(b.label) for b in dialog.query(Button)] == [
            "Edited copy (c)",
            "New reply (n)",
            "Cancel (esc)",
        ]
        await pilot.press("c")
        await settle(app, pilot)
        composer = app.screen.query_one(Composer)
        assert composer.query_one("#comment", TextArea).text == "as sent"
        assert text_of(composer, "#composer-status").startswith("New reply")
        await type_text(pilot, " and more")
        await pilot.press("escape")
        await settle(app, pilot)
        drafts = {d.id: d for d in app.session.store.drafts()}
        assert drafts.pop(sent.id) == sent  # the record of what was sent, untouched
        [copy] = drafts.values()
        assert (copy.comment, copy.state) == ("as sent and more", "draft")


@pytest.mark.parametrize("state", ["sent", "held", "sending"])
async def test_a_reply_at_the_site_opens_read_only_and_ctrl_s_says_one_thing(
    identity_home: Path, state: str
) -> None:
    app = make_app(identity_home)
    notices = Notices()
    async with app.run_test(size=SIZE, message_hook=notices.hook) as pilot:
        draft = await written(app, pilot, "as sent")
        through_the_outbox(
            app, draft, state, error="no answer from example.org" if state == "sending" else None
        )
        composer = await open_from_drafts_screen(app, pilot)
        assert composer.read_only and state in text_of(composer, "#composer-status")
        assert "r starts a new reply or an edited copy" in text_of(composer, "#composer-reason")
        before = len(notices)
        await type_text(pilot, "typed")  # held, and explained once
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        said = notices.messages[before:]
        assert len(said) == 2 and all("stays as it was sent" in m for m in said), said
        assert not any("ready" in m.lower() for m in said)
        assert composer.query_one("#comment", TextArea).text == "as sent"
        assert app.session.store.draft(draft.id).state == state
        assert app.session.store.draft(draft.id).comment == "as sent"


# -- 5. a ready reply that is changed is a draft again -----------------------------------------


async def test_typing_into_a_ready_reply_says_it_is_a_draft_again(identity_home: Path) -> None:
    app = make_app(identity_home)
    notices = Notices()
    async with app.run_test(size=SIZE, message_hook=notices.hook) as pilot:
        await open_article(app, pilot, OTHER)
        composer = await reply(app, pilot)
        await type_text(pilot, "Ready.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert " · ready · " in text_of(composer, "#composer-status")
        before = len(notices)
        await type_text(pilot, " More")
        await pilot.pause()
        said = notices.messages[before:]
        assert len(said) == 1 and "draft again" in said[0], said
        assert " · draft · " in text_of(composer, "#composer-status")


# -- 6. nowhere to send; a failed reply says why -------------------------------------------------


async def test_a_reply_to_an_article_with_nowhere_to_send_to_says_so_and_is_kept(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)  # a bundled seed: no link, no site
        composer = await reply(app, pilot)
        await settle(app, pilot)
        said = text_of(composer, "#composer-reason")
        assert (
            said.startswith("Nowhere to send this reply: the article has no web address") and "kept" in said
        )
        await type_text(pilot, "kept all the same")
        await pilot.press("escape")
        await settle(app, pilot)
        assert [d.comment for d in app.session.store.drafts()] == ["kept all the same"]


async def test_a_reply_with_nowhere_to_send_to_cannot_be_marked_ready(identity_home: Path) -> None:
    app = make_app(identity_home)
    notices = Notices()
    async with app.run_test(size=SIZE, message_hook=notices.hook) as pilot:
        await open_article(app, pilot)  # a bundled seed: no link, no site
        composer = await reply(app, pilot)
        await settle(app, pilot)
        await type_text(pilot, "a valid reply, with nowhere to go")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [draft] = app.session.store.drafts()
        assert (draft.state, draft.comment) == ("draft", "a valid reply, with nowhere to go")
        assert " · draft · saved" in text_of(composer, "#composer-status")
        assert notices.messages[-1].startswith("Not ready: nowhere to send this reply (the article has no")


async def test_a_failed_reply_says_why_in_the_drafts_screen_and_the_composer(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        draft = await written(app, pilot, "refused")
        why = "the site refused the comment: HTTP 501 Not Implemented"
        through_the_outbox(app, draft, "failed", error=why)
        await pilot.press("D")
        await settle(app, pilot)
        assert isinstance(app.screen, DraftsScreen)
        detail = app.screen.query_one("#drafts-detail", Static)
        assert detail.display and why in str(detail.render())
        await pilot.press("enter")
        await settle(app, pilot)
        composer = app.screen.query_one(Composer)
        assert text_of(composer, "#composer-reason") == f"Not sent: {why}"
        assert not composer.read_only  # a failed reply may be mended and sent again


# -- 4. a draft whose article left the cache ----------------------------------------------------------


async def test_a_draft_whose_article_left_the_cache_opens_beside_its_own_copy(identity_home: Path) -> None:
    session = Session.open(str(identity_home))
    session.store.create_draft(
        article_id="gone",
        article_title="An article long gone",
        article_link="https://example.org/gone",
        article_source="old blog",
        comment="still mine",
        name="Ann",
        email="ann@example.org",
    )
    session.close()
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot, OTHER)  # an unrelated article in the reader
        await open_from_drafts_screen(app, pilot)
        article = app.screen.reader.article
        assert article is not None and article.id == "gone"
        assert (article.title, article.link, article.source) == (
            "An article long gone",
            "https://example.org/gone",
            "old blog",
        )
        shown = app.screen.reader.query_one("Markdown").source  # type: ignore[attr-defined]
        assert "An article long gone" in shown and "no longer cached" in shown and OTHER not in shown


async def test_a_reply_sent_while_open_shows_its_new_state_when_the_drafts_screen_closes(
    identity_home: Path,
) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=SIZE) as pilot:
        await open_article(app, pilot)
        composer = await reply(app, pilot)
        await type_text(pilot, "Ready.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        app.screen.action_drafts()  # from the command palette: the composer stays open under it
        await settle(app, pilot)
        assert isinstance(app.screen, DraftsScreen)
        [draft] = app.session.store.drafts()
        through_the_outbox(app, draft, "held")  # what S on this screen does with a moderated site
        await pilot.press("escape")
        await settle(app, pilot)
        assert composer.is_open and composer.read_only
        assert " · held · " in text_of(composer, "#composer-status")


# -- 18. the drafts screen's keys ----------------------------------------------------------------


async def test_the_drafts_screen_lists_enter_and_s_in_its_footer_and_help(identity_home: Path) -> None:
    app = make_app(identity_home)
    async with app.run_test(size=(80, 24)) as pilot:
        await written(app, pilot, "a reply")
        await pilot.press("D")
        await settle(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "⏎ Open" in footer and "S Send ready" in footer, footer
        await pilot.press("question_mark")
        await settle(app, pilot)
        shown = screen_text(app)
        assert (
            "Drafts screen (D)" in shown
            and "Open the draft in the" in shown
            and "Send every ready draft" in shown
        )
