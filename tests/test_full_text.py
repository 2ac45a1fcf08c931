"""The whole story (issue 16): an article's page fetched, its main text extracted,
shown by `termnews show ID --full-text`, cached and found by search.

The pages in tests/data/pages are written like real ones: a news story with a
cookie banner, navigation, related links, comments and a footer; a WordPress
post with a sidebar, code and a reply form; a gallery with no text at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termnews.fulltext import ExtractionError, extract

PAGES = Path(__file__).parent / "data" / "pages"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_the_story_without_the_furniture():
    html = extract(page("news.html"), "http://paper.test/2026/tram")
    assert "Costs and objections" in html and "Shopkeepers' association chair Tom Berger" in html
    assert "Trams every 6 minutes" in html
    for furniture in (
        "We use cookies",
        "Related stories",
        "Another waste of money",
        "All rights reserved",
        "Subscribe",
    ):
        assert furniture not in html, furniture
    assert 'src="http://paper.test/img/tram.jpg"' in html  # made absolute


def test_code_and_lists_survive():
    html = extract(page("blog.html"), "http://blog.test/sqlite")
    assert "<code>EXPLAIN QUERY PLAN</code>" in html and "<pre><code>CREATE INDEX" in html
    assert "<ol>" in html and "Run <code>ANALYZE</code>" in html
    assert "Leave a Reply" not in html and "Archives" not in html and "Share this" not in html


def test_a_page_without_an_article_is_a_failure_with_a_reason():
    with pytest.raises(ExtractionError, match="no article text found"):
        extract(page("thin.html"), "http://gallery.test/")


def test_hostile_markup_is_dropped():
    hostile = page("news.html").replace(
        b"<h2>Costs", b"<script>alert(1)</script><p>\x1b[31mred\x1b[0m \xe2\x80\xae</p><h2>Costs"
    )
    html = extract(hostile, "http://paper.test/")
    assert "<script" not in html and "\x1b" not in html and "\u202e" not in html


# -- headless, end to end --------------------------------------------------------------


def ids(run) -> dict[str, str]:
    return {
        row["title"]: row["id"] for row in map(json.loads, run("headlines", "--json").stdout.splitlines())
    }


def test_show_full_text_prints_the_page_and_caches_it_and_search_finds_it(run, news_site):
    run("add", news_site.url("/feed.xml"), "--name", "gazette")
    run("refresh")
    story = ids(run)["Council approves new tram line"]
    assert run("search", "Shopkeepers", check=1).stdout == ""  # only in the page

    plain = run("show", story).stdout
    assert plain.startswith("# Council approves new tram line\n")
    assert "The council voted for a tram line." in plain and "Costs and objections" not in plain

    full = run("show", story, "--full-text").stdout
    assert f"\n{news_site.url('/tram.html')}\n" in full  # the link under the byline
    assert "## Costs and objections" in full
    assert "Nobody is against trams. We are against going bankrupt" in " ".join(full.split())
    assert "Related stories" not in full
    assert "## Links" in full and "1. " + news_site.url("/tram.html") + "\n" in full

    run("show", story, "--full-text")
    assert len(news_site.requests("/tram.html")) == 1  # cached
    found = run("search", "Shopkeepers").stdout
    assert "Council approves new tram line" in found
    assert "The council voted for a tram line." in run("show", story).stdout  # the feed's text kept


def test_a_failed_extraction_says_why_and_keeps_the_feed_text(run, news_site):
    run("add", news_site.url("/feed.xml"), "--name", "gazette")
    run("refresh")
    done = run("show", ids(run)["Photos"], "--full-text", check=1)
    assert "no full text (no article text found on the page" in done.stderr
    assert "Pictures." in done.stdout
    assert "no article with the id" in run("show", "nope", check=2).stderr


def test_full_text_sources_extract_during_refresh(run, profile, news_site):
    profile(
        f'[[sources]]\nname = "gazette"\nkind = "feed"\nlocation = "{news_site.url("/feed.xml")}"\nfull_text = true\n'
    )
    run("refresh")
    assert len(news_site.requests("/tram.html")) == 1 and len(news_site.requests("/gallery.html")) == 1
    assert "Council approves new tram line" in run("search", "bankrupt").stdout
    run("refresh", "--force")
    assert len(news_site.requests("/tram.html")) == 1  # each page once
    story = ids(run)["Council approves new tram line"]
    assert "Costs and objections" in run("show", story, "--full-text").stdout
    assert len(news_site.requests("/tram.html")) == 1
