"""Feed documents (RSS, Atom, JSON Feed) to `ArticleData` records.

feedparser is the reference parser: it reads every RSS and Atom dialect, well
formed or not. It does not read JSON Feed, which is parsed with `json`.
feedparser's HTML sanitizer is off: it is two thirds of its time and termnews
renders HTML itself, never as markup.

The common case (well-formed UTF-8 RSS 2.0 or Atom 1.0) takes a fast path
with lxml (`termnews.feedfast`), which declines any document it cannot read
exactly as the feedparser path would. All three readers fill the same
`RawEntry` and one step finishes them (`termnews.feedentry`): titles as text,
authors, dates, absolute URLs, link fallbacks, media, one article per id.
"""

from __future__ import annotations

import json
import re
import xml.sax
from collections import deque
from dataclasses import dataclass
from typing import Any
from xml.parsers.expat import errors as expat_errors

import feedparser

from termnews.feedentry import PAGE_TYPES, FeedInfo, RawEntry, finish_entries, looks_like_html, title_text
from termnews.feedfast import FAST_PATH, fast_parse
from termnews.models import ArticleData, BodyFormat, Enclosure
from termnews.text import plural

__all__ = [
    "FAST_PATH",
    "FeedParseError",
    "FeedRead",
    "fast_parse",
    "feed_title",
    "looks_like_html_page",
    "parse_feed",
    "read_feed",
]

