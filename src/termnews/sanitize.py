"""The one sanitizing step between every source and the screen.

Feed and file text is untrusted. Terminal control characters (C0 except tab
and newline, DEL, C1) and bidi overrides are dropped, so nothing from a feed
can move the cursor, retitle the terminal or reorder what is shown. Fields are
capped so one absurd entry cannot eat memory or the screen.
"""

from __future__ import annotations

import re
from dataclasses import replace
from operator import attrgetter
from typing import Any

from termnews.models import ArticleData, Enclosure

TRUNCATED = " … truncated"

# C0 except \t and \n, DEL, C1, and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

LIMITS = {
    "title": 1_000,
    "author": 300,
    "link": 4_000,
    "body": 1_000_000,
}


def clean_text(text: str | None, limit: int | None = None) -> str:
    """Remove control sequences; cap the length with a visible marker."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE.sub("", text)
    if limit is not None and len(text) > limit:
        text = (text[: limit - len(TRUNCATED)] + TRUNCATED) if limit > len(TRUNCATED) else text[:limit]
    return text


def clean_line(text: str | None, limit: int | None = None) -> str:
    """As `clean_text`, for one-line fields: runs of white space become one space."""
    if not text:
        return ""
    text = " ".join(text.split())
    # Every character `_UNSAFE` matches is unprintable: most lines need no search.
    if text.isprintable() and (limit is None or len(text) <= limit):
        return text
    return clean_text(text, limit)


#: The fields `clean_article` cleans, in the order it cleans them.
_CLEANED = ("title", "body", "link", "author", "guid", "enclosures", "comments_url", "image", "comments_page")
_cleaned_fields = attrgetter(*_CLEANED)


def clean_article(entry: ArticleData) -> ArticleData:
    """Every field of a parsed entry, sanitized and capped (titles default to "(untitled)")."""
    cleaned = (
        clean_line(entry.title, LIMITS["title"]) or "(untitled)",
        clean_text(entry.body, LIMITS["body"]),
        clean_line(entry.link, LIMITS["link"]) or None,
        clean_line(entry.author, LIMITS["author"]) or None,
        clean_line(entry.guid, LIMITS["link"]) or None,
        tuple(_clean_enclosure(e) for e in entry.enclosures) if entry.enclosures else (),
        clean_line(entry.comments_url, LIMITS["link"]) or None,
        clean_line(entry.image, LIMITS["link"]) or None,
        clean_line(entry.comments_page, LIMITS["link"]) or None,
    )
    if cleaned == _cleaned_fields(entry):
        return entry  # most entries are clean already: the same record, not built again
    fields: dict[str, Any] = dict(zip(_CLEANED, cleaned, strict=True))
    return replace(entry, **fields)


def _clean_enclosure(enclosure: Enclosure | str) -> Enclosure:
    if isinstance(enclosure, str):  # a plugin's plain URL, as enclosures were before they had a type
        return Enclosure(clean_line(enclosure, LIMITS["link"]))
    return replace(
        enclosure,
        url=clean_line(enclosure.url, LIMITS["link"]),
        type=clean_line(enclosure.type, LIMITS["title"]),
    )
