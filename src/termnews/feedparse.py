"""Feed documents (RSS, Atom, JSON Feed) to `ArticleData` records.

feedparser is the reference parser: it reads every RSS and Atom dialect, well
formed or not. It does not read JSON Feed, which is parsed with `json` into
the same records. feedparser's HTML sanitizer is off: it is two thirds of its
time and termnews renders HTML itself, never as markup.

feedparser reads about 1,000 entries a second, so the common case has a fast
path: a well-formed, UTF-8, RSS 2.0 or Atom 1.0 document whose entries use only
the elements listed in `_RSS_ITEM` / `_ATOM_ENTRY` is read with lxml, and each
field goes through the same steps feedparser applies to it (its own date
parser, URL joining and text clean-ups, imported from feedparser itself). Any
doubt (a DOCTYPE, another encoding, an unknown or repeated element, xml:base,
XHTML content, a relative URL that would need resolving differently) sends the
whole document to feedparser. `tests/test_feed_differential.py` checks that
both paths store identical records on the whole test corpus.
"""

from __future__ import annotations

import calendar
import json
import re
import threading
from datetime import datetime
from typing import Any

import feedparser

from termnews.models import ArticleData, BodyFormat

# DOCTYPE and entity declarations are removed before parsing: no external
# entities, no billion-laughs expansion.
_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>", re.IGNORECASE)


class FeedParseError(ValueError):
    """The document is not a feed termnews can read."""


def parse_feed(data: bytes, url: str = "", *, fast: bool = True) -> list[ArticleData]:
    """Entries of a feed document; `fast=False` always uses feedparser."""
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return parse_json_feed(data)
    if looks_like_html_page(data):
        raise FeedParseError("not a feed: the server sent an HTML page")
    return parse_xml_feed(data, url, fast=fast)


_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html_page(data: bytes) -> bool:
    """A web page (a captive portal, an error page, a site's front page), not a feed."""
    return bool(_HTML_START.match(data[:4096]))


def parse_xml_feed(data: bytes, url: str = "", *, fast: bool = True) -> list[ArticleData]:
    if fast:
        try:
            entries = _fast_parse(data, url)
        except Exception:  # any surprise in the fast path: feedparser decides
            entries = None
        if entries is not None:
            return entries
    return [_from_feedparser(entry) for entry in with_feedparser(data, url).entries]


def with_feedparser(
    data: bytes, url: str, what: str = "feed", error: type[ValueError] = FeedParseError
) -> Any:
    """feedparser's reading of a document (no DTD, nothing rewritten); `error` when it is none."""
    try:
        parsed = feedparser.parse(
            _DOCTYPE.sub(b"", data),
            sanitize_html=False,
            resolve_relative_uris=False,
            response_headers={"content-location": url} if url else None,
        )
    except Exception as exc:  # feedparser raises on some malformed input
        raise error(f"unreadable {what}: {type(exc).__name__}: {exc}") from exc
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise error(f"not a {what}{f' ({reason})' if reason else ''}")
    return parsed


def _from_feedparser(entry: Any) -> ArticleData:
    body = ""
    fmt: BodyFormat = "text"
    if entry.get("content"):
        body, fmt = _body_of(entry["content"][0])
    elif entry.get("summary_detail"):
        body, fmt = _body_of(entry["summary_detail"])
    elif entry.get("summary"):
        body, fmt = entry["summary"], "html"
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    return ArticleData(
        title=entry.get("title") or "(untitled)",
        body=body,
        body_format=fmt,
        guid=entry.get("id") or None,
        link=entry.get("link") or None,
        author=entry.get("author") or None,
        published=float(calendar.timegm(stamp)) if stamp else None,
        enclosures=tuple(e["href"] for e in entry.get("enclosures", []) if e.get("href")),
        comments_url=entry.get("wfw_commentrss") or None,
    )


def _body_of(detail: Any) -> tuple[str, BodyFormat]:
    kind = (detail.get("type") or "text/html").lower()
    fmt: BodyFormat = "text" if kind == "text/plain" else "html"
    return detail.get("value") or "", fmt


