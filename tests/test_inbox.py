"""The inbox without a site: its store, finding answers in a flat feed, the REST sender's
options and answers, and the comment answered quoted in the editor's file."""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path

import pytest

from termnews.comments import Comment, CommentsResult
from termnews.config import ConfigError, load_config
from termnews.drafts import ArticleRef, DraftEditor, DraftFields, edit_in_editor
from termnews.inbox import Mine, answers
from termnews.models import NewReply
from termnews.paths import Paths
from termnews.senders.wordpress import WordPressSender
from termnews.senders.wordpress_rest import comments_endpoint, interpret_rest
from termnews.store import Store, View


def reply(comment_id: str, author: str = "Grace") -> NewReply:
    return NewReply(comment_id, "a1", "A post", "https://blog/?p=1", "wp", None, author, 100.0, "Hi", None)


def test_an_answer_is_kept_once_and_unread_until_opened(store: Store) -> None:
    [first] = store.add_replies([reply("c1")])
    assert store.add_replies([reply("c1"), reply("c2")])[0].comment_id == "c2"
    assert [i.comment_id for i in store.inbox()] == ["c2", "c1"]  # same date: the later first
    assert store.inbox_unread() == 2 and not first.read
    assert store.mark_inbox_read(first.id)
    assert store.inbox_unread() == 1 and store.inbox_item(first.id).read
    assert [i.comment_id for i in store.inbox(unread_only=True)] == ["c2"]
    assert not store.mark_inbox_read(999)


def test_thread_visits_remember_what_was_shown(store: Store) -> None:
    assert store.thread_visit("a1") is None
    store.record_thread_visit("a1", ["c1", "c2"], now=50.0)
    assert store.thread_visit("a1") == (50.0, frozenset({"c1", "c2"}))


def _sent(store: Store, name: str, sent_at: float):
    editor = DraftEditor(store, ArticleRef("a1", "A post", "https://blog/?p=1", "wp"))
    editor.stage(DraftFields("My words", name, "ada@example.org", ""))
    draft = editor.flush("ready").draft
    claimed = store.claim_for_sending(draft.id, draft.version)
    return store.record_send(claimed.id, "sent", sent_at=sent_at)


def test_a_flat_feed_answer_is_one_that_names_the_person_after_the_reply(store: Store) -> None:
    draft = _sent(store, "Ada Lovelace", 1000.0)
    mine = Comment("c1", "Ada Lovelace", "My words", "text", 1000.0)
    feed = (
        mine,
        Comment("c0", "Bob", "Ada Lovelace, earlier", "text", 100.0),  # before the reply
        Comment("c2", "Grace", "I disagree, ada lovelace.", "text", 2000.0),
        Comment("c3", "Linus", "Lovelace alone is not her name: AdaLovelace", "text", 2100.0),
        Comment("c4", "Ada Lovelace", "Ada Lovelace again", "text", 2200.0),  # her own
    )
    found = answers(WordPressSender(), [Mine(draft, mine)], CommentsResult("u", feed, threaded=False))
    assert [(r.comment_id, r.draft_id) for r in found] == [("c2", draft.id)]


def test_a_threaded_feed_answer_is_a_child_of_the_persons_comment(store: Store) -> None:
    draft = _sent(store, "Ada", 1000.0)
    mine = Comment("https://blog/?p=1#comment-7", "Ada", "My words", "text", 1000.0)
    feed = (
        mine,
        Comment("https://blog/?p=1#comment-8", "Grace", "Names Ada but answers the post", "text", 2000.0),
        Comment("https://blog/?p=1#comment-9", "Bob", "Yes", "text", 2000.0, parent=mine.id),
    )
    found = answers(WordPressSender(), [Mine(draft, mine)], CommentsResult("u", feed, threaded=True))
    assert [r.comment_id for r in found] == ["https://blog/?p=1#comment-9"]


def test_rest_endpoint_under_either_kind_of_api_root() -> None:
    assert comments_endpoint("https://blog/wp-json/") == "https://blog/wp-json/wp/v2/comments"
    assert comments_endpoint("https://blog/?rest_route=/") == "https://blog/?rest_route=/wp/v2/comments"


