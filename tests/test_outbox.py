"""The outbox's rules with a scripted sender: states, waiting, never twice, dry runs, plugins."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedserver import FeedServer
from termnews.drafts import ArticleRef, DraftEditor, DraftFields
from termnews.outbox import Outbox
from termnews.plugins import PluginGroup
from termnews.senders import Prepared, Sender, SendResult, load_sender, sender_names
from termnews.store import DraftConflict, Store

ARTICLE = ArticleRef("a1", "An article", "http://example.org/?p=4", "blog")
WORDS = DraftFields("My reply", "Test Reader", "reader@example.org", "")


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Scripted(Sender):
    """Answers from a script; records what it was asked to send."""

    kind = "scripted"
    script: list[SendResult] = []
    sent: list[int] = []
    feed: str | None = None

    def prepare(self, reply):
        return Prepared(
            "http://example.org/wp-comments-post.php",
            {"comment": reply.comment},
            self.feed,
            "post 4 at example.org",
        )

    def send(self, reply, prepared):
        type(self).sent.append(reply.draft_id)
        return type(self).script.pop(0)

    def comments_url(self, reply, prepared=None):
        return type(self).feed


@pytest.fixture
def scripted():
    Scripted.script, Scripted.sent, Scripted.feed = [], [], None
    yield Scripted


def outbox(store: Store, clock: Clock | None = None, **kw) -> Outbox:
    clock = clock or Clock()
    return Outbox(store, clock=clock, sleep=clock.sleep, load=lambda name: Scripted, **kw)


def ready(store: Store, words: DraftFields = WORDS, parent: str | None = None):
    editor = DraftEditor(store, ARTICLE, parent=parent)
    editor.stage(words)
    return editor.flush("ready").draft


def test_sent_once_with_the_sites_id_and_words_kept(store: Store, scripted) -> None:
    draft = ready(store, parent="http://example.org/?p=4#comment-3")
    scripted.script = [SendResult("sent", "published", "12", "http://example.org/?p=4#comment-12")]

    [report] = outbox(store).send_all()

    assert report.state == "sent" and report.remote_id == "12"
    saved = store.draft(draft.id)
    assert (saved.state, saved.remote_id, saved.attempts) == ("sent", "12", 1)
    assert (saved.comment, saved.parent_comment) == (WORDS.comment, "http://example.org/?p=4#comment-3")
    assert outbox(store).send_all() == [] and scripted.sent == [draft.id]


@pytest.mark.parametrize(
    ("answer", "state"),
    [
        (SendResult("held", "held for moderation by the site", "13"), "held"),
        (SendResult("failed", "Sorry, comments are closed for this item.", status=403), "failed"),
        (SendResult("failed", "Duplicate comment detected", duplicate=True, status=409), "failed"),
        (SendResult("failed", "Error: Please fill the required fields.", status=200), "failed"),
    ],
)
def test_each_answer_is_a_state_with_the_sites_words(store: Store, scripted, answer, state) -> None:
    draft = ready(store)
    scripted.script = [answer]
    [report] = outbox(store).send_all()
    saved = store.draft(draft.id)
    assert report.state == saved.state == state
    assert answer.message in (saved.send_error or report.message)
    assert saved.comment == WORDS.comment


def test_too_fast_waits_for_the_site_then_sends(store: Store, scripted) -> None:
    draft = ready(store)
    clock = Clock()
    scripted.script = [
        SendResult("retry", "You are posting comments too quickly. Slow down.", retry_after=15)
    ]

    [first] = outbox(store, clock).send_all()
    assert first.state == "ready" and first.send_after == clock.now + 15
    assert "too quickly" in store.draft(draft.id).send_error

    clock.now += 5  # too early: not sent, says until when
    [early] = outbox(store, clock).send_all()
    assert early.message.startswith("waiting until") and scripted.sent == [draft.id]

    scripted.script = [
        SendResult("retry", "Slow down.", retry_after=15),
        SendResult("sent", "published", "14"),
    ]
    clock.now += 10
    reports = outbox(store, clock).send_all(max_wait=20)  # waits in this run, then sends
    assert [r.state for r in reports] == ["sent"] and clock.slept == [15]
    assert store.draft(draft.id).state == "sent"


def test_offline_keeps_the_draft_ready_and_says_so(store: Store, scripted) -> None:
    draft = ready(store)
    scripted.script = [SendResult("offline", "offline: could not connect to example.org: connection refused")]
    [report] = outbox(store).send_all()
    saved = store.draft(draft.id)
    assert report.state == saved.state == "ready"
    assert saved.send_error.endswith("it waits for the next send")


ATOM = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
<title>Comments</title><id>x</id><updated>2027-01-15T08:00:00Z</updated>
{entries}
</feed>"""
ENTRY = """<entry><title>By: {author}</title><id>http://example.org/?p=4#comment-{n}</id>
<link rel="alternate" href="http://example.org/?p=4#comment-{n}" type="text/html"/>
<author><name>{author}</name></author><published>2027-01-15T08:00:00Z</published>
<content type="html"><![CDATA[<p>{text}</p>]]></content>
<thr:in-reply-to ref="http://example.org/?p=4" href="http://example.org/?p=4" type="text/html"/></entry>"""


