"""The lxml fast path stores exactly what the feedparser path stores.

`parse_feed` reads plain RSS 2.0 / Atom 1.0 with lxml and falls back to
feedparser on any doubt. Here both paths run over the whole test corpus (the
benchmark's generated feeds, every document of the parse tests, hand-made
edge cases, and generated ones) and must give identical stored records: the
same article ids and the same fields after `clean_article`.
"""

from __future__ import annotations

import html
import importlib.util
import json
import sys
from email.utils import formatdate
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import test_feed_parse
from termnews.feedparse import FAST_PATH, fast_parse, parse_feed
from termnews.models import article_id
from termnews.sanitize import clean_article

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not FAST_PATH, reason="no lxml: there is no fast path")


def _bench_corpus(feeds: int, entries: int) -> dict[str, bytes]:
    spec = importlib.util.spec_from_file_location("bench_refresh", REPO / "bench" / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module.make_corpus(feeds, entries, seed=7)


def stored(entries, source_id: str = "src") -> list[tuple]:
    """What the store keeps: the cleaned record and the id it derives from it."""
    cleaned = [clean_article(e) for e in entries]
    return [(article_id(source_id, c), c) for c in cleaned]


def check_same(data: bytes, url: str = "http://feeds.example.org/feed.xml") -> bool:
    """Assert both paths agree; True when the fast path took the document."""
    reference = parse_feed(data, url, fast=False)
    fast = fast_parse(data, url)
    if fast is None:
        return False
    assert stored(fast) == stored(reference)
    return True


def test_bench_corpus_takes_the_fast_path_and_agrees():
    corpus = _bench_corpus(24, 25)
    taken = [check_same(doc, "http://127.0.0.1:8080" + path) for path, doc in corpus.items()]
    assert all(taken), "the benchmark corpus should not need feedparser"


def test_parse_test_documents_agree():
    docs = [v for k, v in vars(test_feed_parse).items() if k.isupper() and isinstance(v, bytes)]
    assert len(docs) >= 6
    taken = [check_same(d) for d in docs]
    assert any(taken) and not all(taken)  # RSS 2.0 / Atom 1.0 fast, the rest feedparser


FAITHFUL = REPO / "tests" / "feeds" / "faithful"


@pytest.mark.parametrize("name", sorted(p.name for p in FAITHFUL.iterdir() if p.suffix != ".json"))
def test_faithful_corpus_agrees(name):
    """Both paths give the same records on every class of real feed (test_feed_faithful.py),
    and the fast path takes the documents it is expected to take."""
    data = (FAITHFUL / name).read_bytes()
    want = json.loads((FAITHFUL.parent / "faithful-expected" / f"{name}.json").read_text())["fast"]
    for url in ("", f"http://feeds.example.org/blog/{name}"):
        assert check_same(data, url) is want


RSS_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>t</title>'
)
ATOM_HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
)


def rss(*items: str) -> bytes:
    return (RSS_HEAD + "".join(f"<item>{i}</item>" for i in items) + "</channel></rss>").encode()


def atom(*entries: str) -> bytes:
    return (ATOM_HEAD + "".join(f"<entry>{e}</entry>" for e in entries) + "</feed>").encode()


