"""What every feed-server kind shares: the client contract, secrets, HTTP errors, clocks.

A server source (Miniflux, Google Reader API) is a source kind like any other,
but it is synced rather than fetched: `termnews.sync` opens a `ServerClient`
through `ServerSource.connect()`, pulls pages of entries and flag states, and
pushes queued flag changes. A client never touches the store.

Secrets come only from a command (`token_command`, `password_command`), run
with an argument list (never a shell); termnews keeps them in memory only.
"""

from __future__ import annotations

import shlex
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from termnews.models import ArticleData, FetchContext, FetchResult

if TYPE_CHECKING:
    from concurrent.futures import Executor

    import httpx

# httpx (through termnews.fetch, which trims its import) is loaded on the first request:
# a command that never talks to a server does not pay for it.
from termnews.sources.base import Source, SourceOptions
from termnews.store.sync_queue import FlagUpdate, ServerFeed

T = TypeVar("T")
P = TypeVar("P")

#: Seconds for connecting and for each read; a whole sync has no overall deadline.
TIMEOUT = 30.0  # seconds per request
CONNECT_TIMEOUT = 10.0
#: Entries asked for at once: a page is stored in one go, never the whole server.
PAGE_SIZE = 250
#: Ids per write request (mark read, star ...).
PUSH_BATCH = 500


#: 4xx answers that are no lasting refusal: credentials (401, 403, 407) and "not now" (408, 425, 429).
PASSING_REFUSALS = frozenset({401, 403, 407, 408, 425, 429})


