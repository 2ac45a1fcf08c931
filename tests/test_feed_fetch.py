"""Feeds over real HTTP on 127.0.0.1: validators, limits, hostile servers.

Every misbehaving server must end in a clear error for that source alone, and
what was cached from it before must still be there.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import ssl
import subprocess
import threading
import time

import pytest

from feedserver import FeedServer, simple_rss
from termnews import PROJECT_URL, __version__
from termnews.fetch import HttpClient, HttpOptions, HttpResult
from termnews.models import SourceSpec
from termnews.store import Store, View
from termnews.update import RefreshSettings, SourceOutcome, refresh

FAST = RefreshSettings(http=HttpOptions(deadline=5.0, connect_timeout=2.0))


def feed_spec(server: FeedServer, path: str, name: str = "news", **options) -> SourceSpec:
    return SourceSpec(name, "feed", server.url(path), options)


def articles_of(store: Store, spec: SourceSpec) -> list[str]:
    return sorted(h.title for h in store.headlines(View(source_id=spec.source_id), 0, 1000))


def one(store: Store, spec: SourceSpec, settings: RefreshSettings = FAST) -> SourceOutcome:
    [outcome] = refresh(store, [spec], settings=settings)
    return outcome


def cached_then(store: Store, server: FeedServer, path: str, misbehave, **options) -> SourceOutcome:
    """Cache 3 articles from `path`, make the server misbehave there, refresh again."""
    server.feed(path, simple_rss(3), etag=False, last_modified=False)
    spec = feed_spec(server, path, **options)
    first = one(store, spec)
    assert first.error is None and first.new == 3
    misbehave()
    outcome = one(store, spec)
    assert articles_of(store, spec) == ["Story 0", "Story 1", "Story 2"], "cached articles lost"
    status = store.source_status(spec.source_id)
    assert status is not None and status.last_error == outcome.error
    return outcome


def test_stores_entries_then_sends_if_none_match_and_gets_304(store, server):
    server.feed("/feed.xml", simple_rss(4))
    spec = feed_spec(server, "/feed.xml")
    first = one(store, spec)
    assert (first.error, first.new, first.total) == (None, 4, 4)
    assert len(articles_of(store, spec)) == 4

    second = one(store, spec)
    assert second.not_modified and second.error is None and second.new == 0
    seen = server.requests("/feed.xml")
    assert len(seen) == 2
    assert "if-none-match" not in seen[0].headers
    assert seen[1].headers["if-none-match"].startswith('"')
    assert seen[1].headers["if-modified-since"].endswith("GMT")
    assert seen[0].headers["user-agent"] == f"termnews/{__version__} (+{PROJECT_URL})"
    assert "gzip" in seen[0].headers["accept-encoding"]


def test_last_modified_alone_is_used(store, server):
    server.feed("/feed.xml", simple_rss(2), etag=False)
    spec = feed_spec(server, "/feed.xml")
    assert one(store, spec).new == 2
    assert one(store, spec).not_modified
    assert "if-none-match" not in server.requests("/feed.xml")[1].headers


def test_unchanged_body_without_validators_is_not_parsed_again(store, server):
    server.feed("/feed.xml", simple_rss(2), etag=False, last_modified=False)
    spec = feed_spec(server, "/feed.xml")
    assert one(store, spec).new == 2
    again = one(store, spec)
    assert again.not_modified and again.total == 0
    status = store.source_status(spec.source_id)
    assert status.body_hash and status.etag is None
    # A changed body is parsed and stored.
    server.feed("/feed.xml", simple_rss(3), etag=False, last_modified=False)
    changed = one(store, spec)
    assert (changed.not_modified, changed.new, changed.total) == (False, 1, 3)


def test_gzip_body_is_decoded(store, server):
    server.feed("/feed.xml", simple_rss(5), compress=True)
    spec = feed_spec(server, "/feed.xml")
    assert one(store, spec).new == 5


def test_gzip_bomb_stops_at_the_cap(store, server):
    started = time.monotonic()
    outcome = cached_then(store, server, "/feed.xml", lambda: server.gzip_bomb("/feed.xml", 64 * 1024 * 1024))
    assert outcome.error == "too large (over 10 MiB decoded)"
    assert time.monotonic() - started < 10


def test_deflate_bomb_stops_at_a_configured_cap(store, server):
    outcome = cached_then(
        store,
        server,
        "/feed.xml",
        lambda: server.gzip_bomb("/feed.xml", 8 * 1024 * 1024, encoding="deflate"),
        max_size=1024 * 1024,
    )
    assert outcome.error == "too large (over 1 MiB decoded)"


def test_corrupt_gzip_is_an_error_that_says_so(store, server):
    """Whichever inflater reads it (ISA-L's where installed, else zlib's), corrupt data is the
    source's error, not a crash of the refresh."""
    good = gzip.compress(simple_rss(3))
    corrupt = good[:10] + bytes(b ^ 0x5A for b in good[10:40]) + good[40:]
    outcome = cached_then(
        store,
        server,
        "/feed.xml",
        lambda: server.route(
            "/feed.xml", lambda h: h.reply(200, corrupt, "application/rss+xml", {"Content-Encoding": "gzip"})
        ),
    )
    assert outcome.error is not None and outcome.error.startswith("the server sent corrupt gzip data")


