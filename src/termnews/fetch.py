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
  https, and never from one class of address to a less public one
  (`hosts.redirect_refusal`); a chain of permanent redirects (301, 308) is
  reported so the caller can move the source once it holds;
- politeness per host (`hosts.HostGate`): a few connections at a time,
  spaced, and no request at all to a host that said 429/503 with a
  Retry-After still in force; `Cache-Control: max-age` / `Expires` reported
  as how long the answer stays fresh;
- validators (ETag, Last-Modified) sent back byte for byte as received;
- basic auth (only to the origin it is for) and proxies: the `proxy` option,
  else `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` from the environment;
- errors as short sentences a person can act on ("HTTP 500 Internal Server
  Error", "timed out after 20 s"), never raised;
- a POST (a reply to a site) goes through the same pool, deadline and caps;
  its answer comes back whatever its status, and a failure says whether the
  request may have reached the server (`HttpResult.failure`).

Never imports Textual; safe to use from many threads at once.
"""

from __future__ import annotations

import base64
import http
import socket
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.request import getproxies_environment

from termnews import PROJECT_URL, __version__
from termnews.hosts import HostGate, host_key, http_date, parse_retry_after, redirect_refusal
from termnews.models import HttpOptions
from termnews.text import FETCHABLE_SCHEMES, host_of, is_fetchable_url, url_scheme
from termnews.units import format_size

# httpx imports its command-line client when it can, and with it click, rich
# and pygments (6 MiB and 80 ms a refresh never uses); its import is guarded,
# and a None entry here makes it take the fallback.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpcore  # noqa: E402
import httpx  # noqa: E402

USER_AGENT = f"termnews/{__version__} (+{PROJECT_URL})"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: Sent with every request, in this order (a request's own headers win).
DEFAULT_HEADERS = (
    ("Accept", ACCEPT),
    ("Accept-Encoding", "gzip, deflate"),
    ("Connection", "keep-alive"),
    ("User-Agent", USER_AGENT),
)
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
_CHUNK = 64 * 1024


#: Why a request failed: `connect` and `invalid` never reached the server;
#: `limit` (one of our caps) and `network` (a broken or silent connection)
#: may have, once the request was sent.
#: `deferred`: not sent at all, the host asked to wait.
#: `status`: the server answered with an error status (`HttpResult.status`).
#: `redirect`: a redirect not followed (too many, to another scheme, to a less public address).
Failure = Literal["connect", "invalid", "limit", "network", "deferred", "status", "redirect"]
#: Error statuses that say "not now" or "not like this" rather than "no": credentials
#: (a source's options may add them), a proxy's, a timeout, too many requests.
NOT_NOW = frozenset({401, 403, 407, 408, 429})


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
    #: Where a chain of permanent redirects (301, 308) from the asked URL led.
    moved_to: str | None = None
    #: Seconds the answer stays fresh (Cache-Control max-age, Expires).
    fresh_for: float | None = None
    #: The server said 410 Gone.
    gone: bool = False
    #: SHA-256 (hex) of the body as it was sent, before its Content-Encoding was undone
    #: (None when it had none).
    wire_hash: str | None = None
    #: The body was byte for byte the one `get` was told of (`same_as`): left unread.
    same_body: bool = False


class _Refused(Exception):
    """A request ended by one of our own limits; the message is for the user."""

    def __init__(self, message: str, failure: Failure = "limit", status: int | None = None) -> None:
        super().__init__(message)
        self.failure: Failure = failure
        self.status = status


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
    """httpx over httpcore pools whose sockets obey the deadline: one for http, one for
    https, each made on first use, so a refresh of http feeds never loads the
    certificate store (tens of milliseconds)."""

    def __init__(self, max_connections: int, proxy: str | None = None) -> None:
        self._max_connections = max_connections
        self._proxy = proxy
        self._pools: dict[bool, httpcore.ConnectionPool] = {}  # by "is https"
        self._lock = threading.Lock()

    def _pool(self, tls: bool) -> httpcore.ConnectionPool:
        pool = self._pools.get(tls)
        if pool is not None:
            return pool
        with self._lock:
            if tls not in self._pools:
                common: dict[str, Any] = {
                    "ssl_context": httpx.create_ssl_context() if tls else None,
                    "max_connections": self._max_connections,
                    "max_keepalive_connections": self._max_connections,
                    "keepalive_expiry": 5.0,
                    "network_backend": _DeadlineBackend(),
                }
                self._pools[tls] = (
                    httpcore.HTTPProxy(proxy_url=self._proxy, **common)
                    if self._proxy
                    else httpcore.ConnectionPool(**common)
                )
            return self._pools[tls]

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
        resp = self._pool(request.url.raw_scheme == b"https").handle_request(req)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Body(resp.stream),
            extensions=resp.extensions,
        )

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


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

try:  # ISA-L's inflate, where installed: the same streams, three times faster than zlib's
    from isal import isal_zlib

    _inflater: Any = isal_zlib.decompressobj
    # Its stub calls the error class an instance ("error: Exception").
    _CORRUPT: tuple[type[Exception], ...] = (zlib.error, isal_zlib.error)  # type: ignore[assignment]
except ImportError:
    _inflater = zlib.decompressobj
    _CORRUPT = (zlib.error,)


class _Decoder:
    """Undo one Content-Encoding, never producing more than `limit` bytes."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._obj: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._obj = _inflater(16 + zlib.MAX_WBITS)

    def _start(self, data: bytes) -> None:
        if self._obj is None:  # deflate: zlib-wrapped by the spec, raw in the wild
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._obj = _inflater(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

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
                    self._obj = _inflater(16 + zlib.MAX_WBITS)
                else:
                    return
            else:
                data = self._obj.unconsumed_tail


def _seconds(s: float) -> str:
    return f"{s:g} s"


# -- the client --------------------------------------------------------------------


class HttpClient:
    """One connection pool (one per proxy) shared by the fetching threads of a refresh.

    `gate` holds the per-host limits; a client of its own gets a fresh one.
    Requests go straight to the transport, without an `httpx.Client` around it:
    redirects, timeouts and proxies are this class's own, and the client's
    bookkeeping cost more than a 304's own work.
    """

    def __init__(self, max_connections: int = 16, gate: HostGate | None = None) -> None:
        self.gate = gate or HostGate()
        self._max_connections = max_connections
        self._transports: dict[str, _Transport] = {}  # by proxy URL ("" = direct)
        self._lock = threading.Lock()
        # Read once: scanning the environment costs more than a request's own work.
        self._env_proxies = getproxies_environment()
        # A cookie a server sets goes back to it for this client's life, as from a browser:
        # a site may set one on a redirect and look for it on the next hop.
        self._cookies = httpx.Cookies()

    def _transport(self, proxy: str) -> _Transport:
        with self._lock:
            transport = self._transports.get(proxy)
            if transport is None:
                transport = self._transports[proxy] = _Transport(self._max_connections, proxy or None)
            return transport

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            transports, self._transports = list(self._transports.values()), {}
        for transport in transports:
            transport.close()

    def get(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        options: HttpOptions | None = None,
        same_as: str | None = None,
    ) -> HttpResult:
        """GET `url`; never raises for anything the network or server does.

        `same_as`: the `wire_hash` of the last answer; an encoded body whose bytes hash
        the same is not decoded (`same_body`).
        """
        options = options or HttpOptions()
        return self._guarded(url, options, lambda: self._get(url, etag, last_modified, options, same_as))

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
            return HttpResult(url, error=str(exc), failure=exc.failure, status=exc.status)
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

    @contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        """One of `host`'s connections; the time spent waiting for it is not the server's,
        so it does not count against the request's deadline."""
        asked = time.monotonic()
        with self.gate.slot(host):
            if getattr(_local, "deadline", None) is not None:
                _local.deadline += time.monotonic() - asked
            yield

    def _send(
        self,
        method: str,
        url: str,
        options: HttpOptions,
        headers: Mapping[str, str | bytes],
        data: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; the response's body is left to read (or close)."""
        sent = httpx.Headers(DEFAULT_HEADERS)
        # httpx takes str or bytes for each value (validators go back as the bytes they came as).
        sent.update(cast("Mapping[str, str]", headers))
        # The deadline bounds each socket operation; these are upper limits.
        timeout = {"connect": options.connect_timeout, "read": None, "write": None, "pool": options.deadline}
        request = httpx.Request(method, url, headers=sent, data=data, extensions={"timeout": timeout})
        if self._cookies:
            self._cookies.set_cookie_header(request)
        response = self._transport(_proxy_for(url, options, self._env_proxies)).handle_request(request)
        response.request = request
        if "set-cookie" in response.headers:
            self._cookies.extract_cookies(response)
        return response

    def _post(
        self, url: str, form: Mapping[str, str], headers: Mapping[str, str], options: HttpOptions
    ) -> HttpResult:
        if not is_fetchable_url(url):
            return HttpResult(
                url, error=f"invalid URL: not an http or https URL: {url[:200]}", failure="invalid"
            )
        host = host_key(url)
        _check_waiting(self.gate, host)
        # Not the feed types `get` asks for: a site answering a form may pick JSON over them.
        sent = {"User-Agent": options.user_agent or USER_AGENT, "Accept": "*/*", **headers}
        with self._slot(host):
            response = self._send("POST", url, options, data=dict(form), headers=sent)
            try:
                body, _ = _read_body(response, options)
                return HttpResult(
                    url,
                    body=body,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    content_type=response.headers.get("content-type", ""),
                )
            finally:
                response.close()

    def _get(
        self, url: str, etag: str | None, last_modified: str | None, options: HttpOptions, same_as: str | None
    ) -> HttpResult:
        headers: dict[str, str | bytes] = {"User-Agent": options.user_agent or USER_AGENT}
        if etag:
            headers["If-None-Match"] = _raw_header(etag)
        if last_modified:
            headers["If-Modified-Since"] = _raw_header(last_modified)
        first = url = _without_userinfo(url) if options.auth else url
        hops = 0
        moved: str | None = None  # where the leading run of permanent redirects led
        permanent = True
        while True:
            _check_scheme(url, first=hops == 0)
            sent = {**headers, **_authorization(options, first, url)}
            got = self._hop(url, sent, options, bool(etag or last_modified), same_as)
            if isinstance(got, HttpResult):
                if got.not_modified:
                    got = replace(
                        got, etag=got.etag or etag, last_modified=got.last_modified or last_modified
                    )
                return replace(got, moved_to=moved) if got.error is None else got
            status, target = got
            hops += 1
            if hops > options.max_redirects:
                raise _Refused(f"too many redirects (more than {options.max_redirects})", "redirect")
            target = urljoin(url, target)
            if url_scheme(target) in FETCHABLE_SCHEMES and (why := redirect_refusal(url, target)):
                raise _Refused(f"{why}: {host_of(target)}", "redirect")
            permanent = permanent and status in PERMANENT
            moved = target if permanent else moved
            url = target

    def _hop(
        self,
        url: str,
        headers: Mapping[str, str | bytes],
        options: HttpOptions,
        conditional: bool,
        same_as: str | None,
    ) -> HttpResult | tuple[int, str]:
        """One request: its result, or (status, Location) of a redirect to follow."""
        host = host_key(url)
        _check_waiting(self.gate, host)
        with self._slot(host):
            response = self._send("GET", url, options, headers=headers)
            try:
                status = response.status_code
                self._heed_waits(host, response)
                if status in REDIRECTS and "location" in response.headers:
                    return status, response.headers["location"].strip()
                if status == 410:
                    return HttpResult(
                        url,
                        error=f"{_status_text(status)}: the feed was removed",
                        gone=True,
                        status=status,
                        failure="status",
                    )
                etag, modified = _validators(response)
                fresh = _fresh_for(response.headers)
                if status == 304:
                    if not conditional:
                        raise _Refused("HTTP 304 Not Modified, but nothing was asked conditionally")
                    return HttpResult(
                        url,
                        not_modified=True,
                        etag=etag,
                        last_modified=modified,
                        fresh_for=fresh,
                        status=status,
                    )
                if status != 200:
                    raise _Refused(_status_text(status), "status", status)
                body, wire = _read_body(response, options, same_as)
                return HttpResult(
                    url,
                    body=body,
                    etag=etag,
                    last_modified=modified,
                    content_type=response.headers.get("content-type", ""),
                    fresh_for=fresh,
                    status=status,
                    wire_hash=wire,
                    same_body=body is None,
                )
            finally:
                response.close()

    def _heed_waits(self, host: str, response: httpx.Response) -> None:
        """A host that asks to wait is left alone until then (raises); any other answer clears its wait.

        429 always speaks for the whole host; 503 only with a Retry-After (else
        it is this feed's trouble, and the host's other feeds are still asked)."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
        if status == 429 or (status == 503 and retry_after is not None):
            wait = self.gate.refused(host, status, retry_after)
            raise _Refused(
                f"{_status_text(status)}: {host} asked to wait until {_clock(wait.until)}", "deferred"
            )
        self.gate.answered(host)


def refused_for_good(got: HttpResult) -> bool:
    """Whether a failed request is a definite "no" from the address, not "cannot be reached now":
    a client error status (4xx, 410 Gone included) other than those in NOT_NOW, a redirect that
    cannot be followed, an address httpx cannot use. Network errors, timeouts, 5xx and 429 may pass later."""
    if got.failure in ("redirect", "invalid"):
        return True
    return (
        got.failure == "status"
        and got.status is not None
        and 400 <= got.status < 500
        and got.status not in NOT_NOW
    )


def _check_waiting(gate: HostGate, host: str) -> None:
    wait = gate.waiting(host)
    if wait is not None:
        raise _Refused(
            f"not asked: {host} asked to wait until {_clock(wait.until)} ({wait.reason})", "deferred"
        )


def _clock(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def _raw_header(value: str) -> bytes:
    """A stored validator back to the bytes it came as (kept as latin-1 text, one char per byte)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # stored by an older version, decoded as UTF-8
        return value.encode("utf-8")


def _validators(response: httpx.Response) -> tuple[str | None, str | None]:
    """ETag and Last-Modified exactly as sent (each byte one latin-1 char), so they go back unchanged."""
    found: dict[bytes, str] = {}
    for name, value in response.headers.raw:
        key = name.lower()
        if key in (b"etag", b"last-modified") and key not in found and value:
            found[key] = value.decode("latin-1")
    return found.get(b"etag"), found.get(b"last-modified")


def _fresh_for(headers: httpx.Headers) -> float | None:
    """Seconds the answer stays fresh by Cache-Control max-age, else Expires (against Date)."""
    control = [d.strip().lower() for d in headers.get("cache-control", "").split(",")]
    if any(d in ("no-cache", "no-store") for d in control):
        return None
    for directive in control:
        name, _, value = directive.partition("=")
        if name.strip() == "max-age" and value.strip().strip('"').isdigit():
            return float(value.strip().strip('"'))
    expires = http_date(headers.get("expires"))
    if expires is None:
        return None
    now = http_date(headers.get("date")) or time.time()
    return expires - now if expires > now else None


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _authorization(options: HttpOptions, first: str, url: str) -> dict[str, str]:
    """Basic credentials, sent only to the origin (scheme, host, port) they were given for."""
    if options.auth is None or _origin(first) != _origin(url):
        return {}
    user, password = options.auth
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def _origin(url: str) -> tuple[str, str]:
    return url_scheme(url), host_key(url)


def _proxy_for(url: str, options: HttpOptions, proxies: Mapping[str, str]) -> str:
    """The proxy for `url`: the `proxy` option ("" = none), else the environment's
    (`proxies`, as `getproxies_environment` reads them); "" for direct."""
    if options.proxy is not None:
        return options.proxy
    scheme = url_scheme(url)
    proxy = proxies.get(scheme) or proxies.get("all") or ""
    if proxy and _bypassed(url, proxies.get("no", "")):
        return ""
    return proxy


def _bypassed(url: str, no_proxy: str) -> bool:
    """Whether NO_PROXY (`*`, or host names and domains, with or without a port) names `url`'s host."""
    host, key = (urlsplit(url).hostname or "").lower(), host_key(url)
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if entry == "*":
            return True
        name = entry.lstrip(".")
        if name and (name in (host, key) or host.endswith("." + name)):
            return True
    return False


def _check_scheme(url: str, first: bool) -> None:
    scheme = url_scheme(url)
    if scheme in FETCHABLE_SCHEMES:  # a bad host is httpx's to report ("invalid URL")
        return
    if first:
        raise _Refused(f"not an http or https URL: {url[:200]}", "invalid")
    raise _Refused(f"redirect to a {scheme or 'scheme-less'}: URL refused", "redirect")


def _read_body(
    response: httpx.Response, options: HttpOptions, same_as: str | None = None
) -> tuple[bytes | None, str | None]:
    """The body, decoded, and the SHA-256 of its bytes as sent when a Content-Encoding applied;
    (None, that hash) when it equals `same_as`: an unchanged body is not decoded at all."""
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
    parts: list[bytes] = []
    size = 0
    for raw in response.iter_raw(_CHUNK):
        left = _remaining()
        if left is not None and left <= 0:
            raise httpcore.ReadTimeout("deadline passed")
        size += len(raw)
        if size > limit:  # compressed bodies are smaller than decoded ones
            raise too_large
        parts.append(raw)
    sent = b"".join(parts)
    if not codings:
        return sent, None
    import hashlib

    wire = hashlib.sha256(sent).hexdigest()
    if wire == same_as:
        return None, wire
    return _decoded(sent, codings, limit, too_large), wire


def _decoded(sent: bytes, codings: list[str], limit: int, too_large: _Refused) -> bytes:
    """`sent` with its Content-Encodings undone, never more than `limit` bytes (a bomb stops there)."""
    pieces = [sent]
    try:
        for decoder in (_Decoder(c) for c in reversed(codings)):
            out: list[bytes] = []
            size = 0
            for piece in pieces:
                for part in decoder.decode(piece, limit - size):
                    size += len(part)
                    if size > limit:
                        raise too_large
                    out.append(part)
            pieces = out
    except _CORRUPT as exc:
        raise _Refused(f"the server sent corrupt {codings[0]} data ({exc})") from exc
    return b"".join(pieces)


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
