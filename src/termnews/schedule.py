"""When a source may be fetched again: its own update interval, and the endings.

A feed says how often it changes (RSS `<ttl>` in minutes, `sy:updatePeriod` /
`sy:updateFrequency`), a server how long its answer stays fresh
(`Cache-Control: max-age`, `Expires`), a person how often to look
(`refresh_minutes` in the source's table). The longest of them is the least
time between two fetches, unless the refresh is forced. A server's word is
capped at a day, so one odd value cannot silence a feed for weeks. A source
the server called gone (410) is not fetched again, forced or not.
"""

from __future__ import annotations

import time

from termnews.models import FetchResult, SourceOutcome, SourceSpec, SourceStatus
from termnews.text import MINUTE, format_date

#: How the reason a gone source is skipped begins.
GONE = "gone: "

#: The longest interval a feed or server can impose.
MAX_INTERVAL = 24 * 3600.0


def interval(spec: SourceSpec, result: FetchResult) -> float | None:
    """Seconds before `spec` should be fetched again after `result`; None: at any refresh."""
    if result.error is not None:
        return None
    server = min(result.fresh_for or 0.0, MAX_INTERVAL)
    try:
        mine = float(spec.options.get("refresh_minutes") or 0) * 60
    except (TypeError, ValueError):
        mine = 0.0
    longest = max(server, mine)
    return longest if longest > 0 else None


def not_due(status: SourceStatus | None, force: bool) -> str | None:
    """Why a source whose last fetch came to `status` is not fetched in this refresh, or None when it is."""
    if status is None:
        return None
    if status.gone is not None:
        return f"{GONE}the server said 410 Gone on {format_date(status.gone, MINUTE)}; not fetched any more"
    if not force and status.next_due is not None and status.next_due > time.time():
        return (
            f"not due until {format_date(status.next_due, MINUTE)} (its update interval; --force fetches it)"
        )
    return None


def skipped_counts(outcomes: list[SourceOutcome]) -> tuple[int, int]:
    """(not due, gone): how many sources a refresh skipped, and why."""
    gone = sum(1 for o in outcomes if o.skipped and o.skipped.startswith(GONE))
    return sum(1 for o in outcomes if o.skipped) - gone, gone
