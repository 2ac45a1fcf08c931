"""Politeness per host: how many requests at once, how far apart, and when a host said to wait.

`HostGate` is shared by every thread of a refresh (through `fetch.HttpClient`):

- at most `per_host` requests to one host at a time (2 by default), each
  started at least `spacing` seconds after the previous one to that host;
- a host that answered 429 or 503 is not asked again before its
  `Retry-After` (seconds or an HTTP date), and repeated refusals back off
  exponentially, with jitter, so many readers do not all come back at once;
- the waits outlive the process: `update` loads them from the cache store
  before a refresh and saves them after (`HostWait`).

The address check for redirects lives here too (`redirect_refusal`): a
redirect may not lead from one class of address (public, private, link-local,
loopback) to a less public one, so a public feed cannot point termnews at the
machine's own services or the cloud's metadata address.
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from termnews.models import HostWait

#: Backoff after repeated 429/503 answers: 1 min, 2, 4 ... at most 6 hours.
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
#: The longest Retry-After honoured (a typo of a year is not obeyed).
RETRY_AFTER_CAP = 7 * 24 * 3600.0


def host_key(url: str) -> str:
    """The host a URL's requests count against (lower case, with a port if not the default)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host if port in (None, default) else f"{host}:{port}"


def http_date(value: str | None) -> float | None:
    """An HTTP date (IMF-fixdate and the older forms) in seconds since the epoch; None if unreadable."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip()).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After value (delay seconds or an HTTP date); None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    when = http_date(value)
    return None if when is None else min(max(0.0, when - now), RETRY_AFTER_CAP)


def backoff(failures: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after `failures` refusals in a row, with up to 25% jitter."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, failures - 1))
    return base * (1 + 0.25 * (rng or random).random())


@dataclass
class _Host:
    busy: int = 0
    last_start: float = 0.0  # monotonic
    wait: HostWait | None = None
    changed: bool = False


@dataclass
class HostGate:
    """Per-host limits for every request of one HTTP client."""

    per_host: int = 2
    spacing: float = 0.1
    _hosts: dict[str, _Host] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def load(self, waits: Iterable[HostWait]) -> None:
        """Waits remembered from earlier runs."""
        with self._cond:
            for wait in waits:
                self._hosts.setdefault(wait.host, _Host()).wait = wait

    def waits(self, *, changed_only: bool = True) -> list[HostWait | tuple[str, None]]:
        """The waits set or cleared since `load` (a cleared one as (host, None))."""
        with self._cond:
            out: list[HostWait | tuple[str, None]] = []
            for name, host in self._hosts.items():
                if host.changed or not changed_only:
                    out.append(host.wait if host.wait is not None else (name, None))
            return out

    def waiting(self, host: str, now: float | None = None) -> HostWait | None:
        """The wait in force for `host`, if any."""
        with self._cond:
            entry = self._hosts.get(host)
            wait = entry.wait if entry else None
        if wait is None or wait.until <= (time.time() if now is None else now):
            return None
        return wait

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of `host`'s connections for the length of the block."""
        with self._cond:
            entry = self._hosts.setdefault(host, _Host())
            while True:
                if entry.busy < max(1, self.per_host):
                    gap = entry.last_start + self.spacing - time.monotonic()
                    if gap <= 0:
                        break
                    self._cond.wait(gap)
                else:
                    self._cond.wait()
            entry.busy += 1
            entry.last_start = time.monotonic()
        try:
            yield
        finally:
            with self._cond:
                entry.busy -= 1
                self._cond.notify_all()

    def refused(self, host: str, status: int, retry_after: float | None) -> HostWait:
        """Record a 429/503: the host is left alone until Retry-After or the backoff, whichever is later."""
        now = time.time()
        with self._cond:
            entry = self._hosts.setdefault(host, _Host())
            failures = (entry.wait.failures if entry.wait else 0) + 1
            delay = max(retry_after or 0.0, backoff(failures) if failures > 1 or retry_after is None else 0.0)
            reason = f"HTTP {status}" + (" with Retry-After" if retry_after is not None else "")
            entry.wait = HostWait(host, now + delay, failures, reason)
            entry.changed = True
            return entry.wait

    def answered(self, host: str) -> None:
        """Any other answer: the host is well again."""
        with self._cond:
            entry = self._hosts.get(host)
            if entry is not None and entry.wait is not None:
                entry.wait = None
                entry.changed = True


# -- redirect targets -------------------------------------------------------------

#: Addresses tests may declare public (a test cannot reach a real public
#: address): the same check runs, only the class of these addresses changes.
TEST_PUBLIC_ADDRESSES: set[str] = set()


def address_class(address: str) -> str:
    """public, private, link-local or loopback."""
    if address in TEST_PUBLIC_ADDRESSES:
        return "public"
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    return "public" if ip.is_global else "private"


def on_this_machine(url: str) -> bool:
    """Whether `url`'s host is this machine: every address it resolves to is loopback."""
    return _classes(url) == {"loopback"}


def _classes(url: str) -> set[str] | None:
    """The classes of the addresses `url`'s host resolves to; None when it does not resolve."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 80
    except ValueError:
        return None
    try:
        return {address_class(host)}
    except ValueError:
        pass  # a name, not an address
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return {address_class(str(info[4][0])) for info in infos}


def redirect_refusal(origin: str, target: str) -> str | None:
    """Why a redirect from `origin` to `target` is refused, or None.

    Refused when the target resolves to a non-public address of a class the
    origin was not in: public to private, loopback or link-local; loopback to
    private; and so on. A feed on the local network may redirect within it.
    Decided before any packet goes to the target.
    """
    targets = _classes(target)
    if not targets or targets == {"public"}:
        return None  # public, or unresolvable (the request itself will say so)
    origins = _classes(origin) or {"public"}
    bad = sorted(c for c in targets if c != "public" and c not in origins)
    if not bad:
        return None
    return f"redirect from a {'/'.join(sorted(origins))} address to a {bad[0]} address refused"
