"""OPML subscription lists, in and out; categories are tags both ways.

Reading uses the standard library's XML parser with any DOCTYPE refused
outright (no entity tricks, no external fetches). An OPML file from another
reader puts feeds under folder outlines and/or in a `category` attribute
("/News/World,/Tech"); both become tags. Writing puts each feed under a
folder named by its first tag and lists all its tags in `category`, so
`export-opml` then `import-opml` gives back the same tags.

(listparser reads more exotic list formats, but OPML is all readers export
and the standard library keeps this dependency-free.)
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlsplit

from termnews.models import SourceSpec

MAX_OPML_BYTES = 20 * 1024 * 1024
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class OpmlError(ValueError):
    """The file is not an OPML subscription list termnews can read."""


@dataclass(frozen=True)
class OpmlFeed:
    title: str
    url: str
    tags: tuple[str, ...] = ()


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed outline in document order (duplicates by URL dropped)."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError("file too large for an OPML list")
    if _DECLARATION.search(data):
        raise OpmlError("DOCTYPE or ENTITY declarations are not accepted in OPML")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML ({exc})") from None
    if _local(root.tag) != "opml":
        raise OpmlError(f"not OPML (the document is <{_local(root.tag)}>)")
    body = next((c for c in root if _local(c.tag) == "body"), None)
    if body is None:
        raise OpmlError("OPML without a <body>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()

    def walk(node: ET.Element, folders: tuple[str, ...]) -> None:
        for outline in node:
            if _local(outline.tag) != "outline":
                continue
            title = (outline.get("title") or outline.get("text") or "").strip()
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            if url:
                if url not in seen:
                    seen.add(url)
                    tags = folders + _categories(outline.get("category", ""))
                    feeds.append(OpmlFeed(title, url, _unique(tags)))
                walk(outline, folders)
            else:
                walk(outline, folders + ((title,) if title else ()))

    walk(body, ())
    return feeds


def write_opml(specs: list[SourceSpec], title: str = "termnews subscriptions") -> str:
    """An OPML 2.0 document of `specs` (feeds), grouped by their first tag."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for spec in specs:
        parent = body
        if spec.tags:
            first = spec.tags[0]
            if first not in folders:
                folders[first] = ET.SubElement(body, "outline", text=first, title=first)
            parent = folders[first]
        attrs = {"type": "rss", "text": spec.name, "title": spec.name, "xmlUrl": spec.location}
        if spec.tags:
            attrs["category"] = ",".join("/" + t.replace(",", " ") for t in spec.tags)
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def default_name(location: str) -> str:
    """A source name from its location: the host of a URL, else the file's stem."""
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and parts.hostname:
        host = parts.hostname
        return host.removeprefix("www.") + (f":{parts.port}" if parts.port else "")
    stem = re.split(r"[\\/]", location.rstrip("/\\"))[-1]
    return stem.rsplit(".", 1)[0] if "." in stem[1:] else stem


def _categories(value: str) -> tuple[str, ...]:
    return tuple(c.strip().strip("/").strip() for c in value.split(",") if c.strip().strip("/").strip())


def _unique(tags: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.replace(",", " ") for t in tags))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
