"""The fast path: plain RSS 2.0 and Atom 1.0 read with lxml.

feedparser reads about 1,000 entries a second; most feeds are well-formed,
UTF-8 RSS 2.0 or Atom 1.0 whose entries use a few known elements, and lxml
reads those many times faster. Each field is read as feedparser's strict
(expat) parser reads it (see feedparser/mixin.py `pop()` and
feedparser/namespaces/), into the same `RawEntry` the feedparser path fills,
and `feedentry.finish_entries` finishes both. Any doubt (a DOCTYPE, another
encoding, an unknown or repeated element, xml:base, XHTML content, a relative
URL that would need resolving differently) returns None and the whole document
goes to feedparser. `tests/test_feed_differential.py` checks that both paths
store identical records.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from termnews.feedentry import PAGE_TYPES, FeedInfo, RawEntry, finish_entries, looks_like_html
from termnews.models import ArticleData, BodyFormat, Enclosure

try:
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
_THR = "{http://purl.org/syndication/thread/1.0}"
_FEEDBURNER = "{http://rssnamespace.org/feedburner/ext/1.0}"
_MEDIA = "{http://search.yahoo.com/mrss/}"

# Media RSS, in an RSS item, an Atom entry or a media:group of either.
_MEDIA_ELEMENTS: dict[str, frozenset[str]] = {
    _MEDIA + "content": frozenset(
        "url type fileSize medium isDefault expression bitrate framerate samplingrate channels "
        "duration height width lang".split()
    ),
    _MEDIA + "thumbnail": frozenset({"url", "width", "height", "time"}),
    _MEDIA + "title": frozenset({"type"}),
    _MEDIA + "description": frozenset({"type"}),
}
_MEDIA_GROUP = _MEDIA + "group"
_FEEDBURNER_ELEMENTS: dict[str, frozenset[str]] = {
    _FEEDBURNER + "origLink": frozenset(),
    _FEEDBURNER + "origEnclosureLink": frozenset(),
}

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
    _MEDIA_GROUP: frozenset(),
    **_MEDIA_ELEMENTS,
    **_FEEDBURNER_ELEMENTS,
}
_REPEATABLE = {
    "category",
    "enclosure",
    _ATOM + "category",
    _ATOM + "link",
    _ATOM + "author",
    _MEDIA + "content",
    _MEDIA + "thumbnail",
}
_ATOM_ENTRY: dict[str, frozenset[str]] = {
    _ATOM + "title": frozenset({"type", _XML_LANG}),
    _ATOM + "summary": frozenset({"type", _XML_LANG}),
    _ATOM + "content": frozenset({"type", _XML_LANG}),
    _ATOM + "link": frozenset(
        {"href", "rel", "type", "title", "length", "hreflang", _THR + "count", _THR + "updated"}
    ),
    _ATOM + "id": frozenset(),
    _ATOM + "updated": frozenset(),
    _ATOM + "published": frozenset(),
    _ATOM + "author": frozenset(),
    _ATOM + "category": frozenset({"term", "scheme", "label"}),
    _MEDIA_GROUP: frozenset(),
    **_MEDIA_ELEMENTS,
    **_FEEDBURNER_ELEMENTS,
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


def fast_parse(data: bytes, url: str) -> list[ArticleData] | None:
    """The entries, read as the feedparser path would read them, or None when in any doubt."""
    if not FAST_PATH:
        return None
    prolog = _PROLOG.match(data[:4096])
    if not prolog or prolog.group("first") not in (b"rss", b"feed"):
        return None  # a BOM, a DOCTYPE, another root: feedparser's job
    if prolog.group("decl"):
        declared = _ENCODING.search(prolog.group("decl"))
        if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
            return None
    # (memchr finds no \xc2 byte, the usual case, several times faster than the pattern.)
    if (b"\xc2" in data and _C1_RAW.search(data)) or _C1_REF.search(data) or _BASE_ATTR.search(data):
        return None  # C1 characters (feedparser maps them as cp1252) or xml:base
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError:
        return None
    try:
        base = _base_uri(url)
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
    for name in el.keys():  # a list, without the attribute mapping's proxy
        if name not in allowed[tag]:
            raise _Doubt(f"attribute {name!r}")
    if tag in seen and tag not in _REPEATABLE:
        raise _Doubt(f"repeated {tag!r}")
    seen.add(tag)
    return tag


def _children(entry: Any, allowed: dict[str, frozenset[str]]) -> list[tuple[str, Any]]:
    """The entry's children, checked, with those of a media:group in its place."""
    seen: set[str] = set()
    out: list[tuple[str, Any]] = []
    for child in entry:
        tag = _check(child, allowed, seen)
        if tag != _MEDIA_GROUP:
            out.append((tag, child))
            continue
        if (child.text or "").strip() or child.attrib:
            raise _Doubt("media:group text")
        for member in child:
            out.append((_check(member, _MEDIA_ELEMENTS, seen), member))
            if (member.tail or "").strip():
                raise _Doubt("media:group text")
    return out