def test_rest_answers_become_outcomes() -> None:
    ok = interpret_rest(201, {}, b'{"id": 12, "status": "approved", "link": "https://blog/?p=1#comment-12"}')
    assert (ok.outcome, ok.remote_id, ok.remote_url) == ("sent", "12", "https://blog/?p=1#comment-12")
    assert interpret_rest(201, {}, b'{"id": 13, "status": "hold"}').outcome == "held"
    dup = interpret_rest(409, {}, b'{"code": "comment_duplicate", "message": "Duplicate comment detected"}')
    assert dup.outcome == "failed" and dup.duplicate and "Duplicate comment detected" in dup.message
    flood = interpret_rest(400, {}, b'{"code": "comment_flood", "message": "You are posting too quickly"}')
    assert flood.outcome == "retry" and flood.retry_after == 15.0
    assert interpret_rest(502, {}, b"<html>bad gateway</html>").outcome == "unknown"


def test_rest_sender_options_are_checked_at_load(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    table = (
        '[[sources]]\nname = "b"\nkind = "feed"\nlocation = "https://blog/feed/"\nsender = "wordpress-rest"\n'
    )
    path.write_text(table + 'user = "ada"\npassword_command = "pass show blog"\n', encoding="utf-8")
    [spec] = load_config(path).sources
    assert spec.options["password_command"] == "pass show blog"
    path.write_text(table + "password = 'in the clear'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "sources[0].password" and "password_command" in caught.value.problem
    path.write_text(table + "user = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


def test_the_comment_answered_is_quoted_for_the_editor_and_removed_after(tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            path = sys.argv[1]
            text = open(path, encoding="utf-8").read()
            assert "#> Grace wrote:" in text and "#> Second line" in text, text
            open(path, "w", encoding="utf-8").write(text + "More, beside your words\\n")
            """
        ),
        encoding="utf-8",
    )
    result = edit_in_editor("I agree", [sys.executable, str(script)], context="Grace wrote:\nSecond line")
    assert result.error is None and result.text == "I agree\nMore, beside your words"
    untouched = edit_in_editor("Same", [sys.executable, "-c", "pass"], context="Grace wrote:")
    assert (untouched.text, untouched.changed) == ("Same", False)


def test_a_thread_marks_what_is_new_since_the_last_opening_and_the_persons_own(store: Store) -> None:
    from termnews.inbox import thread_marks

    now = time.time()
    draft = _sent(store, "Ada", now)
    first = (Comment("c1", "Bob", "Hello", "text", now - 60), Comment("c2", "Ada", "My words", "text", now))
    marks = thread_marks(store, [], "a1", CommentsResult("u", first, threaded=False))
    assert marks.new == frozenset() and marks.own == {"c2": draft} and marks.pending == ()
    later = (*first, Comment("c3", "Grace", "Late", "text", now + 60))
    again = thread_marks(store, [], "a1", CommentsResult("u", later, threaded=False))
    assert again.new == frozenset({"c3"})
    assert thread_marks(store, [], "a1", CommentsResult("u", later, threaded=False)).new == frozenset()


def test_a_watched_thread_that_cannot_be_read_is_reported_not_fatal(profile, run, server) -> None:
    server.feed(
        "/feed.xml",
        b'<?xml version="1.0"?><rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/">'
        b"<channel><title>Blog</title><link>http://example.org/</link><item><title>Replied</title>"
        b"<link>http://example.org/?p=4</link><guid>http://example.org/?p=4</guid>"
        + f"<wfw:commentRss>{server.url('/comments')}</wfw:commentRss>".encode()
        + b"</item></channel></rss>",
        "application/rss+xml",
    )
    server.status("/comments", 500)
    home = profile(f'[[sources]]\nname = "blog"\nkind = "feed"\nlocation = "{server.url("/feed.xml")}"\n')

    run("refresh")
    with Store(Paths.resolve(home)) as store:
        [headline] = store.headlines(View(), 0, 10)
        editor = DraftEditor(store, ArticleRef(headline.id, headline.title, headline.link, "blog"))
        editor.stage(DraftFields("My words", "Ada", "ada@example.org", ""))
        draft = editor.flush("ready").draft
        store.record_send(store.claim_for_sending(draft.id, draft.version).id, "sent", sent_at=1.0)

    done = run("refresh")
    assert "termnews: watching replies: Replied: HTTP 500" in done.stderr
