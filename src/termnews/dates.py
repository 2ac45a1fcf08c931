"""Dates as feeds write them, to seconds since the epoch (UTC).

RFC 822 and RFC 3339 first, then the forms real feeds use: ordinal days
("16th"), day and month names in English, German, French, Spanish,
Portuguese, Italian and Dutch, "Apr 16, 2023 08:01 GMT", US numeric dates
("10/30/23"), missing seconds, two-digit years, IANA zone names and the common
zone abbreviations. Every token must be understood: a date that cannot be read
is absent (None), never a guess. A date without any zone is taken as UTC.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, available_timezones

# The common case, in English with a numeric or universal zone, without the token walk.
_RFC822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:([+-])(\d{2})(\d{2})|GMT|UTC|UT|Z)\Z"
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|z|[+-]\d{2}:?\d{2})?\Z")

_FIRST_YEAR = 1900  # an earlier year is a mistake, not a date
_MONTHS = {
    **dict.fromkeys(("jan", "gen", "ene"), 1),
    **dict.fromkeys(("feb", "fev", "fevr"), 2),
    **dict.fromkeys(("mar", "mrz", "mae", "maa", "mrt"), 3),
    **dict.fromkeys(("apr", "avr", "abr"), 4),
    **dict.fromkeys(("may", "mai", "mag", "mei"), 5),
    **dict.fromkeys(("jun", "juin", "giu"), 6),
    **dict.fromkeys(("jul", "juil", "lug"), 7),
    **dict.fromkeys(("aug", "aou", "ago"), 8),
    **dict.fromkeys(("sep", "set"), 9),
    **dict.fromkeys(("oct", "okt", "out", "ott"), 10),
    **dict.fromkeys(("nov",), 11),
    **dict.fromkeys(("dec", "dez", "dic"), 12),
}
# Day names and their abbreviations (accents removed), in the same languages.
_WEEKDAYS = frozenset(
    "mon monday tue tues tuesday wed weds wednesday thu thur thurs thursday fri friday sat saturday "
    "sun sunday mo di mi do fr sa so montag dienstag mittwoch donnerstag freitag samstag sonnabend "
    "sonntag lun mar mer jeu ven sam dim lundi mardi mercredi jeudi vendredi samedi dimanche "
    "mie jue vie sab dom lunes martes miercoles jueves viernes sabado domingo seg ter qua qui sex "
    "segunda terca quarta quinta sexta feira gio lunedi martedi mercoledi giovedi venerdi "
    "domenica ma wo vr za zo maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()
)
_FILLER = frozenset({"at", "de", "del", "of", "um", "le", "a", "om", "on", "the"})
# Zone abbreviations whose offset is not in doubt (hours east of UTC).
_ZONES = {
    "gmt": 0,
    "ut": 0,
    "utc": 0,
    "z": 0,
    "wet": 0,
    "west": 1,
    "bst": 1,
    "cet": 1,
    "met": 1,
    "cest": 2,
    "mest": 2,
    "eet": 2,
    "eest": 3,
    "msk": 3,
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
    "akst": -9,
    "akdt": -8,
    "hst": -10,
    "ast": -4,
    "adt": -3,
    "nst": -3.5,
    "ndt": -2.5,
    "jst": 9,
    "kst": 9,
    "hkt": 8,
    "sgt": 8,
    "awst": 8,
    "acst": 9.5,
    "acdt": 10.5,
    "aest": 10,
    "aedt": 11,
    "nzst": 12,
    "nzdt": 13,
}
_TOKEN = re.compile(
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)"
    r"|(?P<offset>[+-]\d{2}:?\d{2}\b)"
    r"|(?P<numdate>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4})"
    r"|(?P<zone>[A-Za-z]+(?:/[A-Za-z_+-]+)+)"
    r"|(?P<number>\d+)(?:st|nd|rd|th|er|e|º|°)?\b\.?"
    r"|(?P<word>[^\W\d_]+)\.?"
    r"|(?P<skip>[\s,()-]+)"
    r"|(?P<other>.)",
)


def parse_date(text: str | None) -> float | None:
    """Seconds since the epoch, or None when `text` is not a date this can read for sure."""
    if not text:
        return None
    text = text.strip()
    try:
        match = _RFC822.match(text)
        if match and match.group(2).lower() in _MONTHS:
            return _rfc822(match)
        if _ISO.match(text):
            parsed = datetime.fromisoformat(text.replace(",", ".").replace("z", "Z"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
        return _tokens(text)
    except (ValueError, OverflowError):
        return None


def _rfc822(match: re.Match[str]) -> float:
    day, month, year, hour, minute, second, sign, oh, om = match.groups()
    if int(year) < _FIRST_YEAR:
        raise ValueError("before feeds")
    stamp = datetime(
        int(year), _MONTHS[month.lower()], int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC
    ).timestamp()
    offset = (int(oh) * 3600 + int(om) * 60) * (1 if sign == "+" else -1) if sign else 0
    return stamp - offset


class _Parts:
    def __init__(self) -> None:
        self.year: int | None = None
        self.month: int | None = None
        self.day: int | None = None
        self.numbers: list[str] = []
        self.time: tuple[int, int, int, int] | None = None
        self.meridiem: str | None = None
        self.zone: tzinfo | None = None
        self.offset: tzinfo | None = None
        self.month_words: list[int] = []


def _tokens(text: str) -> float | None:
    parts = _Parts()
    for match in _TOKEN.finditer(_fold(text)):
        kind, value = match.lastgroup, match.group(match.lastgroup or 0)
        if kind == "skip":
            continue
        if kind == "other" or not _take(parts, kind, value):
            return None
    return _assemble(parts)


def _fold(text: str) -> str:
    """Lower case without accents: "Mär" reads as "mar", "déc." as "dec."."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _take(parts: _Parts, kind: str | None, value: str) -> bool:
    """Record one token; False when it cannot be part of a date."""
    if kind == "time":
        if parts.time is not None:
            return False
        hms, _, frac = value.replace(",", ".").partition(".")
        fields = [int(f) for f in hms.split(":")]
        micro = int((frac + "000000")[:6]) if frac else 0
        parts.time = (fields[0], fields[1], fields[2] if len(fields) > 2 else 0, micro)
    elif kind == "offset":
        digits = value[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        parts.offset = timezone(-delta if value[0] == "-" else delta)
    elif kind == "numdate":
        return _numeric_date(parts, value)
    elif kind == "zone":
        return _named_zone(parts, value)
    elif kind == "number":
        parts.numbers.append(value)
    elif kind == "word":
        return _word(parts, value)
    return True


def _word(parts: _Parts, word: str) -> bool:
    month = _month(word)
    if word in ("am", "pm"):
        parts.meridiem = word
    elif word in _ZONES:
        parts.zone = timezone(timedelta(hours=_ZONES[word]))
    elif month:
        parts.month_words.append(month)
    elif word not in _WEEKDAYS and word not in _FILLER:
        return False
    return True


def _month(word: str) -> int | None:
    """The month a word names: an abbreviation, or a full name by its first letters."""
    if word in _MONTHS:
        return _MONTHS[word]
    if word in _WEEKDAYS or len(word) < 4:
        return None
    return _MONTHS.get(word[:4]) or _MONTHS.get(word[:3])


def _named_zone(parts: _Parts, name: str) -> bool:
    proper = _zone_names().get(name)
    if proper is None:
        return False
    parts.zone = ZoneInfo(proper)
    return True


@functools.cache
def _zone_names() -> dict[str, str]:
    """IANA zone names by their lower-case spelling (the token walk folds case)."""
    try:
        return {name.lower(): name for name in available_timezones()}
    except (OSError, ValueError):
        return {}


def _numeric_date(parts: _Parts, value: str) -> bool:
    sep = re.search(r"[/.-]", value)
    assert sep is not None
    a, b, c = value.split(sep.group(0))
    if parts.day is not None:
        return False
    if len(a) == 4:  # 2023-10-30, 2023/10/30
        parts.year, parts.month, parts.day = int(a), int(b), int(c)
    elif int(a) > 12 or sep.group(0) == ".":  # 30/10/2023, 30.10.2023: day first
        parts.day, parts.month, parts.year = int(a), int(b), _year(c)
    else:  # 10/30/23: the US order
        parts.month, parts.day, parts.year = int(a), int(b), _year(c)
    return True


def _year(text: str) -> int:
    """A two-digit year as RFC 2822 reads it: 00-49 are 2000-2049."""
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 50 else 1900
    return year


def _assemble(parts: _Parts) -> float | None:
    if parts.month_words:
        if parts.day is not None:
            return None
        # A word that names a day in one language and a month in another ("mar"):
        # when there are two, the first is the day of the week.
        words = parts.month_words[-1:] if len(parts.month_words) == 2 else parts.month_words
        if len(words) != 1 or len(parts.numbers) != 2:
            return None
        parts.month = words[0]
        day, year = parts.numbers
        if len(day) == 4 or (int(day) > 31 and len(year) <= 2):
            day, year = year, day
        parts.day, parts.year = int(day), _year(year)
    elif parts.numbers or parts.day is None:
        return None
    if parts.year is None or parts.month is None or parts.day is None or parts.year < _FIRST_YEAR:
        return None
    hour, minute, second, micro = parts.time or (0, 0, 0, 0)
    if parts.meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if parts.meridiem == "pm" else 0)
    zone = parts.offset or parts.zone or UTC
    # A leap second is the minute's last.
    stamp = datetime(parts.year, parts.month, parts.day, hour, minute, min(second, 59), micro, tzinfo=zone)
    return stamp.timestamp()
