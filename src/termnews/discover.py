"""Finding a site's feeds from its address (`termnews add https://example.org/`).

The address is fetched once. A feed is a feed; a web page is read for
`<link rel="alternate">` to RSS, Atom or JSON Feed (relative to the page or
its `<base href>`); a page without them is tried at the usual places
(`/feed/`, `/rss.xml`, `/atom.xml`, `/index.xml`, `/feed.json`), each
fetched through the same polite client. Never raises for what a server does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from termnews.sanitize import clean_line
from termnews.text import is_fetchable_url

if TYPE_CHECKING:
    from termnews.fetch import HttpClient
    from termnews.models import HttpOptions

FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
    "application/rdf+xml": "RSS",
}
USUAL_PATHS = ("/feed/", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json")


@dataclass(frozen=True)
class FoundFeed:
    url: str
    title: str = ""
    format: str = ""  # RSS, Atom, JSON Feed


@dataclass(frozen=True)
class Discovery:
    """What an address turned out to be: a feed itself, a page with feeds, or an error."""

    feeds: list[FoundFeed] = field(default_factory=list)
    is_feed: bool = False
    error: str | None = None  # the address could not be fetched
    refused: bool = False  # and that is a definite "no" (404, 410, a redirect loop), not "not now"
    page: bool = False  # it is a web page (with or without feeds)


def sniff_feed(body: bytes, content_type: str) -> str | None:
    """The feed format of a document, or None when it is not a feed."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{"):
        return "JSON Feed" if b"jsonfeed.org/version" in body[:4096].lower() else None
    if b"<html" in head or b"<!doctype html" in head:
        return None
    for marker, name in ((b"<rss", "RSS"), (b"<rdf:rdf", "RSS"), (b"<feed", "Atom")):
        if marker in head:
            return name
    return None


def looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:2048].lower()
    return "html" in content_type.lower() or b"<html" in head or b"<!doctype html" in head


class _Links(HTMLParser):
    """`<link rel="alternate" type="…feed type…" href title>` and `<base href>` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str, str]] = []  # href, title, format

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k.lower(): v or "" for k, v in attrs}
        if tag == "base" and self.base is None and found.get("href"):
            self.base = found["href"]
        elif tag == "link" and "alternate" in found.get("rel", "").lower().split():
            kind = FEED_TYPES.get(found.get("type", "").split(";")[0].strip().lower())
            if kind and found.get("href"):
                self.links.append((found["href"].strip(), found.get("title", ""), kind))


def alternates(body: bytes, page_url: str) -> list[FoundFeed]:
    """The feeds a page announces, absolute, without repeats, in page order."""
    parser = _Links()
    try:
        parser.feed(body.decode("utf-8", "replace"))
        parser.close()
    except Exception:  # HTMLParser is lenient; whatever it chokes on ends the reading, not the add
        pass
    base = urljoin(page_url, parser.base) if parser.base else page_url
    feeds: dict[str, FoundFeed] = {}
    for href, title, kind in parser.links:
        url = urljoin(base, href)
        if is_fetchable_url(url) and url not in feeds:
            feeds[url] = FoundFeed(url, clean_line(title, 200), kind)
    return list(feeds.values())


def discover(url: str, http: HttpClient, options: HttpOptions | None = None) -> Discovery:
    """The feeds at `url`: itself when it is one, else those its page names, else the first usual place that holds one."""
    from termnews.fetch import refused_for_good

    got = http.get(url, options=options)
    if got.error or got.body is None:
        return Discovery(error=got.error or "no answer", refused=refused_for_good(got))
    kind = sniff_feed(got.body, got.content_type)
    if kind:
        return Discovery([FoundFeed(url, feed_name(got.body, got.url), kind)], is_feed=True)
    if not looks_like_html(got.body, got.content_type):
        return Discovery()
    feeds = alternates(got.body, got.url)
    if not feeds:
        for path in USUAL_PATHS:
            guess = urljoin(got.url, path)
            tried = http.get(guess, options=options)
            if tried.body is not None and (found := sniff_feed(tried.body, tried.content_type)):
                feeds.append(FoundFeed(guess, feed_name(tried.body, guess), found))
                break  # one is enough: the others are most likely the same feed
    return Discovery(feeds, page=True)


def feed_name(body: bytes, url: str) -> str:
    """A feed's own title as one clean line, to name it by ("" when it has none)."""
    from termnews.feedparse import feed_title

    return clean_line(feed_title(body, url), 200)