EDGE_CASES = {
    # taken by the fast path
    "relative guid": (rss("<title>a</title><guid>42</guid>"), True),
    "relative link": (rss("<title>a</title><link>/2024/a</link>"), True),
    "link with entity-like query": (rss("<title>a</title><link>http://x.org/?a=1&amp;amp;b=2</link>"), True),
    "empty query and fragment": (rss("<title>a</title><link>http://x.org/a?#</link>"), True),
    "upper-case scheme": (rss("<title>a</title><link>HTTP://x.org/a</link>"), True),
    "extra slashes": (rss("<title>a</title><link>http:///x.org//a</link>"), True),
    "params in path": (rss("<title>a</title><link>http://x.org/a;b?c</link>"), True),
    "guid not permalink": (rss('<title>a</title><guid isPermaLink="false">/x</guid>'), True),
    "guid then link": (rss("<guid>http://x.org/g</guid><link>http://x.org/l</link>"), True),
    "empty link": (rss("<title>a</title><guid>http://x.org/g</guid><link></link>"), True),
    "whitespace everywhere": (
        rss("<title>\n  spaced \t out \n</title><description>  \n x \n </description>"),
        True,
    ),
    "no title no body": (rss("<guid>g</guid>"), True),
    "mojibake repaired": (
        rss("<title>caf\u00c3\u00a9</title><description>na\u00c3\u00afve</description>"),
        True,
    ),
    "latin-1 text left alone": (rss("<title>café</title>"), True),
    "unparseable date": (rss("<title>a</title><pubDate>yesterday-ish</pubDate>"), True),
    "date fallbacks": (rss("<pubDate>nope</pubDate><dc:date>2024-01-02T03:04:05Z</dc:date>"), True),
    "odd dates": (rss("<pubDate>Sun, 31 Mar 2024 25:61:00 EST</pubDate>"), True),
    "empty content": (rss("<content:encoded></content:encoded><description>d</description>"), True),
    "enclosure without url": (
        rss('<enclosure length="1" type="a/b"/><enclosure url="http://x.org/e"/>'),
        True,
    ),
    "entities and cdata": (
        rss(
            "<title>&lt;b&gt;x&lt;/b&gt; &#169; &#x263A;</title>"
            "<description><![CDATA[a & b <i>c</i>]]></description>"
        ),
        True,
    ),
    "atom text title with markup": (atom("<title>a &lt;b&gt;</title><id>i</id>"), True),
    "atom html types": (
        atom('<title type="HTML">x</title><content type="text/html">&lt;p&gt;</content>'),
        True,
    ),
    "atom link types": (
        atom(
            '<link href="http://x.org/a" type="application/xhtml+xml"/>'
            '<link rel="self" href="http://x.org/s"/><id>i</id>'
        ),
        True,
    ),
    "atom last alternate wins": (
        atom('<link href="http://x.org/1"/><link href="http://x.org/2"/><id>i</id>'),
        True,
    ),
    "atom non-html alternate": (
        atom('<link href="http://x.org/f.pdf" type="application/pdf"/><id>http://x.org/i</id>'),
        True,
    ),
    "atom relative href": (atom('<link href="p/1"/><id>2</id>'), True),
    "atom author with email": (atom("<author><name>N</name><email>n@x.org</email></author>"), True),
    "atom author email only": (atom("<author><email>n@x.org</email></author>"), True),
    "atom empty author": (atom("<author><uri>http://x.org</uri></author>"), True),
    "atom summary only": (atom("<summary>only summary</summary>"), True),
    "atom updated only": (atom("<updated>2024-05-06T07:08:09-07:00</updated>"), True),
    "media content, thumbnail, title": (
        rss(
            "<guid>g</guid><media:content xmlns:media='http://search.yahoo.com/mrss/' url='v.mp4' type='video/mp4' fileSize='9'/>"
            "<media:thumbnail xmlns:media='http://search.yahoo.com/mrss/' url='/t.jpg'/>"
            "<media:title xmlns:media='http://search.yahoo.com/mrss/'>&lt;b&gt;mt&lt;/b&gt;</media:title>"
        ),
        True,
    ),
    "media group description beside a description": (
        rss(
            "<title>t</title><description>d</description><m:group xmlns:m='http://search.yahoo.com/mrss/'>"
            "<m:description>md</m:description><m:content url='http://x.org/a.mp3'/></m:group>"
        ),
        True,
    ),
    "feedburner links": (
        rss(
            "<link>http://fb.org/1</link><fb:origLink xmlns:fb='http://rssnamespace.org/feedburner/ext/1.0'>/o</fb:origLink>"
            "<enclosure url='http://fb.org/e.mp3' type='audio/mpeg' length='5'/>"
            "<fb:origEnclosureLink xmlns:fb='http://rssnamespace.org/feedburner/ext/1.0'>http://o.org/e.mp3</fb:origEnclosureLink>"
        ),
        True,
    ),
    "rss comments page": (rss("<title>a</title><comments>/a#c</comments>"), True),
    "atom replies": (
        atom('<id>i</id><link rel="replies" href="/c.xml"/><link rel="replies" type="text/html" href="/c"/>'),
        True,
    ),
    "atom authors repeated": (
        atom("<id>i</id><author><name>A</name></author><author><name>B</name></author>"),
        True,
    ),
    "atom feed author": (
        ATOM_HEAD.encode().replace(b"<title>t</title>", b"<title>t</title><author><name>F</name></author>")
        + b"<entry><id>i</id></entry></feed>",
        True,
    ),
    # declined: feedparser decides
    "media thumbnail URL as text": (
        rss("<m:thumbnail xmlns:m='http://search.yahoo.com/mrss/'>http://x.org/t.jpg</m:thumbnail>"),
        False,
    ),
    "atom item": (ATOM_HEAD.encode() + b"<item><title>i</title></item></feed>", False),
    "rss author element": (rss("<author>a@x.org (A)</author>"), False),
    "atom xhtml": (
        atom('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">x</div></content>'),
        False,
    ),
    "xml:base": (atom('<link xml:base="http://b.org/" href="a"/>'), False),
    "C1 character": (rss("<title>a\u0085b</title>"), False),
    "C1 reference": (rss("<title>a&#150;b</title>"), False),
    "latin-1 encoding": (rss("<title>x</title>").replace(b"utf-8", b"iso-8859-1"), False),
    "repeated title": (rss("<title>a</title><title>b</title>"), False),
    "unknown element": (
        rss("<title>a</title><media:thumbnail xmlns:media='http://search.yahoo.com/mrss/'/>"),
        False,
    ),
    "comment inside a title": (rss("<title>a<!-- c -->b</title>"), False),
    "description with type": (rss('<description type="text/plain">x</description>'), False),
    "not well formed": (rss("<title>a & b</title>"), False),
    "rss 0.92": (rss("<title>a</title>").replace(b'version="2.0"', b'version="0.92"'), False),
    "BOM": (b"\xef\xbb\xbf" + rss("<title>a</title>"), False),
    "item outside channel": (
        rss("<title>a</title>").replace(
            b"</channel></rss>", b"</channel><item><title>b</title></item></rss>"
        ),
        False,
    ),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases(name):
    data, fast = EDGE_CASES[name]
    for url in ("http://feeds.example.org/dir/feed.xml", ""):
        assert check_same(data, url) is fast


# -- generated documents -----------------------------------------------------------------

TRICKY = st.sampled_from(
    [
        "&",
        "<",
        ">",
        '"',
        "'",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "é",
        "Ã©",
        "—",
        "€",
        "\u00a0",
        "ü",
        "ç",
        "a",
        "b",
        "Z",
        "0",
        "/",
        "?",
        "#",
        ";",
        "=",
        "%20",
        "&amp;",
        "&lt;p&gt;",
        "<p>",
        "</p>",
        "\u2028",
        "日本",
        "😀",
        ":",
        "..",
        "http://",
        "www.",
    ]
)
TEXT = st.lists(TRICKY, max_size=12).map("".join)
URLISH = st.one_of(
    TEXT,
    st.builds(
        lambda a, b: f"http://ex.org/{a}{b}", TEXT, st.sampled_from(["", "?", "?q=1", "#", "#f", ";p"])
    ),
    st.builds(lambda a: f"https://ex.org/{a}", st.text("abc/.-_~%", max_size=10)),
)
DATES = st.one_of(
    st.integers(0, 2_000_000_000).map(lambda t: formatdate(t, usegmt=True)),
    st.integers(0, 2_000_000_000).map(lambda t: formatdate(t, localtime=False)),
    st.sampled_from(
        ["2024-02-30T00:00:00Z", "2024-01-01", "1 Jan 2024", "", "Mon, 01 Jan 2024 00:00:00 PDT"]
    ),
)


def esc(text: str, cdata: bool) -> str:
    if cdata and "]]>" not in text:
        return f"<![CDATA[{text}]]>"
    return html.escape(text, quote=False)


@st.composite
def rss_items(draw) -> str:
    parts = []
    fields = draw(
        st.lists(
            st.sampled_from(
                [
                    "title",
                    "link",
                    "guid",
                    "guidfalse",
                    "description",
                    "content",
                    "pubDate",
                    "creator",
                    "comments",
                    "enclosure",
                    "page",
                    "media",
                    "thumbnail",
                    "mediatext",
                    "origlink",
                ]
            ),
            unique=True,
        )
    )
    for f in fields:
        cdata = draw(st.booleans())
        if f == "title":
            parts.append(f"<title>{esc(draw(TEXT), cdata)}</title>")
        elif f == "link":
            parts.append(f"<link>{esc(draw(URLISH), False)}</link>")
        elif f == "guid":
            parts.append(f"<guid>{esc(draw(URLISH), False)}</guid>")
        elif f == "guidfalse":
            parts.append(f'<guid isPermaLink="false">{esc(draw(URLISH), False)}</guid>')
        elif f == "description":
            parts.append(f"<description>{esc(draw(TEXT), cdata)}</description>")
        elif f == "content":
            parts.append(f"<content:encoded>{esc(draw(TEXT), cdata)}</content:encoded>")
        elif f == "pubDate":
            parts.append(f"<pubDate>{esc(draw(DATES), False)}</pubDate>")
        elif f == "creator":
            parts.append(f"<dc:creator>{esc(draw(TEXT), cdata)}</dc:creator>")
        elif f == "comments":
            parts.append(f"<wfw:commentRss>{esc(draw(URLISH), False)}</wfw:commentRss>")
        elif f == "page":
            parts.append(f"<comments>{esc(draw(URLISH), False)}</comments>")
        elif f == "media":
            size = draw(st.sampled_from(["", "0", "12", "x", " 7 "]))
            parts.append(f'<media:content url="{html.escape(draw(URLISH))}" fileSize="{size}" type="a/b"/>')
        elif f == "thumbnail":
            parts.append(f'<media:thumbnail url="{html.escape(draw(URLISH))}"/>')
        elif f == "mediatext":
            parts.append(
                f"<media:group><media:title>{esc(draw(TEXT), cdata)}</media:title>"
                f"<media:description>{esc(draw(TEXT), cdata)}</media:description></media:group>"
            )
        elif f == "origlink":
            parts.append(f"<feedburner:origLink>{esc(draw(URLISH), False)}</feedburner:origLink>")
        else:
            parts.append(f'<enclosure url="{html.escape(draw(URLISH))}"/>')
    return "".join(draw(st.permutations(parts)))


@st.composite
def atom_entries(draw) -> str:
    parts = []
    kind = st.sampled_from(["", ' type="text"', ' type="html"'])
    if draw(st.booleans()):
        parts.append(f"<title{draw(kind)}>{esc(draw(TEXT), draw(st.booleans()))}</title>")
    if draw(st.booleans()):
        parts.append(f"<id>{esc(draw(URLISH), False)}</id>")
    for _ in range(draw(st.integers(0, 3))):
        rel = draw(
            st.sampled_from(["", ' rel="alternate"', ' rel="enclosure"', ' rel="related"', ' rel="self"'])
        )
        typ = draw(st.sampled_from(["", ' type="text/html"', ' type="application/pdf"']))
        parts.append(f'<link{rel}{typ} href="{html.escape(draw(URLISH)) or "x"}"/>')
    for tag in ("published", "updated"):
        if draw(st.booleans()):
            parts.append(f"<{tag}>{esc(draw(DATES), False)}</{tag}>")
    for tag in ("summary", "content"):
        if draw(st.booleans()):
            parts.append(f"<{tag}{draw(kind)}>{esc(draw(TEXT), draw(st.booleans()))}</{tag}>")
    if draw(st.booleans()):
        name = f"<name>{esc(draw(TEXT), False)}</name>" if draw(st.booleans()) else ""
        email = f"<email>{esc(draw(TEXT), False)}</email>" if draw(st.booleans()) else ""
        parts.append(f"<author>{name}{email}</author>")
    return "".join(draw(st.permutations(parts)))


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    st.lists(rss_items(), min_size=1, max_size=4),
    st.sampled_from(["", "http://feeds.example.org/a/feed.xml"]),
)
def test_generated_rss_agrees(items, url):
    check_same(rss(*items), url)


@FUZZ
@given(
    st.lists(atom_entries(), min_size=1, max_size=4), st.sampled_from(["", "https://feeds.example.org/a/"])
)
def test_generated_atom_agrees(entries, url):
    check_same(atom(*entries), url)