def _length(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def _common(raw: RawEntry, tag: str, el: Any, media: list[Enclosure]) -> bool:
    """Read an element RSS items and Atom entries share; False if it is not one."""
    if tag == _MEDIA + "content":
        _leaf(el)
        if el.get("url"):
            media.append(Enclosure(el.get("url"), el.get("type") or "", _length(el.get("fileSize"))))
    elif tag == _MEDIA + "thumbnail":
        if _leaf(el) or not el.get("url"):
            raise _Doubt("thumbnail URL as text")
        raw.image = raw.image or el.get("url")
    elif tag == _MEDIA + "title":
        raw.media_title = _pop(_leaf(el))
    elif tag == _MEDIA + "description":
        text = _pop(_leaf(el))
        raw.media_text = (text, "html" if looks_like_html(text) else "text")
    elif tag == _FEEDBURNER + "origLink":
        raw.orig_link = _pop(_leaf(el))
    elif tag == _FEEDBURNER + "origEnclosureLink":
        raw.orig_enclosure = _pop(_leaf(el))
    else:
        return False
    return True


def _fast_rss(root: Any, base: str) -> list[ArticleData]:
    channels = [c for c in root if c.tag == "channel"]
    if len(channels) != 1:
        raise _Doubt("not one channel")
    items = [c for c in channels[0] if c.tag == "item"]
    if sum(1 for _ in root.iter("item", _ATOM + "entry")) != len(items):
        raise _Doubt("items outside the channel")
    links = [c for c in channels[0] if c.tag == "link"]
    home = _pop_uri(_leaf(links[-1]), base) if links else ""
    return finish_entries([_rss_entry(item, base) for item in items], FeedInfo(home=home))


def _rss_entry(item: Any, base: str) -> RawEntry:
    raw = RawEntry(base=base)
    fields: dict[str, Any] = {}
    enclosures: list[Enclosure] = []
    media: list[Enclosure] = []
    for tag, child in _children(item, _RSS_ITEM):
        if tag == "enclosure":
            if child.get("url"):
                enclosures.append(
                    Enclosure(child.get("url"), child.get("type") or "", _length(child.get("length")))
                )
        elif tag != "category" and not _common(raw, tag, child, media):
            fields[tag] = child
    raw.enclosures = enclosures + media
    if "title" in fields:
        raw.title = _pop(_leaf(fields["title"]))
    guid_el = fields.get("guid")
    if guid_el is not None:
        permalink = guid_el.get("isPermaLink", "true") == "true"
        text = _leaf(guid_el)
        raw.guid = (_pop_uri(text, base) if permalink else _pop(text)) or None
    if "link" in fields:
        link = _pop_uri(_leaf(fields["link"]), base).replace("&amp;", "&")
        raw.link = _LINK_ENTITY.sub(r"&\g<1>", link)
    for tag in (_CONTENT, "description"):
        if tag in fields:
            raw.body, raw.body_format = _pop(_leaf(fields[tag])), "html"
            break
    raw.dates = [_date(fields.get("pubDate")), _date(fields.get(_DC_DATE))]
    if _DC_CREATOR in fields:
        raw.authors = [_pop(_leaf(fields[_DC_CREATOR]))]
    if _WFW_COMMENTRSS in fields:
        raw.comments_feed = _pop_uri(_leaf(fields[_WFW_COMMENTRSS]), base)
    if "comments" in fields:
        raw.comments_page = _pop_uri(_leaf(fields["comments"]), base)
    return raw


def _date(el: Any) -> str | None:
    return None if el is None else _pop(_leaf(el))


def _fast_atom(root: Any, base: str) -> list[ArticleData]:
    entries = [c for c in root if c.tag == _ATOM + "entry"]
    if sum(1 for _ in root.iter("item", _ATOM + "item", _ATOM + "entry")) != len(entries):
        raise _Doubt("entries outside the feed")
    authors = [name for c in root if c.tag == _ATOM + "author" for name in [_atom_author(c)] if name]
    home = ""
    for link in root:
        if link.tag == _ATOM + "link" and link.get("rel", "alternate") == "alternate" and link.get("href"):
            home = _join(base, link.get("href"))
    feed = FeedInfo(authors=tuple(authors), home=home)
    return finish_entries([_atom_entry(entry, base) for entry in entries], feed)


def _atom_text(el: Any) -> tuple[str, BodyFormat]:
    kind = el.get("type", "text").lower()
    if kind not in _ATOM_TYPES or el.get("src") is not None:
        raise _Doubt(f"content type {kind!r}")
    return _pop(_leaf(el)), _ATOM_TYPES[kind]


def _atom_entry(entry: Any, base: str) -> RawEntry:
    raw = RawEntry(base=base)
    fields: dict[str, Any] = {}
    enclosures: list[Enclosure] = []
    media: list[Enclosure] = []
    for tag, child in _children(entry, _ATOM_ENTRY):
        if tag == _ATOM + "link":
            _atom_link(raw, child, base, enclosures)
        elif tag == _ATOM + "author":
            name = _atom_author(child)
            if name:
                raw.authors.append(name)
        elif tag != _ATOM + "category" and not _common(raw, tag, child, media):
            fields[tag] = child
    raw.enclosures = enclosures + media
    if _ATOM + "title" in fields:
        raw.title, fmt = _atom_text(fields[_ATOM + "title"])
        raw.title_kind = "text" if fmt == "text" else "html"
    if _ATOM + "id" in fields:
        raw.guid = _pop_uri(_leaf(fields[_ATOM + "id"]), base) or None
    for tag in ("content", "summary"):
        if _ATOM + tag in fields:
            raw.body, raw.body_format = _atom_text(fields[_ATOM + tag])
            break
    raw.dates = [_date(fields.get(_ATOM + "published")), _date(fields.get(_ATOM + "updated"))]
    return raw


def _atom_link(raw: RawEntry, link: Any, base: str, enclosures: list[Enclosure]) -> None:
    href = link.get("href")
    if not href:
        raise _Doubt("link without href")
    if len(link):
        raise _Doubt("nested markup in a link")
    rel = link.get("rel", "alternate").lower()
    kind = link.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
    href = _join(base, href)
    if rel == "alternate" and kind in PAGE_TYPES:
        raw.link = href
    elif rel == "enclosure":
        enclosures.append(Enclosure(href, link.get("type") or "", _length(link.get("length"))))
    elif rel == "replies":
        # Without a type, a page: feedparser reports an untyped link as text/html.
        if kind not in PAGE_TYPES:
            raw.comments_feed = raw.comments_feed or href
        else:
            raw.comments_page = raw.comments_page or href


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
    return parts.get(_ATOM + "name") or parts.get(_ATOM + "email") or None
