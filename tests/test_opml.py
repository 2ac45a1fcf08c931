"""OPML import and export: feeds, names and categories (tags) survive a round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from termnews.models import SourceSpec
from termnews.opml import OpmlError, OpmlFeed, default_name, read_opml, write_opml

OTHER_READER = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="News" title="News">
      <outline text="World" title="World">
        <outline type="rss" text="Globe" title="The Globe" xmlUrl="https://globe.example.org/rss" htmlUrl="https://globe.example.org/"/>
      </outline>
      <outline type="rss" text="Local" xmlUrl="https://local.example.org/feed" category="/Town,/Weather"/>
    </outline>
    <outline type="atom" text="Blog" xmlUrl="https://blog.example.org/atom.xml"/>
    <outline type="rss" xmlUrl="https://untitled.example.org:8443/x.xml"/>
    <outline type="rss" text="Dup" xmlUrl="https://blog.example.org/atom.xml"/>
    <outline text="Empty folder"/>
  </body>
</opml>"""


def test_reads_folders_and_categories_as_tags():
    assert read_opml(OTHER_READER) == [
        OpmlFeed("The Globe", "https://globe.example.org/rss", ("News", "World")),
        OpmlFeed("Local", "https://local.example.org/feed", ("News", "Town", "Weather")),
        OpmlFeed("Blog", "https://blog.example.org/atom.xml", ()),
        OpmlFeed("", "https://untitled.example.org:8443/x.xml", ()),
    ]


def test_round_trip_keeps_names_urls_and_tags():
    specs = [
        SourceSpec("The Globe", "feed", "https://globe.example.org/rss?a=1&b=2", tags=("News", "World")),
        SourceSpec("Local", "feed", "https://local.example.org/feed", tags=("News", "Town/Weather")),
        SourceSpec("Blog <&>", "feed", "https://blog.example.org/atom.xml"),
    ]
    text = write_opml(specs)
    assert read_opml(text.encode()) == [OpmlFeed(s.name, s.location, s.tags) for s in specs]


@pytest.mark.parametrize(
    "doc, message",
    [
        (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x "y">]><opml><body/></opml>', "DOCTYPE"),
        (b"<opml><body><outline", "not well-formed"),
        (b"<rss><channel/></rss>", "not OPML"),
        (b"<opml><head/></opml>", "without a <body>"),
    ],
)
def test_refuses_what_is_not_plain_opml(doc, message):
    with pytest.raises(OpmlError, match=message):
        read_opml(doc)


def test_default_names():
    assert default_name("https://www.example.org/feed.xml") == "example.org"
    assert default_name("http://127.0.0.1:8080/feed.xml") == "127.0.0.1:8080"
    assert default_name("/home/me/feeds/world-news.rss") == "world-news"


def test_cli_import_then_export_then_import_elsewhere(tmp_path, profile, termnews):
    source = tmp_path / "in.opml"
    source.write_bytes(OTHER_READER)
    first, second = profile(name="first"), profile(name="second")

    done = termnews(first, "import-opml", str(source))
    assert done.stdout.strip() == "imported 4 feeds"
    again = termnews(first, "import-opml", str(source))
    assert again.stdout.strip() == "imported 0 feeds (4 already subscribed or skipped)"

    exported = tmp_path / "out.opml"
    termnews(first, "export-opml", str(exported))
    assert termnews(first, "export-opml").stdout == exported.read_text()
    termnews(second, "import-opml", str(exported))

    def listing(home: Path) -> list[tuple]:
        rows = map(json.loads, termnews(home, "sources", "--json").stdout.splitlines())
        return sorted((r["name"], r["kind"], r["location"], tuple(r["tags"])) for r in rows)

    assert (
        listing(first)
        == listing(second)
        == sorted(
            [
                ("The Globe", "feed", "https://globe.example.org/rss", ("News", "World")),
                ("Local", "feed", "https://local.example.org/feed", ("News", "Town", "Weather")),
                ("Blog", "feed", "https://blog.example.org/atom.xml", ()),
                ("untitled.example.org:8443", "feed", "https://untitled.example.org:8443/x.xml", ()),
            ]
        )
    )


def test_cli_import_errors_are_usage_errors(tmp_path, run):
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<html><body>not opml</body></html>")
    assert "not OPML" in run("import-opml", str(bad), check=2).stderr
    missing = run("import-opml", str(tmp_path / "nope.opml"), check=2)
    assert "no such file" in missing.stderr