def test_plain_body_over_the_cap(store, server):
    def big():
        server.status("/feed.xml", 200, b"<rss>" + b" " * (2 * 1024 * 1024), "application/rss+xml")

    outcome = cached_then(store, server, "/feed.xml", big, max_size=1024 * 1024)
    assert outcome.error == "too large (over 1 MiB decoded)"


def test_trickling_body_is_cut_at_the_deadline(store, server):
    started = time.monotonic()
    outcome = cached_then(
        store, server, "/feed.xml", lambda: server.trickle("/feed.xml", simple_rss(3), 0.05), timeout=1.0
    )
    took = time.monotonic() - started
    assert outcome.error == "timed out after 1 s"
    assert took < 5, f"a 1 s deadline held the refresh for {took:.1f} s"


def test_trickling_headers_are_cut_at_the_deadline(store, server):
    started = time.monotonic()
    outcome = cached_then(
        store,
        server,
        "/feed.xml",
        lambda: server.trickle("/feed.xml", b"", 0.05, in_headers=True),
        timeout=1.0,
    )
    assert outcome.error == "timed out after 1 s"
    assert time.monotonic() - started < 5


def test_redirect_loop(store, server):
    outcome = cached_then(store, server, "/feed.xml", lambda: server.redirect("/feed.xml", "/feed.xml"))
    assert outcome.error == "too many redirects (more than 5)"
    # The first request and five redirects: no more.
    assert len(server.requests("/feed.xml")) == 1 + 6


def test_five_redirects_are_followed(store, server):
    server.feed("/final.xml", simple_rss(2))
    for n in range(5):
        server.redirect(f"/hop{n}", f"/hop{n + 1}" if n < 4 else server.url("/final.xml"), 301 + n % 2)
    assert one(store, feed_spec(server, "/hop0")).new == 2


def test_redirect_to_a_file_url_is_refused(store, server):
    outcome = cached_then(
        store, server, "/feed.xml", lambda: server.redirect("/feed.xml", "file:///etc/passwd")
    )
    assert outcome.error == "redirect to a file: URL refused"


def test_http_500(store, server):
    outcome = cached_then(store, server, "/feed.xml", lambda: server.status("/feed.xml", 500))
    assert outcome.error == "HTTP 500 Internal Server Error"


def test_captive_portal_html_page(store, server):
    portal = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Wi-Fi login</body></html>"
    outcome = cached_then(
        store, server, "/feed.xml", lambda: server.status("/feed.xml", 200, portal, "text/html")
    )
    assert outcome.error == "not a feed: the server sent an HTML page"


def test_connection_refused(store):
    with FeedServer() as gone:
        url = gone.url("/feed.xml")
    outcome = one(store, SourceSpec("gone", "feed", url))
    assert outcome.error.startswith("could not connect to 127.0.0.1:")
    assert outcome.error.endswith("connection refused")


def test_only_http_and_https_locations(store):
    outcome = one(store, SourceSpec("ftp", "feed", "ftp://example.org/feed.xml"))
    assert outcome.error.startswith("ftp: locations are not supported")


def test_one_failure_does_not_stop_the_others(store, server):
    server.feed("/good.xml", simple_rss(2))
    server.status("/bad.xml", 503)
    good, bad = feed_spec(server, "/good.xml", "good"), feed_spec(server, "/bad.xml", "bad")
    seen: list[tuple[str, int, int]] = []
    outcomes = refresh(store, [bad, good], lambda o, d, t: seen.append((o.spec.name, d, t)), settings=FAST)
    assert [o.spec.name for o in outcomes] == ["bad", "good"]
    assert outcomes[0].error == "HTTP 503 Service Unavailable" and outcomes[1].new == 2
    assert sorted(seen) == [("bad", 1, 2), ("good", 2, 2)] or sorted(seen) == [("bad", 2, 2), ("good", 1, 2)]


def test_feed_file_location(store, tmp_path):
    path = tmp_path / "local.xml"
    path.write_bytes(simple_rss(3))
    spec = SourceSpec("file", "feed", str(path))
    assert one(store, spec).new == 3
    assert one(store, spec).not_modified
    path.unlink()
    outcome = one(store, spec)
    assert "no such file" in outcome.error
    assert len(articles_of(store, spec)) == 3


# -- POST: the same deadline, caps and error sentences as GET ------------------------


def post(url: str, **options) -> HttpResult:
    with HttpClient(max_connections=1) as http:
        return http.post(url, {"comment": "Hello", "author": "Ann"}, {"Referer": url}, HttpOptions(**options))


def test_post_sends_the_form_and_returns_any_status(server):
    server.status("/comments", 409, b"<p>Duplicate comment</p>", "text/html")
    got = post(server.url("/comments"))
    assert (got.error, got.status, got.body) == (None, 409, b"<p>Duplicate comment</p>")
    [seen] = server.requests("/comments")
    assert seen.method == "POST" and seen.body == b"comment=Hello&author=Ann"
    assert seen.headers["user-agent"] == f"termnews/{__version__} (+{PROJECT_URL})"
    assert seen.headers["referer"] == server.url("/comments")


