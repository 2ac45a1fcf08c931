"""Against a real WordPress on 127.0.0.1 (tests/wordpress_site.py): read, reply, send.

Each of WordPress's answers to a comment ends in its own draft state with the
draft's words intact; an interrupted send is checked against the comment
feed and never sent twice; and the whole loop runs as a person would: subscribe,
refresh, open the comments, reply to one, mark it ready, `termnews send`.

Skipped (with the reason) only when the Debian packages are not installed:
`.ci/install-wordpress` installs them.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest

from termnews.cli import main as termnews_main
from termnews.cli_send import add_send_commands
from termnews.comments import fetch_comments
from termnews.drafts import ArticleRef, DraftEditor, DraftFields
from termnews.models import ArticleData, SourceSpec, article_id
from termnews.outbox import Outbox
from termnews.paths import Paths
from termnews.session import Session
from termnews.store import DraftConflict, Store, View, iter_pages
from wordpress_site import HOLD_WORD, DroppingProxy, Site

ME = DraftFields(comment="", name="Test Reader", email="reader@example.org", website="")


def wp_article(store: Store, site_url: str, post_id: int, title: str = "A post") -> ArticleRef:
    """The article as the site's RSS feed gives it (guid ?p=ID, link, wfw:commentRss)."""
    spec = SourceSpec("wp", "feed", f"{site_url}/?feed=rss2")
    entry = ArticleData(
        title=title,
        body="<p>body</p>",
        body_format="html",
        guid=f"{site_url}/?p={post_id}",
        link=f"{site_url}/?p={post_id}",
        comments_url=f"{site_url}/?feed=rss2&p={post_id}",
    )
    store.store_articles(spec, [entry])
    return ArticleRef(article_id(spec.source_id, entry), title, entry.link, spec.name)


def ready_draft(
    store: Store, article: ArticleRef, text: str, *, parent: str | None = None, fields: DraftFields = ME
):
    editor = DraftEditor(store, article, parent=parent)
    editor.stage(DraftFields(text, fields.name, fields.email, fields.website))
    return editor.flush("ready").draft


def unique(words: str) -> str:
    return f"{words} ({time.monotonic_ns()})"


def test_published_comment_is_sent_with_the_sites_id(wordpress: Site, store: Store) -> None:
    post = wordpress.create_post("Published")
    article = wp_article(store, wordpress.url, post)
    text = unique("A first reply, with “quotes” -- and a dash")
    draft = ready_draft(store, article, text)

    [report] = Outbox(store).send_all()

    assert report.state == "sent", report
    [comment] = wordpress.comments(post)
    assert comment["approved"] == "1" and comment["content"] == text
    saved = store.draft(draft.id)
    assert saved.state == "sent" and saved.remote_id == str(comment["id"])
    assert saved.remote_url.endswith(f"#comment-{comment['id']}")
    assert saved.comment == text and saved.name == ME.name  # the words are kept
    assert Outbox(store).send_all() == []  # nothing left to send


def test_comment_held_for_moderation(wordpress: Site, store: Store) -> None:
    post = wordpress.create_post("Held")
    article = wp_article(store, wordpress.url, post)
    draft = ready_draft(store, article, unique(f"Please {HOLD_WORD} this"))

    [report] = Outbox(store).send_all()

    [comment] = wordpress.comments(post)
    assert comment["approved"] == "0"
    saved = store.draft(draft.id)
    assert (report.state, saved.state) == ("held", "held")
    assert saved.remote_id == str(comment["id"]) and "unapproved=" in saved.remote_url
    assert "moderation" in saved.send_error


def test_duplicate_is_refused_in_the_sites_words(wordpress: Site, store: Store) -> None:
    post = wordpress.create_post("Duplicate")
    article = wp_article(store, wordpress.url, post)
    text = unique("Same words twice")
    first = ready_draft(store, article, text)
    second = ready_draft(store, article, text)

    reports = {r.draft_id: r for r in Outbox(store).send_all()}

    assert reports[first.id].state == "sent"
    assert reports[second.id].state == "failed"
    saved = store.draft(second.id)
    assert saved.state == "failed" and "Duplicate comment detected" in saved.send_error
    assert saved.comment == text
    assert len(wordpress.comments(post)) == 1


