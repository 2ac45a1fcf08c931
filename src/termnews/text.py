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


def clip(text: str, width: int) -> str:
    """`text` in at most `width` characters, a cut marked with … (two names cut alike stay apart)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def snippet(text: str, query: str, width: int = 80) -> str:
    """One line of `text` from just before the first word of `query` it contains (else from
    its start), with "…" where text is left out before or after.

    Words match whole, as the search does, case and accents aside ("élection" finds
    "election"); `word*` matches as a prefix.
    """
    found = _first_word(text, query)
    start = max(0, found[0] - 3 * width) if found else 0
    end = start + 6 * width
    window = " ".join(text[start:end].split())  # flatten only what may show
    cut = 0
    if found:
        before = " ".join(text[start : found[0]].split())
        at = len(before) + (1 if before and text[found[0] - 1].isspace() else 0)
        cut = max(0, at - 12)  # a little context before the match, most of it after
    shown = window[cut : cut + width]
    left = bool(text[:start].strip()) or cut > 0
    right = bool(text[end:].strip()) or cut + width < len(window)
    return clean_line(("…" if left else "") + shown + ("…" if right else ""))


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


class _Folds(dict[int, str]):
    """str.translate's table: each character lower case and without its accents, one for one."""

    def __missing__(self, code: int) -> str:
        import unicodedata

        char = chr(code)
        lower = char.lower()
        bare = "".join(c for c in unicodedata.normalize("NFD", lower) if not unicodedata.combining(c))
        folded = bare if len(bare) == 1 else lower if len(lower) == 1 else char
        self[code] = folded
        return folded


_FOLDS = _Folds()


def _fold(text: str) -> str:
    """`text` as the search index compares it (case and accents aside), position for position."""
    return text.lower() if text.isascii() else text.translate(_FOLDS)


def _lower(text: str) -> str:
    """`text` in lower case, position for position (a letter whose lower case is longer stays)."""
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower


def _first_word(text: str, query: str) -> tuple[int, int] | None:
    """Where the first word of `query` stands whole in `text` (a starred word: as a prefix), or None.

    Found with `str.find` on the lower-cased text, which runs at memory speed
    where a case-blind regular expression tries every position of a long body;
    only when that finds none is the text folded as the index folds it (accents
    aside), which takes longer.
    """
    words = [(word.endswith("*"), word.rstrip("*")) for word in query.split()]
    found = _find(_lower(text), [(prefix, word.lower()) for prefix, word in words])
    if found is None and not (text.isascii() and query.isascii()):
        found = _find(_fold(text), [(prefix, _fold(word)) for prefix, word in words])
    return found


def _find(lower: str, words: list[tuple[bool, str]]) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    for prefix, needle in words:
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
        parts.port  # noqa: B018 - reading it checks it (a port out of range raises)
    except ValueError:
        return False
    return parts.scheme.lower() in FETCHABLE_SCHEMES and bool(host)


def is_safe_url(url: str) -> bool:
    """May it be handed to the browser: http, https or mailto; nothing a browser could read as an option."""
    return why_unsafe_url(url) is None


def why_unsafe_url(url: str) -> str | None:
    """Why `url` may not be handed to the browser, or None when it may."""
    if not url.lower().startswith(SAFE_SCHEMES):
        return "only http, https and mailto links open"
    if any(ch.isspace() for ch in url) or clean_text(url) != url:
        return "the address holds white space or control characters"
    return None


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
