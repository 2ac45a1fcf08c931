"""Hostile servers, hostile parses and hostile files, over real sockets and real workers.

(The HTTP cases already in tests/test_feed_fetch.py, gzip bombs, trickling,
redirect loops, file: redirects, are not repeated; these build on the same
FeedServer.)
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest
from hostile_payloads import assert_clean, hostile_atom, hostile_json, hostile_rss

from feedserver import FeedServer, Handler, simple_rss
from termnews.fetch import HttpOptions
from termnews.models import SourceSpec
from termnews.store import Store, View
from termnews.update import RefreshSettings, refresh

FAST = RefreshSettings(http=HttpOptions(deadline=3.0, connect_timeout=2.0), parse_workers=0)
# feedparser's author/e-mail regex is quadratic: this <author> costs minutes of CPU.
SLOW_AUTHOR = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>t</title>'
    "<guid>slow</guid><author>" + "a" * 100_000 + "@" + "a." * 50_000 + "</author></item></channel></rss>"
).encode()


def cache_then(store: Store, server: FeedServer, path: str, route, settings=FAST):
    server.feed(path, simple_rss(3), etag=False, last_modified=False)
    spec = SourceSpec("victim", "feed", server.url(path))
    assert refresh(store, [spec], settings=settings)[0].new == 3
    server.route(path, route)
    started = time.monotonic()
    [outcome] = refresh(store, [spec], settings=settings)
    took = time.monotonic() - started
    assert store.count(View(source_id=spec.source_id)) == 3, "cached articles lost"
    return outcome, took


def raw(response: bytes, then_close: bool = True, hold: float = 0.0):
    def serve(h: Handler) -> None:
        h.wfile.write(response)
        h.wfile.flush()
        if hold:
            end = time.monotonic() + hold
            while time.monotonic() < end and not h.stopping:
                time.sleep(0.05)
        if then_close:
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    return serve


def test_content_length_longer_than_the_body(store, server) -> None:
    body = simple_rss(2)
    outcome, took = cache_then(
        store,
        server,
        "/f",
        raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n"
            % (len(body) + 5000)
            + body
        ),
    )
    assert outcome.error and outcome.error.startswith("connection failed"), outcome.error
    assert took < 5


def test_content_length_longer_than_the_body_and_the_connection_held(store, server) -> None:
    outcome, took = cache_then(
        store,
        server,
        "/f",
        raw(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n<rss>", then_close=False, hold=10),
    )
    assert outcome.error == "timed out after 3 s"
    assert took < 6


def test_content_length_shorter_than_the_body(store, server) -> None:
    body = simple_rss(2)
    outcome, _ = cache_then(store, server, "/f", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + body))
    # Only 40 bytes are read: not a feed, reported; nothing more is read.
    assert outcome.error is not None


def test_endless_chunked_body_stops_at_the_size_cap(store, server) -> None:
    def endless(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"<item>" + b"x" * 65_000 + b"</item>"
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        while not h.stopping:
            h.wfile.write(frame)

    settings = RefreshSettings(http=HttpOptions(deadline=10.0, max_bytes=2 * 1024 * 1024), parse_workers=0)
    outcome, took = cache_then(store, server, "/f", endless, settings)
    assert outcome.error == "too large (over 2 MiB decoded)"
    assert took < 10


def test_garbage_instead_of_http(store, server) -> None:
    outcome, _ = cache_then(store, server, "/f", raw(b"\x1b]0;pwned\x07SSH-2.0-OpenSSH\r\n\r\n"))
    assert outcome.error and outcome.error.startswith("connection failed")


def test_corrupt_gzip_body(store, server) -> None:
    outcome, _ = cache_then(
        store,
        server,
        "/f",
        lambda h: h.reply(
            200,
            b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10,
            "application/rss+xml",
            {"Content-Encoding": "gzip"},
        ),
    )
    assert outcome.error and outcome.error.startswith("the server sent corrupt gzip data")


def test_unsupported_content_encoding(store, server) -> None:
    outcome, _ = cache_then(
        store,
        server,
        "/f",
        lambda h: h.reply(200, b"\x00" * 100, "application/rss+xml", {"Content-Encoding": "br"}),
    )
    assert outcome.error == "unsupported Content-Encoding: br"


@pytest.mark.parametrize(
    "target", ["ftp://example.org/x", "javascript:alert(1)", "data:,<rss/>", "gopher://x/"]
)
def test_redirect_to_other_schemes_is_refused(store, server, target: str) -> None:
    outcome, _ = cache_then(
        store, server, "/f", lambda h: h.reply(302, b"", "text/plain", {"Location": target})
    )
    # Refused by termnews's check, or as an invalid URL by httpx before the request is built.
    assert outcome.error is not None
    assert outcome.error.endswith("URL refused") or outcome.error.startswith("invalid URL:"), outcome.error


def test_feed_location_fifo_is_an_error_not_a_hang(store, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.xml"
    os.mkfifo(fifo)
    started = time.monotonic()
    [outcome] = refresh(store, [SourceSpec("fifo", "feed", str(fifo))], settings=FAST)
    assert outcome.error == f"{fifo}: not a regular file"
    assert time.monotonic() - started < 5


def test_feed_location_dev_zero_behind_a_symlink(store, tmp_path: Path) -> None:
    link = tmp_path / "zero.xml"
    link.symlink_to("/dev/zero")
    [outcome] = refresh(store, [SourceSpec("zero", "feed", str(link))], settings=FAST)
    assert outcome.error == f"{link}: not a regular file"


def test_local_folder_with_proc_symlink_and_devices(store, tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "ok.txt").write_text("Fine title\n\nbody\n")
    (folder / "proc.md").symlink_to("/proc/self/environ")
    (folder / "mem.txt").symlink_to("/proc/self/mem")
    (folder / "zero.md").symlink_to("/dev/zero")
    (folder / "bin.md").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40)
    os.mkfifo(folder / "pipe.txt")
    started = time.monotonic()
    [outcome] = refresh(store, [SourceSpec("folder", "local", str(folder))], settings=FAST)
    assert time.monotonic() - started < 5
    assert outcome.error is None and outcome.new == 1
    warnings = "\n".join(outcome.warnings)
    for name in ("proc.md", "mem.txt", "zero.md"):
        assert f"{name}: skipped (link leads out of the folder)" in warnings
    assert "bin.md: skipped (binary data, not text)" in warnings
    assert "pipe.txt: skipped (not a regular file)" in warnings
    titles = [h.title for h in store.headlines(View(), 0, 10)]
    assert titles == ["Fine title"], "nothing from /proc or a device was read in"


def test_parser_cpu_deadline_ends_one_source(store, server) -> None:
    server.feed("/ok.xml", simple_rss(2))
    server.feed("/slow.xml", SLOW_AUTHOR)
    specs = [
        SourceSpec("slow", "feed", server.url("/slow.xml")),
        SourceSpec("ok", "feed", server.url("/ok.xml")),
    ]
    started = time.monotonic()
    outcomes = refresh(store, specs, settings=RefreshSettings(parse_workers=2, parse_timeout=2.0))
    took = time.monotonic() - started
    assert outcomes[0].error == "parsing took longer than 2 s; abandoned"
    assert outcomes[1].error is None and outcomes[1].new == 2
    assert took < 15, took


def test_parser_workers_have_an_address_space_limit() -> None:
    import resource
    from concurrent.futures import ProcessPoolExecutor

    from termnews.update import _mp_context, _worker_init

    with ProcessPoolExecutor(1, mp_context=_mp_context(), initializer=_worker_init) as pool:
        soft, _ = pool.submit(resource.getrlimit, resource.RLIMIT_AS).result(timeout=30)
    assert soft != resource.RLIM_INFINITY and soft <= 4 * 1024**3


def test_refresh_of_20_good_feeds_and_the_hostile_ones(store, server) -> None:
    """Every good feed stored, every hostile one reported, all within the deadline."""
    good = []
    for n in range(20):
        server.feed(f"/good{n}.xml", simple_rss(3, prefix=f"Good{n}"))
        good.append(SourceSpec(f"good{n}", "feed", server.url(f"/good{n}.xml")))
    server.gzip_bomb("/bomb.xml", 64 * 1024 * 1024)
    server.trickle("/trickle.xml", simple_rss(3), 0.05)
    server.status("/e500.xml", 500)
    server.redirect("/loop.xml", "/loop.xml")
    server.redirect("/file.xml", "file:///etc/passwd")
    server.status("/portal.xml", 200, b"<!DOCTYPE html><html><body>login</body></html>", "text/html")
    server.feed(
        "/surrogate.xml",
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>&#xD800;</title></item></channel></rss>',
    )
    server.feed("/slow.xml", SLOW_AUTHOR)
    server.route("/liar.xml", raw(b"HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n<rss>"))
    bad = {
        "bomb": "too large (over 10 MiB decoded)",
        "trickle": "timed out after 3 s",
        "e500": "HTTP 500 Internal Server Error",
        "loop": "too many redirects (more than 5)",
        "file": "redirect to a file: URL refused",
        "portal": "not a feed: the server sent an HTML page",
        "surrogate": "unreadable feed",
        "slow": "parsing took longer than 3 s; abandoned",
        "liar": "connection failed",
    }
    hostile_specs = [SourceSpec(name, "feed", server.url(f"/{name}.xml")) for name in bad]
    # Feeds that are hostile in content only: stored, cleaned.
    server.feed("/evil-rss.xml", hostile_rss("MixRss"))
    server.feed("/evil-atom.xml", hostile_atom("MixAtom"), "application/atom+xml")
    server.feed("/evil-json.json", hostile_json("MixJson"), "application/feed+json")
    content_specs = [
        SourceSpec(n, "feed", server.url(p))
        for n, p in (
            ("evil-rss", "/evil-rss.xml"),
            ("evil-atom", "/evil-atom.xml"),
            ("evil-json", "/evil-json.json"),
        )
    ]
    specs = [*good[:10], *hostile_specs, *content_specs, *good[10:]]
    settings = RefreshSettings(
        http=HttpOptions(deadline=3.0, connect_timeout=2.0), parse_workers=2, parse_timeout=3.0
    )
    started = time.monotonic()
    outcomes = {o.spec.name: o for o in refresh(store, specs, settings=settings)}
    took = time.monotonic() - started
    assert len(outcomes) == len(specs)
    for spec in good:
        assert outcomes[spec.name].error is None and outcomes[spec.name].new == 3, outcomes[spec.name]
        assert store.count(View(source_id=spec.source_id)) == 3
    for name, error in bad.items():
        assert outcomes[name].error is not None and outcomes[name].error.startswith(error), (
            name,
            outcomes[name].error,
        )
        assert store.source_status(SourceSpec(name, "feed", server.url(f"/{name}.xml")).source_id).last_error
    for spec in content_specs:
        assert outcomes[spec.name].error is None and outcomes[spec.name].new >= 1
        for h in store.headlines(View(source_id=spec.source_id), 0, 100):
            article = store.article(h.id)
            for text in (
                article.title,
                article.author or "",
                article.link or "",
                article.body,
                *(e.url for e in article.enclosures),
            ):
                assert_clean(text, spec.name)
    # The deadline: 3 s per request, 3 s (twice, once in the pool and once alone) per parse.
    assert took < 30, f"the refresh took {took:.1f} s"


@pytest.mark.parametrize(
    "response",
    [
        b"HTTP/1.1 200 OK\r\nContent-Encoding: \x1b]0;pwned-title\x07\x9b2J\r\nContent-Length: 2\r\n\r\nhi",
        b"\x1b]0;pwned-title\x07SSH-2.0-OpenSSH\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-\x1b]52;c;eA==\x07: 1\r\nContent-Length: 2\r\n\r\nhi",
    ],
)
def test_server_words_in_error_messages_are_sanitized(store, server, response: bytes) -> None:
    """An error quoting the server is shown (app toast, `termnews sources`): no controls in it."""
    outcome, _ = cache_then(store, server, "/f", raw(response))
    assert outcome.error
    assert_clean(outcome.error, "outcome error")
    assert_clean(store.source_status(outcome.spec.source_id).last_error, "stored error")