def test_unanswered_send_found_in_the_feed_is_sent_not_repeated(server, store: Store, scripted) -> None:
    draft = ready(store)
    scripted.feed = server.url("/comments.atom")
    server.feed(
        "/comments.atom",
        ATOM.format(entries=ENTRY.format(author=WORDS.name, n=21, text=WORDS.comment)).encode(),
        "application/atom+xml",
    )
    scripted.script = [SendResult("unknown", "the connection broke before an answer came")]
    clock = Clock(1_800_000_000.0 + 60)  # the feed's comment is dated a minute before

    [report] = outbox(store, clock).send_all()

    assert report.state == "sent" and "found in the comment feed" in report.message
    saved = store.draft(draft.id)
    assert saved.state == "sent" and scripted.sent == [draft.id]  # asked once, never again
    assert outbox(store, clock).send_all() == []


def test_unanswered_send_not_in_the_feed_waits_then_a_retry_refused_as_duplicate_is_held(
    server,
    store: Store,
    scripted,
) -> None:
    draft = ready(store)
    clock = Clock()
    scripted.feed = server.url("/comments.atom")
    server.feed("/comments.atom", ATOM.format(entries="").encode(), "application/atom+xml")
    scripted.script = [SendResult("unknown", "timed out after the request left")]

    [first] = outbox(store, clock).send_all()
    assert first.state == "sending" and "not in the comment feed yet" in first.message
    [again] = outbox(store, clock).send_all()  # still within the grace: not sent again
    assert again.state == "sending" and scripted.sent == [draft.id]

    clock.now += 31
    scripted.script = [SendResult("failed", "Duplicate comment detected", duplicate=True, status=409)]
    [last] = outbox(store, clock).send_all()

    assert last.state == "held" and scripted.sent == [draft.id, draft.id]
    assert "already has this reply" in store.draft(draft.id).send_error


def test_unanswered_send_with_an_unreadable_feed_stays_in_doubt(server, store: Store, scripted) -> None:
    draft = ready(store)
    scripted.feed = server.url("/gone")
    server.status("/gone", 503)
    scripted.script = [SendResult("unknown", "no answer")]
    [report] = outbox(store, grace=0).send_all()
    assert report.state == "sending" and "could not be read" in report.message
    assert scripted.sent == [draft.id]


def test_a_draft_changed_meanwhile_is_not_sent(store: Store, scripted) -> None:
    draft = ready(store)
    box = outbox(store)
    listed = box.pending()
    store.update_draft(
        draft.id,
        draft.version,
        comment="edited",
        name=WORDS.name,
        email=WORDS.email,
        website="",
        state="draft",
    )
    report = box.send_one(listed[0])
    assert "changed meanwhile" in report.message and scripted.sent == []


