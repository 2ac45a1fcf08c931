"""What a second new user met in the CLI, as subprocesses: `show` printing Markdown escapes,
`refresh` calling a gone source "not due", silent or misleading answers to empty input."""

from __future__ import annotations

import json
import re
from email.utils import formatdate
from pathlib import Path

from feedserver import rss
from termnews.paths import Paths
from termnews.render import article_markdown
from termnews.store import Store

LONG = "The harbour board met on Thursday and agreed, after a long debate, " * 4


def test_show_prints_readable_text_without_escapes(run, home, server) -> None:
    page = server.url("/a3.html")
    item = {
        "title": "Fish &amp; Chips: [bold] prices for 2024-01-04",
        "link": page,
        "guid": "a3",
        "pubDate": formatdate(1_704_362_400, usegmt=True),  # 2024-01-04 10:00 UTC
        "description": (
            f"&lt;p&gt;Prices rose 5% (from £1.20) &amp;amp; more_things *here* [bold].&lt;/p&gt;"
            f"&lt;p&gt;{LONG}&lt;/p&gt;&lt;p&gt;See &lt;a href='{page}'&gt;the page&lt;/a&gt;.&lt;/p&gt;"
        ),
    }
    server.feed("/feed.xml", rss([item]))
    run("add", server.url("/feed.xml"), "--name", "gazette")
    run("refresh")
    [row] = map(json.loads, run("headlines", "--json").stdout.splitlines())
    shown = run("show", row["id"]).stdout
    assert "\\" not in shown
    blocks = shown.split("\n\n")
    assert blocks[:3] == ["# Fish & Chips: [bold] prices for 2024-01-04", "gazette · 2024-01-04 10:00", page]
    assert blocks[3] == "Prices rose 5% (from £1.20) & more_things *here* [bold]."
    assert all(len(line) <= 80 for line in blocks[4].splitlines()) and len(blocks[4].splitlines()) > 2
    assert " ".join(blocks[4].split()) == LONG.strip()
    assert shown.endswith(f"## Links\n\n1. {page}\n")

    # The reader in the app renders Markdown: there the escapes stay, so the text shows as written.
    with Store(Paths.resolve(home)) as store:
        article = store.article(row["id"])
    assert article is not None
    assert article_markdown(article).startswith("# Fish \\& Chips: \\[bold\\] prices for 2024\\-01\\-04\n")


def gone_and_live(server, profile, live_options: str = "") -> None:
    """A profile with a live feed ("live") and one whose server says 410 Gone ("old")."""
    server.status("/gone.xml", 410)
    server.feed("/feed.xml", rss([{"title": "One", "guid": "1"}]))
    profile(
        f'[[sources]]\nname = "live"\nkind = "feed"\nlocation = "{server.url("/feed.xml")}"\n{live_options}'
        f'[[sources]]\nname = "old"\nkind = "feed"\nlocation = "{server.url("/gone.xml")}"\n'
    )


def test_refresh_says_a_gone_source_is_gone_not_due(run, server, profile) -> None:
    gone_and_live(server, profile)
    first = run("refresh", check=1)
    assert "old: HTTP 410 Gone: the feed was removed" in first.stderr
    forced = run("refresh", "--force")
    assert forced.stdout.splitlines()[0] == (
        "1 source ok, 0 failed, 0 new articles, 1 gone (HTTP 410; see `termnews sources`)"
    )


def test_refresh_counts_not_due_and_gone_apart(run, server, profile) -> None:
    gone_and_live(server, profile, "refresh_minutes = 60\n")
    run("refresh", check=1)
    again = run("refresh")
    assert again.stdout.splitlines()[0] == (
        "0 sources ok, 0 failed, 0 new articles, 1 not due (see `termnews sources`; --force fetches them),"
        " 1 gone (HTTP 410; see `termnews sources`)"
    )


def test_an_empty_inbox_says_so_on_stderr(run) -> None:
    done = run("inbox")
    assert (done.stdout, done.stderr) == ("", "termnews: no answers to your replies yet\n")
    assert run("inbox", "--unread").stderr == "termnews: no unread answers to your replies\n"
    assert run("inbox", "--json").stderr == ""  # a script reads an empty list


def test_a_search_without_words_says_so(run) -> None:
    for query in ("", "*", "  ", "- !"):
        done = run("search", query, check=2)
        assert done.stderr == "termnews: the search has no words to look for (letters or digits)\n", query


def test_a_malformed_address_is_called_malformed(run) -> None:
    assert run("add", "https://example.org:99999/", check=2).stderr.startswith(
        "termnews: https://example.org:99999/: a malformed address ("
    )
    done = run("add", "http://[::1", check=2)
    assert done.stderr.startswith("termnews: http://[::1: a malformed address (")
    assert "only http and https" not in done.stderr
    assert run("add", "gopher://example.org/", check=2).stderr.endswith(
        "only http and https URLs can be subscribed to\n"
    )