# A DOCTYPE (and its entity declarations) before the root element is removed
# before feedparser reads the document: no external entities, no
# billion-laughs expansion. Only in the prolog: "<!DOCTYPE" inside a CDATA
# section is text.
_PROLOG_DOCTYPE = re.compile(
    rb"\A((?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?(?:\s+|<!--.*?-->|<\?.*?\?>)*)"
    rb"<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>",
    re.IGNORECASE | re.DOTALL,
)
# Breaks in the XML that a lenient reading loses nothing to: an entity whose DTD was
# removed above (or an HTML entity, read by its name), a prefix never declared, a
# reference to a character XML forbids (a control character: sanitizing removes it).
_HARMLESS_BREAKS = frozenset(
    {
        expat_errors.XML_ERROR_UNDEFINED_ENTITY,
        expat_errors.XML_ERROR_UNBOUND_PREFIX,
        expat_errors.XML_ERROR_BAD_CHAR_REF,
    }
)
# Breaks that mean the document stops before its end (cut off in transfer or on disk).
_EARLY_ENDS = frozenset(
    {
        expat_errors.XML_ERROR_NO_ELEMENTS,
        expat_errors.XML_ERROR_UNCLOSED_TOKEN,
        expat_errors.XML_ERROR_PARTIAL_CHAR,
        expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION,
    }
)
# An entry's whole start tag (not self-closing) and its end tag, RSS or Atom, with any prefix.
_ENTRY_START = re.compile(rb"<(?:[\w.-]+:)?(?:item|entry)(?:\s[^<>]*)?(?<!/)>")
_ENTRY_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_MEDIA_PREFIX = re.compile(rb"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']http://search\.yahoo\.com/mrss/?["']""")


class FeedParseError(ValueError):
    """The document is not a feed termnews can read."""


@dataclass(frozen=True)
class FeedRead:
    """A feed document's entries, and what went wrong in reading those that were read."""

    articles: list[ArticleData]
    warnings: tuple[str, ...] = ()


def read_feed(data: bytes, url: str = "", *, fast: bool = True) -> FeedRead:
    """Entries of a feed document, with warnings; `fast=False` always uses feedparser.

    Raises FeedParseError when the document holds no feed: not one, or XML
    broken before any whole entry. XML broken after some entries still gives
    them (as readers do), with a warning that says where it broke.
    """
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return FeedRead(parse_json_feed(data, url))
    if looks_like_html_page(data):
        # `url` is empty for a file: no server to blame.
        raise FeedParseError(f"not a feed: {'the server sent ' if url else 'the file is '}an HTML page")
    return read_xml_feed(data, url, fast=fast)


def parse_feed(data: bytes, url: str = "", *, fast: bool = True) -> list[ArticleData]:
    """Entries of a feed document (see `read_feed`), without its warnings."""
    return read_feed(data, url, fast=fast).articles


def feed_title(data: bytes, url: str = "") -> str:
    """The feed's own title as text ("" when it has none or is not a feed); not sanitized."""
    try:
        if data.lstrip()[:1] == b"{":
            doc = json.loads(data)
            return title_text(_str(doc.get("title")) if isinstance(doc, dict) else "", "guess")
        if looks_like_html_page(data):
            return ""
        parsed = with_feedparser(data, url)
    except (FeedParseError, ValueError, RecursionError):
        return ""
    detail = parsed.feed.get("title_detail") or {}
    atom = str(parsed.get("version", "")).startswith("atom")  # as entry titles are read
    return title_text(
        detail.get("value"), ("text" if detail.get("type") == "text/plain" else "html") if atom else "guess"
    )


_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html_page(data: bytes) -> bool:
    """A web page (a captive portal, an error page, a site's front page), not a feed."""
    return bool(_HTML_START.match(data[:4096]))


def read_xml_feed(data: bytes, url: str = "", *, fast: bool = True) -> FeedRead:
    if fast:
        try:
            entries = fast_parse(data, url)
        except Exception:  # any surprise in the fast path: feedparser decides
            entries = None
        if entries is not None:
            return FeedRead(entries)
    parsed = with_feedparser(data, url)
    atom = str(parsed.get("version", "")).startswith("atom")
    authors = _authors(parsed.feed.get("authors")) if atom else []
    feed = FeedInfo(authors=tuple(authors), home=parsed.feed.get("link") or "")
    entries = finish_entries([_from_feedparser(e, atom, url) for e in parsed.entries], feed)
    broken = xml_break(parsed)
    if broken is None:
        return FeedRead(entries)
    how = (
        f"read the {plural(len(parsed.entries), 'entry', 'entries')} before it"
        if broken.early_end
        else "its entries read leniently"
    )
    return FeedRead(entries, (f"{broken}; {how}",))


@dataclass(frozen=True)
class XmlBreak:
    """Where and why a document's XML is not well-formed."""

    line: int
    reason: str
    early_end: bool  # the document stops before its end

    def __str__(self) -> str:
        return f"XML broken at line {self.line}: {self.reason}"


def xml_break(parsed: Any) -> XmlBreak | None:
    """The break feedparser's strict reading met, unless a lenient reading loses nothing to it."""
    exc = parsed.get("bozo_exception")
    if not isinstance(exc, xml.sax.SAXParseException) or exc.getMessage() in _HARMLESS_BREAKS:
        return None
    early = exc.getMessage() in _EARLY_ENDS
    return XmlBreak(exc.getLineNumber() or 0, "the document ends early" if early else exc.getMessage(), early)


def with_feedparser(
    data: bytes, url: str, what: str = "feed", error: type[ValueError] = FeedParseError
) -> Any:
    """feedparser's reading of a document (no DTD, media text kept apart); `error` when it is none.

    A document cut off inside an entry loses that entry (it would be stored
    half read, under an id it may not have); XML broken before any whole
    entry is `error`.
    """
    try:
        parsed = feedparser.parse(
            _hide_media_text(_without_doctype(data)),
            sanitize_html=False,
            resolve_relative_uris=False,
            response_headers={"content-location": url} if url else None,
        )
    except Exception as exc:  # feedparser raises on some malformed input
        raise error(f"unreadable {what}: {type(exc).__name__}: {exc}") from exc
    broken = xml_break(parsed)
    if broken is not None:
        if broken.early_end and parsed.entries and _ends_inside_entry(data):
            del parsed.entries[-1]
        if not parsed.entries:
            raise error(f"not a {what}: {broken}")
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise error(f"not a {what}{f' ({reason})' if reason else ''}")
    return parsed


def _without_doctype(data: bytes) -> bytes:
    """The document without a DOCTYPE in its prolog; its lines kept, so that errors count them right."""
    return _PROLOG_DOCTYPE.sub(
        lambda m: m.group(1) + b"\n" * m.group(0).count(b"\n", len(m.group(1))), data, count=1
    )


def _ends_inside_entry(data: bytes) -> bool:
    """Whether the document stops after an entry's start tag and before its end tag."""
    last = deque(_ENTRY_START.finditer(data), maxlen=1)
    return bool(last) and _ENTRY_END.search(data, last[0].end()) is None


def _hide_media_text(data: bytes) -> bytes:
    """Rename media:title and media:description so that feedparser keeps them apart.

    feedparser reads them as the entry's own title and description: a video's
    media:description becomes the body, or the entry's description moves to
    its content. Renamed, they arrive as `media_mtitle` and `media_mdesc`.
    """
    for prefix in set(_MEDIA_PREFIX.findall(data[:65536])):
        for name, new in ((b"title", b"mtitle"), (b"description", b"mdesc")):
            data = re.sub(
                rb"<(/?)" + re.escape(prefix) + rb":" + name + rb"\b", rb"<\1" + prefix + b":" + new, data
            )
    return data


def _from_feedparser(entry: Any, atom: bool, url: str) -> RawEntry:
    body, detail = "", None
    fmt: BodyFormat = "text"
    if entry.get("content"):
        detail = entry["content"][0]
    elif entry.get("summary_detail"):
        detail = entry["summary_detail"]
    if detail is not None:
        body, fmt = _body_of(detail)
    elif entry.get("summary"):
        body, fmt = entry["summary"], "html"
    title_detail = entry.get("title_detail") or {}
    raw = RawEntry(
        title=entry.get("title"),
        title_kind=("text" if title_detail.get("type") == "text/plain" else "html") if atom else "guess",
        media_title=entry.get("media_mtitle"),
        body=body,
        body_format=fmt,
        base=(detail or title_detail).get("base") or url,
        guid=entry.get("id") or None,
        link=_explicit_link(entry),
        orig_link=entry.get("feedburner_origlink"),
        # feedparser splits an RSS author into name and email with a pattern that breaks on
        # longer domain names ("jo@site.example (Jo)"): the author as written is read instead.
        authors=_authors(entry.get("authors")) if atom else [dict.get(entry, "author") or ""],
        # dict.get: feedparser's own get maps a missing "updated" to "published", with a warning.
        dates=[dict.get(entry, "published"), dict.get(entry, "updated")],
        enclosures=_feedparser_enclosures(entry),
        orig_enclosure=entry.get("feedburner_origenclosurelink"),
        image=next((t.get("url") for t in entry.get("media_thumbnail") or [] if t.get("url")), None),
        comments_feed=entry.get("wfw_commentrss"),
        comments_page=entry.get("comments"),
    )
    media_text = entry.get("media_mdesc")
    if media_text:
        raw.media_text = (media_text, "html" if looks_like_html(media_text) else "text")
    for link in entry.get("links") or []:
        if link.get("rel") == "replies" and link.get("href"):
            if (link.get("type") or "").lower() in PAGE_TYPES:
                raw.comments_page = raw.comments_page or link["href"]
            else:
                raw.comments_feed = raw.comments_feed or link["href"]
    return raw


def _explicit_link(entry: Any) -> str | None:
    """The entry's link when the feed gave one, not when feedparser took it from the id."""
    pages = [
        link.get("href")
        for link in entry.get("links") or []
        if link.get("rel") == "alternate" and (link.get("type") or "text/html").lower() in PAGE_TYPES
    ]
    if not pages:
        return None
    return entry.get("link") if entry.get("link") in pages else pages[-1]


def _authors(authors: Any) -> list[str]:
    return [a.get("name") or a.get("email") or "" for a in authors or [] if isinstance(a, dict)]


def _feedparser_enclosures(entry: Any) -> list[Enclosure]:
    found = [
        Enclosure(e.get("href") or "", e.get("type") or "", _int(e.get("length")))
        for e in entry.get("enclosures") or []
    ]
    found += [
        Enclosure(m.get("url") or "", m.get("type") or "", _int(m.get("filesize")))
        for m in entry.get("media_content") or []
    ]
    return found


def _int(text: Any) -> int | None:
    text = (text or "").strip() if isinstance(text, str) else ""
    return int(text) if text.isdigit() and int(text) > 0 else None


def _body_of(detail: Any) -> tuple[str, BodyFormat]:
    kind = (detail.get("type") or "text/html").lower()
    fmt: BodyFormat = "text" if kind == "text/plain" else "html"
    return detail.get("value") or "", fmt


# -- JSON Feed -------------------------------------------------------------------------


def parse_json_feed(data: bytes, url: str = "") -> list[ArticleData]:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"not a JSON Feed: {exc}") from exc
    if not isinstance(doc, dict) or not _str(doc.get("version")).startswith("https://jsonfeed.org/version/"):
        raise FeedParseError("not a JSON Feed: no jsonfeed.org version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedParseError("JSON Feed has no items list")
    # Relative URLs are relative to the feed's own address, else the site's.
    base = next(
        (u for u in (_str(doc.get("feed_url")), url, _str(doc.get("home_page_url"))) if _web(u)),
        "",
    )
    feed = FeedInfo(authors=tuple(_json_authors(doc)), home=base)
    return finish_entries([_from_json_item(item, base) for item in items if isinstance(item, dict)], feed)


def _from_json_item(item: dict[str, Any], base: str) -> RawEntry:
    fmt: BodyFormat = "html"
    body = _str(item.get("content_html"))
    if not body:
        body, fmt = _str(item.get("content_text")) or _str(item.get("summary")), "text"
    ident = item.get("id")
    attachments = item.get("attachments")
    return RawEntry(
        title=_str(item.get("title")) or None,
        body=body,
        body_format=fmt,
        base=base,
        # Ids should be strings; a number is common enough to be read as one.
        guid=str(ident) if isinstance(ident, int) and not isinstance(ident, bool) else _str(ident) or None,
        link=_str(item.get("url")) or _str(item.get("external_url")) or None,
        authors=_json_authors(item),
        dates=[_str(item.get("date_published")) or None, _str(item.get("date_modified")) or None],
        enclosures=[
            Enclosure(_str(a.get("url")), _str(a.get("mime_type")), _size(a.get("size_in_bytes")))
            for a in (attachments if isinstance(attachments, list) else [])
            if isinstance(a, dict)
        ],
        image=_str(item.get("image")) or None,
    )


def _json_authors(obj: dict[str, Any]) -> list[str]:
    """JSON Feed 1.1 `authors` (a list, or one object), else 1.0 `author`: names, else URLs."""
    given = obj.get("authors")
    if isinstance(given, dict):
        given = [given]
    if not isinstance(given, list) or not given:
        given = [obj.get("author")]
    return [_str(a.get("name")) or _str(a.get("url")) for a in given if isinstance(a, dict)]


def _str(value: Any) -> str:
    """A JSON string; any other type is absent."""
    return value if isinstance(value, str) else ""


def _size(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