def test_a_sent_draft_is_never_queued_again(store: Store, scripted) -> None:
    draft = ready(store)
    scripted.script = [SendResult("sent", "published", "12")]
    outbox(store).send_all()
    sent = store.draft(draft.id)
    with pytest.raises(DraftConflict):
        store.set_draft_state(sent.id, sent.version, "ready")
    with pytest.raises(ValueError):
        store.update_draft(sent.id, sent.version, comment="x", name="", email="", website="", state="sent")
    editor = DraftEditor(store, ARTICLE, sent)
    editor.stage(DraftFields("changed words", WORDS.name, WORDS.email, ""))
    outcome = editor.flush("ready")  # the composer's ctrl+s
    # The record of what was sent is never overwritten: the changed words are a new draft.
    assert store.draft(sent.id) == sent
    assert outcome.draft.id != sent.id and outcome.draft.state == "draft"
    assert outcome.draft.comment == "changed words" and "new draft" in outcome.message
    assert outbox(store).send_all() == []


def test_dry_run_posts_nothing_and_changes_nothing(store: Store, scripted) -> None:
    draft = ready(store)
    [report] = outbox(store).send_all(dry_run=True)
    assert report.dry_run and "would send to post 4 at example.org" in report.message
    assert scripted.sent == [] and store.draft(draft.id) == draft


def test_a_broken_sender_fails_its_draft_not_the_run(store: Store, tmp_path: Path) -> None:
    draft = ready(store)

    def load(name: str):
        raise ImportError("No module named 'missing_plugin'")

    [report] = Outbox(store, load=load).send_all()
    assert report.state == "failed" and "missing_plugin" in report.message
    assert store.draft(draft.id).comment == WORDS.comment


def test_sender_plugins_load_like_sources() -> None:
    assert "wordpress" in sender_names()
    assert load_sender("wordpress").kind == "wordpress"
    group = PluginGroup(
        "termnews.no-such-group",
        {
            "good": "termnews.senders.wordpress:WordPressSender",
            "broken": "termnews.no_such_module:Thing",
            "wrong": "termnews.outbox:Outbox",
        },
        Sender,
        "sender",
    )
    assert group.names() == ["broken", "good", "wrong"]
    loaded, warnings = group.load_all()
    assert list(loaded) == ["good"]
    assert len(warnings) == 2 and any("no_such_module" in w for w in warnings)
    with pytest.raises(LookupError, match="unknown sender 'nope'"):
        group.load("nope")


def test_outbox_comments_and_senders_never_import_textual(subprocess_env) -> None:
    from test_imports import loaded_textual_modules

    modules = [
        "termnews.outbox",
        "termnews.comments",
        "termnews.senders",
        "termnews.senders.wordpress",
        "termnews.cli_send",
    ]
    assert loaded_textual_modules(subprocess_env, *modules) == []


