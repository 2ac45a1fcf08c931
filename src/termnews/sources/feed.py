"""The `feed` source: an RSS, Atom or JSON Feed document at a URL or in a file.

A refresh runs it in two stages so that each runs where it is cheapest:
`download` (network or disk, in a thread, the GIL released while waiting) and
`parse` (CPU, in a worker process, see `termnews.update`). `fetch` runs both
in the calling thread, for callers that want one source now.

Options (in config's `[[sources]]` table or a subscription's options):
`max_size` (bytes, decoded; default 10 MiB) and `timeout` (seconds for the
whole request; default 20).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from termnews.models import FetchContext, FetchResult, SourceSpec
from termnews.paths import BUNDLED_PREFIX, resolve_location
from termnews.sources.base import Source

if TYPE_CHECKING:
    from termnews.fetch import HttpClient, HttpOptions

# The HTTP client (httpx) and the parsers (feedparser, lxml) are imported where
# they are used: parser processes never load httpx, the refreshing process
# never loads the parsers.


# A URL scheme (two letters or more, so that C:\\ stays a path).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


@dataclass(frozen=True)
class Download:
    """A body fetched and found changed, waiting to be parsed."""

    body: bytes
    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str


def is_url(location: str) -> bool:
    return location.split(":", 1)[0].lower() in ("http", "https") and "://" in location


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class StagedSource(Source):
    """A source whose fetch splits into I/O (`download`) and CPU (`parse`).

    `termnews.update` runs `download` in a thread and `parse` in a worker
    process. `parse` must be a static method whose argument and result pickle.
    """

    def fetch(self, ctx: FetchContext) -> FetchResult:
        from termnews.fetch import HttpClient

        with HttpClient(max_connections=1) as http:
            got = self.download(ctx, http)
        return got if isinstance(got, FetchResult) else self.parse(got)

    def download(self, ctx: FetchContext, http: HttpClient) -> FetchResult | Download:
        """Fetch the document: a `FetchResult` when there is nothing to parse
        (an error, or not modified), else a `Download`."""
        raise NotImplementedError

    @staticmethod
    def parse(download: Download) -> FetchResult:
        """Turn a downloaded document into sanitized articles (runs in a worker)."""
        raise NotImplementedError


class FeedSource(StagedSource):
    kind: ClassVar[str] = "feed"
    refresh_on_start: ClassVar[bool] = False

    def __init__(self, spec: SourceSpec, options: HttpOptions | None = None) -> None:
        from termnews.fetch import HttpOptions

        super().__init__(spec)
        self.http_options = _options(spec.options, options or HttpOptions())

    def download(self, ctx: FetchContext, http: HttpClient) -> FetchResult | Download:
        location = self.spec.location
        if is_url(location):
            got = http.get(location, ctx.etag, ctx.last_modified, self.http_options)
            if got.error:
                return FetchResult(error=got.error)
            if got.not_modified:
                return FetchResult(
                    not_modified=True,
                    etag=got.etag,
                    last_modified=got.last_modified,
                    body_hash=ctx.body_hash,
                )
            assert got.body is not None
            body, url, etag, modified = got.body, got.url, got.etag, got.last_modified
        elif _SCHEME.match(location) and not location.startswith(BUNDLED_PREFIX):
            scheme = location.split(":", 1)[0]
            return FetchResult(
                error=f"{scheme}: locations are not supported (use http, https or a file path)"
            )
        else:
            try:
                body = read_feed_file(location, self.http_options.max_bytes)
            except (OSError, ValueError) as exc:
                return FetchResult(error=_file_error(location, exc))
            url, etag, modified = "", None, None
        digest = body_hash(body)
        if ctx.body_hash == digest:
            # The same bytes as last time: nothing to parse (servers without validators).
            return FetchResult(not_modified=True, etag=etag, last_modified=modified, body_hash=digest)
        return Download(body, url, etag, modified, digest)

    @staticmethod
    def parse(download: Download) -> FetchResult:
        from termnews.feedparse import FeedParseError, parse_feed
        from termnews.update import clean_article  # the one sanitizing step

        try:
            entries = parse_feed(download.body, download.url)
        except FeedParseError as exc:
            return FetchResult(error=str(exc))
        return FetchResult(
            articles=[clean_article(e) for e in entries],
            etag=download.etag,
            last_modified=download.last_modified,
            body_hash=download.body_hash,
        )


def _options(raw: dict[str, Any], default: HttpOptions) -> HttpOptions:
    """Per-source limits from the spec's options, over the refresh's defaults."""
    changes: dict[str, Any] = {}
    size = raw.get("max_size")
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        changes["max_bytes"] = size
    timeout = raw.get("timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > 0:
        changes["deadline"] = float(timeout)
        changes["connect_timeout"] = min(default.connect_timeout, float(timeout))
    return replace(default, **changes) if changes else default


def read_feed_file(location: str, limit: int) -> bytes:
    """A feed file's bytes: a regular file (never a FIFO or device), at most `limit`."""
    from termnews.fetch import format_size

    path = resolve_location(location)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ValueError("is a folder (add it as a local source)")
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"too large (over {format_size(limit)})")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise ValueError(f"too large (over {format_size(limit)})")
        return data
    finally:
        os.close(fd)


def _file_error(location: str, exc: Exception) -> str:
    if isinstance(exc, OSError):
        return f"{location}: {(exc.strerror or str(exc)).lower()}"
    return f"{location}: {exc}"
