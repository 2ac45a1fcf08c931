"""Feed documents (RSS, Atom, JSON Feed) to `ArticleData` records.

feedparser reads RSS and Atom; it does not read JSON Feed, which is parsed
with `json` into the same records. feedparser's HTML sanitizer is off: it is
two thirds of its time and termnews renders HTML itself, never as markup.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import datetime
from typing import Any

import feedparser

from termnews.models import ArticleData, BodyFormat

# DOCTYPE and entity declarations are removed before parsing: no external
# entities, no billion-laughs expansion.
_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]|\[[^\]]*\])*>", re.IGNORECASE)


class FeedParseError(ValueError):
    """The document is not a feed termnews can read."""


def parse_feed(data: bytes, url: str = "") -> list[ArticleData]:
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return parse_json_feed(data)
    return parse_xml_feed(data, url)


def parse_xml_feed(data: bytes, url: str = "") -> list[ArticleData]:
    data = _DOCTYPE.sub(b"", data)
    try:
        parsed = feedparser.parse(
            data,
            sanitize_html=False,
            resolve_relative_uris=False,
            response_headers={"content-location": url} if url else None,
        )
    except Exception as exc:  # feedparser raises on some malformed input
        raise FeedParseError(f"unreadable feed: {type(exc).__name__}: {exc}") from exc
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise FeedParseError(f"not a feed{f' ({reason})' if reason else ''}")
    return [_from_feedparser(entry) for entry in parsed.entries]


def _from_feedparser(entry: Any) -> ArticleData:
    body, fmt = "", "text"
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
        enclosures=tuple(
            e["href"] for e in entry.get("enclosures", []) if e.get("href")
        ),
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
            _str(a.get("url"))
            for a in item.get("attachments") or []
            if isinstance(a, dict) and a.get("url")
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
