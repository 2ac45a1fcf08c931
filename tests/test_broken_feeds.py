"""Feeds whose XML is broken: cut off, or malformed mid-document.

A document with no whole entry before the break is that source's error (the
refresh fails, `sources` and the pane say so); one broken after some entries
gives those entries, with a warning; an entry the document was cut off in is
never stored half read. A local folder's broken feed file is a warning of
that folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app_support import make_app, make_home, screen_text, settle
from feedserver import simple_rss
from termnews.feedparse import FeedParseError, read_feed

RSS = simple_rss(3)
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id>
<entry><title>Story 0</title><id>urn:0</id><link href="http://x.test/0"/><content type="html">a</content></entry>
<entry><title>Story 1</title><id>urn:1</id><link href="http://x.test/1"/><content type="html">b</content></entry>
<entry><title>Story 2</title><id>urn:2</id><link href="http://x.test/2"/><content type="html">c</content></entry>
</feed>"""


def cut_after(document: bytes, end_tag: bytes, entries: int, extra: int = 20) -> bytes:
    """`document` cut `extra` bytes after its `entries`-th `end_tag` (inside the next entry)."""
    at = 0
    for _ in range(entries):
        at = document.index(end_tag, at) + len(end_tag)
    return document[: at + extra]


def sources(run) -> dict[str, dict]:
    return {r["name"]: r for r in map(json.loads, run("sources", "--json").stdout.splitlines())}


@pytest.mark.parametrize(("document", "end_tag"), [(RSS, b"</item>"), (ATOM, b"</entry>")])
def test_a_cut_document_gives_exactly_the_entries_complete_before_the_cut(document, end_tag) -> None:
    for cut in range(1, len(document.rstrip())):  # every cut before the root element ends
        head = document[:cut]
        whole = min(head.count(end_tag), 3)
        try:
            read = read_feed(head, "http://x.test/feed")
        except FeedParseError as exc:
            assert whole == 0, (cut, str(exc))
            assert "XML broken at line" in str(exc)
            continue
        assert [a.title for a in read.articles] == [f"Story {i}" for i in range(whole)], cut
        assert read.warnings and "the document ends early" in read.warnings[0], cut
    whole = read_feed(document, "http://x.test/feed")
    assert len(whole.articles) == 3 and whole.warnings == ()


def test_xml_broken_mid_document_is_read_leniently_with_a_warning() -> None:
    broken = RSS.replace(b"<title>Story 1</title>", b"<title>Story 1 & more</title>")
    read = read_feed(broken, "http://x.test/feed")
    assert [a.title for a in read.articles] == ["Story 0", "Story 1 & more", "Story 2"]
    [warning] = read.warnings
    assert re.fullmatch(r"XML broken at line \d+: not well-formed \(invalid token\); .*", warning)


def test_a_feed_cut_before_its_first_entry_fails_its_refresh(run, server) -> None:
    server.feed("/cut.xml", cut_after(RSS, b"</item>", 0, RSS.index(b"<item>") + 30))
    run("add", server.url("/cut.xml"), "--name", "cut")
    done = run("refresh", check=1)
    assert re.search(
        r"termnews: cut: not a feed: XML broken at line \d+: the document ends early", done.stderr
    )
    assert done.stdout.startswith("0 sources ok, 1 failed")
    row = sources(run)["cut"]
    assert row["articles"] == 0 and "not a feed: XML broken" in row["last_error"]
    assert "last error: not a feed: XML broken" in run("sources").stdout


def test_a_feed_cut_after_two_entries_gives_them_with_a_warning(run, server) -> None:
    server.feed("/cut.xml", cut_after(RSS, b"</item>", 2))
    run("add", server.url("/cut.xml"), "--name", "cut")
    done = run("refresh")
    assert done.stdout.startswith("1 source ok, 0 failed, 2 new articles")
    assert re.search(
        r"cut: warning: XML broken at line \d+: the document ends early; read the 2 entries before it",
        done.stderr,
    )
    titles = {json.loads(line)["title"] for line in run("headlines", "--json").stdout.splitlines()}
    assert titles == {"Story 0", "Story 1"}  # Story 2 was cut off: not stored half read
    row = sources(run)["cut"]
    assert row["last_error"] is None and "the document ends early" in row["warnings"][0]
    again = run("refresh", "--force")  # a 304: the same document, the same warning
    assert "cut: warning: XML broken" in again.stderr
    assert sources(run)["cut"]["warnings"] == row["warnings"]


def test_a_broken_feed_file_in_a_folder_is_a_warning_of_the_folder(run, profile, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "note.md").write_text("# A note\n\nwords\n")
    (folder / "empty.xml").write_bytes(RSS[:200])
    (folder / "half.rss").write_bytes(cut_after(RSS, b"</item>", 1))
    profile(f'[[sources]]\nname = "notes"\nkind = "local"\nlocation = "{folder}"\n')
    done = run("refresh")
    assert re.search(r"notes: warning: empty\.xml: skipped \(not a feed: XML broken at line \d+", done.stderr)
    assert re.search(
        r"notes: warning: half\.rss: XML broken at line \d+: the document ends early", done.stderr
    )
    titles = {json.loads(line)["title"] for line in run("headlines", "--json").stdout.splitlines()}
    assert titles == {"A note", "Story 0"}
    assert len(sources(run)["notes"]["warnings"]) == 2


async def test_the_sources_pane_marks_a_cut_feed_failed(server, tmp_path: Path) -> None:
    server.feed("/cut.xml", RSS[:150])
    home = make_home(
        tmp_path, f'\n[[sources]]\nname = "cut"\nkind = "feed"\nlocation = "{server.url("/cut.xml")}"\n'
    )
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        assert re.search(r"✗ cut +0/0", screen_text(app))


def test_breaks_a_lenient_reading_loses_nothing_to_carry_no_warning() -> None:
    """An HTML entity (its DTD removed, or never there), a character reference XML forbids
    (sanitized away), an undeclared prefix: every reader reads these feeds whole."""
    for oddity in ("&nbsp;", "&#27;", "<media:title>t</media:title>"):
        broken = RSS.replace(b"<title>Story 1</title>", f"<title>Story 1{oddity}</title>".encode())
        read = read_feed(broken, "http://x.test/feed")
        assert len(read.articles) == 3 and read.warnings == (), oddity


async def test_the_sources_pane_shows_a_stored_warning_at_start(run, server, home: Path) -> None:
    server.feed("/cut.xml", cut_after(RSS, b"</item>", 2))
    run("add", server.url("/cut.xml"), "--name", "cut")
    run("refresh")  # the warning is stored; the app below does not fetch the feed again
    app = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("1")
        await settle(app, pilot)
        assert re.search(r"⚠ cut +2/2", screen_text(app)), screen_text(app)
