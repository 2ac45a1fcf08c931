"""The one sanitizing step between every source and the screen.

Feed and file text is untrusted. Terminal escape sequences, whole, then
control characters (C0 except tab and newline, DEL, C1) and bidi overrides
are dropped, so nothing from a feed
can move the cursor, retitle the terminal or reorder what is shown. Fields are
capped so one absurd entry cannot eat memory or the screen.
"""

from __future__ import annotations

import re
from dataclasses import replace

from termnews.models import ArticleData, Enclosure

TRUNCATED = " … truncated"

# C0 except \t and \n, DEL, C1, and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# Whole terminal escape sequences, so none leaves its parameters behind as text ("[31m"):
# CSI (ESC [ or C1 CSI, parameters, intermediates, final byte), OSC (ESC ], up to BEL,
# ST or the line's end) and the other ESC sequences (intermediates, then a final byte).
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-Z\\-~]"
)

LIMITS = {
    "title": 1_000,
    "author": 300,
    "link": 4_000,
    "body": 1_000_000,
}


def _without_escapes(text: str) -> str:
    return _ESCAPES.sub("", text) if "\x1b" in text or "\x9b" in text else text


def clean_text(text: str | None, limit: int | None = None) -> str:
    """Remove control sequences; cap the length with a visible marker."""
    if not text:
        return ""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSAFE.sub("", _without_escapes(text))
    if limit is not None and len(text) > limit:
        text = (text[: limit - len(TRUNCATED)] + TRUNCATED) if limit > len(TRUNCATED) else text[:limit]
    return text


def clean_line(text: str | None, limit: int | None = None) -> str:
    """As `clean_text`, for one-line fields: runs of white space become one space."""
    if not text:
        return ""
    text = " ".join(_without_escapes(text).split())  # a sequence may sit between two spaces
    # Every character `_UNSAFE` matches is unprintable: most lines need no search.
    if text.isprintable() and (limit is None or len(text) <= limit):
        return text
    return clean_text(text, limit)


def clean_article(entry: ArticleData) -> ArticleData:
    """Every field of a parsed entry, sanitized and capped (titles default to "(untitled)")."""
    return replace(
        entry,
        title=clean_line(entry.title, LIMITS["title"]) or "(untitled)",
        body=clean_text(entry.body, LIMITS["body"]),
        link=clean_line(entry.link, LIMITS["link"]) or None,
        author=clean_line(entry.author, LIMITS["author"]) or None,
        guid=clean_line(entry.guid, LIMITS["link"]) or None,
        enclosures=tuple(_clean_enclosure(e) for e in entry.enclosures),
        comments_url=clean_line(entry.comments_url, LIMITS["link"]) or None,
        image=clean_line(entry.image, LIMITS["link"]) or None,
        comments_page=clean_line(entry.comments_page, LIMITS["link"]) or None,
    )


def _clean_enclosure(enclosure: Enclosure | str) -> Enclosure:
    if isinstance(enclosure, str):  # a plugin's plain URL, as enclosures were before they had a type
        return Enclosure(clean_line(enclosure, LIMITS["link"]))
    return replace(
        enclosure,
        url=clean_line(enclosure.url, LIMITS["link"]),
        type=clean_line(enclosure.type, LIMITS["title"]),
    )
