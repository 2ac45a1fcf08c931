"""Property tests: arbitrary bytes and text never raise and never leave a control sequence.

(tests/test_sanitize_render.py has properties on `clean_text` and
`body_markdown` over text; these add arbitrary bytes through the local-file
parsers, every field through `clean_article`, and the whole reader document.)
"""

from __future__ import annotations

from hostile_payloads import CONTROL_PAYLOADS, MARKUP_PAYLOADS, assert_clean
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from termnews.models import Article, ArticleData
from termnews.render import article_markdown, article_text, body_links, body_markdown
from termnews.sanitize import clean_article
from termnews.sources.local import PARSERS, parse_file

# Bytes biased towards the interesting: payloads, markup, entities, tags, invalid UTF-8.
_PIECES = [p.encode("utf-8", "surrogatepass") for p in (*CONTROL_PAYLOADS, *MARKUP_PAYLOADS)] + [
    b"&#27;",
    b"&#x9b;",
    b"&#xD800;",
    b"&#x110000;",
    b"<title>",
    b"</title>",
    b"<h1>",
    b"---\ntitle: ",
    b"\n---\n",
    b"<?xml version='1.0'?>",
    b"<rss version='2.0'><channel><item><title>",
    b"</item>",
    b"\xff\xfe",
    b"\xc2\x9b",
    b"\xed\xa0\x80",
    b"\r\n",
    b"# ",
    b"[x](javascript:x)",
    b"<a href='-x'>",
    b'{"version":"https://jsonfeed.org/version/1.1","items":[{"title":"',
]
BYTES = st.lists(st.one_of(st.sampled_from(_PIECES), st.binary(max_size=40)), max_size=30).map(b"".join)
TEXT = st.lists(
    st.one_of(st.sampled_from([p.decode("utf-8", "surrogateescape") for p in _PIECES]), st.text(max_size=30)),
    max_size=20,
).map("".join)
SUFFIXES = sorted(PARSERS)

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(data=BYTES, suffix=st.sampled_from(SUFFIXES))
def test_local_parsers_on_arbitrary_bytes(data: bytes, suffix: str) -> None:
    try:
        entries = parse_file("f" + suffix, data, 1_700_000_000.0)
    except ValueError:
        return  # a per-file error (binary, empty, not a feed) is the documented outcome
    for entry in entries:
        shown = clean_article(entry)
        for text in (
            shown.title,
            shown.body,
            shown.link or "",
            shown.author or "",
            *(e.url for e in shown.enclosures),
        ):
            assert_clean(text, suffix)
        article = Article(
            id="x",
            source="s",
            title=shown.title,
            body=shown.body,
            body_format=shown.body_format,
            link=shown.link,
            author=shown.author,
            published=shown.published,
            enclosures=shown.enclosures,
            read=False,
            starred=False,
        )
        assert_clean(article_markdown(article), suffix + " markdown")
        assert_clean(article_text(article), suffix + " printout")


@PROPS
@given(
    title=TEXT,
    body=TEXT,
    link=TEXT,
    author=TEXT,
    enclosure=TEXT,
    fmt=st.sampled_from(["text", "markdown", "html"]),
)
def test_every_field_of_any_entry_is_clean_when_shown(title, body, link, author, enclosure, fmt) -> None:
    entry = clean_article(
        ArticleData(
            title=title, body=body, body_format=fmt, link=link, author=author, enclosures=(enclosure,)
        )
    )
    for text in (
        entry.title,
        entry.body,
        entry.link or "",
        entry.author or "",
        *(e.url for e in entry.enclosures),
    ):
        assert_clean(text)
    article = Article(
        id="x",
        source="s",
        title=entry.title,
        body=entry.body,
        body_format=fmt,
        link=entry.link,
        author=entry.author,
        published=None,
        enclosures=entry.enclosures,
        read=False,
        starred=False,
    )
    assert_clean(article_markdown(article))
    assert_clean(article_text(article))


@PROPS
@given(data=BYTES, fmt=st.sampled_from(["text", "markdown", "html"]))
def test_render_of_undecodable_bodies(data: bytes, fmt: str) -> None:
    body = data.decode("utf-8", "surrogateescape")  # the worst a decoder could hand over
    assert_clean(body_markdown(body, fmt))
    for url in body_links(body, fmt):
        assert_clean(url)
