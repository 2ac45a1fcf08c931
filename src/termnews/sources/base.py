"""The source contract every kind (built-in or plugin) implements.

Two shapes: a `Source` fetches whole (`fetch`); a `StagedSource` splits its
fetch into I/O (`download`) and CPU (`parse`), so a refresh runs the download
in a thread with the shared HTTP client and the parse in a worker process.
Either way the kind gets the refresh's HTTP limits in its `FetchContext`;
`Source.http_options` puts the source's own `max_size` and `timeout` over them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from termnews.models import FetchContext, FetchResult, HttpOptions, SourceSpec
from termnews.units import parse_duration, parse_size

if TYPE_CHECKING:
    from termnews.fetch import HttpClient


@dataclass(frozen=True)
class SourceOptions:
    """The options every kind takes in its `[[sources]]` table, checked when config loads.

    A field whose metadata names a `parse` function is read through it
    (sizes, durations): config stores what it returns.
    """

    keep: int | str | None = None  # articles (500) or an age ("30d"): see `termnews.retention`
    sender: str | None = None  # how replies are sent: see `termnews.senders`


@dataclass(frozen=True)
class HttpSourceOptions(SourceOptions):
    """Options of a kind that fetches over HTTP."""

    #: The largest body accepted, decoded: bytes or a size ("20MiB").
    max_size: int | float | str | None = field(default=None, metadata={"parse": parse_size})
    #: Seconds for the whole request, or a duration ("30s").
    timeout: int | float | str | None = field(default=None, metadata={"parse": parse_duration})
    #: Fetch at most every N minutes (a feed's own <ttl> may ask for longer).
    refresh_minutes: int | float | None = None
    #: Basic auth: the user (or in the URL: https://user@host/feed), and a
    #: command that prints the password (run without a shell).
    username: str | None = None
    password_command: str | None = None
    #: A proxy URL for this source ("" for none); default: `[general] proxy`, else the environment.
    proxy: str | None = None
    #: Fetch each new article's page during refresh and keep its main text.
    full_text: bool = False


class Source(ABC):
    """Turns one configured source into article records.

    A source never touches the store or the UI; `termnews.update` calls it,
    possibly in another thread or process, and stores what it returns.
    """

    #: The `kind` users write in config (`local`, `feed`, ...).
    kind: ClassVar[str]
    #: Whether a refresh is cheap enough to run at every start (local files).
    refresh_on_start: ClassVar[bool] = False
    #: The options the kind takes, checked when config is loaded. None: any
    #: options, unchecked (a plugin that declares nothing).
    options_type: ClassVar[type[SourceOptions] | None] = SourceOptions

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec

    def http_options(self, ctx: FetchContext) -> HttpOptions:
        """The refresh's HTTP limits with this source's options over them (size,
        timeout, proxy, credentials); raises ValueError when `password_command` fails."""
        return http_options(self.spec.options, ctx.http, self.spec.location)

    @abstractmethod
    def fetch(self, ctx: FetchContext) -> FetchResult:
        """Read the source and return its articles.

        `ctx` carries the validators the last successful fetch returned, so a
        source can answer `not_modified=True` without parsing again. Errors the
        user should see are returned in `FetchResult.error`, not raised.
        """


@dataclass(frozen=True)
class Download:
    """A body fetched and found changed, waiting to be parsed."""

    body: bytes
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str
    moved_to: str | None = None  # where permanent redirects led
    fresh_for: float | None = None  # the server's max-age or Expires, in seconds


def body_hash(body: bytes) -> str:
    import hashlib  # here: loading OpenSSL is not on the way to the first paint

    return hashlib.sha256(body).hexdigest()


class StagedSource(Source):
    """A source whose fetch splits into I/O (`download`) and CPU (`parse`).

    `termnews.update` runs `download` in a thread and `parse` in a worker
    process. `parse` must be a static method whose argument and result pickle.
    """

    options_type: ClassVar[type[SourceOptions] | None] = HttpSourceOptions

    def fetch(self, ctx: FetchContext) -> FetchResult:
        from termnews.fetch import HttpClient

        with HttpClient(max_connections=1) as http:
            got = self.download(ctx, http)
        return got if isinstance(got, FetchResult) else self.parse(got)

    @abstractmethod
    def download(self, ctx: FetchContext, http: HttpClient) -> FetchResult | Download:
        """Fetch the document: a `FetchResult` when there is nothing to parse
        (an error, or not modified), else a `Download`."""

    @staticmethod
    def parse(download: Download) -> FetchResult:
        """Turn a downloaded document into sanitized articles (runs in a worker)."""
        raise NotImplementedError


def http_options(raw: Mapping[str, Any], default: HttpOptions, location: str = "") -> HttpOptions:
    """A source's `max_size`, `timeout`, `proxy` and credentials over the refresh's limits.

    Config checks both when it loads; a value that is still wrong here (a
    subscription stored by an older version) leaves the default in force.
    """
    changes: dict[str, Any] = {}
    try:
        if raw.get("max_size") is not None:
            changes["max_bytes"] = parse_size(raw["max_size"])
    except ValueError:
        pass
    try:
        timeout = parse_duration(raw["timeout"]) if raw.get("timeout") is not None else 0.0
    except ValueError:
        timeout = 0.0
    if timeout > 0:
        changes["deadline"] = timeout
        changes["connect_timeout"] = min(default.connect_timeout, timeout)
    if isinstance(raw.get("proxy"), str):
        changes["proxy"] = raw["proxy"]
    if raw.get("password_command") or raw.get("username"):
        changes["auth"] = credentials(raw, location)
    return replace(default, **changes) if changes else default


def credentials(raw: Mapping[str, Any], location: str) -> tuple[str, str] | None:
    """(user, password) for basic auth: the user from the options or the URL, the
    password from `password_command` (else the URL's). Raises ValueError when the command fails."""
    import shlex
    import subprocess
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(location)
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
    except ValueError:
        user, password = "", ""
    user = str(raw.get("username") or user)
    command = raw.get("password_command")
    if command:
        try:
            done = subprocess.run(
                shlex.split(str(command)),
                capture_output=True,
                timeout=30,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            raise ValueError(f"password_command could not run: {exc}") from None
        if done.returncode != 0:
            raise ValueError(f"password_command failed (exit status {done.returncode})")
        password = done.stdout.decode("utf-8", "replace").rstrip("\r\n")
    return (user, password) if user else None
