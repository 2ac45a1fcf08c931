"""How long articles stay in the cache: per-source `keep`, and a global cap.

`keep` in a `[[sources]]` table is a number of articles (`keep = 500`) or an
age (`keep = "30d"`). `[general] keep` caps the whole cache the same way.
Starred articles and articles with drafts are never removed.

This module is the policy only (it opens nothing); `termnews.store.retention`
applies it to the cache.
"""

from __future__ import annotations

from dataclasses import dataclass

from termnews.units import parse_duration


@dataclass(frozen=True)
class Keep:
    newest: int | None = None
    days: float | None = None

    def older_than(self, now: float) -> float | None:
        return None if self.days is None else now - self.days * 86_400


def parse_keep(value: object) -> Keep:
    """`500` (articles) or `"30d"` (days); raises ValueError with what was expected."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return Keep(newest=value)
    if isinstance(value, str):
        if value.strip().isdigit():
            return Keep(newest=int(value))
        try:
            return Keep(days=parse_duration(value) / 86_400)
        except ValueError:
            pass
    raise ValueError(f'expected a number of articles (500) or of days ("30d"), found {value!r}')
