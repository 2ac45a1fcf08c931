"""One step that finishes every parsed entry, whichever parser read it.

The lxml fast path, the feedparser path and the JSON Feed reader each fill a
`RawEntry` with what the document says; `finish_entries` turns those into
`ArticleData` the same way for all three: titles as text, authors by name,
dates read by `termnews.dates`, every URL absolute, link fallbacks, Media RSS,
titles for untitled entries, one article per id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from html import unescape
from typing import Literal
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from termnews.dates import parse_date
from termnews.models import ArticleData, BodyFormat, Enclosure
from termnews.text import plain_text

#: How a title is written: as text, as HTML, or (RSS, JSON Feed) HTML only if it looks like it.
TitleKind = Literal["text", "html", "guess"]


@dataclass
class RawEntry:
    """An entry as its document gives it, URLs possibly relative."""

    title: str | None = None
    title_kind: TitleKind = "guess"
    media_title: str | None = None
    body: str = ""
    body_format: BodyFormat = "text"
    media_text: tuple[str, BodyFormat] | None = None  # a media:description
    base: str = ""  # what relative URLs are relative to (xml:base or the document's URL)
    guid: str | None = None
    link: str | None = None  # a link the entry gives as such (not its id)
    orig_link: str | None = None  # feedburner:origLink, JSON external_url
    authors: list[str] = field(default_factory=list)
    dates: list[str | None] = field(default_factory=list)  # published first; the first readable wins
    enclosures: list[Enclosure] = field(default_factory=list)
    orig_enclosure: str | None = None  # feedburner:origEnclosureLink
    image: str | None = None
    comments_feed: str | None = None  # wfw:commentRss, Atom replies of a feed type
    comments_page: str | None = None  # RSS <comments>, Atom replies of a page type


@dataclass(frozen=True)
class FeedInfo:
    """What the feed as a whole says that its entries may lack."""

    authors: tuple[str, ...] = ()  # Atom feed-level <author>, JSON Feed top-level authors
    home: str = ""  # the site, for documents read without a URL (files)


def finish_entries(raws: list[RawEntry], feed: FeedInfo) -> list[ArticleData]:
    return _one_per_id([_finish(raw, feed) for raw in raws])


def _finish(raw: RawEntry, feed: FeedInfo) -> ArticleData:
    base = raw.base if _is_web(raw.base) else feed.home if _is_web(feed.home) else ""
    body, fmt = raw.body, raw.body_format
    if not body.strip() and raw.media_text and raw.media_text[0].strip():
        body, fmt = raw.media_text
    if fmt == "html" and base:
        body = resolve_html_urls(body, base)
    enclosures = _enclosures(raw, base)
    link = _link(raw, base, enclosures)
    page = _absolute(raw.comments_page, base)
    title = title_text(raw.title, raw.title_kind) or title_text(raw.media_title, "guess")
    return ArticleData(
        title=title or untitled(body, fmt, link),
        body=body,
        body_format=fmt,
        guid=raw.guid or None,
        link=link,
        author=", ".join(_names(raw.authors) or _names(feed.authors)) or None,
        published=next((s for s in map(parse_date, raw.dates) if s is not None), None),
        enclosures=enclosures,
        comments_url=_absolute(raw.comments_feed, base) or wordpress_comment_feed(page),
        image=_absolute(raw.image, base),
        comments_page=page,
    )


# -- URLs ----------------------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# An href or src attribute and its value, quoted or not.
_RELATIVE_HREF = re.compile(r"""href\s*=\s*(?!["']?(?:https?://|#))""")
_RELATIVE_SRC = re.compile(r"""src\s*=\s*(?!["']?(?:https?://|#))""")
_URL_ATTR = re.compile(r"""(\s(?:href|src)\s*=\s*)("[^"]*"|'[^']*'|[^\s>"']+)""", re.IGNORECASE)


def _is_web(url: str | None) -> bool:
    return url is not None and url.lower().startswith(("http://", "https://"))


def _absolute(url: str | None, base: str) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    if base and not _SCHEME.match(url):
        try:
            return urljoin(base, url)
        except ValueError:  # a malformed URL (an unclosed "[" in the host): kept as written
            return url
    return url


def _all_absolute(html: str) -> bool:
    """True when no href or src in `html` can hold a relative URL (most bodies).

    Patterns that start with a literal are searched at memory speed; the
    attribute pattern that rewrites is only run on bodies that need it.
    (Attribute names in mixed case, "Href", are not looked for.)
    """
    return (
        _RELATIVE_HREF.search(html) is None
        and _RELATIVE_SRC.search(html) is None
        and "HREF" not in html
        and "SRC" not in html
    )


def resolve_html_urls(html: str, base: str) -> str:
    """Every relative href and src in `html` made absolute against `base`."""
    if _all_absolute(html):
        return html

    def fix(match: re.Match[str]) -> str:
        value = match.group(2)
        quote = value[0] if value[0] in "\"'" else ""
        url = value[1:-1] if quote else value
        if not url.strip() or url.startswith("#") or _SCHEME.match(url.strip()):
            return match.group(0)
        return f"{match.group(1)}{quote or chr(34)}{_absolute(url, base)}{quote or chr(34)}"

    return _URL_ATTR.sub(fix, html)


def _enclosures(raw: RawEntry, base: str) -> tuple[Enclosure, ...]:
    """Absolute, without blanks or repeats; a repeat fills in what the first lacked."""
    found: dict[str, Enclosure] = {}
    given = list(raw.enclosures)
    if raw.orig_enclosure and raw.orig_enclosure.strip():
        # FeedBurner rewrote the first enclosure's URL and kept the original here.
        first = given[0] if given else Enclosure("")
        given[:1] = [Enclosure(raw.orig_enclosure, first.type, first.length)]
    for enclosure in given:
        url = _absolute(enclosure.url, base)
        if not url:
            continue
        seen = found.get(url)
        # feedparser calls an Atom enclosure without a type "text/html": that says nothing.
        kind = "" if enclosure.type.strip().lower() == "text/html" else enclosure.type.strip()
        found[url] = Enclosure(
            url,
            (seen and seen.type) or kind,
            (seen and seen.length) or (enclosure.length if enclosure.length else None),
        )
    return tuple(found.values())


def _link(raw: RawEntry, base: str, enclosures: tuple[Enclosure, ...]) -> str | None:
    """The entry's page: the original link, the link, an http(s) id, else its first file."""
    for candidate in (raw.orig_link, raw.link):
        url = _absolute(candidate, base)
        if url:
            return url
    if _is_web(raw.guid):
        return (raw.guid or "").strip()
    return enclosures[0].url if enclosures else None


def wordpress_comment_feed(page: str | None) -> str | None:
    """The comment feed WordPress keeps beside a post whose comments are at `page`.

    Only for the shape WordPress gives its `<comments>` links: a post's address
    (a path ending in "/" or a `?p=N` query) and "#comments" or "#respond".
    Anything else has no feed we can name without guessing.
    """
    if not page:
        return None
    parts = urlsplit(page)
    if parts.fragment not in ("comments", "respond") or parts.scheme not in ("http", "https"):
        return None
    query = parse_qsl(parts.query)
    if parts.path.endswith("/") and not query:
        return urlunsplit(parts._replace(path=parts.path + "feed/", fragment=""))
    if [k for k, _ in query] == ["p"] and query[0][1].isdigit():
        return urlunsplit(parts._replace(query=parts.query + "&feed=rss2", fragment=""))
    return None


# -- text ----------------------------------------------------------------------------

_MARKUP = re.compile(
    r"<(?:/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?|!--.*?--)>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);",
    re.DOTALL,
)
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?|!--.*?--)>", re.DOTALL)


