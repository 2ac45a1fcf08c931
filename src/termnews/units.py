"""Byte sizes ("20MiB") and durations ("30d"), read and written in one place.

Config values, command-line flags and messages all go through here, so a size
a person writes is read the same way everywhere.
"""

from __future__ import annotations

import re

KiB = 1024
MiB = 1024 * KiB

_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "byte": 1,
    "k": 1000,
    "kb": 1000,
    "kib": KiB,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": MiB,
}
_SIZE_UNITS |= {"g": 1000**3, "gb": 1000**3, "gib": 1024**3}
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86_400, "day": 86_400, "w": 604_800}
_DURATION_UNITS |= {"sec": 1, "hour": 3600, "week": 604_800}
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)

SIZE_EXAMPLE = 'a size in bytes (10485760) or with a unit ("20MiB")'
DURATION_EXAMPLE = 'a number of seconds (30) or a duration with a unit ("30s", "12h", "30d")'


def _amount(value: object, units: dict[str, int]) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        match = _AMOUNT.match(value)
        if match:
            unit = match.group(2).lower()
            if unit not in units and len(unit) > 2 and unit.endswith("s"):
                unit = unit[:-1]  # a plural: "days", "bytes", "mins"
            if unit in units:
                return float(match.group(1)) * units[unit]
    return None


def parse_size(value: object) -> int:
    """Bytes from 10485760, "20MiB", "512 KiB" or "1.5MB"; raises ValueError."""
    amount = _amount(value, _SIZE_UNITS)
    if amount is None or amount < 1:
        raise ValueError(f"expected {SIZE_EXAMPLE}, found {value!r}")
    return int(amount)


def parse_duration(value: object) -> float:
    """Seconds from 30, 2.5, "30s", "15m", "12h", "30d" or "2 days"; raises ValueError."""
    amount = _amount(value, _DURATION_UNITS)
    if amount is None or amount < 0:
        raise ValueError(f"expected {DURATION_EXAMPLE}, found {value!r}")
    return amount


def format_size(n: int) -> str:
    if n % MiB == 0:
        return f"{n // MiB} MiB"
    if n % KiB == 0:
        return f"{n // KiB} KiB"
    return f"{n} bytes"
