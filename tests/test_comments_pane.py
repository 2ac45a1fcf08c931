"""The comments pane through Pilot: c shows the thread nested, r on a comment replies to it."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from textual.widgets import Static

from app_support import Notices, make_app, make_home, open_article, screen_text, settle
from feedserver import FeedServer
from termnews.widgets.comments import CommentsPane
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList

DATA = Path(__file__).parent / "data" / "comments"
POST = "A post with a thread"
IDENTITY = '\n[identity]\nname = "Test Reader"\nemail = "reader@example.org"\n'


def post_feed(comments_url: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/">
<channel><title>A blog</title><link>http://example.org/</link>
<item><title>A post with a thread</title><link>http://example.org/?p=4</link>
<guid isPermaLink="false">http://example.org/?p=4</guid>
<pubDate>Sat, 28 Nov 2026 07:00:00 +0000</pubDate>
<description>What do you think?</description>
<wfw:commentRss>{comments_url}</wfw:commentRss></item>
</channel></rss>"""


def make_threaded_home(tmp_path: Path, comments_url: str) -> Path:
    blog = tmp_path / "blog"
    blog.mkdir()
    (blog / "post.xml").write_text(post_feed(comments_url), encoding="utf-8")
    return make_home(
        tmp_path, f'\n[[sources]]\nname = "blog"\nkind = "local"\nlocation = "{blog}"\n' + IDENTITY
    )


@contextlib.asynccontextmanager
async def thread_shown(tmp_path: Path):
    """The app on a post whose comment feed is served, with the comments pane open."""
    with FeedServer() as server:
        server.feed("/comments.atom", (DATA / "wordpress-atom.xml").read_bytes(), "application/atom+xml")
        app = make_app(make_threaded_home(tmp_path, server.url("/comments.atom")))
        async with app.run_test(size=(110, 44)) as pilot:
            await open_article(pilot, POST)
            await pilot.press("c")
            await settle(app, pilot)
            yield server, app, pilot


async def test_c_shows_the_thread_nested_and_r_replies_to_a_comment(server, tmp_path: Path) -> None:
    server.feed("/comments.atom", (DATA / "wordpress-atom.xml").read_bytes(), "application/atom+xml")
    app = make_app(make_threaded_home(tmp_path, server.url("/comments.atom")))
    async with app.run_test(size=(110, 44)) as pilot:
        await open_article(pilot, POST)
        assert not app.screen.query(CommentsPane)  # composed when first opened

        await pilot.press("c")
        await settle(app, pilot)

        pane = app.screen.query_one(CommentsPane)
        assert pane.is_open
        assert [(d, c.author) for d, c in pane.comments] == [
            (0, "Alice"),
            (1, "Bob"),
            (2, "Dan"),
            (0, "Carol [bold]red[/bold]"),
        ]
        text = screen_text(app)
        assert "4 comments" in text
        assert "  │ Bob" in text and "    │ Deeper" in text  # nested by indentation
        assert "In reply to" not in text
        await pilot.press("end")
        await settle(app, pilot)
        assert "Carol [bold]red[/bold]" in screen_text(app)  # a feed's text is never markup

        await pilot.press("home", "down")  # to Bob
        await pilot.press("r")
        await settle(app, pilot)

        composer = app.screen.query_one(Composer)
        assert composer.is_open and composer.editor.parent == "http://example.org/?p=4#comment-3"
        await pilot.press(*"I agree with Bob")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        [draft] = app.session.store.drafts()
        assert draft.parent_comment == "http://example.org/?p=4#comment-3"
        assert draft.comment == "I agree with Bob" and draft.state == "ready"

        await pilot.press("escape")  # the composer closes
        await settle(app, pilot)
        await pilot.press("c")  # and c hides the comments
        await settle(app, pilot)
        assert not pane.is_open