def looks_like_html(text: str) -> bool:
    """Holds a tag or an entity: text that RSS and JSON Feed writers meant as HTML."""
    return bool(_MARKUP.search(text))


#: Media types of a web page; a link of another type (or none) to replies leads to a feed.
PAGE_TYPES = ("text/html", "html", "application/xhtml+xml", "xhtml")


def title_text(title: str | None, kind: TitleKind) -> str:
    """A title as the words it shows: markup removed and entities decoded when it is HTML.

    A text title ("a < b") stays as written; an RSS or JSON Feed title counts as HTML
    when it holds a tag or an entity (so "AT&amp;amp;T", encoded twice, reads "AT&T").
    """
    if not title:
        return ""
    if kind == "html" or (kind == "guess" and looks_like_html(title)):
        title = unescape(_TAG.sub("", title))
    return " ".join(title.split())


def untitled(body: str, fmt: BodyFormat, link: str | None, width: int = 80) -> str:
    """A title for an entry without one: its first sentence, cut; else its URL."""
    words = " ".join(plain_text(body, fmt).split())
    if words:
        sentence = re.split(r"(?<=[.!?…])\s", words, maxsplit=1)[0]
        if len(sentence) <= width:
            return sentence
        cut = (
            sentence[: width - 1].rsplit(" ", 1)[0] if " " in sentence[: width - 1] else sentence[: width - 1]
        )
        return cut.rstrip(",;:") + "…"
    return link or "(untitled)"


_EMAIL_THEN_NAME = re.compile(r"\A[^\s()<>]+@[^\s()<>]+\s*\((?P<name>[^()]+)\)\Z")
_NAME_THEN_EMAIL = re.compile(r"\A(?P<name>[^<>]+?)\s*(?:<[^<>\s]+@[^<>\s]+>|\([^()\s]+@[^()\s]+\))\Z")


def author_name(author: str) -> str:
    """ "jo@x.org (Jo)" and "Jo <jo@x.org>" are Jo; anything else as written."""
    author = " ".join(author.split())
    match = _EMAIL_THEN_NAME.match(author) or _NAME_THEN_EMAIL.match(author)
    return match.group("name").strip() if match else author


def _names(authors: list[str] | tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(name for name in map(author_name, authors) if name))


# -- one article per id ----------------------------------------------------------------


def _one_per_id(entries: list[ArticleData]) -> list[ArticleData]:
    """The first of entries that share an id; entries without one are told apart by
    link and title: a second entry with the same link and another title gets an id
    made of both."""
    kept: dict[tuple[str, ...], ArticleData] = {}
    links: set[str] = set()
    for entry in entries:
        if entry.guid:
            key: tuple[str, ...] = ("guid", entry.guid)
        elif entry.link:
            key = ("link", entry.link, entry.title)
            link = entry.link
            if key not in kept and link in links:
                entry = replace(entry, guid=f"{link}#{entry.title}")
            links.add(link)
        else:
            key = ("title", entry.title, str(entry.published))
        kept.setdefault(key, entry)
    return list(kept.values())
