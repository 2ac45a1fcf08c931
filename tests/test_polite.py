"""Fetching like a good citizen (issue 16), against real servers on 127.0.0.1.

Per-host limits and spacing, Retry-After and backoff, a feed's own update
interval and `--force`, permanent redirects, 410 Gone, redirects to less
public addresses, validators byte for byte, basic auth and proxies.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from email.utils import formatdate

import pytest

from feedserver import FeedServer, Handler, ProxyServer, rss, simple_rss
from termnews import hosts
from termnews.fetch import HttpClient
from termnews.hosts import HostGate, backoff, parse_retry_after, redirect_refusal
from termnews.models import HttpOptions, SourceSpec
from termnews.sources.feed import update_interval
from termnews.update import RefreshSettings, refresh

FAST = RefreshSettings(http=HttpOptions(deadline=5.0, connect_timeout=2.0), parse_workers=0)


def spec(server: FeedServer, path: str, name: str = "news", **options: object) -> SourceSpec:
    return SourceSpec(name, "feed", server.url(path), dict(options))


# -- connections per host ------------------------------------------------------------


class Counter:
    """A route that holds each request a while and counts how many are in flight at once."""

    def __init__(self, body: bytes, hold: float = 0.3) -> None:
        self.body, self.hold = body, hold
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.starts: list[float] = []

    def __call__(self, h: Handler) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.starts.append(time.monotonic())
        time.sleep(self.hold)
        with self.lock:
            self.now -= 1
        h.reply(200, self.body, "application/rss+xml")


@pytest.mark.parametrize("per_host", [2, 3])
def test_never_more_than_the_per_host_limit_at_once(store, server, per_host):
    counter = Counter(simple_rss(1))
    specs = []
    for i in range(8):
        server.route(f"/f{i}.xml", counter)
        specs.append(spec(server, f"/f{i}.xml", f"f{i}"))
    settings = RefreshSettings(
        fetch_workers=8, parse_workers=0, per_host=per_host, http=HttpOptions(deadline=10.0)
    )
    outcomes = refresh(store, specs, settings=settings)
    assert all(o.error is None for o in outcomes)
    assert counter.most == per_host  # reached, never passed


def test_requests_to_one_host_are_spaced(store, server):
    counter = Counter(simple_rss(1), hold=0.0)
    for i in range(8):
        server.route(f"/f{i}.xml", counter)
    specs = [spec(server, f"/f{i}.xml", f"f{i}") for i in range(8)]
    settings = RefreshSettings(fetch_workers=8, parse_workers=0, per_host=8, host_spacing=0.2)
    refresh(store, specs, settings=settings)
    # Seven gaps of at least 0.2 s (the server sees arrivals, give or take a connection set-up).
    assert counter.starts[-1] - counter.starts[0] >= 7 * 0.2 - 0.3


def test_other_hosts_are_not_held_up(store):
    with FeedServer() as one, FeedServer("127.0.0.2") as two:
        slow, fast = Counter(simple_rss(1), hold=1.0), Counter(simple_rss(1), hold=0.0)
        for i in range(4):
            one.route(f"/s{i}.xml", slow)
        two.route("/f.xml", fast)
        specs = [spec(one, f"/s{i}.xml", f"s{i}") for i in range(4)] + [spec(two, "/f.xml", "fast")]
        settings = RefreshSettings(fetch_workers=8, parse_workers=0, http=HttpOptions(deadline=10.0))
        started = time.monotonic()
        done_at: dict[str, float] = {}
        refresh(
            store, specs, lambda o, d, t: done_at.setdefault(o.spec.name, time.monotonic()), settings=settings
        )
        assert done_at["fast"] - started < 1.0  # not queued behind the slow host
        assert slow.most == 2


# -- Retry-After and backoff -----------------------------------------------------------


def test_retry_after_parsing_seconds_and_http_date():
    now = time.time()
    assert parse_retry_after("120", now) == 120
    assert abs(parse_retry_after(formatdate(now + 90, usegmt=True), now) - 90) <= 1
    assert parse_retry_after(formatdate(now - 90, usegmt=True), now) == 0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("99999999999", now) == hosts.RETRY_AFTER_CAP


def test_backoff_doubles_with_jitter_and_is_capped():
    for failures, base in ((1, 60), (2, 120), (3, 240), (12, hosts.BACKOFF_CAP)):
        waits = [backoff(failures) for _ in range(50)]
        assert all(base <= w <= base * 1.25 for w in waits)
        assert len(set(waits)) > 1  # jittered
    gate = HostGate()
    first = gate.refused("h", 429, None)
    second = gate.refused("h", 429, 5.0)  # a short Retry-After does not cut the backoff short
    assert first.failures == 1 and second.failures == 2
    assert second.until - time.time() >= 119
    gate.answered("h")
    assert gate.waiting("h") is None


@pytest.mark.parametrize("as_date", [False, True])
def test_no_request_before_retry_after(store, server, as_date):
    answers = iter([429, 200, 200])

    def busy_then_fine(h: Handler) -> None:
        status = next(answers)
        if status == 429:
            after = formatdate(time.time() + 3, usegmt=True) if as_date else "2"
            h.reply(429, b"slow down", headers={"Retry-After": after})
        else:
            h.reply(200, simple_rss(2), "application/rss+xml")

    server.route("/feed.xml", busy_then_fine)
    server.feed("/other.xml", simple_rss(1, "Other"))
    feed, other = spec(server, "/feed.xml"), spec(server, "/other.xml", "other")
    settings = RefreshSettings(fetch_workers=1, parse_workers=0, http=HttpOptions(deadline=5.0))
    [first, second] = refresh(store, [feed, other], settings=settings)
    assert (
        first.error is not None and "429 Too Many Requests" in first.error and "asked to wait" in first.error
    )
    # The same host's other feed is not asked in the same refresh...
    assert second.error is not None and "not asked" in second.error
    assert server.requests("/other.xml") == []
    # ...nor in the next one (the wait is kept in the cache)...
    [again] = refresh(store, [feed], settings=settings)
    assert "not asked" in (again.error or "")
    assert len(server.requests("/feed.xml")) == 1
    # ...and asked again once the time has come.
    time.sleep(3.2 if as_date else 2.2)
    [later] = refresh(store, [feed], settings=settings)
    assert later.error is None and later.new == 2
    assert len(server.requests("/feed.xml")) == 2
    assert store.host_waits() == []  # answered: forgotten


def test_a_wait_is_said_in_sources(run, server):
    server.route("/feed.xml", lambda h: h.reply(429, b"", headers={"Retry-After": "3600"}))
    assert "429 Too Many Requests" in run("add", server.url("/feed.xml"), "--name", "busy").stderr
    assert "not asked" in run("refresh", check=1).stderr
    rows = run("sources", "--json").stdout.splitlines()
    [row] = [json.loads(line) for line in rows]
    assert row["host_wait"]["reason"] == "HTTP 429 with Retry-After" and row["host_wait"]["failures"] == 1
    assert "waiting: the site asked to wait until" in run("sources").stdout
    run("refresh", check=1)
    assert len(server.requests("/feed.xml")) == 1


# -- the feed's own interval -----------------------------------------------------------


def test_update_interval_from_ttl_and_syndication_module():
    assert update_interval(rss([]).replace(b"<title>", b"<ttl>60</ttl><title>", 1)) == 3600
    sy = (
        b'<rss xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>'
        b"<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"
    )
    assert update_interval(sy) == 1800
    assert update_interval(simple_rss(2)) is None


def test_ttl_is_honoured_and_force_overrides_it(run, server):
    server.feed(
        "/feed.xml", rss([{"title": "One", "guid": "1"}]).replace(b"<title>", b"<ttl>60</ttl><title>", 1)
    )
    run("add", server.url("/feed.xml"), "--name", "news")  # `add` asks once: is it a feed?
    run("refresh")
    second = run("refresh")
    assert "1 not due" in second.stdout
    assert len(server.requests("/feed.xml")) == 2
    assert "next due" in run("sources").stdout
    run("refresh", "--force")
    assert len(server.requests("/feed.xml")) == 3


def test_a_feed_file_s_ttl_does_not_hold_it_back(store, tmp_path):
    path = tmp_path / "local.xml"
    path.write_bytes(rss([{"title": "One", "guid": "1"}]).replace(b"<title>", b"<ttl>600</ttl><title>", 1))
    local = SourceSpec("local", "feed", str(path))
    refresh(store, [local], settings=FAST)
    [again] = refresh(store, [local], settings=FAST)
    assert again.skipped is None and again.not_modified


def test_cache_control_max_age_and_refresh_minutes_are_minimum_intervals(store, server):
    server.route(
        "/cached.xml",
        lambda h: h.reply(
            200, simple_rss(1), "application/rss+xml", {"Cache-Control": "public, max-age=600"}
        ),
    )
    server.feed("/plain.xml", simple_rss(1, "Plain"))
    cached, mine = (
        spec(server, "/cached.xml", "cached"),
        spec(server, "/plain.xml", "mine", refresh_minutes=30),
    )
    refresh(store, [cached, mine], settings=FAST)
    outcomes = refresh(store, [cached, mine], settings=FAST)
    assert all(o.skipped and "not due" in o.skipped for o in outcomes)
    assert len(server.requests("/cached.xml")) == len(server.requests("/plain.xml")) == 1
    status = store.source_status(mine.source_id)
    assert status is not None and status.next_due is not None and status.next_due - time.time() > 29 * 60


# -- redirects and endings ---------------------------------------------------------------


def test_a_permanent_redirect_moves_the_source_once_it_held_twice(store, server):
    server.redirect("/old.xml", "/new.xml", 301)
    server.feed("/new.xml", simple_rss(2))
    feed = spec(server, "/old.xml")
    for _ in range(2):
        [outcome] = refresh(store, [feed], settings=FAST)
        assert outcome.error is None
    assert len(server.requests("/old.xml")) == 2
    status = store.source_status(feed.source_id)
    assert status is not None and status.location == server.url("/new.xml")
    refresh(store, [feed], settings=FAST)
    assert len(server.requests("/old.xml")) == 2  # not asked any more
    assert len(server.requests("/new.xml")) == 3


def test_a_temporary_redirect_or_a_broken_run_does_not_move(store, server):
    server.redirect("/temp.xml", "/new.xml", 302)
    server.feed("/new.xml", simple_rss(2))
    feed = spec(server, "/temp.xml")
    for _ in range(3):
        refresh(store, [feed], settings=FAST)
    status = store.source_status(feed.source_id)
    assert status is not None and status.location is None and status.moved_to is None


def test_gone_stops_fetching_even_forced(run, server):
    server.feed("/feed.xml", simple_rss(1))
    run("add", server.url("/feed.xml"), "--name", "old")  # `add` asks once: is it a feed?
    server.status("/feed.xml", 410, b"gone")
    assert "410 Gone" in run("refresh", check=1).stderr
    run("refresh", "--force")
    assert len(server.requests("/feed.xml")) == 2
    assert "gone: HTTP 410" in run("sources").stdout
    [row] = [json.loads(line) for line in run("sources", "--json").stdout.splitlines()]
    assert row["gone"] is not None


@pytest.mark.parametrize(
    "target", ["http://10.255.255.1/feed.xml", "http://169.254.169.254/latest/meta-data"]
)
def test_a_redirect_from_loopback_to_private_or_link_local_is_refused_unsent(server, target):
    server.redirect("/feed.xml", target)
    started = time.monotonic()
    with HttpClient() as http:
        got = http.get(f"http://localhost:{server.port}/feed.xml", options=HttpOptions(connect_timeout=5))
    assert got.error is not None and "refused" in got.error and "address" in got.error
    assert time.monotonic() - started < 2  # no connection was tried


def test_a_redirect_from_a_public_address_to_loopback_is_refused(monkeypatch):
    monkeypatch.setattr(hosts, "TEST_PUBLIC_ADDRESSES", {"127.0.0.2"})
    with FeedServer("127.0.0.2") as public, FeedServer() as inside:
        inside.feed("/admin", b"secret")
        public.redirect("/feed.xml", inside.url("/admin"))
        with HttpClient() as http:
            got = http.get(public.url("/feed.xml"))
        assert got.error is not None and "from a public address to a loopback address refused" in got.error
        assert inside.requests() == []


def test_redirect_classes():
    assert redirect_refusal("http://127.0.0.1/a", "http://127.0.0.1:8080/b") is None
    assert redirect_refusal("http://10.0.0.1/a", "http://10.0.0.2/b") is None
    assert redirect_refusal("http://10.0.0.1/a", "http://[::1]/b") is not None
    assert redirect_refusal("http://127.0.0.1/a", "http://[::ffff:169.254.169.254]/b") is not None


# -- validators, auth, proxies ------------------------------------------------------------


def test_validators_go_back_byte_for_byte(store, server):
    etag = 'W/"caf\xc3\xa9 1"'  # UTF-8 bytes as the server sends them
    modified = "Tuesday, 01-Dec-26 10:00:00 GMT"

    def serve(h: Handler) -> None:
        if h.headers.get("If-None-Match") == etag:
            h.reply(304)
        else:
            h.reply(200, simple_rss(1), "application/rss+xml", {"ETag": etag, "Last-Modified": modified})

    server.route("/feed.xml", serve)
    feed = spec(server, "/feed.xml")
    refresh(store, [feed], settings=FAST)
    [second] = refresh(store, [feed], settings=FAST)
    seen = server.requests("/feed.xml")[1].headers
    assert (seen["if-none-match"], seen["if-modified-since"]) == (etag, modified)
    assert second.not_modified


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_basic_auth_from_options_and_from_the_url(store, server):
    def guarded(h: Handler) -> None:
        if h.headers.get("Authorization") == _basic("ann", "s3cret"):
            h.reply(200, simple_rss(1), "application/rss+xml")
        else:
            h.reply(401, b"who?", headers={"WWW-Authenticate": 'Basic realm="feeds"'})

    server.route("/private.xml", guarded)
    command = f"{sys.executable} -c \"print('s3cret')\""
    by_option = spec(server, "/private.xml", "a", username="ann", password_command=command)
    in_url = SourceSpec(
        "b", "feed", f"http://ann@127.0.0.1:{server.port}/private.xml", {"password_command": command}
    )
    without = spec(server, "/private.xml", "c")
    outcomes = refresh(store, [by_option, in_url, without], settings=FAST)
    assert [o.error for o in outcomes[:2]] == [None, None]
    assert outcomes[2].error == "HTTP 401 Unauthorized"
    failing = spec(
        server, "/private.xml", "d", username="ann", password_command=f"{sys.executable} -c 'exit(3)'"
    )
    [failed] = refresh(store, [failing], settings=FAST)
    assert failed.error == "password_command failed (exit status 3)"


def test_credentials_stay_with_their_origin(store):
    with FeedServer() as site, FeedServer("127.0.0.2") as elsewhere:
        site.redirect("/feed.xml", elsewhere.url("/feed.xml"))
        elsewhere.feed("/feed.xml", simple_rss(1))
        command = f"{sys.executable} -c \"print('s3cret')\""
        [outcome] = refresh(
            store, [spec(site, "/feed.xml", username="ann", password_command=command)], settings=FAST
        )
        assert outcome.error is None
        assert "authorization" in site.requests("/feed.xml")[0].headers
        assert "authorization" not in elsewhere.requests("/feed.xml")[0].headers


def test_a_proxy_setting_and_the_environment_are_used(run, profile, server):
    server.feed("/feed.xml", simple_rss(2))
    with ProxyServer() as proxy:
        run("add", server.url("/feed.xml"), "--name", "news")
        run("refresh", env={"HTTP_PROXY": proxy.url, "NO_PROXY": ""})
        assert [s.path for s in proxy.seen] == [server.url("/feed.xml")]
        run("refresh", "--force", env={"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"})
        assert len(proxy.seen) == 1  # NO_PROXY: direct
        profile(f'proxy = "{proxy.url}"\n')
        run("refresh", "--force")
        assert len(proxy.seen) == 2
        assert len(server.requests("/feed.xml")) == 4  # `add` asked once, directly
