"""`termnews add https://site/`: a page's feeds found, listed, chosen (issue 16)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from textual.widgets import Input

from app_support import Notices, make_app, make_home, screen_text, settle
from feedserver import simple_rss
from termnews.discover import alternates, sniff_feed
from termnews.screens.prompt import PromptScreen
from termnews.session import Session

JSON_FEED = json.dumps(
    {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "content_text": "x"}]}
).encode()


def page(*links: str, base: str = "") -> bytes:
    head = "".join(links) + (f'<base href="{base}">' if base else "")
    return f"<!DOCTYPE html><html><head><title>Site</title>{head}</head><body><p>Hello</p></body></html>".encode()


def link(href: str, kind: str = "application/rss+xml", title: str = "", rel: str = "alternate") -> str:
    return f'<link rel="{rel}" type="{kind}" href="{href}" title="{title}">'


def sources(run) -> dict[str, str]:
    return {r["name"]: r["location"] for r in map(json.loads, run("sources", "--json").stdout.splitlines())}


def test_links_are_read_relative_to_base_without_repeats():
    body = page(
        link("/rss.xml", title="Posts"),
        link("atom.xml", "application/atom+xml", "Atom"),
        link("/rss.xml"),
        link("/feed.json", "application/feed+json", "JSON"),
        link("/style.css", "text/css", rel="stylesheet"),
        link("/other.html", "text/html"),
        link("javascript:alert(1)"),
        base="http://site.test/blog/",
    )
    found = alternates(body, "http://site.test/")
    assert [(f.url, f.title, f.format) for f in found] == [
        ("http://site.test/rss.xml", "Posts", "RSS"),
        ("http://site.test/blog/atom.xml", "Atom", "Atom"),
        ("http://site.test/feed.json", "JSON", "JSON Feed"),
    ]


def test_sniffing_feeds():
    assert sniff_feed(simple_rss(1), "text/xml") == "RSS"
    assert sniff_feed(b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">', "") == "Atom"
    assert sniff_feed(JSON_FEED, "application/json") == "JSON Feed"
    assert sniff_feed(b'{"not": "a feed"}', "application/json") is None
    assert sniff_feed(page(), "text/html") is None


def test_a_page_with_one_feed_subscribes_to_it(run, server):
    server.route("/", lambda h: h.reply(200, page(link("/news.rss", title="News")), "text/html"))
    server.feed("/news.rss", simple_rss(2))
    done = run("add", server.url("/"))
    assert "added feed source 'News'" in done.stdout
    assert sources(run) == {"News": server.url("/news.rss")}
    assert run("refresh").stdout.startswith("1 source ok")


def test_a_feed_url_is_subscribed_as_given(run, server):
    server.feed("/feed.xml", simple_rss(1))
    run("add", server.url("/feed.xml"), "--name", "direct")
    assert sources(run) == {"direct": server.url("/feed.xml")}


def test_a_page_without_links_is_tried_at_the_usual_places(run, server):
    server.route("/", lambda h: h.reply(200, page(), "text/html"))
    server.feed("/atom.xml", simple_rss(1))
    run("add", server.url("/"), "--name", "site")
    assert sources(run) == {"site": server.url("/atom.xml")}
    tried = [s.path for s in server.requests()]
    assert tried == ["/", "/feed/", "/rss.xml", "/atom.xml"]  # stops at the first found


def test_a_page_without_feeds_says_so(run, server):
    server.route("/", lambda h: h.reply(200, page(), "text/html"))
    done = run("add", server.url("/"), check=1)
    assert "no feed found at" in done.stderr and "/feed/" in done.stderr
    assert sources(run) == {}


def test_several_feeds_without_a_terminal_are_listed_exit_2(run, server):
    server.route(
        "/",
        lambda h: h.reply(
            200, page(link("/posts.xml", title="Posts"), link("/comments.xml", title="Comments")), "text/html"
        ),
    )
    done = run("add", server.url("/"), check=2)
    assert "1. Posts [RSS]" in done.stdout and "2. Comments [RSS]" in done.stdout
    assert "2 feeds found" in done.stderr and "--all" in done.stderr
    assert sources(run) == {}
    run("add", server.url("/"), "--all")
    assert sources(run) == {"Posts": server.url("/posts.xml"), "Comments": server.url("/comments.xml")}


def on_a_terminal(home: Path, env: dict[str, str], *args: str) -> tuple[subprocess.Popen, int]:
    """`termnews --home HOME ARGS` with a pseudo-terminal for its input and output: (process, our end)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "termnews", "--home", str(home), *args],
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    return proc, leader