def test_flood_protection_makes_the_draft_wait(wordpress: Site, store: Store) -> None:
    post = wordpress.create_post("Flood", keep_flood=True)
    article = wp_article(store, wordpress.url, post)
    first = ready_draft(store, article, unique("One"))
    second = ready_draft(store, article, unique("Two, right after"))

    started = time.time()
    reports = {r.draft_id: r for r in Outbox(store).send_all()}

    # Every client here is 127.0.0.1: the second comment within 15 s is a 429.
    assert reports[second.id].state == "ready"
    saved = store.draft(second.id)
    assert saved.state == "ready" and "too quickly" in saved.send_error
    assert started + 14 <= saved.send_after <= time.time() + 16
    assert reports[first.id].state in ("sent", "ready")  # "ready" if another test posted just before
    posted = len(wordpress.comments(post))

    # Sending again at once does not post: the draft waits, and says until when.
    [again] = [r for r in Outbox(store).send_all() if r.draft_id == second.id]
    assert again.state == "ready" and again.message.startswith("waiting until")
    assert len(wordpress.comments(post)) == posted


def test_comments_closed_is_a_failure_with_the_reason(wordpress: Site, store: Store) -> None:
    post = wordpress.create_post("Closed", comments_open=False)
    article = wp_article(store, wordpress.url, post)
    draft = ready_draft(store, article, unique("Too late"))

    [report] = Outbox(store).send_all()

    saved = store.draft(draft.id)
    assert report.state == saved.state == "failed"
    assert "comments are closed" in saved.send_error
    assert wordpress.comments(post) == []


def test_missing_fields_is_a_failure_with_the_sites_message(wordpress: Site, store: Store) -> None:
    post = wordpress.create_post("Missing fields")
    article = wp_article(store, wordpress.url, post)
    # The composer would not mark this ready; a script or another program might.
    draft = store.create_draft(
        article_id=article.id,
        article_title=article.title,
        article_link=article.link,
        article_source=article.source,
        comment=unique("No name given"),
        state="ready",
    )

    [report] = Outbox(store).send_all()

    saved = store.draft(draft.id)
    assert report.state == saved.state == "failed"
    assert "fill the required fields" in saved.send_error
    assert saved.comment == draft.comment
    assert wordpress.comments(post) == []


def test_offline_send_waits_and_says_so(store: Store) -> None:
    from wordpress_site import free_port

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    article = wp_article(store, url, 7)
    draft = ready_draft(store, article, "Hello")

    [report] = Outbox(store).send_all()

    saved = store.draft(draft.id)
    assert report.state == saved.state == "ready"
    assert saved.send_error.startswith("offline: could not connect to 127.0.0.1")
    assert "waits for the next send" in saved.send_error


def _subscribe_and_refresh(home: Path, feed_url: str) -> None:
    assert termnews_main(["--home", str(home), "add", feed_url, "--name", "wp"]) == 0
    assert termnews_main(["--home", str(home), "refresh", "--quiet"]) == 0


def _article_titled(store: Store, title: str):
    [headline] = [h for h in iter_pages(store, View()) if h.title == title]
    return store.article(headline.id)


def test_send_interrupted_after_the_request_left_is_checked_not_repeated(wordpress: Site, home: Path) -> None:
    post = wordpress.create_post("Interrupted")
    proxy = DroppingProxy(wordpress.port)
    try:
        # The whole site through the proxy: its feed, page and form all point back at it.
        _subscribe_and_refresh(home, f"{proxy.url}/?feed=rss2")
        with Store(Paths.resolve(home)) as store:
            article = _article_titled(store, "Interrupted")
            assert store.article_reply_info(article.id).comments_url == f"{proxy.url}/?feed=rss2&p={post}"
            text = unique("Sent once, even if the answer is lost")
            draft = ready_draft(store, ArticleRef.of_article(article), text)
            proxy.drop_next("POST")

            [report] = Outbox(store).send_all()

            assert proxy.dropped == 1
            assert report.state == "sent", report
            assert "found in the comment feed" in report.message
            [comment] = wordpress.comments(post)
            assert comment["content"] == text
            assert store.draft(draft.id).remote_id == str(comment["id"])
            assert Outbox(store).send_all() == []
            assert len(wordpress.comments(post)) == 1
    finally:
        proxy.close()