def test_search_snippets_show_the_match_and_mark_what_is_left_out(run, profile, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    before = "Nothing of note happened in the town this week. " * 6
    (folder / "vote.txt").write_text(f"Council news\n\n{before}The election is on Sunday. {before}\n")
    (folder / "short.txt").write_text("Election day\n\nPolls open at eight.\n")
    profile(f'[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{folder}"\n')
    snippets = {
        row["title"]: row["snippet"]
        for row in map(json.loads, run("search", "élection", "--json").stdout.splitlines())
    }
    vote = snippets["Council news"]
    assert vote.startswith("…") and vote.endswith("…") and "election is on Sunday" in vote
    # Matched in the title only: the body's start, whole, with nothing marked as left out.
    assert snippets["Election day"] == "Polls open at eight."
    (folder / "long.txt").write_text(f"Referendum notes\n\n{before}\n")
    [row] = map(json.loads, run("search", "referendum", "--json").stdout.splitlines())
    assert row["snippet"].endswith("…") and re.match(r"Nothing of note", row["snippet"])


def test_sources_lines_up_names_after_a_long_kind(run, profile, tmp_path) -> None:
    (tmp_path / "notes").mkdir()
    profile(
        f'[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{tmp_path / "notes"}"\n'
        '[[sources]]\nname = "home"\nkind = "miniflux"\nurl = "http://127.0.0.1:9"\ntoken_command = "echo t"\n'
    )
    lines = run("sources").stdout.splitlines()
    local = next(line for line in lines if line.startswith("local"))
    server = next(line for line in lines if line.startswith("miniflux"))
    assert local.index("notes") == server.index("home")


async def test_the_app_says_how_many_sources_were_not_due_or_gone(run, home, server, profile) -> None:
    from app_support import make_app, screen_text, settle

    gone_and_live(server, profile, "refresh_minutes = 60\n")
    run("refresh", check=1)  # "live" is not due for an hour; "old" is gone
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        assert "refreshed: 0 new, 1 not due yet, 1 gone" in screen_text(app)


def test_the_app_with_its_output_redirected_says_it_needs_a_terminal(run) -> None:
    done = run(check=2, timeout=30)  # `termnews > file`: it waited for keys forever
    assert done.stdout == ""
    assert done.stderr == (
        "termnews: the app needs a terminal, and its input or output is redirected;"
        " scripts use the commands (`termnews --help`)\n"
    )


def test_headlines_mark_a_cut_source_name(run, profile, tmp_path) -> None:
    toml = ""
    for n, name in enumerate(("Valid & Hostile", "Valid & Hostile (2)")):
        folder = tmp_path / f"f{n}"
        folder.mkdir()
        (folder / "a.md").write_text(f"# Story {n}\n\nText.\n")
        toml += f'[[sources]]\nname = "{name}"\nkind = "local"\nlocation = "{folder}"\n'
    profile(toml)
    sources = sorted(line[15:33] for line in run("headlines").stdout.splitlines())
    assert sources == ["Valid & Hostile   ", "Valid & Hostile…  "]


def test_show_again_without_full_text_is_a_usage_error(run) -> None:
    done = run("show", "whatever", "--again", check=2)
    assert done.stderr == "termnews: --again goes with --full-text (it fetches the page again)\n"


def test_export_opml_leaves_a_feed_file_out(run, server, profile, tmp_path) -> None:
    feed_file = tmp_path / "saved.xml"
    feed_file.write_bytes(rss([{"title": "Kept", "guid": "k"}]))
    server.feed("/feed.xml", rss([{"title": "One", "guid": "1"}]))
    profile(
        f'[[sources]]\nname = "web"\nkind = "feed"\nlocation = "{server.url("/feed.xml")}"\n'
        f'[[sources]]\nname = "file"\nkind = "feed"\nlocation = "{feed_file}"\n'
    )
    done = run("export-opml")
    assert server.url("/feed.xml") in done.stdout and str(feed_file) not in done.stdout
    assert done.stderr.startswith("termnews: 1 source that is not on the web")


def test_forget_refused_clears_what_sources_lists_under_a_server(run, home, profile) -> None:
    from termnews.session import Session

    profile(
        '[[sources]]\nname = "home"\nkind = "miniflux"\nurl = "http://127.0.0.1:9"\ntoken_command = "echo t"\n'
    )
    session = Session.open(str(home))
    try:
        server = session.spec_named("home").source_id
        queue = session.store.sync_queue()
        queue.apply_page(server, [("7", "article-7", "feed/1")], [], None, 0.0)
        session.store.set_flag(["article-7"], "read", True)
        queue.refuse(server, queue.queued(server), "HTTP 400: no such entry", 1000.0)
    finally:
        session.close()
    assert "1 change refused by the server" in run("sources").stdout
    done = run("forget-refused", "home")
    assert done.stdout == "forgot 1 refused change of home (your flags here are unchanged)\n"
    assert "refused" not in run("sources").stdout
    assert run("forget-refused", "nope", check=2).stderr.startswith("termnews: no feed server named 'nope'")
