"""Comment feeds: parsing (WordPress's Atom and RSS), nesting, fetching with a cache, finding a reply."""

from __future__ import annotations

from pathlib import Path

import pytest

from termnews.comments import (
    Comment,
    comment_feed_urls,
    comment_text,
    fetch_comments,
    find_reply,
    nest,
    parse_comments,
)
from termnews.store import Store

DATA = Path(__file__).parent / "data" / "comments"
P4 = "http://example.org/?p=4"


def test_atom_comment_feed_nests_by_in_reply_to() -> None:
    comments, threaded = parse_comments((DATA / "wordpress-atom.xml").read_bytes(), P4)
    assert threaded
    thread = [(depth, c.author) for depth, c in nest(comments)]
    # Oldest first at every level, each reply under the comment it answers.
    assert thread == [(0, "Alice"), (1, "Bob"), (2, "Dan"), (0, "Carol [bold]red[/bold]")]
    by_author = {c.author: c for c in comments}
    assert by_author["Bob"].parent == f"{P4}#comment-2"
    assert by_author["Alice"].parent is None  # answers the post
    # WordPress's "In reply to <a>Alice</a>." is dropped: the thread shows it.
    assert comment_text(by_author["Bob"]) == "Reply to Alice"


def test_comment_fields_are_sanitized_and_kept_literal() -> None:
    comments, _ = parse_comments((DATA / "wordpress-atom.xml").read_bytes(), P4)
    carol = next(c for c in comments if c.author.startswith("Carol"))
    assert "\u202e" not in carol.author and carol.author == "Carol [bold]red[/bold]"
    text = comment_text(carol)
    assert text == "A second thread \u2014 \u201cquoted\u201d.\n\nTwo paragraphs." or text == (
        "A second thread \u2014 \u201cquoted\u201d.\nTwo paragraphs."
    )
    assert "\u202e" not in text


def test_rss_comment_feed_has_no_parents_and_is_flat() -> None:
    comments, threaded = parse_comments((DATA / "wordpress-rss.xml").read_bytes(), P4)
    assert not threaded
    assert [(d, c.author) for d, c in nest(comments)] == [(0, "Alice"), (0, "Bob")]


def test_an_html_page_is_not_a_comment_feed() -> None:
    with pytest.raises(ValueError, match="HTML page"):
        parse_comments(b"<!DOCTYPE html><html><body>hi</body></html>")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "http://example.org/?feed=rss2&p=4",
            ["http://example.org/?feed=atom&p=4", "http://example.org/?feed=rss2&p=4"],
        ),
        (
            "http://example.org/2024/01/hello/feed/",
            ["http://example.org/2024/01/hello/feed/atom/", "http://example.org/2024/01/hello/feed/"],
        ),
        ("http://example.org/comments.xml", ["http://example.org/comments.xml"]),
    ],
)
def test_threaded_feed_is_tried_first(given: str, expected: list[str]) -> None:
    assert comment_feed_urls(given) == expected


def test_nest_survives_loops_and_missing_parents() -> None:
    a = Comment("a", "A", "x", parent="b", published=1)
    b = Comment("b", "B", "x", parent="a", published=2)
    orphan = Comment("c", "C", "x", parent="gone", published=3)
    thread = [(d, c.id) for d, c in nest([a, b, orphan])]
    assert sorted(i for _, i in thread) == ["a", "b", "c"]  # every comment shown once
    assert (0, "c") in thread


def test_fetch_uses_the_atom_feed_then_answers_from_the_cache(server, store: Store) -> None:
    server.feed("/blog/", (DATA / "wordpress-atom.xml").read_bytes(), "application/atom+xml")
    url = server.url("/blog/?feed=rss2&p=4")

    first = fetch_comments(store, url)
    assert first.error is None and first.threaded and len(first.comments) == 4
    assert first.url == server.url("/blog/?feed=atom&p=4")

    second = fetch_comments(store, url)  # a conditional GET: 304
    assert second.error is None and [c.id for c in second.comments] == [c.id for c in first.comments]
    assert second.threaded
    seen = server.requests("/blog/")
    assert [s.headers.get("if-none-match") is not None for s in seen] == [False, True]

    server.status("/blog/", 500)
    third = fetch_comments(store, url)
    assert third.error and third.stale and len(third.comments) == 4  # the last copy, said so


def test_fetch_error_without_a_copy(server, store: Store) -> None:
    server.status("/c", 404)
    got = fetch_comments(store, server.url("/c"))
    assert got.comments == () and got.error == "HTTP 404 Not Found" and not got.stale


def test_find_reply_matches_words_as_wordpress_shows_them() -> None:
    shown = Comment(
        "x#comment-9",
        "Test Reader",
        '<p>In reply to <a href="y">Bob</a>.</p>\n<p>It&#8217;s &#8220;fine&#8221; &#8212; really&#8230;</p>',
        parent="p#comment-3",
        published=1000.0,
    )
    typed = 'It\'s "fine" -- really...'
    assert find_reply([shown], author="Test Reader", text=typed, parent="p#comment-3") is shown
    assert find_reply([shown], author="Someone Else", text=typed, parent="p#comment-3") is None
    assert find_reply([shown], author="Test Reader", text=typed, parent=None) is None
    assert find_reply([shown], author="Test Reader", text=typed, parent=None, threaded=False) is shown
    assert (
        find_reply([shown], author="Test Reader", text=typed, parent="p#comment-3", since=1000.0 + 3600)
        is None
    )  # an older comment with the same words