async def test_the_comment_answered_is_named_in_the_heading_and_quoted_for_the_editor(
    tmp_path: Path, monkeypatch, suspend_calls
) -> None:
    seen = tmp_path / "editor-saw.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(
        f"import sys\nopen({str(seen)!r}, 'w').write(open(sys.argv[1], encoding='utf-8').read())\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")

    async def heading_and_quote(app, pilot) -> tuple[str, bool]:
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        heading = app.screen.query_one("#composer-heading", Static).render()
        return str(heading), "#> Bob wrote:" in seen.read_text(encoding="utf-8")

    async with thread_shown(tmp_path) as (_, app, pilot):
        await pilot.press("home", "down", "r")  # Bob's comment
        await settle(app, pilot)
        assert await heading_and_quote(app, pilot) == ("Leave a Reply to Bob", True)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("r", "n")  # from the headlines: a new reply to the article itself
        await settle(app, pilot)
        assert await heading_and_quote(app, pilot) == ("Leave a Reply", False)
        assert len(suspend_calls) == 4


async def test_an_article_without_a_comment_feed_says_so_and_opens_no_empty_pane(tmp_path: Path) -> None:
    app = make_app(make_home(tmp_path))
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert not app.screen.query_one(CommentsPane).is_open
        assert app.screen.query_one(HeadlineList).has_focus
        assert any("gives no comment feed" in m for m in notices.messages)


async def test_an_unreachable_comment_feed_is_reported_in_the_pane(server, tmp_path: Path) -> None:
    server.status("/comments.atom", 500)
    app = make_app(make_threaded_home(tmp_path, server.url("/comments.atom")))
    async with app.run_test(size=(110, 40)) as pilot:
        await open_article(pilot, POST)
        await pilot.press("c")
        await settle(app, pilot)
        assert "Could not fetch the comments: HTTP 500 Internal Server Error" in screen_text(app)


async def test_j_and_k_move_between_comments_and_the_heading_names_the_comment_answered(
    tmp_path: Path,
) -> None:
    async with thread_shown(tmp_path) as (_, app, pilot):
        pane = app.screen.query_one(CommentsPane)
        assert pane.current.author == "Alice"
        await pilot.press("j", "j")
        assert pane.current.author == "Dan"
        await pilot.press("k")
        assert pane.current.author == "Bob"
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press(*"Quite so")
        await pilot.pause(1.2)  # well after any toast would have faded from a quick look
        await settle(app, pilot)
        assert "Leave a Reply to Bob" in screen_text(app)


async def test_R_fetches_the_comments_again_and_stale_ones_are_fetched_on_opening(
    tmp_path: Path, monkeypatch
) -> None:
    from termnews.screens import main_comments

    async with thread_shown(tmp_path) as (server, app, pilot):
        assert len(server.requests("/comments.atom")) == 1
        await pilot.press("R")  # in the pane: these comments, not every source
        await settle(app, pilot)
        assert len(server.requests("/comments.atom")) == 2
        assert "4 comments" in screen_text(app)

        await pilot.press("c", "c")  # hidden and shown again at once: the copy is fresh
        await settle(app, pilot)
        assert len(server.requests("/comments.atom")) == 2
        monkeypatch.setattr(main_comments, "STALE_AFTER", 0)  # now every copy is stale
        await pilot.press("c", "c")
        await settle(app, pilot)
        assert len(server.requests("/comments.atom")) == 3


async def test_a_comment_feed_answering_404_says_the_comments_could_not_be_fetched(
    server, tmp_path: Path
) -> None:
    server.status("/comments.atom", 404, b"not found")
    app = make_app(make_threaded_home(tmp_path, server.url("/comments.atom")))
    async with app.run_test(size=(110, 40)) as pilot:
        await open_article(pilot, POST)
        await pilot.press("c")
        await settle(app, pilot)
        text = screen_text(app)
        assert "Could not fetch the comments: HTTP 404" in text
        assert "No comments yet" not in text