def parse_json_feed(data: bytes) -> list[ArticleData]:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"not a JSON Feed: {exc}") from exc
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise FeedParseError("not a JSON Feed: no jsonfeed.org version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedParseError("JSON Feed has no items list")
    return [_from_json_item(item) for item in items if isinstance(item, dict)]


def _from_json_item(item: dict[str, Any]) -> ArticleData:
    fmt: BodyFormat
    if isinstance(item.get("content_html"), str):
        body, fmt = item["content_html"], "html"
    else:
        body, fmt = _str(item.get("content_text") or item.get("summary")), "text"
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
    return ArticleData(
        title=_str(item.get("title")) or "(untitled)",
        body=body,
        body_format=fmt,
        guid=_str(item.get("id")) or None,
        link=_str(item.get("url")) or None,
        author=", ".join(map(str, names)) or None,
        published=_rfc3339(item.get("date_published") or item.get("date_modified")),
        enclosures=tuple(
            _str(a.get("url")) for a in item.get("attachments") or [] if isinstance(a, dict) and a.get("url")
        ),
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _rfc3339(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# -- the fast path ---------------------------------------------------------------
#
# Mirrors what feedparser's strict (expat) parser does for each field that
# ends up in an `ArticleData`; see feedparser/mixin.py `pop()` and
# feedparser/namespaces/_base.py. Everything not mirrored is a reason to give
# the document to feedparser (`_Doubt`).

try:
    from feedparser.datetimes import _parse_date as _fp_parse_date
    from feedparser.urls import _urljoin, make_safe_absolute_uri
    from lxml import etree

    FAST_PATH = True
except ImportError:  # a feedparser without these helpers, or no lxml
    FAST_PATH = False


class _Doubt(Exception):
    """The fast path cannot vouch for this document."""


_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
_WFW_COMMENTRSS = "{http://wellformedweb.org/CommentAPI/}commentRss"
_ATOM = "{http://www.w3.org/2005/Atom}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Children of an RSS <item> the fast path reads, and the attributes each may carry.
_RSS_ITEM: dict[str, frozenset[str]] = {
    "title": frozenset(),
    "link": frozenset(),
    "description": frozenset(),
    "guid": frozenset({"isPermaLink"}),
    "pubDate": frozenset(),
    "comments": frozenset(),
    "category": frozenset({"domain"}),
    "enclosure": frozenset({"url", "length", "type"}),
    _CONTENT: frozenset(),
    _DC_CREATOR: frozenset(),
    _DC_DATE: frozenset(),
    _WFW_COMMENTRSS: frozenset(),
}
_REPEATABLE = {"category", "enclosure", _ATOM + "category", _ATOM + "link"}
_ATOM_ENTRY: dict[str, frozenset[str]] = {
    _ATOM + "title": frozenset({"type", _XML_LANG}),
    _ATOM + "summary": frozenset({"type", _XML_LANG}),
    _ATOM + "content": frozenset({"type", _XML_LANG}),
    _ATOM + "link": frozenset({"href", "rel", "type", "title", "length", "hreflang"}),
    _ATOM + "id": frozenset(),
    _ATOM + "updated": frozenset(),
    _ATOM + "published": frozenset(),
    _ATOM + "author": frozenset(),
    _ATOM + "category": frozenset({"term", "scheme", "label"}),
}
_ATOM_AUTHOR = {_ATOM + "name", _ATOM + "email", _ATOM + "uri"}
# Atom text-construct types, as feedparser maps them, and our body format.
_ATOM_TYPES: dict[str, BodyFormat] = {
    "text": "text",
    "text/plain": "text",
    "plain": "text",
    "html": "html",
    "text/html": "html",
}
_PROLOG = re.compile(
    rb"\A(?:<\?xml(?P<decl>[^>]*)\?>)?(?:\s+|<!--.*?-->|<\?(?!xml).*?\?>)*<(?P<first>!?[\w:-]*)",
    re.DOTALL,
)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")
# C1 characters, raw (UTF-8) or as character references; a base attribute.
# (Separate patterns, each with a literal start: several times faster.)
_C1_RAW = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REF = re.compile(rb"&#(?:0*1[2-5][0-9]|[xX]0*[89][0-9a-fA-F]);")
_BASE_ATTR = re.compile(rb"base\s*=")
# An absolute URL that urljoin hands back unchanged: lower-case http(s), a host,
# a path from "/", no ";params", no empty "?" or "#" (feedparser's _urljoin
# passes it through urlparse/urlunparse, which would drop or add those).
_PLAIN_URL = re.compile(r"https?://[^\s/?#;:@\[\]\\]+(?::[0-9]+)?(?:/[^\s?#;]*)?(?:\?[^\s#]+)?(?:#\S+)?\Z")
_parsers = threading.local()


def _xml_parser() -> etree.XMLParser:
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            strip_cdata=True,
            recover=False,
        )
    return parser


def _fast_parse(data: bytes, url: str) -> list[ArticleData] | None:
    """Entries as feedparser would give them, or None when in any doubt."""
    if not FAST_PATH:
        return None
    prolog = _PROLOG.match(data[:4096])
    if not prolog or prolog.group("first") not in (b"rss", b"feed"):
        return None  # a BOM, a DOCTYPE, another root: feedparser's job
    if prolog.group("decl"):
        declared = _ENCODING.search(prolog.group("decl"))
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
    if _C1_RAW.search(data) or _C1_REF.search(data) or _BASE_ATTR.search(data):
        return None  # C1 characters (feedparser maps them as cp1252) or xml:base
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError:
        return None
    base = _base_uri(url)
    try:
        if root.tag == "rss" and root.get("version") == "2.0":
            return _fast_rss(root, base)
        if root.tag == _ATOM + "feed":
            return _fast_atom(root, base)
    except _Doubt:
        return None
    return None


def _base_uri(url: str) -> str:
    """The base URI feedparser's parser settles on for a document fetched from `url`."""
    base = make_safe_absolute_uri("", url) or make_safe_absolute_uri(url) or ""
    if not base:
        return _urljoin("", "")
    settled = make_safe_absolute_uri(base, base) or base
    if (make_safe_absolute_uri(settled, settled) or settled) != settled:
        raise _Doubt("base URI does not settle")
    return settled


def _join(base: str, uri: str) -> str:
    return uri if _PLAIN_URL.match(uri) else _urljoin(base, uri)


def _pop(text: str | None) -> str:
    """feedparser's clean-up of an element's text (strict parser, UTF-8 document)."""
    return _repair((text or "").strip())


def _repair(out: str) -> str:
    if out.isascii():
        return out
    try:
        # "UTF-8 read as Latin-1" repaired, as feedparser does for UTF-8 documents.
        fixed = out.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return out
    # feedparser then maps C1 characters as if cp1252; documents with C1
    # characters do not come here (`_C1_BYTES`), but the repair may make one.
    if _C1.search(fixed):
        raise _Doubt("C1 characters")
    return fixed


def _pop_uri(text: str | None, base: str) -> str:
    out = (text or "").strip()
    if out:
        out = _join(base, out)  # after the strip, as feedparser does: no second strip
    return _repair(out)


def _leaf(el: Any) -> str | None:
    """The text of an element that must have no children (not even a comment)."""
    if len(el):
        raise _Doubt("nested markup")
    return el.text


def _check(el: Any, allowed: dict[str, frozenset[str]], seen: set[str]) -> str:
    tag = el.tag
    if not isinstance(tag, str) or tag not in allowed:
        raise _Doubt(f"element {tag!r}")
    for name in el.attrib:
        if name not in allowed[tag]:
            raise _Doubt(f"attribute {name!r}")
    if tag in seen and tag not in _REPEATABLE:
        raise _Doubt(f"repeated {tag!r}")
    seen.add(tag)
    return tag


def _stamp(text: str | None) -> float | None:
    if text is None:
        return None
    parsed = _fp_parse_date(_pop(text))
    return float(calendar.timegm(parsed)) if parsed else None


def _fast_rss(root: Any, base: str) -> list[ArticleData]:
    channels = [c for c in root if c.tag == "channel"]
    if len(channels) != 1:
        raise _Doubt("not one channel")
    items = [c for c in channels[0] if c.tag == "item"]
    if sum(1 for _ in root.iter("item", _ATOM + "entry")) != len(items):
        raise _Doubt("items outside the channel")
    return [_rss_entry(item, base) for item in items]


def _rss_entry(item: Any, base: str) -> ArticleData:
    seen: set[str] = set()
    fields: dict[str, Any] = {}
    enclosures: list[str] = []
    for child in item:
        tag = _check(child, _RSS_ITEM, seen)
        if tag == "enclosure":
            href = child.get("url")
            if href:
                enclosures.append(href)
        elif tag != "category":
            fields[tag] = child
    title = fields.get("title")
    guid_el = fields.get("guid")
    guid = link = None
    if guid_el is not None:
        permalink = guid_el.get("isPermaLink", "true") == "true"
        text = _leaf(guid_el)
        guid = _pop_uri(text, base) if permalink else _pop(text)
        if permalink:
            link = guid
    if "link" in fields:
        link = _pop_uri(_leaf(fields["link"]), base).replace("&amp;", "&")
        link = _LINK_ENTITY.sub(r"&\g<1>", link)
    body = ""
    fmt: BodyFormat = "text"
    for tag in (_CONTENT, "description"):
        if tag in fields:
            body, fmt = _pop(_leaf(fields[tag])), "html"
            break
    published = _stamp(_leaf(fields["pubDate"])) if "pubDate" in fields else None
    if published is None and _DC_DATE in fields:
        published = _stamp(_leaf(fields[_DC_DATE]))
    author = _pop(_leaf(fields[_DC_CREATOR])) if _DC_CREATOR in fields else None
    comments = _pop_uri(_leaf(fields[_WFW_COMMENTRSS]), base) if _WFW_COMMENTRSS in fields else None
    if "comments" in fields:
        _leaf(fields["comments"])
    return _article(
        title=_pop(_leaf(title)) if title is not None else None,
        body=body,
        fmt=fmt,
        guid=guid,
        link=link,
        author=author,
        published=published,
        enclosures=enclosures,
        comments=comments,
    )


def _fast_atom(root: Any, base: str) -> list[ArticleData]:
    entries = [c for c in root if c.tag == _ATOM + "entry"]
    if sum(1 for _ in root.iter("item", _ATOM + "entry")) != len(entries):
        raise _Doubt("entries outside the feed")
    return [_atom_entry(entry, base) for entry in entries]


def _atom_text(el: Any) -> tuple[str, BodyFormat]:
    kind = el.get("type", "text").lower()
    if kind not in _ATOM_TYPES or el.get("src") is not None:
        raise _Doubt(f"content type {kind!r}")
    return _pop(_leaf(el)), _ATOM_TYPES[kind]


def _atom_entry(entry: Any, base: str) -> ArticleData:
    seen: set[str] = set()
    fields: dict[str, Any] = {}
    link = None
    enclosures: list[str] = []
    for child in entry:
        tag = _check(child, _ATOM_ENTRY, seen)
        if tag == _ATOM + "link":
            href = child.get("href")
            if not href:
                raise _Doubt("link without href")
            if len(child):
                raise _Doubt("nested markup in a link")
            rel = child.get("rel", "alternate").lower()
            kind = child.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
            href = _join(base, href)
            if rel == "alternate" and kind in ("text/html", "html", "application/xhtml+xml", "xhtml"):
                link = href
            elif rel == "enclosure":
                enclosures.append(href)
        elif tag != _ATOM + "category":
            fields[tag] = child
    title = fields.get(_ATOM + "title")
    guid = None
    if _ATOM + "id" in fields:
        guid = _pop_uri(_leaf(fields[_ATOM + "id"]), base)
        if link is None:
            link = guid
    body = ""
    fmt: BodyFormat = "text"
    for tag in ("content", "summary"):
        if _ATOM + tag in fields:
            body, fmt = _atom_text(fields[_ATOM + tag])
            break
    published = None
    for tag in ("published", "updated"):
        if _ATOM + tag in fields:
            published = _stamp(_leaf(fields[_ATOM + tag]))
            if published is not None:
                break
    author = _atom_author(fields[_ATOM + "author"]) if _ATOM + "author" in fields else None
    return _article(
        title=_atom_text(title)[0] if title is not None else None,
        body=body,
        fmt=fmt,
        guid=guid,
        link=link,
        author=author,
        published=published,
        enclosures=enclosures,
        comments=None,
    )


def _atom_author(el: Any) -> str | None:
    if (el.text or "").strip() or el.attrib:
        raise _Doubt("author text")
    parts: dict[str, str] = {}
    for child in el:
        if not isinstance(child.tag, str) or child.tag not in _ATOM_AUTHOR or child.tag in parts:
            raise _Doubt("author element")
        if (child.tail or "").strip():
            raise _Doubt("author text")
        # feedparser takes <name> and <email> as plain data: stripped, no repairs.
        parts[child.tag] = (_leaf(child) or "").strip()
    name, email = parts.get(_ATOM + "name"), parts.get(_ATOM + "email")
    if name and email:
        return f"{name} ({email})"
    return name or email or None


def _article(
    *,
    title: str | None,
    body: str,
    fmt: BodyFormat,
    guid: str | None,
    link: str | None,
    author: str | None,
    published: float | None,
    enclosures: list[str],
    comments: str | None,
) -> ArticleData:
    return ArticleData(
        title=title or "(untitled)",
        body=body,
        body_format=fmt,
        guid=guid or None,
        link=link or None,
        author=author or None,
        published=published,
        enclosures=tuple(enclosures),
        comments_url=comments or None,
    )