def test_post_answer_over_the_cap(server):
    server.status("/comments", 200, b"x" * 5000, "text/html")
    got = post(server.url("/comments"), max_bytes=1024)
    assert (got.error, got.failure) == ("too large (over 1 KiB decoded)", "limit")


def test_post_answer_trickling_is_cut_at_the_deadline(server):
    server.trickle("/comments", b"x" * 1000, 0.05)
    started = time.monotonic()
    got = post(server.url("/comments"), deadline=1.0)
    assert (got.error, got.failure) == ("timed out after 1 s", "network")  # it may have arrived
    assert time.monotonic() - started < 5


def test_post_that_cannot_connect_never_left():
    with FeedServer() as gone:
        url = gone.url("/comments")
    got = post(url)
    assert got.failure == "connect" and got.error.startswith("could not connect to 127.0.0.1:")
    assert post("ftp://example.org/comments").failure == "invalid"


def test_a_run_of_not_modified_feeds_is_stored_in_a_few_transactions(store, server):
    """What 304s come to (validators, times) is written together, not a transaction each."""
    specs = []
    for n in range(40):
        server.feed(f"/f{n}.xml", simple_rss(1, prefix=f"F{n}"))
        specs.append(feed_spec(server, f"/f{n}.xml", f"f{n}"))
    quick = RefreshSettings(per_host=8, host_spacing=0.0, http=FAST.http)
    refresh(store, specs, settings=quick)
    before = store.db.generation  # bumped by every write transaction
    outcomes = refresh(store, specs, settings=quick, index=False)
    assert all(o.not_modified and o.error is None for o in outcomes)
    # Written every 0.2 s at most (and the hosts' waits once): one each would be 40.
    assert store.db.generation - before <= 6
    assert all(store.source_status(s.source_id).last_refresh for s in specs)


@pytest.fixture
def tls_contexts_made(monkeypatch) -> list[int]:
    """Counts the TLS contexts (certificate store loads) the HTTP client makes."""
    import termnews.fetch as fetch

    made: list[int] = []
    real = fetch.httpx.create_ssl_context

    def counted(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(fetch.httpx, "create_ssl_context", counted)
    return made


def test_http_feeds_never_load_the_certificate_store(store, server, tls_contexts_made):
    server.feed("/feed.xml", simple_rss(2))
    assert one(store, feed_spec(server, "/feed.xml")).new == 2
    assert tls_contexts_made == []


def test_https_is_checked_against_the_certificate_store(tmp_path, tls_contexts_made):
    """A server whose certificate no authority signed is refused (the TLS pool is made on first use)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def handshake() -> None:
            conn, _ = listener.accept()
            with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True):
                pass

        threading.Thread(target=handshake, daemon=True).start()
        with HttpClient() as http:
            got = http.get(f"https://127.0.0.1:{port}/feed.xml", options=HttpOptions(deadline=10.0))
    assert got.error is not None and got.error.startswith("could not connect to 127.0.0.1"), got.error
    assert "TLS certificate not accepted" in got.error
    assert tls_contexts_made == [1]


def test_a_cookie_set_on_a_redirect_goes_with_the_next_hop(store, server):
    """Some sites set a cookie and redirect to a page that looks for it (a consent wall)."""
    server.route(
        "/feed.xml",
        lambda h: h.reply(302, b"", "text/plain", {"Location": "/real.xml", "Set-Cookie": "ok=yes; Path=/"}),
    )

    def real(h) -> None:
        if h.headers.get("Cookie") == "ok=yes":
            h.reply(200, simple_rss(2), "application/rss+xml")
        else:
            h.reply(403, b"no cookie", "text/plain")

    server.route("/real.xml", real)
    outcome = one(store, feed_spec(server, "/feed.xml"))
    assert outcome.error is None and outcome.new == 2


def test_an_unchanged_compressed_body_without_validators_is_not_parsed_again(store, server):
    def serve_gzip(body: bytes, mtime: int) -> None:
        packed = gzip.compress(body, mtime=mtime)  # the gzip header carries a time
        server.route(
            "/feed.xml", lambda h: h.reply(200, packed, "application/rss+xml", {"Content-Encoding": "gzip"})
        )

    spec = feed_spec(server, "/feed.xml")
    serve_gzip(simple_rss(3), mtime=1)
    assert one(store, spec).new == 3
    again = one(store, spec)
    assert again.not_modified and again.error is None and again.new == 0
    # The same feed compressed into other bytes is still found unchanged, then by its new bytes.
    serve_gzip(simple_rss(3), mtime=2)
    assert one(store, spec).not_modified
    assert one(store, spec).not_modified
    serve_gzip(simple_rss(4), mtime=2)
    changed = one(store, spec)
    assert not changed.not_modified and changed.error is None and changed.new == 1
    assert len(articles_of(store, spec)) == 4
