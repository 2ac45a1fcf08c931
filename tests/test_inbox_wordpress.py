"""Against a real WordPress (tests/wordpress_site.py): answers reach the inbox, held replies
become sent, and the REST API sends with an Application Password.

As a person would: subscribe, refresh, reply, `termnews send`; a second
commenter answers through WordPress's own comment form; `termnews refresh`;
the answer is in `termnews inbox --json`, unread.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from termnews.comments import fetch_comments
from termnews.drafts import ArticleRef
from termnews.models import Draft
from termnews.outbox import Outbox
from termnews.paths import Paths
from termnews.session import Session
from termnews.store import Store
from test_wordpress import ME, _article_titled, ready_draft, unique
from wordpress_site import HOLD_WORD, Site


def termnews(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "termnews", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TERMNEWS_HOME": ""},
    )


def wp_source(site: Site, extra: str = "") -> str:
    """The site's feed as a profile's source (with `extra` lines in its table), for `profile`."""
    return f'\n[[sources]]\nname = "wp"\nkind = "feed"\nlocation = "{site.url}/?feed=rss2"\n{extra}'


def refresh(home: Path) -> str:
    done = termnews(home, "refresh")
    assert done.returncode == 0, done.stderr
    return done.stdout


def inbox(home: Path) -> list[dict]:
    done = termnews(home, "inbox", "--json")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def send_reply(home: Path, title: str, text: str, state: str) -> Draft:
    """Reply to the article titled `title` and send it; the draft, which ends in `state`."""
    refresh(home)
    with Store(Paths.resolve(home)) as store:
        article = _article_titled(store, title)
        draft = ready_draft(store, ArticleRef.of_article(article), text)
        [report] = Outbox(store).send_all()
        assert report.state == state, report
        return store.draft(draft.id)


def test_an_answer_through_the_form_reaches_the_inbox_unread(wordpress: Site, profile) -> None:
    post = wordpress.create_post("Answered")
    home = profile(wp_source(wordpress))
    draft = send_reply(home, "Answered", unique("My first thought"), "sent")
    mine = int(draft.remote_id)
    assert inbox(home) == []

    text = unique("Ada, I answer you")
    answer = wordpress.post_through_form(post, "Grace", text, parent=mine)
    wordpress.post_through_form(post, "Linus", unique("Not an answer to anyone"))
    assert "1 new answer to your replies" in refresh(home)

    [item] = inbox(home)
    assert item["author"] == "Grace" and item["text"] == text and item["read"] is False
    assert item["article_title"] == "Answered"
    assert item["link"].endswith(f"#comment-{answer}")
    assert set(item) == {"id", "article_title", "author", "date", "text", "link", "read"}

    refresh(home)  # seen again: still one, still unread
    assert [i["id"] for i in inbox(home)] == [item["id"]]
    with Store(Paths.resolve(home)) as store:
        [kept] = store.inbox()
        assert kept.draft_id == draft.id and kept.comment_id.endswith(f"comment-{answer}")
    assert termnews(home, "inbox", "read", str(item["id"])).returncode == 0
    assert inbox(home)[0]["read"] is True


def test_a_held_reply_approved_in_wordpress_becomes_sent(wordpress: Site, profile) -> None:
    post = wordpress.create_post("Held then approved")
    # WordPress dates its comment feed (Last-Modified, ETag) to the second: a comment approved in
    # the same second the post was written leaves the feed's validators as they were (a 304).
    time.sleep(1.1)
    home = profile(wp_source(wordpress))
    draft = send_reply(home, "Held then approved", unique(f"Please {HOLD_WORD} me"), "held")

    refresh(home)  # not approved yet: still held
    with Store(Paths.resolve(home)) as store:
        assert store.draft(draft.id).state == "held"

    [comment] = wordpress.comments(post)
    wordpress.approve(comment["id"])
    refresh(home)

    with Store(Paths.resolve(home)) as store:
        saved = store.draft(draft.id)
        assert saved.state == "sent", saved
        assert saved.remote_id == str(comment["id"])
        assert saved.remote_url.endswith(f"#comment-{comment['id']}") and saved.send_error is None


def _rest_source(tmp_path: Path, site: Site, password: str) -> str:
    secret = tmp_path / "secret"
    secret.write_text(password + "\n", encoding="utf-8")
    secret.chmod(0o600)
    return wp_source(site, f'sender = "wordpress-rest"\nuser = "admin"\npassword_command = "cat {secret}"\n')


def test_a_reply_sent_through_the_rest_api_appears_in_the_comment_feed_once(
    wordpress: Site, tmp_path: Path, profile
) -> None:
    post = wordpress.create_post("Sent by the REST API")
    parent = wordpress.add_comment(post, "Alice", "Anyone here?", minutes_ago=5)
    home = profile(_rest_source(tmp_path, wordpress, wordpress.application_password("admin")))
    refresh(home)
    session = Session.open(str(home))
    try:
        store = session.store
        article = _article_titled(store, "Sent by the REST API")
        info = store.article_reply_info(article.id)
        alice = next(c for c in fetch_comments(store, info.comments_url).comments if c.author == "Alice")
        text = unique("Sent with an Application Password")
        draft = ready_draft(store, ArticleRef.of_article(article), text, parent=alice.id)

        done = termnews(home, "send", "--dry-run")
        assert "(REST API, as admin)" in done.stdout and "rest_route=/wp/v2/comments" in done.stdout
        done = termnews(home, "send")
        assert done.returncode == 0, done.stdout + done.stderr

        saved = store.draft(draft.id)
        assert saved.state == "sent", saved
        got = fetch_comments(store, info.comments_url)
        mine = [c for c in got.comments if text in c.body]
        assert len(mine) == 1 and mine[0].author == ME.name and mine[0].parent == alice.id
        rows = [r for r in wordpress.comments(post) if r["content"] == text]
        assert len(rows) == 1 and rows[0]["parent"] == parent and str(rows[0]["id"]) == saved.remote_id
        assert termnews(home, "send").stdout.startswith("nothing to send")
    finally:
        session.close()


def test_a_wrong_application_password_fails_in_the_sites_words(
    wordpress: Site, tmp_path: Path, profile
) -> None:
    post = wordpress.create_post("Wrong password")
    home = profile(_rest_source(tmp_path, wordpress, "abcd efgh ijkl mnop qrst uvwx"))
    refresh(home)
    with Store(Paths.resolve(home)) as store:
        article = _article_titled(store, "Wrong password")
        draft = ready_draft(store, ArticleRef.of_article(article), unique("Will not pass"))
    done = termnews(home, "send")
    assert done.returncode == 1
    with Store(Paths.resolve(home)) as store:
        saved = store.draft(draft.id)
    # WordPress ignores a password it does not accept and treats the request as anonymous.
    assert saved.state == "failed" and "logged in" in saved.send_error, saved.send_error
    assert wordpress.comments(post) == []


IDENTITY = f'\n[identity]\nname = "{ME.name}"\nemail = "{ME.email}"\n'


async def test_the_inbox_view_shows_the_answer_and_r_answers_it(wordpress: Site, profile) -> None:
    from app_support import screen_text, settle
    from termnews.app import TermnewsApp
    from termnews.widgets.comments import CommentsPane
    from termnews.widgets.composer import Composer
    from termnews.widgets.inbox import InboxList

    post = wordpress.create_post("Answered in the app")
    home = profile(wp_source(wordpress) + IDENTITY)
    draft = send_reply(home, "Answered in the app", unique("What I think"), "sent")
    text = unique("Test Reader, here is my answer")
    answer = wordpress.post_through_form(post, "Grace", text, parent=int(draft.remote_id))
    refresh(home)
    [item] = inbox(home)

    app = TermnewsApp(Session.open(str(home)))
    async with app.run_test(size=(120, 44)) as pilot:
        await settle(app, pilot)
        await pilot.press("1", "home", "down", "down", "down", "down")
        await settle(app, pilot)
        assert re.search(r"Inbox +1/1", screen_text(app)), screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        listing = app.screen.query_one(InboxList)
        assert listing.is_open and [i.id for i in listing.items] == [item["id"]]
        shown = screen_text(app)
        assert "● Grace" in shown and "Answered in the app" in shown and "here is my answer" in shown

        await pilot.press("enter")  # opens the answer: its thread, the cursor on it
        await settle(app, pilot)
        pane = app.screen.query_one(CommentsPane)
        assert pane.is_open and pane.current is not None
        assert pane.current.id.endswith(f"comment-{answer}")
        assert f"{ME.name} [you · published]" in screen_text(app)
        assert app.session.store.inbox_item(item["id"]).read

        listing.focus()
        await pilot.press("r")
        await settle(app, pilot)
        composer = app.screen.query_one(Composer)
        assert composer.is_open and composer.editor.parent == pane.current.id
        assert composer.editor.article.title == "Answered in the app"
        assert composer.answered_comment is not None and composer.answered_comment.author == "Grace"


async def test_comments_new_since_the_last_visit_are_marked_and_n_jumps_to_them(
    wordpress: Site, profile
) -> None:
    from app_support import open_article, screen_text, settle
    from termnews.app import TermnewsApp
    from termnews.widgets.comments import CommentsPane

    post = wordpress.create_post("Visited twice")
    wordpress.add_comment(post, "Alice", "First!", minutes_ago=30)
    home = profile(wp_source(wordpress))
    refresh(home)

    async def open_thread(app, pilot) -> CommentsPane:
        await open_article(pilot, "Visited twice")
        await pilot.press("c")
        await settle(app, pilot)
        return app.screen.query_one(CommentsPane)

    app = TermnewsApp(Session.open(str(home)))
    async with app.run_test(size=(120, 44)) as pilot:
        pane = await open_thread(app, pilot)
        assert [c.author for _, c in pane.comments] == ["Alice"] and "● new" not in screen_text(app)

    # Comments written now (a backdated one would not change the feed's Last-Modified: a 304).
    wordpress.add_comment(post, "Bob", "Second")
    time.sleep(1.1)
    wordpress.add_comment(post, "Carol", "Third")
    app = TermnewsApp(Session.open(str(home)))
    async with app.run_test(size=(120, 44)) as pilot:
        pane = await open_thread(app, pilot)
        text = screen_text(app)
        assert "Bob [● new]" in text and "Carol [● new]" in text and "Alice [" not in text, text
        assert "2 new since your last visit" in text
        await pilot.press("n")
        assert pane.current.author == "Bob"
        await pilot.press("n")
        assert pane.current.author == "Carol"