class ServerError(RuntimeError):
    """What went wrong talking to a server, in one sentence for the person; `status` is the
    HTTP status when the server answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def lasting(self) -> bool:
        """The server refused the request itself, for good (a 4xx that asking again cannot
        change): sending it again would be refused again."""
        return self.status is not None and 400 <= self.status < 500 and self.status not in PASSING_REFUSALS


@dataclass(frozen=True)
class RemoteEntry:
    remote_id: str
    feed_id: str
    article: ArticleData
    read: bool
    starred: bool
    changed: float | None = None  # server clock


@dataclass
class Page:
    """One pulled page: stored in one go, then `cursor` (if any) is where to resume."""

    entries: list[RemoteEntry] = field(default_factory=list)
    updates: list[FlagUpdate] = field(default_factory=list)
    cursor: dict | None = None


class ServerClient(ABC):
    """A logged-in connection to one server."""

    def __init__(self, base: str, headers: Mapping[str, str], page_size: int = PAGE_SIZE) -> None:
        self.base = base.rstrip("/")
        self.page_size = page_size
        #: What a worker process needs to open a connection of its own: `type(self)(*connection)`.
        self.connection = (self.base, dict(headers), page_size)
        from termnews.fetch import httpx
        from termnews.hosts import on_this_machine

        sent = dict(headers)
        if on_this_machine(self.base):
            # No network between us: compressing would only cost both ends CPU (for a first
            # sync of 10,000 entries, about 3 s of the server's and 0.4 s of ours).
            sent["Accept-Encoding"] = "identity"
        self.http = httpx.Client(
            headers=sent,
            timeout=httpx.Timeout(TIMEOUT, connect=CONNECT_TIMEOUT),
            follow_redirects=True,
        )
        #: Server clock minus ours, from the last response's `Date` header.
        self.clock_offset: float | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; any failure becomes a one-line `ServerError`."""
        from termnews.fetch import httpx

        url = f"{self.base}{path}"
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise ServerError(f"{self.base} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise ServerError(f"cannot reach {self.base}: {exc}") from None
        self._note_clock(response)
        status = response.status_code
        if status in (401, 403):
            raise ServerError(f"{self.base} refused the credentials (HTTP {status})", status)
        if status >= 400:
            raise ServerError(f"{method} {path}: HTTP {status} {_reason(response)}", status)
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ServerError(f"{method} {path}: the server's answer is not JSON") from None

    def _note_clock(self, response: httpx.Response) -> None:
        date = response.headers.get("date")
        if date:
            try:
                offset = parsedate_to_datetime(date).timestamp() - time.time()
            except (TypeError, ValueError):
                return
            # The header counts whole seconds: a smaller offset is its rounding, not a wrong clock.
            self.clock_offset = offset if abs(offset) >= 2 else 0.0

    @abstractmethod
    def feeds(self) -> list[ServerFeed]:
        """The server's subscriptions, with their categories."""

    @abstractmethod
    def pull(
        self,
        cursor: dict,
        known: Mapping[str, tuple[bool, bool]],
        prepare: Callable[[Page], P],
        workers: Callable[[], Executor],
    ) -> Iterator[tuple[P, dict | None]]:
        """Pages of what changed since `cursor`, in order, each passed through `prepare`,
        with the cursor to resume from once it is stored (None: keep the last one).
        `known` maps the remote ids we have to the (read, starred) the server last
        reported for them. `prepare` is picklable: a client may download and prepare
        pages ahead in worker processes from `workers()` (a pool the caller owns)."""

    @abstractmethod
    def change_times(self, remote_ids: list[str]) -> dict[str, float]:
        """When each entry last changed on the server (server clock), where the server says."""

    @abstractmethod
    def push(self, flag: str, value: bool, remote_ids: list[str]) -> None:
        """Set a flag on many entries (at most PUSH_BATCH)."""

    @abstractmethod
    def subscribe(self, url: str, category: str | None = None) -> ServerFeed: ...

    @abstractmethod
    def unsubscribe(self, feed_id: str) -> None: ...

    @abstractmethod
    def rename(self, feed_id: str, title: str) -> None: ...


@dataclass(frozen=True)
class ServerSourceOptions(SourceOptions):
    """Options of a feed server's `[[sources]]` table (secrets only through commands)."""

    token_command: str | None = None  # Miniflux: prints the API token
    username: str | None = None  # Google Reader API: the login
    password_command: str | None = None  # Google Reader API: prints the password
    app_id: str | None = None  # Inoreader: the application's id
    app_key_command: str | None = None  # Inoreader: prints the application's key
    page_size: int | None = None  # entries a request (default: the kind's, 250 or 1000)


class ServerSource(Source):
    """A feed server: synced by `termnews.sync`, never fetched by `termnews.update`."""

    is_server: ClassVar[bool] = True
    options_type: ClassVar[type[SourceOptions] | None] = ServerSourceOptions
    #: Entries asked for at once unless the source's `page_size` says otherwise.
    default_page_size: ClassVar[int] = PAGE_SIZE

    def fetch(self, ctx: FetchContext) -> FetchResult:
        return FetchResult(error="a feed server is synced, not fetched (termnews refresh does both)")

    @property
    def url(self) -> str:
        return self.spec.location.rstrip("/")

    @property
    def page_size(self) -> int:
        size = self.spec.options.get("page_size", self.default_page_size)
        valid = isinstance(size, int) and not isinstance(size, bool) and size > 0
        return size if valid else self.default_page_size

    @abstractmethod
    def connect(self) -> ServerClient:
        """Log in (raises `ServerError` with what went wrong)."""

    def secret(self, option: str) -> str:
        """Run the `option` command (`token_command`, `password_command`) for a secret."""
        command = self.spec.options.get(option)
        if not isinstance(command, str) or not command.strip():
            raise ServerError(f"{self.spec.name}: set {option} (a command that prints the secret)")
        try:
            done = subprocess.run(
                shlex.split(command), capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            raise ServerError(f"{self.spec.name}: {option} could not run: {exc}") from None
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
            raise ServerError(f"{self.spec.name}: {option} failed: {why}")
        value = done.stdout.strip()
        if not value:
            raise ServerError(f"{self.spec.name}: {option} printed nothing")
        return value


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict) and isinstance(body.get("error_message"), str):
        return body["error_message"]
    return response.reason_phrase


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
