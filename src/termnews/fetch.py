"""The one HTTP stack: a GET with validators and a POST, with limits and a hard deadline.

Built on httpx, with what a feed reader needs around it:

- conditional GET: `If-None-Match` / `If-Modified-Since` from the last fetch,
  a 304 answers `not_modified`;
- a whole-request deadline: every socket read, write and connect gets at most
  the time left before it, so a server that trickles one byte a second (even
  in its headers) cannot hold a refresh past the deadline;
- gzip and deflate decoded here, in bounded steps, counting decoded bytes: a
  compression bomb stops at the cap without ever being inflated in memory;
- redirects followed by hand (at most 5), each hop checked: only http and
  https;
- errors as short sentences a person can act on ("HTTP 500 Internal Server
  Error", "timed out after 20 s"), never raised;
- a POST (a reply to a site) goes through the same pool, deadline and caps;
  its answer comes back whatever its status, and a failure says whether the
  request may have reached the server (`HttpResult.failure`).

Never imports Textual; safe to use from many threads at once.
"""

from __future__ import annotations

import http
import socket
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urljoin

from termnews import __version__
from termnews.models import HttpOptions
from termnews.text import FETCHABLE_SCHEMES, host_of, is_fetchable_url, url_scheme
from termnews.units import format_size

# httpx imports its command-line client when it can, and with it click, rich
# and pygments (6 MiB and 80 ms a refresh never uses); its import is guarded,
# and a None entry here makes it take the fallback.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpcore  # noqa: E402
import httpx  # noqa: E402

USER_AGENT = f"termnews/{__version__}"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


#: Why a request failed: `connect` and `invalid` never reached the server;
#: `limit` (one of our caps) and `network` (a broken or silent connection)
#: may have, once the request was sent.
Failure = Literal["connect", "invalid", "limit", "network"]


@dataclass(frozen=True)
class HttpResult:
    """What one request came to: a body, "not modified", or an error sentence."""

    url: str  # after redirects
    body: bytes | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    error: str | None = None
    failure: Failure | None = None  # set with `error`
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names (POST only)


class _Refused(Exception):
    """A request ended by one of our own limits; the message is for the user."""


# -- the deadline, enforced at the socket -------------------------------------

_local = threading.local()


def _remaining() -> float | None:
    deadline = getattr(_local, "deadline", None)
    return None if deadline is None else deadline - time.monotonic()


def _bounded(timeout: float | None, exc: type[Exception]) -> float | None:
    left = _remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise exc("deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every operation ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        )

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._inner.connect_tcp(
                host, port, _bounded(timeout, httpcore.ConnectTimeout), local_address, socket_options
            )
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(
            self._inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout), socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Transport(httpx.BaseTransport):
    """httpx over an httpcore pool whose sockets obey the deadline."""

    def __init__(self, max_connections: int) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=_DeadlineBackend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        resp = self._pool.handle_request(req)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Body(resp.stream),
            extensions=resp.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: object) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        # httpcore types a response stream as sync or async; a sync pool's is always sync.
        yield from self._stream  # type: ignore[misc]

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close:
            close()


# -- bounded decoding ------------------------------------------------------------


