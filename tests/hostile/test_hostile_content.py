"""Control sequences and markup injected into every field, in every feed and file form.

Each form goes the whole way a real one does: parsed by its source, cleaned by
the one sanitizing step (`sanitize.clean_article`), stored, read back and turned
into the reader's Markdown. Nothing unsafe may be left at any of those points,
and markup must stay literal text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_payloads import (
    CONTROL_PAYLOADS,
    MARKUP_CLICK,
    MARKUP_CLOSE,
    assert_clean,
    hostile_atom,
    hostile_json,
    hostile_rss,
    injected,
)

from termnews.models import SourceSpec
from termnews.render import article_links, article_markdown, escape_markdown
from termnews.sanitize import LIMITS, TRUNCATED
from termnews.sources.local import parse_file
from termnews.store import Store, View
from termnews.update import RefreshSettings, refresh

INLINE = RefreshSettings(parse_workers=0)


def stored_articles(store: Store, spec: SourceSpec):
    return [store.article(h.id) for h in store.headlines(View(source_id=spec.source_id), 0, 100)]


def check_article(article, where: str) -> None:
    for field in ("title", "author", "link", "body", "source"):
        assert_clean(getattr(article, field) or "", f"{where} {field}")
    for enclosure in article.enclosures:
        assert_clean(enclosure.url, f"{where} enclosure")
        assert_clean(enclosure.type, f"{where} enclosure type")
    for url in article_links(article):
        assert_clean(url, f"{where} link list")
    markdown = article_markdown(article)
    assert_clean(markdown, f"{where} markdown")
    for payload in CONTROL_PAYLOADS:
        assert payload not in markdown


FEED_FORMS = {
    "rss-char-refs": hostile_rss("RssRefs"),
    "rss-raw-controls": hostile_rss("RssRaw", raw_controls=True),
    "atom": hostile_atom(),
    "json-feed": hostile_json(),
}


@pytest.mark.parametrize("form", sorted(FEED_FORMS))
def test_feed_fields_are_sanitized_end_to_end(form: str, paths, tmp_path: Path) -> None:
    path = tmp_path / f"{form}.xml"
    path.write_bytes(FEED_FORMS[form])
    spec = SourceSpec(form, "feed", str(path))
    with Store(paths) as store:
        [outcome] = refresh(store, [spec], settings=INLINE)
        assert outcome.error is None, outcome.error
        articles = stored_articles(store, spec)
    assert articles, "the hostile feed's entries are still shown, cleaned"
    for article in articles:
        check_article(article, form)
    titles = [a.title for a in articles]
    # Markup stays literal text: what the feed wrote is what is shown.
    assert any(MARKUP_CLICK in t and MARKUP_CLOSE in t for t in titles), titles


LOCAL_FORMS = {
    "story.txt": (injected("txt title") + "\n\n" + injected("txt body") + "\n").encode(),
    "story.md": (
        "---\ntitle: "
        + injected("md title")
        + "\nauthor: "
        + injected("md author")
        + "\nlink: http://example.org/md\x1b[2J\n---\n\n"
        + injected("md body")
        + "\n\n&#27;]0;ref&#7; &#x202e; &#x9b;2J\n"
    ).encode(),
    "page.html": (
        "<html><head><title>"
        + injected("html title")
        + "</title></head><body><h1>x</h1><p>"
        + injected("html body")
        + "</p>&#27;]52;c;eA==&#7;</body></html>"
    ).encode(),
    "feed.rss": hostile_rss("LocalRss"),
}


@pytest.mark.parametrize("name", sorted(LOCAL_FORMS))
def test_local_file_fields_are_sanitized_end_to_end(name: str, paths, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / name).write_bytes(LOCAL_FORMS[name])
    spec = SourceSpec("local", "local", str(folder))
    with Store(paths) as store:
        [outcome] = refresh(store, [spec], settings=INLINE)
        assert outcome.error is None and not outcome.warnings, (outcome.error, outcome.warnings)
        articles = stored_articles(store, spec)
    assert articles
    for article in articles:
        check_article(article, name)


def test_overlong_fields_are_capped_with_a_visible_marker(paths, tmp_path: Path) -> None:
    huge_title = "T" * 50_000
    huge_author = "A" * 50_000
    doc = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>c</title><item><title>{huge_title}</title><dc:creator>{huge_author}</dc:creator>"
        f"<link>http://example.org/{'l' * 20_000}</link><guid>g1</guid>"
        f"<description>{'b' * (LIMITS['body'] + 5000)}</description></item></channel></rss>"
    ).encode()
    path = tmp_path / "long.xml"
    path.write_bytes(doc)
    spec = SourceSpec("long", "feed", str(path))
    with Store(paths) as store:
        [outcome] = refresh(store, [spec], settings=INLINE)
        assert outcome.error is None
        [article] = stored_articles(store, spec)
    assert len(article.title) == LIMITS["title"] and article.title.endswith(TRUNCATED)
    assert len(article.author) == LIMITS["author"] and article.author.endswith(TRUNCATED)
    assert len(article.link) == LIMITS["link"] and article.link.endswith(TRUNCATED)
    assert len(article.body) == LIMITS["body"] and article.body.endswith(TRUNCATED)
    # The marker is shown, escaped only as Markdown needs.
    assert escape_markdown(TRUNCATED.strip()) in article_markdown(article)


def test_cached_articles_survive_a_hostile_refresh_of_the_same_source(paths, tmp_path: Path) -> None:
    """A feed that turns hostile: its old articles stay, the new ones arrive cleaned."""
    from feedserver import simple_rss

    path = tmp_path / "turns.xml"
    path.write_bytes(simple_rss(3))
    spec = SourceSpec("turns", "feed", str(path))
    with Store(paths) as store:
        refresh(store, [spec], settings=INLINE)
        first = {h.title for h in store.headlines(View(source_id=spec.source_id), 0, 100)}
        path.write_bytes(hostile_rss("Turned"))
        [outcome] = refresh(store, [spec], settings=INLINE)
        assert outcome.error is None
        after = stored_articles(store, spec)
    assert first <= {a.title for a in after}
    for article in after:
        check_article(article, "turned")


@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.html", "a.xml", "a.json"])
def test_local_parsers_on_the_raw_payloads_do_not_raise(name: str) -> None:
    data = injected("raw").encode("utf-8", "surrogatepass") + b"\xff\xfe\xc2\x9b"
    try:
        parse_file(name, data, None)
    except ValueError:
        pass  # a clear per-file error is fine (a feed file that is not a feed)
