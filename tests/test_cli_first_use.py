"""What a new user meets in the first minutes with the CLI (issue 12), as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from feedserver import rss
from termnews.paths import HOME_ENV, Paths
from termnews.session import Session
from termnews.store import Store


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def cli(subprocess_env: dict[str, str], home: Path):
    """`python -m termnews --home HOME ARGS`; no traceback, ever."""

    def run(*args: str, env: dict[str, str] | None = None, home_option: bool = True):
        argv = [sys.executable, "-m", "termnews", *(["--home", str(home)] if home_option else []), *args]
        done = subprocess.run(
            argv, env=env or subprocess_env, capture_output=True, text=True, encoding="utf-8", timeout=120
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done

    return run


# -- search ---------------------------------------------------------------------------


def test_search_without_matches_says_so_on_stderr(cli) -> None:
    done = cli("search", "zzzz")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", "termnews: no matches\n")


def test_search_takes_every_word(cli) -> None:
    done = cli("search", "Putin", "Peskov", "--json")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["title"] for line in done.stdout.splitlines()] == [
        "Russia’s Putin won’t congratulate Biden until Trump concede"
    ]
    # Every word must appear: a second word found nowhere leaves nothing.
    assert cli("search", "Putin", "lighthouse").returncode == 1


# -- the profile folder -------------------------------------------------------------------


@pytest.mark.parametrize("command", [("sources",), ("headlines",), ("config", "init"), ()])
def test_home_that_is_a_file_is_one_line_and_exit_2(cli, home: Path, command: tuple[str, ...]) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("not a folder\n")
    done = cli(*command)
    assert done.returncode == 2
    assert done.stderr == f"termnews: --home {home}: not a folder\n"


def test_home_from_the_environment_that_is_a_file(cli, home: Path, subprocess_env) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("")
    done = cli("sources", env={**subprocess_env, HOME_ENV: str(home)}, home_option=False)
    assert done.returncode == 2
    assert done.stderr == f"termnews: {HOME_ENV} {home}: not a folder\n"


def test_home_under_a_file_is_one_line_and_exit_2(cli, home: Path) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("")
    below = home / "profile"
    done = cli("--home", str(below), "headlines", home_option=False)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("termnews: cannot keep termnews's files in ")
    assert done.stderr.rstrip().endswith(f"(--home {below})")


# -- sources ----------------------------------------------------------------------------------


def test_removing_the_seeds_points_to_the_setting(cli, home: Path) -> None:
    done = cli("remove", "seeds")
    assert done.returncode == 2
    assert "seeds = false" in done.stderr and "[general]" in done.stderr
    assert str(Paths.resolve(home).config_file) in done.stderr
    assert "remove it there" not in done.stderr


def test_wording_of_one_article_and_a_failed_source(cli, profile, tmp_path: Path, server) -> None:
    profile()  # the seeds off
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "one.txt").write_text("One note\n\nIts words.\n")
    server.status("/gone.xml", 500)
    assert cli("add", str(folder), "--name", "notes").returncode == 0
    assert cli("add", server.url("/gone.xml"), "--name", "broken").returncode == 0
    refreshed = cli("refresh")
    assert refreshed.stdout == "1 source ok, 1 failed, 1 new article\n"

    lines = cli("sources").stdout.splitlines()
    notes = next(line for line in lines if " notes " in line)
    broken = next(line for line in lines if " broken " in line)
    assert " 1 article " in notes and "1 articles" not in notes and " refreshed 20" in notes
    assert " 0 articles " in broken and "refreshed" not in broken and " failed 20" in broken

    stats = cli("cache", "stats").stdout
    assert stats.startswith("1 article, ") and "1 articles" not in stats

    exported = cli("export-opml")
    assert exported.stderr == (
        "termnews: 1 source that is not on the web (local folders and files, feed servers) left out of the OPML\n"
    )


def test_a_feed_file_that_is_a_web_page_does_not_blame_a_server(cli, profile, tmp_path: Path) -> None:
    profile()  # the seeds off
    page = tmp_path / "feed.xml"  # named like a feed, holding a web page
    page.write_text("<!DOCTYPE html><html><head><title>Hi</title></head><body>Hello</body></html>")
    assert cli("add", str(page)).returncode == 0
    done = cli("refresh")
    assert done.returncode == 1
    assert "server" not in done.stderr
    assert "not a feed" in done.stderr and "HTML page" in done.stderr


def test_an_article_file_is_refused_with_its_folder_named(cli, profile, tmp_path: Path) -> None:
    profile()
    (tmp_path / "notes").mkdir()
    note = tmp_path / "notes" / "note.md"
    note.write_text("# A note\n\nText.\n")
    done = cli("add", str(note))
    assert done.returncode == 2
    assert done.stderr == (
        f"termnews: {note}: an article, not a feed; add its folder ({tmp_path / 'notes'}) to read it\n"
    )
    assert "note" not in cli("sources").stdout


def test_a_blank_location_adds_nothing(cli, profile, tmp_path: Path) -> None:
    profile()
    for blank in ("", "  "):
        done = cli("add", blank)
        assert done.returncode == 2
        assert done.stderr == "termnews: nothing to add: give a feed's address, a feed file or a folder\n"
    assert cli("sources").stdout.startswith("no sources")


# -- what earlier work fixed, held through the CLI ---------------------------------------------


def test_config_mistakes_are_found_at_load_through_the_cli(cli, profile) -> None:
    profile('[[sources]]\nname = "x"\nkind = "rss"\nlocation = "https://example.org/"\n', seeds=True)
    done = cli("sources")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "rss" in done.stderr and "feed" in done.stderr and "local" in done.stderr

    profile('[identity\nname = "Ann"\n', seeds=True)
    done = cli("headlines")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "syntax error" in done.stderr and "line 1" in done.stderr


def test_a_deleted_draft_number_is_never_given_again(cli, home: Path) -> None:
    def new_draft() -> int:
        with Store(Paths.resolve(home)) as store:
            return store.create_draft(
                article_id="a", article_title="T", article_link=None, article_source="s"
            ).id

    cli("sources")  # creates the profile
    first, second = new_draft(), new_draft()
    assert cli("drafts", "delete", str(second)).returncode == 0
    assert new_draft() not in (first, second)
    assert cli("drafts", "show", str(second)).returncode == 1


# -- the help a new user reads -------------------------------------------------------------------


def test_every_command_has_help(cli) -> None:
    top = cli("--help")
    assert top.returncode == 0
    assert "termnews add URL" in top.stdout  # where to start
    commands = [
        "headlines", "search", "add", "remove", "sources", "refresh", "import-opml",
        "export-opml", "config", "cache", "drafts", "send",
    ]  # fmt: skip
    for command in commands:
        assert command in top.stdout
        done = cli(command, "--help")
        assert done.returncode == 0 and done.stdout.startswith("usage: termnews"), command


def test_local_folder_warnings_are_shown_and_kept(cli, home: Path, profile, tmp_path: Path) -> None:
    profile()  # the seeds off
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "kept.txt").write_text("Kept\n\nwords\n")
    (folder / "out.txt").symlink_to(tmp_path / "elsewhere.txt")
    (tmp_path / "elsewhere.txt").write_text("Secret\n")
    os.mkfifo(folder / "pipe.txt")
    assert cli("add", str(folder), "--name", "notes").returncode == 0
    expected = ["out.txt: skipped (link leads out of the folder)", "pipe.txt: skipped (not a regular file)"]

    for _ in range(2):  # the second refresh finds the folder unchanged: the warnings stay
        done = cli("refresh")
        assert done.returncode == 0
        assert done.stderr.splitlines() == [f"termnews: notes: warning: {w}" for w in expected]
    assert cli("refresh", "--quiet").stderr == ""

    listed = cli("sources").stdout.splitlines()
    assert [line.strip() for line in listed[1:]] == [f"warning: {w}" for w in expected]
    [row] = [json.loads(line) for line in cli("sources", "--json").stdout.splitlines()]
    assert row["warnings"] == expected

    session = Session.open(str(home))  # what the app reads
    try:
        status = session.source_status(session.spec_named("notes"))
        assert status is not None and status.warnings == tuple(expected)
    finally:
        session.close()

    (folder / "pipe.txt").unlink()
    (folder / "out.txt").unlink()
    assert cli("refresh").stderr == ""
    assert len(cli("sources").stdout.splitlines()) == 1


# -- dates ------------------------------------------------------------------------------------


def test_undated_local_files_show_no_date(cli, profile, tmp_path: Path) -> None:
    profile()  # the seeds off
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "old.txt").write_text("An article from 2020\n\nCloned today.\n")
    (folder / "page.html").write_text("<title>A page</title><p>No date here.</p>")
    (folder / "note.md").write_text("# A note\n\nNo date either.\n")
    (folder / "dated.md").write_text("---\ntitle: Dated\ndate: 2021-03-04T05:06:07Z\n---\nBody.\n")
    for name, stamp in (("old.txt", 3000), ("page.html", 2000), ("note.md", 1000)):
        os.utime(folder / name, (1_700_000_000 + stamp, 1_700_000_000 + stamp))
    cli("add", str(folder), "--name", "notes")
    rows = [json.loads(line) for line in cli("headlines", "--json").stdout.splitlines()]
    # No date is shown for a file without one (its mtime is when it was copied,
    # not when it was written); the files keep their order by it.
    assert [(r["title"], r["published"]) for r in rows] == [
        ("An article from 2020", None),
        ("A page", None),
        ("A note", None),
        ("Dated", "2021-03-04T05:06:07+0000"),
    ]
    plain = cli("headlines").stdout.splitlines()
    assert plain[0].startswith("N  ----------  notes")


def test_undated_feed_items_keep_the_order_they_were_first_seen_in(cli, profile, server) -> None:
    profile()  # the seeds off

    def feed(*titles: str) -> bytes:
        return rss([{"title": t, "guid": f"urn:{t}", "description": f"About {t}"} for t in titles])

    server.feed("/undated.xml", feed("C", "B", "A"))  # a feed lists its newest first
    cli("add", server.url("/undated.xml"), "--name", "undated")
    cli("refresh")

    def shown() -> list[str]:
        return [json.loads(line)["title"] for line in cli("headlines", "--json").stdout.splitlines()]

    assert shown() == ["C", "B", "A"]
    server.feed("/undated.xml", feed("E", "D", "C", "B", "A"))
    cli("refresh")
    assert shown() == ["E", "D", "C", "B", "A"]
    server.feed("/undated.xml", feed("B", "E", "A", "D", "C"))  # reordered: first seen still counts
    cli("refresh")
    assert shown() == ["E", "D", "C", "B", "A"]


def test_a_web_address_without_its_scheme_is_pointed_out(cli) -> None:
    done = cli("add", "example.org/feed.xml")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("for a web address, write https://example.org/feed.xml")
    assert "https://" not in cli("add", "missing.xml").stderr  # a file name is not a web address


def test_sources_in_a_fresh_home_counts_the_seeds(cli) -> None:
    [line] = cli("sources").stdout.splitlines()
    assert line.startswith("local  seeds  ") and " 7 articles  refreshed 20" in line


def test_an_empty_headline_list_says_so(cli, profile) -> None:
    profile()  # the seeds off
    done = cli("headlines", "--unread")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "termnews: no unread headlines\n")
    assert cli("headlines", "--json").stderr == ""


@pytest.mark.parametrize(
    "argv",
    [[], ["--home", "somewhere"], ["--home", "headlines"]],  # the last: a folder named like a command
)
def test_the_app_is_recognised_without_the_full_parser_as_the_parser_would(argv: list[str]) -> None:
    """`termnews [--home DIR]` skips building every command's parser; it means what argparse says."""
    from termnews.cli import app_arguments, build_parser, cmd_app

    quick, parsed = app_arguments(argv), build_parser().parse_args(argv)
    assert quick is not None and quick.func is cmd_app and parsed.func is cmd_app
    assert quick.home == getattr(parsed, "home", None)


@pytest.mark.parametrize(
    "argv",
    [
        ["--home=somewhere"],
        ["--home", "-x"],
        ["--ho", "somewhere"],
        ["headlines"],
        ["--home", "somewhere", "sources"],
        ["sources", "--home", "somewhere"],
        ["--version"],
        ["--help"],
    ],
)
def test_anything_else_is_left_to_the_parser(argv: list[str]) -> None:
    from termnews.cli import app_arguments

    assert app_arguments(argv) is None
