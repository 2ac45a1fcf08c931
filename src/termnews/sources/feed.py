"""The `feed` source: an RSS, Atom or JSON Feed document at a URL or in a file.

A refresh runs it in two stages so that each runs where it is cheapest:
`download` (network or disk, in a thread, the GIL released while waiting) and
`parse` (CPU, in a worker process, see `termnews.update` and
`termnews.sources.base.StagedSource`). `fetch` runs both
in the calling thread, for callers that want one source now.

Options (in config's `[[sources]]` table or a subscription's options):
`max_size` (decoded, "20MiB"; default 10 MiB) and `timeout` (seconds for the
whole request; default 20); see `sources.base.HttpSourceOptions`.
"""

from __future__ import annotations

import os
import re
import stat
from typing import TYPE_CHECKING, ClassVar

from termnews.models import FetchContext, FetchResult
from termnews.paths import BUNDLED_PREFIX, resolve_location
from termnews.sanitize import clean_article
from termnews.sources.base import Download, StagedSource, body_hash
from termnews.text import is_fetchable_url
from termnews.units import format_size

if TYPE_CHECKING:
    from termnews.fetch import HttpClient

# The HTTP client (httpx) and the parsers (feedparser, lxml) are imported where
# they are used: parser processes never load httpx, the refreshing process
# never loads the parsers.


# A URL scheme (two letters or more, so that C:\\ stays a path).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


class FeedSource(StagedSource):
    kind: ClassVar[str] = "feed"
    refresh_on_start: ClassVar[bool] = False

    def download(self, ctx: FetchContext, http: HttpClient) -> FetchResult | Download:
        location = ctx.location or self.spec.location
        try:
            options = self.http_options(ctx)
        except ValueError as exc:  # a password command that failed
            return FetchResult(error=str(exc))
        # The body hash kept is the decoded body's, then (when the server compressed it) that
        # of the bytes as sent: those compared equal, the body is not even decompressed.
        known, _, known_sent = (ctx.body_hash or "").partition(" ")
        moved, fresh, sent_hash = None, None, None
        if is_fetchable_url(location):
            got = http.get(location, ctx.etag, ctx.last_modified, options, same_as=known_sent or None)
            if got.error:
                return FetchResult(error=got.error, gone=got.gone)
            moved, fresh = got.moved_to, got.fresh_for
            if got.not_modified or got.same_body:
                return FetchResult(
                    not_modified=True,
                    etag=got.etag,
                    last_modified=got.last_modified,
                    body_hash=ctx.body_hash,
                    moved_to=moved,
                    fresh_for=fresh,
                    warnings=ctx.warnings,
                )
            assert got.body is not None
            body, url, etag, modified = got.body, got.url, got.etag, got.last_modified
            sent_hash = got.wire_hash
        elif _SCHEME.match(location) and not location.startswith(BUNDLED_PREFIX):
            scheme = location.split(":", 1)[0]
            return FetchResult(
                error=f"{scheme}: locations are not supported (use http, https or a file path)"
            )
        else:
            try:
                body = read_feed_file(location, options.max_bytes)
            except (OSError, ValueError) as exc:
                return FetchResult(error=_file_error(location, exc))
            url, etag, modified = "", None, None
        digest = body_hash(body)
        kept = f"{digest} {sent_hash}" if sent_hash else digest
        if known == digest:
            # The same bytes as last time: nothing to parse (servers without validators).
            return FetchResult(
                not_modified=True,
                etag=etag,
                last_modified=modified,
                body_hash=kept,
                moved_to=moved,
                fresh_for=fresh,
                warnings=ctx.warnings,
            )
        return Download(body, url, etag, modified, kept, moved, fresh)

    @staticmethod
    def parse(download: Download) -> FetchResult:
        from termnews.feedparse import FeedParseError, read_feed

        try:
            read = read_feed(download.body, download.url)
        except FeedParseError as exc:
            return FetchResult(error=str(exc))
        # A feed's own interval is for its server; a file is read whenever asked.
        ttl = update_interval(download.body) if download.url else None
        return FetchResult(
            articles=[clean_article(e) for e in read.articles],
            warnings=read.warnings,
            etag=download.etag,
            last_modified=download.last_modified,
            body_hash=download.body_hash,
            moved_to=download.moved_to,
            fresh_for=max(download.fresh_for or 0.0, ttl or 0.0) or None,
        )


_TTL = re.compile(rb"<(?:[\w.-]+:)?ttl\s*>\s*(\d{1,7})\s*<", re.IGNORECASE)
_PERIOD = re.compile(rb"<[\w.-]+:updatePeriod\s*>\s*(hourly|daily|weekly|monthly|yearly)\s*<", re.IGNORECASE)
_FREQUENCY = re.compile(rb"<[\w.-]+:updateFrequency\s*>\s*(\d{1,6})\s*<", re.IGNORECASE)
_PERIODS = {
    b"hourly": 3600,
    b"daily": 86400,
    b"weekly": 7 * 86400,
    b"monthly": 30 * 86400,
    b"yearly": 365 * 86400,
}


def update_interval(body: bytes) -> float | None:
    """Seconds between updates a feed declares: RSS `<ttl>` (minutes), or the
    syndication module's `updatePeriod` divided by `updateFrequency`; the longer."""
    head = body[:65536]  # both belong to the channel, before the items
    found = []
    if ttl := _TTL.search(head):
        found.append(int(ttl.group(1)) * 60.0)
    if period := _PERIOD.search(head):
        frequency = _FREQUENCY.search(head)
        times = int(frequency.group(1)) if frequency else 1
        found.append(_PERIODS[period.group(1).lower()] / max(1, times))
    return max(found) if found else None


def read_feed_file(location: str, limit: int) -> bytes:
    """A feed file's bytes: a regular file (never a FIFO or device), at most `limit`."""
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
