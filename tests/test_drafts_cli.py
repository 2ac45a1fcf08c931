"""`termnews drafts list | show | export | delete`, through argparse as cli.py wires them."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from termnews.cli_drafts import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_drafts_commands
from termnews.session import Session
from termnews.store import Draft


def run(home: Path, *argv: str) -> int:
    """Parse like `termnews --home HOME drafts ...` and run the handler on a fresh session."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="termnews", parents=[common])
    add_drafts_commands(parser.add_subparsers(), common)
    args = parser.parse_args(["--home", str(home), *argv])
    session = Session.open(getattr(args, "home", None))
    try:
        return args.func(session, args)
    finally:
        session.close()


@pytest.fixture
def drafts(tmp_path: Path) -> list[Draft]:
    session = Session.open(str(tmp_path))
    try:
        store = session.store
        first = store.create_draft(
            article_id="a1",
            article_title="Russia’s Putin [Photo via Getty Images]",
            article_link="https://example.org/putin",
            article_source="seeds",
            comment="My reply\nsecond line",
            name="Ann",
            email="ann@example.org",
            now=1_700_000_000,
        )
        second = store.create_draft(
            article_id="a2",
            article_title="Evil \x1b]0;title\x07 feed",
            article_link=None,
            article_source="feed",
            comment="",
            name="",
            email="nope",
            now=1_700_000_100,
        )
        store.set_draft_state(first.id, 1, "draft")  # touches `updated`: now newest
        return [store.draft(first.id), store.draft(second.id)]
    finally:
        session.close()


def test_list_is_empty_without_drafts(tmp_path: Path, capsys) -> None:
    assert run(tmp_path, "drafts", "list") == EXIT_OK
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("no drafts (press r on an article")
    assert run(tmp_path, "drafts", "list", "--json") == EXIT_OK
    assert capsys.readouterr() == ("", "")


def test_list_lines(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    assert run(tmp_path, "drafts", "list") == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"#{drafts[0].id} ") and "draft" in lines[0]
    assert "seeds" in lines[0] and "Russia’s Putin [Photo via Getty Images]  —  My reply" in lines[0]
    assert "\x1b" not in lines[1] and "\x07" not in lines[1]  # feed text cannot drive the terminal
    assert lines[1].endswith("—  (empty)")


def test_list_json(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    assert run(tmp_path, "drafts", "list", "--json") == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [drafts[0].id, drafts[1].id]
    assert rows[0]["comment"] == "My reply\nsecond line"
    assert rows[0]["article_link"] == "https://example.org/putin"
    assert rows[0]["problems"] == {} and rows[0]["state"] == "draft"
    assert rows[1]["problems"].keys() == {"comment", "name", "email"}


def test_show(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    assert run(tmp_path, "drafts", "show", str(drafts[0].id)) == EXIT_OK
    out = capsys.readouterr().out
    # Plain text, as written: no Markdown escapes (those are for `export --format md`).
    assert out.startswith("## Reply to: Russia’s Putin [Photo via Getty Images]\n")
    assert "- Name: Ann" in out and out.endswith("My reply\nsecond line\n")
    assert run(tmp_path, "drafts", "show", f"#{drafts[0].id}", "--json") == EXIT_OK
    assert json.loads(capsys.readouterr().out)["name"] == "Ann"


def test_show_or_delete_a_missing_draft(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    assert run(tmp_path, "drafts", "show", "99") == EXIT_FAILED
    assert "no draft #99" in capsys.readouterr().err
    assert run(tmp_path, "drafts", "delete", "99") == EXIT_FAILED


def test_bad_id_and_no_action_are_usage_errors(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(tmp_path, "drafts", "show", "abc")
    assert exit_.value.code == 2 and "not a draft number" in capsys.readouterr().err
    assert run(tmp_path, "drafts") == EXIT_USAGE
    assert "choose an action" in capsys.readouterr().err


def test_export_markdown_to_stdout(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    assert run(tmp_path, "drafts", "export") == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("# termnews drafts (2)\n") and out.count("## Reply to:") == 2


def test_export_to_files(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    as_json = tmp_path / "out" / "drafts.json"
    assert run(tmp_path, "drafts", "export", str(as_json)) == EXIT_OK
    assert "exported 2 drafts to" in capsys.readouterr().err
    assert [d["id"] for d in json.loads(as_json.read_text(encoding="utf-8"))] == [d.id for d in drafts]
    forced = tmp_path / "drafts.txt"
    assert run(tmp_path, "drafts", "export", "--format", "json", str(forced)) == EXIT_OK
    assert len(json.loads(forced.read_text(encoding="utf-8"))) == 2
    markdown = tmp_path / "drafts.md"
    assert run(tmp_path, "drafts", "export", str(markdown)) == EXIT_OK
    assert markdown.read_text(encoding="utf-8").startswith("# termnews drafts (2)")
    assert run(tmp_path, "drafts", "export", "--format", "json", "-") == EXIT_OK
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_export_to_an_unwritable_place_fails_cleanly(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert run(tmp_path, "drafts", "export", str(blocker / "drafts.md")) == EXIT_FAILED
    assert "cannot write" in capsys.readouterr().err


def test_delete(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    assert run(tmp_path, "drafts", "delete", str(drafts[1].id)) == EXIT_OK
    assert f"deleted draft #{drafts[1].id}" in capsys.readouterr().out
    run(tmp_path, "drafts", "list", "--json")
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [drafts[0].id]


def test_drafts_survive_deleting_the_cache(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    shutil.rmtree(tmp_path / "cache")
    assert run(tmp_path, "drafts", "list", "--json") == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["article_title"], r["article_link"]) for r in rows][0] == (
        "Russia’s Putin [Photo via Getty Images]",
        "https://example.org/putin",
    )


def test_home_may_follow_the_action(tmp_path: Path, drafts: list[Draft], capsys) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="termnews", parents=[common])
    add_drafts_commands(parser.add_subparsers(), common)
    args = parser.parse_args(["drafts", "list", "--json", "--home", str(tmp_path)])
    session = Session.open(args.home)
    try:
        assert args.func(session, args) == EXIT_OK
    finally:
        session.close()
    assert len(capsys.readouterr().out.splitlines()) == 2
