"""Links and enclosures from feeds: only http, https and mailto open, never through a shell.

The browser is a real program here (`$BROWSER` points at a script that records
its argv), so the tests see exactly what would be started.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hostile_payloads import assert_clean

from app_support import Notices, browser_calls, make_app, make_home, screen_text, settle
from termnews.links import LinkRefused, open_link
from termnews.models import Article, Enclosure
from termnews.render import article_links, article_markdown
from termnews.session import Session
from termnews.text import is_safe_url
from termnews.update import RefreshSettings, refresh

REFUSED = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>x</script>",
    "-remote=openURL(http://x)",
    "--new-window http://x",
    "http://example.org/a b",
    "http://example.org/\x1b]0;t\x07",
    "http://example.org/\u202e",
    "http://example.org/\x9b2J",
    "ftp://example.org/x",
]


@pytest.mark.parametrize("url", REFUSED)
def test_unsafe_links_are_refused_and_nothing_starts(url: str, recording_browser: Path) -> None:
    assert not is_safe_url(url)
    why = "white space or control" if url.startswith("http://") else "only http, https and mailto"
    with pytest.raises(LinkRefused, match=why):  # the reason that holds, not always the scheme
        open_link(url)
    time.sleep(0.2)
    assert list(recording_browser.iterdir()) == []


def test_shell_metacharacters_reach_the_browser_as_one_argument(
    recording_browser: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    url = f"http://example.org/;$(touch${{IFS}}{marker});`touch${{IFS}}{marker}`&x=|touch${{IFS}}{marker}"
    assert is_safe_url(url)
    open_link(url)
    [argv] = browser_calls(recording_browser)
    assert argv == [url]
    assert not marker.exists(), "a shell ran the URL"


def hostile_link_home(tmp_path: Path, link: str) -> Path:
    feed = tmp_path / "links.xml"
    feed.write_bytes(
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>'
            f"<item><title>Zz hostile link</title><guid>g1</guid><link>{link}</link>"
            "<pubDate>Mon, 01 Jan 2035 00:00:00 GMT</pubDate>"
            '<description>see &lt;a href="javascript:[/]"&gt;here&lt;/a&gt;</description>'
            '<enclosure url="file:///etc/passwd" length="1" type="audio/mpeg"/></item>'
            "</channel></rss>"
        ).encode()
    )
    home = make_home(tmp_path, f'\n[[sources]]\nname = "links"\nkind = "feed"\nlocation = "{feed}"\n')
    session = Session.open(str(home))
    try:
        [spec] = [s for s in session.specs() if s.name == "links"]
        assert refresh(session.store, [spec], settings=RefreshSettings(parse_workers=0))[0].error is None
    finally:
        session.close()
    return home


@pytest.mark.parametrize("link", ["javascript:[/]", "javascript:[@click=app.quit]x[/]"])
async def test_refusing_a_link_with_markup_in_it_shows_it_as_text(
    link: str, tmp_path: Path, recording_browser: Path
) -> None:
    """`o` on an article whose link holds markup: a refusal, shown literally; the app lives on."""
    from textual.content import Content

    home = hostile_link_home(tmp_path, link)
    app = make_app(home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert "Zz hostile link" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.reader.article is not None
        await pilot.press("o")
        await settle(app, pilot)
        assert app.is_running, "the link's markup ended the app"
        [note] = [n for n in notices if "only http, https and mailto" in n.message]
        # What the toast will show: the refused URL exactly as written, no live markup.
        shown = Content.from_markup(note.message) if note.markup else Content(note.message)
        assert link in shown.plain and not shown.spans
    assert list(recording_browser.iterdir()) == []


async def test_refused_body_link_by_number_starts_nothing(tmp_path: Path, recording_browser: Path) -> None:
    home = hostile_link_home(tmp_path, "http://example.org/fine")
    app = make_app(home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        # The enclosure is numbered too (after the links) and refused the same way.
        assert app.screen.reader.links == ["http://example.org/fine", "javascript:[/]", "file:///etc/passwd"]
        await pilot.press("f", "2")
        await settle(app, pilot)
        assert app.is_running
        assert any("only http, https and mailto" in n.message for n in notices)
    time.sleep(0.2)
    assert list(recording_browser.iterdir()) == []


def test_enclosures_are_numbered_but_only_safe_ones_open() -> None:
    article = Article(
        id="x",
        source="s",
        title="t",
        body="",
        body_format="text",
        link="http://example.org/",
        author=None,
        published=None,
        enclosures=(
            Enclosure("file:///etc/passwd"),
            Enclosure("http://e.org/a.mp3", "audio/mpeg", 2_000_000),
        ),
        read=False,
        starred=False,
    )
    # Enclosures are numbered after the links, so `f N` reaches them; the URL policy still decides.
    assert article_links(article) == ["http://example.org/", "file:///etc/passwd", "http://e.org/a.mp3"]
    with pytest.raises(LinkRefused):
        open_link("file:///etc/passwd")
    markdown = article_markdown(article)
    assert "## Enclosures" in markdown and "file:///etc/passwd" in markdown.replace("\\", "")
    assert "3. http://e.org/a.mp3 (audio/mpeg, 2.0 MB)" in markdown.replace("\\", "")
    assert_clean(markdown)