def test_interrupted_send_of_a_held_comment_ends_held_not_twice(wordpress: Site, home: Path) -> None:
    post = wordpress.create_post("Interrupted and held")
    proxy = DroppingProxy(wordpress.port)
    try:
        _subscribe_and_refresh(home, f"{proxy.url}/?feed=rss2")
        with Store(Paths.resolve(home)) as store:
            article = _article_titled(store, "Interrupted and held")
            draft = ready_draft(store, ArticleRef.of_article(article), unique(f"Maybe {HOLD_WORD}"))
            proxy.drop_next("POST")

            [first] = Outbox(store).send_all()  # a held comment is not in the feed: in doubt
            assert first.state == "sending" and "not in the comment feed yet" in first.message
            assert len(wordpress.comments(post)) == 1

            [second] = Outbox(store, grace=0).send_all()  # checked again, then sent again: 409

            assert second.state == "held", second
            assert "already has this reply" in store.draft(draft.id).send_error
            [comment] = wordpress.comments(post)
            assert comment["approved"] == "0"
            assert Outbox(store).send_all() == []
    finally:
        proxy.close()


def test_read_reply_to_a_comment_send_end_to_end(wordpress: Site, home: Path, capsys) -> None:
    post = wordpress.create_post("A post with a thread", "<p>What do you think?</p>")
    alice = wordpress.add_comment(post, "Alice", "I think it is fine.", minutes_ago=10)
    bob = wordpress.add_comment(post, "Bob", "I do not agree, Alice.", parent=alice, minutes_ago=5)

    _subscribe_and_refresh(home, f"{wordpress.url}/?feed=rss2")
    session = Session.open(str(home))
    try:
        store = session.store
        article = _article_titled(store, "A post with a thread")
        info = store.article_reply_info(article.id)
        assert info.guid == f"{wordpress.url}/?p={post}"

        # The comments, nested: the Atom comment feed gives parents.
        got = fetch_comments(store, info.comments_url)
        assert got.error is None and got.threaded
        assert got.url == f"{wordpress.url}/?feed=atom&p={post}"
        shown = [(depth, c.author, c.body.strip()) for depth, c in got.thread]
        assert shown == [
            (0, "Alice", "<p>I think it is fine.</p>"),
            (1, "Bob", "<p>I do not agree, Alice.</p>"),
        ]
        bob_comment = got.thread.entries[1][1]

        # Reply to Bob, offline; mark it ready; send.
        text = unique("Bob, here is why I agree with Alice")
        draft = ready_draft(store, ArticleRef.of_article(article), text, parent=bob_comment.id)
        assert draft.parent_comment == bob_comment.id

        parser = argparse.ArgumentParser()
        add_send_commands(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
        dry = parser.parse_args(["send", "--dry-run"])
        assert dry.func(session, dry) == 0
        assert (
            f"would send to post {post} at {wordpress.url}/wp-comments-post.php, in reply to comment {bob}"
            in capsys.readouterr().out
        )
        assert store.draft(draft.id) == draft and wordpress.comments(post) == [
            {"id": alice, "parent": 0, "author": "Alice", "content": "I think it is fine.", "approved": "1"},
            {
                "id": bob,
                "parent": alice,
                "author": "Bob",
                "content": "I do not agree, Alice.",
                "approved": "1",
            },
        ]

        # WordPress dates its comment feed's validators to the second: a reply in the same second as
        # Bob's comment would leave them as they were, and the feed read below would be a 304.
        time.sleep(1.1)
        args = parser.parse_args(["send"])
        assert args.func(session, args) == 0
        out = capsys.readouterr().out
        assert f"#{draft.id}" in out and "sent" in out

        # The reply is in the post's comment feed, under Bob.
        after = fetch_comments(store, info.comments_url)
        mine = [(d, c) for d, c in after.thread if c.author == ME.name]
        assert len(mine) == 1
        depth, comment = mine[0]
        assert depth == 2 and comment.parent == bob_comment.id
        rows = wordpress.comments(post)
        assert [r["parent"] for r in rows if r["author"] == ME.name] == [bob]

        # Sending again sends nothing; marking it ready again is refused.
        assert args.func(session, args) == 0
        assert "nothing to send" in capsys.readouterr().out
        sent = store.draft(draft.id)
        with pytest.raises(DraftConflict):
            store.set_draft_state(sent.id, sent.version, "ready")
        assert len([r for r in wordpress.comments(post) if r["author"] == ME.name]) == 1
    finally:
        session.close()
