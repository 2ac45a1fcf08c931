"""Issue 16 in the app: F (and the palette) shows an article's page, extracted; adding a
site's address offers a picker when its page names several feeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from app_support import Notices, make_app, palette, screen_text, settle
from feedserver import FeedServer
from termnews.screens.feed_picker import FeedPickerScreen
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader


@pytest.fixture
def site(news_site: FeedServer) -> FeedServer:
    """The news site, its front page naming two feeds."""
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" title="{t}" href="{h}">'
        for t, h in (("Posts", "/feed.xml"), ("Comments", "/comments.xml"))
    )
    front = f"<html><head>{links}</head><body>x</body></html>".encode()
    news_site.route("/", lambda h: h.reply(200, front, "text/html"))
    return news_site


async def open_article(app, pilot, title: str, total: int = 2) -> None:
    headlines = app.screen.query_one(HeadlineList)
    for _ in range(100):  # the feed is fetched and parsed in workers
        await settle(app, pilot)
        if headlines.total == total:
            break
    headlines.move_to(headlines.find(0, 1, lambda h: h.title == title))
    await pilot.press("enter")
    await settle(app, pilot)


async def test_F_shows_the_page_s_text_in_the_reader(profile, site) -> None:
    app = make_app(
        profile(f'[[sources]]\nname = "gazette"\nkind = "feed"\nlocation = "{site.url("/feed.xml")}"\n')
    )
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(110, 100)) as pilot:
        await pilot.press("R")
        await open_article(app, pilot, "Council approves new tram line")
        assert "The council voted for a tram line." in screen_text(app)
        await pilot.press("F")
        for _ in range(50):
            await settle(app, pilot)
            if "Costs and objections" in screen_text(app):
                break
        text = screen_text(app)
        assert "Costs and objections" in text and "Nobody is against trams" in text
        assert "Related stories" not in text
        reader = app.screen.query_one(Reader)
        assert reader.links[0] == site.url("/tram.html")

        # A page without an article: said, and the feed's text stays.
        await open_article(app, pilot, "Photos")
        await palette(pilot, "Full text")
        for _ in range(50):
            await settle(app, pilot)
            if any("no article text found" in m for m in notices.messages):
                break
        assert any("no article text found" in m and "feed's text is kept" in m for m in notices.messages)
        assert "Pictures." in screen_text(app)


async def test_adding_a_site_offers_its_feeds_in_a_picker(home: Path, site) -> None:
    app = make_app(home)
    notices = Notices()
    async with app.run_test(message_hook=notices.hook, size=(110, 40)) as pilot:
        await settle(app, pilot)
        await palette(pilot, "Add source")
        app.screen.query_one(Input).value = site.url("/")
        await pilot.press("enter")
        for _ in range(50):
            await settle(app, pilot)
            if isinstance(app.screen, FeedPickerScreen):
                break
        assert isinstance(app.screen, FeedPickerScreen)
        assert "2 feeds found" in screen_text(app) and "Posts" in screen_text(app)
        app.screen.query_one(OptionList).focus()
        await pilot.press("enter")  # the first: Posts
        await settle(app, pilot)
        assert [(s.name, s.location) for s in app.session.store.subscriptions()] == [
            ("Posts", site.url("/feed.xml"))
        ]
        headlines = app.screen.query_one(HeadlineList)
        for _ in range(100):
            await settle(app, pilot)
            if headlines.total == 2:
                break
        assert headlines.total == 2
