"""Hostile XML and JSON documents: each ends as that source's error or a bounded parse.

Every document is refreshed over a source that already holds cached articles:
those must still be there afterwards, whatever the document did.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hostile_payloads import assert_clean

from feedserver import simple_rss
from termnews.feedparse import FeedParseError, parse_feed
from termnews.models import SourceSpec
from termnews.store import Store, View
from termnews.update import RefreshSettings, refresh

INLINE = RefreshSettings(parse_workers=0)


def rss_with(item: str, prolog: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        + prolog
        + '<rss version="2.0"><channel><title>t</title><item>'
        + item
        + "</item></channel></rss>"
    ).encode("utf-8")


LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)

# name -> (document, what must hold: "error" (message fragment) or "ok" (title check))
DOCUMENTS: dict[str, tuple[bytes, str]] = {
    "billion-laughs": (rss_with("<title>x &lol9; y</title><guid>g</guid>", LAUGHS), "ok"),
    "external-entity": (
        rss_with(
            "<title>x &xxe; y</title><guid>g</guid>",
            '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        ),
        "ok",
    ),
    "parameter-entity": (
        rss_with(
            "<title>pe</title><guid>g</guid>",
            '<!DOCTYPE rss [<!ENTITY % pe SYSTEM "http://127.0.0.1:9/x.dtd"> %pe;]>',
        ),
        "ok",
    ),
    "bracket-in-entity-value": (
        rss_with(
            "<title>x &e; y</title><guid>g</guid>", '<!DOCTYPE rss [<!ENTITY e "]>&#27;[2J"><!ENTITY f "z">]>'
        ),
        "ok",
    ),
    "backslash-in-entity-value": (
        rss_with("<title>x &e; y</title><guid>g</guid>", '<!DOCTYPE rss [<!ENTITY e "a\\b\\u001b[2J\\">]>'),
        "ok",
    ),
    "lone-surrogate-hex-ref": (
        rss_with("<title>a &#xD800; b</title><guid>g</guid>"),
        "error:unreadable feed",
    ),
    "lone-surrogate-dec-ref": (
        rss_with("<title>a &#56320; b</title><guid>g</guid>"),
        "error:unreadable feed",
    ),
    "out-of-range-ref": (rss_with("<title>a &#x110000; b</title><guid>g</guid>"), "error:unreadable feed"),
    "overflowing-ref": (
        rss_with("<title>a &#99999999999999999999; b</title><guid>g</guid>"),
        "error:unreadable feed",
    ),
    "deep-nesting": (rss_with("<title>deep</title><guid>g</guid>" + "<x>" * 20_000 + "</x>" * 20_000), "ok"),
    "huge-single-line": (rss_with("<title>" + "A" * 3_000_000 + "</title><guid>g</guid>"), "ok"),
    "json-deep-nesting": (
        b'{"version":"https://jsonfeed.org/version/1.1","items":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "error:not a JSON Feed",
    ),
    "json-lone-surrogate": (
        b'{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"a \\ud800 \\u001b]0;t\\u0007 b"}]}',
        "ok",
    ),
    "not-xml-at-all": (b"\x00\x01\x02\xff\xfe garbage \x1b[2J", "error:not a feed"),
    "truncated-document": (rss_with("<title>cut</title>")[:-30], "any"),
}


@pytest.fixture
def cached(paths, tmp_path: Path):
    """A store whose feed-file source already holds 3 articles."""
    path = tmp_path / "feed.xml"
    path.write_bytes(simple_rss(3))
    spec = SourceSpec("victim", "feed", str(path))
    with Store(paths) as store:
        assert refresh(store, [spec], settings=INLINE)[0].new == 3
        yield store, spec, path


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_hostile_document(name: str, cached) -> None:
    store, spec, path = cached
    document, expect = DOCUMENTS[name]
    path.write_bytes(document)
    started = time.monotonic()
    [outcome] = refresh(store, [spec], settings=INLINE)
    took = time.monotonic() - started
    assert took < 20, f"{name} took {took:.1f} s"
    headlines = store.headlines(View(source_id=spec.source_id), 0, 1000)
    titles = {h.title for h in headlines}
    assert {"Story 0", "Story 1", "Story 2"} <= titles, "cached articles lost"
    for h in headlines:
        assert_clean(h.title, name)
        article = store.article(h.id)
        assert_clean(article.body, name)
        assert len(article.title) <= 1000
    if expect.startswith("error:"):
        assert outcome.error is not None and expect.removeprefix("error:") in outcome.error, outcome.error
        assert store.source_status(spec.source_id).last_error == outcome.error
    elif expect == "ok":
        assert outcome.error is None, outcome.error
        # No entity was expanded: not the laughs, not a file's contents.
        assert not any("lollol" in t or "root:" in t for t in titles)


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    doc = rss_with(
        "<title>x &xxe; y</title><description>&xxe;</description><guid>g</guid>",
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    )
    for fast in (True, False):
        for article in parse_feed(doc, fast=fast):
            assert "TOP-SECRET" not in article.title + article.body


def test_feedparser_exceptions_are_feed_parse_errors() -> None:
    """The documents on which feedparser raises instead of setting bozo."""
    for name in ("lone-surrogate-hex-ref", "out-of-range-ref", "overflowing-ref"):
        with pytest.raises(FeedParseError):
            parse_feed(DOCUMENTS[name][0])