def test_listing_senders_imports_none_of_them(subprocess_env) -> None:
    import json
    import subprocess
    import sys

    probe = (
        "import json, sys; from termnews.senders import sender_names; names = sender_names();"
        " print(json.dumps([names, 'termnews.senders.wordpress' in sys.modules, 'httpx' in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=subprocess_env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    names, loaded_wordpress, loaded_httpx = json.loads(done.stdout)
    assert "wordpress" in names and not loaded_wordpress and not loaded_httpx


def test_wordpress_answers_are_read_as_the_site_means_them() -> None:
    from termnews.senders.wordpress import interpret

    die = (
        b'<html><head><title>Comment Submission Failure</title></head><body id="error-page">'
        b'<div class="wp-die-message"><p><strong>Error:</strong> Please fill the required fields.</p>'
        b"</div>\n</body></html>"
    )
    base = "http://example.org/wp-comments-post.php"
    sent = interpret(302, {"location": "http://example.org/?p=4#comment-12"}, b"", base)
    assert (sent.outcome, sent.remote_id) == ("sent", "12")
    held = interpret(
        302, {"location": "http://example.org/?p=4&unapproved=13&moderation-hash=x#comment-13"}, b"", base
    )
    assert (held.outcome, held.remote_id) == ("held", "13")
    assert interpret(200, {}, die, base).message == "Error: Please fill the required fields."
    assert interpret(200, {}, die, base).outcome == "failed"
    assert interpret(409, {}, die.replace(b"Please fill", b"Duplicate"), base).duplicate
    flood = interpret(429, {"retry-after": "40"}, die, base)
    assert (flood.outcome, flood.retry_after) == ("retry", 40.0)
    assert interpret(429, {}, die, base).retry_after == 15.0  # WordPress sends no Retry-After
    assert interpret(403, {}, die, base).outcome == "failed"
    assert interpret(502, {}, b"bad gateway", base).outcome == "unknown"
    assert interpret(200, {}, b"<html><title>Thanks</title></html>", base).outcome == "unknown"


def test_wordpress_reply_to_a_comment_it_cannot_number_is_refused() -> None:
    from termnews.senders import Reply
    from termnews.senders.wordpress import WordPressSender

    reply = Reply(
        1,
        "hi",
        "A",
        "a@example.org",
        "",
        None,
        "http://example.org/?p=4",
        "http://example.org/?feed=rss2&p=4",
        parent="urn:uuid:1234",
    )
    result = WordPressSender().prepare(reply)
    assert isinstance(result, SendResult) and result.outcome == "failed"
    ok = WordPressSender().prepare(
        Reply(
            1,
            "hi",
            "A",
            "a@example.org",
            "",
            None,
            "http://example.org/?p=4",
            "http://example.org/?feed=rss2&p=4",
            parent="http://example.org/?p=4#comment-3",
        )
    )
    assert ok.endpoint == "http://example.org/wp-comments-post.php"
    assert ok.fields["comment_post_ID"] == "4" and ok.fields["comment_parent"] == "3"


# -- issue 12: a refusal fails the reply; a doubt is settled, never left in "sending" ---------

POST_PAGE = (
    "<html><body><h1>A post</h1><form action='/wp-comments-post.php' method='post'>"
    "<textarea name='comment'></textarea><input type='hidden' name='comment_post_ID' value='4'>"
    "</form></body></html>"
)


def wordpress_site(server: FeedServer, post_status: int, post_body: bytes = b"", feed: bool = True) -> None:
    """A site whose article page has the comment form and whose POST answers `post_status`."""
    server.status("/post", 200, POST_PAGE.encode(), "text/html; charset=utf-8")
    server.status("/wp-comments-post.php", post_status, post_body, "text/html; charset=utf-8")
    if feed:  # where WordPress keeps the post's comment feed: /?feed=rss2&p=4
        server.feed("/", ATOM.format(entries="").encode(), "application/atom+xml")


def ready_at(store: Store, link: str) -> int:
    editor = DraftEditor(store, ArticleRef("w1", "A post", link, "blog"))
    editor.stage(WORDS)
    return editor.flush("ready").draft.id


def site_outbox(store: Store, clock: Clock) -> Outbox:
    return Outbox(store, clock=clock, sleep=clock.sleep)  # the real wordpress sender


def test_a_site_answering_501_fails_the_reply_with_its_reason(server, store: Store) -> None:
    wordpress_site(server, 501, b"<html><body><p>Posting comments is not supported here.</p></body></html>")
    draft_id = ready_at(store, server.url("/post"))
    [report] = site_outbox(store, Clock()).send_all()
    assert len(server.requests("/wp-comments-post.php")) == 1
    saved = store.draft(draft_id)
    assert report.state == saved.state == "failed"
    assert "501" in saved.send_error and "not supported here" in saved.send_error


@pytest.mark.parametrize("feed", [True, False], ids=["feed-without-it", "no-feed"])
def test_an_uncertain_answer_is_settled_at_the_next_send(server, store: Store, feed: bool) -> None:
    clock = Clock()
    wordpress_site(server, 500, b"<html><body>Internal error</body></html>", feed=feed)
    draft_id = ready_at(store, server.url("/post"))
    [first] = site_outbox(store, clock).send_all()
    assert first.state == "sending"  # in doubt: looked for, not sent again at once
    clock.now += 31  # past the grace
    [second] = site_outbox(store, clock).send_all()
    posts = len(server.requests("/wp-comments-post.php"))
    saved = store.draft(draft_id)
    assert second.state == saved.state == "failed", saved.send_error
    assert "may have reached the site" in saved.send_error
    assert posts == (2 if feed else 1), saved.send_error
    assert site_outbox(store, clock).send_all() == []  # nothing left in "sending"
