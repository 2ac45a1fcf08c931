"""A small real HTTP server on 127.0.0.1 for tests: no mocks, real sockets.

    with FeedServer() as server:
        server.feed("/feed.xml", RSS_BYTES)           # 200 with ETag, 304 on If-None-Match
        server.status("/broken", 500)
        server.redirect("/loop", "/loop")
        url = server.url("/feed.xml")
        ...
        server.requests("/feed.xml")                  # what the server saw

Each route is a function of the request handler, so a test can make the
server misbehave in any way a real one does (trickle, lie, bomb). The server
runs in a daemon thread on an ephemeral port and stops with the `with` block;
handlers that loop (trickling) end when it stops.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[["Handler"], None]


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes = b""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.serve("GET")

    def do_POST(self) -> None:
        """A POST reaches the same routes; its body is kept in `Seen.body`."""
        length = int(self.headers.get("Content-Length") or 0)
        self.serve("POST", self.rfile.read(length))

    def serve(self, method: str, body: bytes = b"") -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        with owner.lock:
            owner.seen.append(Seen(method, self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            route = owner.routes.get(path)
        if route is None:
            self.reply(404, b"not found", "text/plain")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def reply(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "text/plain",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    @property
    def stopping(self) -> bool:
        return self.server.owner.stopping.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer


class FeedServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = _Server((host, 0), Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def requests(self, path: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if path is None or s.path.split("?", 1)[0] == path]

    def route(self, path: str, handler: Route) -> None:
        with self.lock:
            self.routes[path] = handler

    # -- well-behaved -------------------------------------------------------------

    def feed(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/rss+xml; charset=utf-8",
        *,
        etag: bool = True,
        last_modified: bool = True,
        compress: bool = False,
    ) -> None:
        """Serve `body` with validators and answer 304 when they match."""
        tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        modified = formatdate(1_700_000_000, usegmt=True)
        packed = gzip.compress(body)

        def serve(h: Handler) -> None:
            headers: dict[str, str] = {}
            if etag:
                headers["ETag"] = tag
            if last_modified:
                headers["Last-Modified"] = modified
            match = (etag and h.headers.get("If-None-Match") == tag) or (
                not etag and last_modified and h.headers.get("If-Modified-Since") == modified
            )
            if match:
                h.send_response(304)
                for name, value in headers.items():
                    h.send_header(name, value)
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            if compress and "gzip" in h.headers.get("Accept-Encoding", ""):
                headers["Content-Encoding"] = "gzip"
                h.reply(200, packed, content_type, headers)
            else:
                h.reply(200, body, content_type, headers)

        self.route(path, serve)

    # -- misbehaving ----------------------------------------------------------------

    def status(self, path: str, status: int, body: bytes = b"oops", content_type: str = "text/plain") -> None:
        self.route(path, lambda h: h.reply(status, body, content_type))

    def redirect(self, path: str, location: str, status: int = 302) -> None:
        self.route(path, lambda h: h.reply(status, b"", "text/plain", {"Location": location}))

    def gzip_bomb(self, path: str, decoded_bytes: int, encoding: str = "gzip") -> None:
        """A small compressed body that inflates to `decoded_bytes` of zeros."""
        packer = zlib.compressobj(
            9, zlib.DEFLATED, 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        )
        block = b"\0" * (1024 * 1024)
        parts = [packer.compress(block) for _ in range(decoded_bytes // len(block))]
        parts.append(packer.flush())
        bomb = b"".join(parts)
        self.route(
            path,
            lambda h: h.reply(200, bomb, "application/rss+xml", {"Content-Encoding": encoding}),
        )

    def trickle(self, path: str, body: bytes, interval: float = 0.2, *, in_headers: bool = False) -> None:
        """Send a byte every `interval` seconds, in the body or already in the headers."""

        def serve(h: Handler) -> None:
            if in_headers:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                    if h.stopping:
                        return
                    h.wfile.write(bytes([byte]))
                    h.wfile.flush()
                    time.sleep(interval)
                return
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.flush()
            for byte in body:
                if h.stopping:
                    return
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(interval)

        self.route(path, serve)


# -- a forwarding proxy ---------------------------------------------------------------


class _ProxyHandler(BaseHTTPRequestHandler):
    """Takes `GET http://host:port/path` (absolute form), asks the origin, relays the answer."""

    protocol_version = "HTTP/1.1"
    server: _ProxyHttpd

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        import http.client
        from urllib.parse import urlsplit

        with self.server.owner.lock:
            self.server.owner.seen.append(
                Seen("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
            )
        target = urlsplit(self.path)
        if target.scheme != "http" or target.hostname != "127.0.0.1":  # never out of the machine
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
        hop = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "host"}
        headers = {k: v for k, v in self.headers.items() if k.lower() not in hop}
        upstream.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=headers)
        answer = upstream.getresponse()
        body = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in hop | {"content-length", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        upstream.close()


class _ProxyHttpd(ThreadingHTTPServer):
    daemon_threads = True
    owner: ProxyServer


class ProxyServer:
    """A plain HTTP proxy on 127.0.0.1 that forwards only to 127.0.0.1 and keeps what it saw."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self._httpd = _ProxyHttpd(("127.0.0.1", 0), _ProxyHandler)
        self._httpd.owner = self
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> ProxyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


# -- documents ----------------------------------------------------------------------


def rss(items: list[dict[str, str]], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; each item's keys are element names."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{title}</title><link>http://example.org/</link><description>d</description>",
    ]
    for item in items:
        out.append("<item>")
        for name, value in item.items():
            out.append(f"<{name}>{value}</{name}>")
        out.append("</item>")
    out.append("</channel></rss>\n")
    return "".join(out).encode("utf-8")


def simple_rss(n: int, prefix: str = "Story") -> bytes:
    return rss(
        [
            {
                "title": f"{prefix} {i}",
                "link": f"http://example.org/{prefix.lower()}/{i}",
                "guid": f"http://example.org/{prefix.lower()}/{i}",
                "pubDate": formatdate(1_700_000_000 + i * 3600, usegmt=True),
                "description": f"&lt;p&gt;Body of {prefix.lower()} {i}&lt;/p&gt;",
            }
            for i in range(n)
        ]
    )
