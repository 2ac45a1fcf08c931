"""`python -m termnews headlines|search|config`, run as a person would, in a throwaway home."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from termnews.config import DEFAULT_CONFIG
from termnews.paths import Paths
from termnews.store import Store

EXPECTED_DIR = Path(__file__).parent / "data" / "seeds_expected"
PUTIN_TITLE = "Russia’s Putin won’t congratulate Biden until Trump concede"
KEYS = {"id", "title", "source", "published", "read", "starred", "link"}


def seed_entries() -> list[dict]:
    return [
        entry
        for path in sorted(EXPECTED_DIR.glob("*.json"))
        for entry in json.loads(path.read_text(encoding="utf-8"))
    ]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def cli(subprocess_env: dict[str, str], home: Path, tmp_path: Path):
    """Run `python -m termnews ARGS --home HOME` (TZ=UTC)."""
    env = {**subprocess_env, "TZ": "UTC"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "termnews", *args, "--home", str(home)]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert not (tmp_path / "xdg").exists(), "termnews wrote outside --home"
        return done

    return run


def json_lines(done: subprocess.CompletedProcess[str]) -> list[dict]:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def mark(home: Path, title: str, flag: str) -> None:
    with Store(Paths.resolve(home)) as store:
        [aid] = [h.id for h in store.headlines() if h.title == title]
        store.set_flag([aid], flag, True)  # type: ignore[arg-type]


# -- headlines ---------------------------------------------------------------------


def test_headlines_json_lists_every_seed(cli) -> None:
    rows = json_lines(cli("headlines", "--json"))
    expected = seed_entries()
    assert sorted(r["title"] for r in rows) == sorted(e["title"] for e in expected)
    assert PUTIN_TITLE in [r["title"] for r in rows]
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert KEYS <= row.keys()
        assert row["source"] == "seeds"
        assert row["read"] is False and row["starred"] is False
        assert isinstance(row["id"], str) and row["id"]

    links = {e["title"]: e["link"] for e in expected}
    assert {r["title"]: r["link"] for r in rows} == links

    # Seeds with their own date show it (TZ=UTC), newest first among them; the others show none.
    dated = [e for e in expected if e["published"] != "mtime"]
    by_title = {r["title"]: r for r in rows}
    assert {r["title"] for r in rows if r["published"] is None} == {
        e["title"] for e in expected if e["published"] == "mtime"
    }
    for entry in dated:
        shown = datetime.fromisoformat(by_title[entry["title"]]["published"])
        if shown.tzinfo is None:
            shown = shown.replace(tzinfo=UTC)
        assert shown == datetime.fromisoformat(entry["published"])
    dated_titles = {e["title"] for e in dated}
    assert [r["title"] for r in rows if r["title"] in dated_titles] == [
        e["title"] for e in sorted(dated, key=lambda e: e["published"], reverse=True)
    ]


def test_headlines_ids_are_the_same_on_every_run(cli) -> None:
    first = {r["title"]: r["id"] for r in json_lines(cli("headlines", "--json"))}
    second = {r["title"]: r["id"] for r in json_lines(cli("headlines", "--json"))}
    assert first == second


def test_headlines_json_published_has_a_utc_offset(cli) -> None:
    rows = json_lines(cli("headlines", "--json"))
    for row in rows:
        if row["published"] is not None:  # undated files show none
            assert datetime.fromisoformat(row["published"]).tzinfo is not None


def test_headlines_plain_text(cli) -> None:
    done = cli("headlines")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(seed_entries())
    assert any(line.endswith(PUTIN_TITLE) for line in lines)
    assert all(line.startswith("N ") for line in lines)


def test_headlines_unread_and_flags(cli, home: Path) -> None:
    everything = json_lines(cli("headlines", "--json"))
    assert json_lines(cli("headlines", "--json", "--unread")) == everything

    mark(home, PUTIN_TITLE, "read")
    mark(home, "Dark-sky evening at the lighthouse", "starred")

    unread = json_lines(cli("headlines", "--json", "--unread"))
    assert PUTIN_TITLE not in [r["title"] for r in unread]
    assert len(unread) == len(everything) - 1

    rows = {r["title"]: r for r in json_lines(cli("headlines", "--json"))}
    assert rows[PUTIN_TITLE]["read"] is True
    assert rows[PUTIN_TITLE]["starred"] is False
    assert rows["Dark-sky evening at the lighthouse"]["starred"] is True
    assert rows["Dark-sky evening at the lighthouse"]["read"] is False


def test_headlines_limit(cli) -> None:
    everything = json_lines(cli("headlines", "--json"))
    limited = json_lines(cli("headlines", "--json", "--limit", "2"))
    assert limited == everything[:2]
    assert len(limited) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("headlines", "--limit", "x"), "not a whole number"),
        (("headlines", "--limit", "0"), "must be 1 or more"),
        (("search", "putin", "--limit", "-3"), "must be 1 or more"),
    ],
)
def test_bad_limit_is_a_usage_error_without_traceback(cli, args: tuple[str, ...], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "--limit" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_home_from_the_environment(subprocess_env: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "from-env"
    done = subprocess.run(
        [sys.executable, "-m", "termnews", "headlines", "--json"],
        env={**subprocess_env, "TERMNEWS_HOME": str(other)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert len(json_lines(done)) == len(seed_entries())
    assert Paths.resolve(other).state_db.exists()
    assert Paths.resolve(other).cache_db.exists()
    assert not (tmp_path / "xdg").exists()  # nothing fell back to the platform folders


def test_home_before_the_command(termnews, home: Path, tmp_path: Path) -> None:
    assert len(json_lines(termnews(home, "headlines", "--json"))) == len(seed_entries())
    assert not (tmp_path / "xdg").exists()  # the platform folders were not used instead
    assert Paths.resolve(home).cache_db.exists()
    assert termnews(home, "config", "path").stdout.strip() == str(Paths.resolve(home).config_file)


def test_broken_config_is_reported_without_traceback(cli, home: Path) -> None:
    config = Paths.resolve(home).config_file
    config.parent.mkdir(parents=True)
    config.write_text("[general]\nseeds = 'yes'\n", encoding="utf-8")
    done = cli("headlines")
    assert done.returncode == 2
    assert "general.seeds" in done.stderr and "true or false" in done.stderr
    assert "Traceback" not in done.stderr


# -- search ---------------------------------------------------------------------------


def test_search_finds_a_word_from_a_seed_body(cli) -> None:
    rows = json_lines(cli("search", "Peskov", "--json"))
    assert [r["title"] for r in rows] == [PUTIN_TITLE]
    assert KEYS <= rows[0].keys()

    rows = json_lines(cli("search", "rowan", "--json"))  # inside the HTML seed
    assert [r["title"] for r in rows] == ["Volunteers plant 300 trees along the old rail line"]

    done = cli("search", "lighth*")  # title prefix, plain output
    assert done.returncode == 0
    title, _, match = done.stdout.rstrip("\n").partition("  | ")
    assert title.endswith("Dark-sky evening at the lighthouse")
    assert "lighthouse" in match  # the words around the match follow the title


def test_search_without_results_exits_1(cli) -> None:
    done = cli("search", "xylophonequartz")
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr

    done = cli("search", 'NEAR("')
    assert done.returncode == 1
    assert "Traceback" not in done.stderr


# -- config ------------------------------------------------------------------------------


def test_config_path_and_init(cli, home: Path) -> None:
    config_file = Paths.resolve(home).config_file

    done = cli("config", "path")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(config_file)
    assert not config_file.exists()

    done = cli("config", "init")
    assert done.returncode == 0, done.stderr
    assert str(config_file) in done.stdout
    assert config_file.read_text(encoding="utf-8") == DEFAULT_CONFIG

    config_file.write_text(DEFAULT_CONFIG + "# my own edit\n", encoding="utf-8")
    done = cli("config", "init")
    assert done.returncode == 1
    assert "exists already" in done.stderr
    assert config_file.read_text(encoding="utf-8") == DEFAULT_CONFIG + "# my own edit\n"

    # The written default config is valid and keeps the seeds.
    assert len(json_lines(cli("headlines", "--json"))) == len(seed_entries())


def test_corrupt_state_is_kept_and_says_where(cli, home: Path) -> None:
    assert cli("headlines").returncode == 0
    state = Paths.resolve(home).state_db
    for suffix in ("-wal", "-shm"):
        Path(f"{state}{suffix}").unlink(missing_ok=True)
    garbage = b"not a database\n" * 500
    state.write_bytes(garbage)
    done = cli("headlines")
    assert "Traceback" not in done.stderr
    assert done.returncode == 0
    assert done.stderr.startswith("termnews:")
    kept = list(state.parent.glob("state.sqlite.corrupt-*"))
    assert [p.read_bytes() for p in kept if not p.name.endswith(("-wal", "-shm"))] == [garbage]
    assert str(kept[0]) in done.stderr
