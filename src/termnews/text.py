"""Plain text from bodies, dates for display and the URL policy: the base layer.

Nothing here imports beyond the standard library, `models` and `sanitize`, so
every layer (the store's search index, the CLI, the UI) can use it.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from urllib.parse import urlsplit

from termnews.models import BodyFormat
from termnews.sanitize import clean_line, clean_text

FETCHABLE_SCHEMES = ("http", "https")
SAFE_SCHEMES = ("http://", "https://", "mailto:")

_SCRIPT = re.compile(r"<(script|style|template|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>?")
_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|/blockquote|/h[1-6])\s*>", re.IGNORECASE)


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 article`, `2 articles` (`many` for a plural that is not noun + s)."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def html_to_text(html: str, *, lines: bool = False) -> str:
    """The text of HTML: scripts and styles dropped, tags removed, entities decoded.

    By default every tag becomes a space, which keeps words apart (search,
    comparing texts). With `lines`, line breaks and the ends of blocks
    (paragraphs, list items, headings) become newlines and other tags vanish,
    for showing the text. Not sanitized: pass the result through `sanitize`.
    """
    html = _SCRIPT.sub(" ", html)
    if lines:
        return unescape(_TAG.sub("", _BREAK.sub("\n", html)))
    return unescape(_TAG.sub(" ", html))


def plain_text(body: str, body_format: BodyFormat) -> str:
    """The words of a body, for the search index."""
    return html_to_text(body) if body_format == "html" else body


def snippet(text: str, query: str, width: int = 80) -> str:
    """One line of `text` from just before the first word of `query` it contains.

    Words match whole, as the search does; `word*` matches as a prefix.
    """
    found = _first_word(text, query)
    start = max(0, found[0] - 3 * width) if found else 0
    window = " ".join(text[start : start + 6 * width].split())  # flatten only what may show
    if found:
        at = window.lower().find(text[found[0] : found[1]].lower())
        cut = max(0, at - 12)  # a little context before the match, most of it after
        return clean_line(("…" if start or cut else "") + window[cut : cut + width] + "…")
    return clean_line(window[:width])


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _first_word(text: str, query: str) -> tuple[int, int] | None:
    """Where the first word of `query` stands whole in `text` (a starred word: as a prefix), or None.

    Found with `str.find` on the lower-cased text, which runs at memory speed
    where a case-blind regular expression tries every position of a long body.
    """
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer: positions would shift
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    best: tuple[int, int] | None = None
    for word in query.split():
        prefix, needle = word.endswith("*"), word.rstrip("*").lower()
        at = lower.find(needle) if needle else -1
        while at != -1 and (best is None or at < best[0]):
            end = at + len(needle)
            if (at == 0 or not _is_word_char(lower[at - 1])) and (
                prefix or end == len(lower) or not _is_word_char(lower[end])
            ):
                best = (at, end)
                break
            at = lower.find(needle, at + 1)
    return best


# -- the URL policy: two questions, answered here for every caller ------------------


def url_scheme(url: str) -> str:
    """The scheme of `url`, lower case ("" when it has none or does not parse)."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


def host_of(url: str) -> str:
    """The host (and port) of `url`, for messages; the URL itself when it has none."""
    try:
        return urlsplit(url).netloc or url
    except ValueError:
        return url


def is_fetchable_url(url: str) -> bool:
    """May termnews itself fetch or post to it: http or https, with a host, no white space.

    Feeds, comment feeds, article pages, comment forms and a reply's website.
    """
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in FETCHABLE_SCHEMES and bool(host)


def is_safe_url(url: str) -> bool:
    """May it be handed to the browser: http, https or mailto; nothing a browser could read as an option."""
    return (
        url.lower().startswith(SAFE_SCHEMES)
        and not url.startswith("-")
        and clean_text(url) == url
        and not any(ch.isspace() for ch in url)
    )


# -- dates for display: local time; "" for none or one out of range ------------------

DAY = "%Y-%m-%d"
MINUTE = "%Y-%m-%d %H:%M"
CLOCK = "%H:%M:%S"
ISO_COMPACT = "%Y-%m-%dT%H:%M:%S%z"  # ISO 8601 with the offset as +0100 (the CLI's JSON)
ISO = "iso"  # ISO 8601 to the second, with the UTC offset (2026-12-01T23:05:00+01:00)


def format_date(stamp: float | None, fmt: str = DAY) -> str:
    """`stamp` (seconds since the epoch) in local time, by strftime's `fmt` or as `ISO`."""
    if stamp is None:
        return ""
    try:
        local = datetime.fromtimestamp(stamp).astimezone()
    except (OverflowError, OSError, ValueError):
        return ""
    return local.isoformat(timespec="seconds") if fmt == ISO else local.strftime(fmt)