def read_until(leader: int, wanted: bytes, seconds: float) -> bytes:
    """What the terminal showed until `wanted` appeared (or `seconds` passed)."""
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        if select.select([leader], [], [], 1)[0]:
            seen += os.read(leader, 4096)
    return seen


def test_several_feeds_on_a_terminal_are_chosen_by_number(home, subprocess_env, server, run):
    server.route(
        "/",
        lambda h: h.reply(
            200, page(link("/a.xml", title="A"), link("/b.xml", title="B"), link("/c.xml")), "text/html"
        ),
    )
    proc, leader = on_a_terminal(home, subprocess_env, "add", server.url("/"), "--name", "site")
    seen = read_until(leader, b"subscribe to", 60)
    os.write(leader, b"9\n")  # out of range: asked again
    os.write(leader, b"3 1\n")
    assert proc.wait(60) == 0
    os.close(leader)
    assert "3 feeds found" in seen.decode()
    assert sources(run) == {"site": server.url("/c.xml"), "site (2)": server.url("/a.xml")}


def test_an_unreachable_address_is_subscribed_as_given(run):
    done = run("add", "http://127.0.0.1:9/feed.xml", "--name", "later")
    assert "could not check" in done.stderr and "subscribed as given" in done.stderr
    assert sources(run) == {"later": "http://127.0.0.1:9/feed.xml"}


def test_a_json_feed_link(run, server):
    server.route(
        "/", lambda h: h.reply(200, page(link("/feed.json", "application/feed+json", "J")), "text/html")
    )
    server.feed("/feed.json", JSON_FEED, "application/feed+json")
    run("add", server.url("/"))
    assert sources(run) == {"J": server.url("/feed.json")}


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (404, "HTTP 404 Not Found"),
        (410, "HTTP 410 Gone: the feed was removed"),
        (400, "HTTP 400 Bad Request"),
    ],
)
def test_an_address_that_says_no_is_not_subscribed(run, server, status, said):
    server.status("/feed.xml", status)
    done = run("add", server.url("/feed.xml"), check=1)
    assert done.stderr == f"termnews: {server.url('/feed.xml')} cannot be subscribed to: {said}\n"
    assert done.stdout == "" and sources(run) == {}


def test_a_redirect_loop_is_not_subscribed(run, server):
    server.redirect("/loop", "/loop")
    done = run("add", server.url("/loop"), "--name", "loop", check=1)
    assert (
        done.stderr
        == f"termnews: {server.url('/loop')} cannot be subscribed to: too many redirects (more than 5)\n"
    )
    assert sources(run) == {}


@pytest.mark.parametrize("status", [500, 503, 429, 401, 403, 408])
def test_an_address_that_says_not_now_is_subscribed_as_given(run, server, status):
    server.status("/feed.xml", status)
    done = run("add", server.url("/feed.xml"), "--name", "later")
    assert "could not check" in done.stderr and "subscribed as given" in done.stderr
    assert sources(run) == {"later": server.url("/feed.xml")}


async def test_the_add_dialog_refuses_an_address_that_says_no(server, tmp_path: Path) -> None:
    server.status("/gone.xml", 404)
    home = make_home(tmp_path)
    notices = Notices()
    app = make_app(home)
    async with app.run_test(size=(100, 30), message_hook=notices.hook) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.press("ctrl+u", *server.url("/gone.xml"), "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)  # back, with the address to correct
        assert app.screen.query_one(Input).value == server.url("/gone.xml")
        assert "HTTP 404" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
    [notice] = [n for n in notices if n.title == "Not added"]
    assert notice.message == f"{server.url('/gone.xml')} cannot be subscribed to: HTTP 404 Not Found"
    session = Session.open(str(home))
    try:
        assert [spec.name for spec in session.specs()] == ["seeds"]
    finally:
        session.close()


def test_add_says_on_a_terminal_that_a_silent_server_is_awaited(home, subprocess_env):
    import signal
    import socket

    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml"
        proc, leader = on_a_terminal(home, subprocess_env, "add", url, "--name", "quiet")
        seen = read_until(leader, b"has not answered yet", 15)
        proc.send_signal(signal.SIGINT)  # the person gives up
        assert proc.wait(30) == 130
        os.close(leader)
    assert f"{url} has not answered yet (waiting up to 20 s)… (ctrl+c stops)" in seen.decode()
