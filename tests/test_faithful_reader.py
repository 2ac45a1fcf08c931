"""What faithful feed reading looks like to a person: the headline list, the reader, the CLI.

One feed served over HTTP holds a title written with entities (encoded twice),
a body whose links are relative, and a Media RSS video with its type and size.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app_support import browser_calls, make_app, make_home, screen_text, settle
from termnews.session import Session
from termnews.update import RefreshSettings, refresh

SHOWCASE = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Showcase</title>
<link>http://site.example/blog/</link>
<item><title>AT&amp;amp;T &amp;#8220;news&amp;#8221; &lt;b&gt;today&lt;/b&gt;</title><guid>urn:s1</guid>
<pubDate>Wed, 03 Jan 2035 10:00:00 GMT</pubDate><description>Entities read as text.</description></item>
<item><title>Relative links</title><guid>urn:s2</guid><link>/blog/relative</link>
<pubDate>Tue, 02 Jan 2035 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Read &lt;a href="next-post"&gt;the next post&lt;/a&gt;.&lt;/p&gt;</description></item>
<item><title>A video</title><guid>urn:s3</guid><link>http://site.example/blog/video</link>
<pubDate>Mon, 01 Jan 2035 10:00:00 GMT</pubDate>
<media:group><media:content url="http://cdn.example/v.mp4" type="video/mp4" fileSize="5200000"/>
<media:thumbnail url="http://cdn.example/v.jpg"/><media:description>About the video.</media:description></media:group></item>
</channel></rss>"""

TITLE = "AT&T \u201cnews\u201d today"


@pytest.fixture
def feed_home(tmp_path: Path, server) -> tuple[Path, str]:
    server.feed("/blog/feed.rss", SHOWCASE)
    url = server.url("/blog/feed.rss")
    home = make_home(tmp_path, f'\n[[sources]]\nname = "showcase"\nkind = "feed"\nlocation = "{url}"\n')
    return home, url


def test_headlines_json_shows_titles_as_text(feed_home, termnews):
    home, url = feed_home
    termnews(home, "refresh")
    rows = [json.loads(line) for line in termnews(home, "headlines", "--json").stdout.splitlines()]
    showcase = [r for r in rows if r["source"] == "showcase"]
    assert [r["title"] for r in showcase] == [TITLE, "Relative links", "A video"]
    origin = url.removesuffix("/blog/feed.rss")
    assert showcase[1]["link"] == f"{origin}/blog/relative"


async def test_reader_shows_text_titles_resolved_links_and_media(feed_home, recording_browser):
    home, url = feed_home
    origin = url.removesuffix("/blog/feed.rss")
    session = Session.open(str(home))
    try:
        specs = [s for s in session.specs() if s.name == "showcase"]
        assert refresh(session.store, specs, settings=RefreshSettings(parse_workers=0))[0].error is None
    finally:
        session.close()
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = screen_text(app)
        assert TITLE in screen and "&amp;" not in screen and "<b>" not in screen
        await pilot.press("enter")
        await settle(app, pilot)
        assert TITLE in screen_text(app)

        await pilot.press("j", "enter")  # the article with a relative link in its body
        await settle(app, pilot)
        assert app.screen.reader.links == [f"{origin}/blog/relative", f"{origin}/blog/next-post"]
        await pilot.press("f", "2")
        await settle(app, pilot)
        assert browser_calls(recording_browser) == [[f"{origin}/blog/next-post"]]

        await pilot.press("j", "enter")  # the Media RSS video
        await settle(app, pilot)
        screen = screen_text(app)
        assert "About the video." in screen
        assert "http://cdn.example/v.mp4 (video/mp4, 5.2 MB)" in screen
        assert app.screen.reader.links[-2:] == ["http://cdn.example/v.mp4", "http://cdn.example/v.jpg"]


def test_plain_text_keeps_its_line_breaks(tmp_path: Path):
    """A .txt file (local source) and an Atom type="text" body: single breaks and paragraphs survive."""
    from markdown_it import MarkdownIt

    from termnews.render import body_markdown
    from termnews.sources.local import parse_file

    [article] = parse_file("poem.txt", b"Poem\n\nRoses are red,\nviolets are blue.\n\nSecond verse.\n", None)
    html = MarkdownIt().render(body_markdown(article.body, article.body_format))
    assert html == "<p>Roses are red,<br />\nviolets are blue.</p>\n<p>Second verse.</p>\n"