class _Decoder:
    """Undo one Content-Encoding, never producing more than `limit` bytes."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._obj: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _start(self, data: bytes) -> None:
        if self._obj is None:  # deflate: zlib-wrapped by the spec, raw in the wild
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def decode(self, data: bytes, room: int) -> Iterator[bytes]:
        """Decoded pieces of `data`; stops once more than `room` bytes came out."""
        if not data:
            return
        self._start(data)
        produced = 0
        while data and produced <= room:
            assert self._obj is not None
            out = self._obj.decompress(data, min(_CHUNK, room - produced + 1))
            produced += len(out)
            if out:
                yield out
            if self._obj.eof:
                data = self._obj.unused_data
                if data and self.encoding != "deflate":  # another gzip member
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                else:
                    return
            else:
                data = self._obj.unconsumed_tail


def _seconds(s: float) -> str:
    return f"{s:g} s"


# -- the client --------------------------------------------------------------------


class HttpClient:
    """One connection pool shared by the fetching threads of a refresh."""

    def __init__(self, max_connections: int = 16) -> None:
        self._client = httpx.Client(
            transport=_Transport(max_connections),
            follow_redirects=False,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": ACCEPT,
                "Accept-Encoding": "gzip, deflate",
            },
            # The deadline bounds each socket operation; these are upper limits.
            timeout=httpx.Timeout(None),
            trust_env=False,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        options: HttpOptions | None = None,
    ) -> HttpResult:
        """GET `url`; never raises for anything the network or server does."""
        options = options or HttpOptions()
        return self._guarded(url, options, lambda: self._get(url, etag, last_modified, options))

    def post(
        self,
        url: str,
        form: Mapping[str, str],
        headers: Mapping[str, str] | None = None,
        options: HttpOptions | None = None,
    ) -> HttpResult:
        """POST a form to `url`; the answer whatever its status (redirects are not followed).

        The same deadline, size cap and error sentences as `get`; never raises.
        """
        options = options or HttpOptions()
        return self._guarded(url, options, lambda: self._post(url, form, headers or {}, options))

    def _guarded(self, url: str, options: HttpOptions, call: Callable[[], HttpResult]) -> HttpResult:
        """Run one request under its deadline, turning every failure into a sentence."""
        start = time.monotonic()
        _local.deadline = start + options.deadline
        try:
            return call()
        except _Refused as exc:
            return HttpResult(url, error=str(exc), failure="limit")
        except (TimeoutError, httpx.TimeoutException, httpcore.TimeoutException) as exc:
            connecting = isinstance(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout))
            left = _remaining()
            if left is not None and left <= 0.05:
                error = f"timed out after {_seconds(options.deadline)}"
            else:
                error = f"could not connect to {host_of(url)}: timed out after {_seconds(round(time.monotonic() - start, 1))}"
            return HttpResult(url, error=error, failure="connect" if connecting else "network")
        except (httpx.ConnectError, httpcore.ConnectError) as exc:
            return HttpResult(
                url, error=f"could not connect to {host_of(url)}: {error_reason(exc)}", failure="connect"
            )
        except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError, OSError) as exc:
            return HttpResult(url, error=f"connection failed: {error_reason(exc)}", failure="network")
        except (httpx.InvalidURL, httpcore.UnsupportedProtocol, ValueError) as exc:
            return HttpResult(url, error=f"invalid URL: {exc}", failure="invalid")
        finally:
            _local.deadline = None

    def _post(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str], options: HttpOptions
    ) -> HttpResult:
        if not is_fetchable_url(url):
            return HttpResult(
                url, error=f"invalid URL: not an http or https URL: {url[:200]}", failure="invalid"
            )
        request = self._client.build_request(
            "POST",
            url,
            data=dict(form),
            # Not the feed types `get` asks for: a site answering a form may pick JSON over them.
            headers={"User-Agent": options.user_agent or USER_AGENT, "Accept": "*/*", **headers},
            timeout=httpx.Timeout(None, connect=options.connect_timeout, pool=options.deadline),
        )
        response = self._client.send(request, stream=True)
        try:
            body = _read_body(response, options)
            return HttpResult(
                url,
                body=body,
                status=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()},
                content_type=response.headers.get("content-type", ""),
            )
        finally:
            response.close()

    def _get(self, url: str, etag: str | None, last_modified: str | None, options: HttpOptions) -> HttpResult:
        headers: dict[str, str] = {"User-Agent": options.user_agent or USER_AGENT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hops = 0
        while True:
            _check_scheme(url, first=hops == 0)
            request = self._client.build_request(
                "GET",
                url,
                headers=headers,
                timeout=httpx.Timeout(None, connect=options.connect_timeout, pool=options.deadline),
            )
            response = self._client.send(request, stream=True)
            try:
                status = response.status_code
                if status in REDIRECTS and "location" in response.headers:
                    hops += 1
                    if hops > options.max_redirects:
                        raise _Refused(f"too many redirects (more than {options.max_redirects})")
                    url = urljoin(url, response.headers["location"].strip())
                    continue
                found_etag = response.headers.get("etag") or None
                found_modified = response.headers.get("last-modified") or None
                if status == 304:
                    if not (etag or last_modified):
                        raise _Refused("HTTP 304 Not Modified, but nothing was asked conditionally")
                    return HttpResult(
                        url,
                        not_modified=True,
                        etag=found_etag or etag,
                        last_modified=found_modified or last_modified,
                    )
                if status != 200:
                    raise _Refused(_status_text(status))
                body = _read_body(response, options)
                return HttpResult(
                    url,
                    body=body,
                    etag=found_etag,
                    last_modified=found_modified,
                    content_type=response.headers.get("content-type", ""),
                )
            finally:
                response.close()


def _check_scheme(url: str, first: bool) -> None:
    scheme = url_scheme(url)
    if scheme in FETCHABLE_SCHEMES:  # a bad host is httpx's to report ("invalid URL")
        return
    if first:
        raise _Refused(f"not an http or https URL: {url[:200]}")
    raise _Refused(f"redirect to a {scheme or 'scheme-less'}: URL refused")


def _read_body(response: httpx.Response, options: HttpOptions) -> bytes:
    limit = options.max_bytes
    too_large = _Refused(f"too large (over {format_size(limit)} decoded)")
    codings = [
        c.strip().lower()
        for c in response.headers.get("content-encoding", "").split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise _Refused(f"unsupported Content-Encoding: {coding[:40]}")
    length = response.headers.get("content-length", "")
    if not codings and length.isdigit() and int(length) > limit:
        raise too_large
    decoders = [_Decoder(c) for c in reversed(codings)]
    parts: list[bytes] = []
    size = raw_size = 0
    for raw in response.iter_raw(_CHUNK):
        left = _remaining()
        if left is not None and left <= 0:
            raise httpcore.ReadTimeout("deadline passed")
        raw_size += len(raw)
        if raw_size > limit:  # compressed bodies are smaller than decoded ones
            raise too_large
        pieces = [raw]
        try:
            for decoder in decoders:
                pieces = [out for p in pieces for out in decoder.decode(p, limit - size)]
        except zlib.error as exc:
            raise _Refused(f"the server sent corrupt {codings[0]} data ({exc})") from exc
        for piece in pieces:
            size += len(piece)
            if size > limit:
                raise too_large
            parts.append(piece)
    return b"".join(parts)


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def error_reason(exc: BaseException) -> str:
    """The most specific sentence in an exception chain, without errno noise."""
    seen = exc
    while (cause := seen.__cause__ or seen.__context__) is not None:
        seen = cause
    if isinstance(seen, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted ({seen.verify_message})"
    if isinstance(seen, socket.gaierror):
        return "host name not found"
    if isinstance(seen, OSError) and seen.strerror:
        return seen.strerror[:1].lower() + seen.strerror[1:]
    text = str(seen) or type(seen).__name__
    return text[:200]
