"""config.toml: typed sections, each source's options checked at load, sizes taking effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedserver import FeedServer, rss
from termnews.config import ConfigError, load_config
from termnews.paths import Paths
from termnews.store import Store, View


def config_error(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    return caught.value


def source(**options: object) -> str:
    lines = ["[[sources]]", 'name = "news"', 'kind = "feed"', 'location = "https://example.org/feed.xml"']
    return "\n".join(lines + [f"{k} = {v!r}".replace("'", '"') for k, v in options.items()]) + "\n"


def test_unknown_kind_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    error = config_error(tmp_path, source().replace('"feed"', '"rss"'))
    assert error.key == "sources[0].kind"
    assert error.problem == "unknown kind 'rss' (known: feed, greader, local, miniflux)"


def test_syntax_error_says_so_with_its_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[general]\nseeds = true\n\n[identity\nname = "Ann"\n')
    assert error.key == "(file)"
    assert error.problem.startswith("syntax error at line 4")


@pytest.mark.parametrize(
    ("options", "key", "problem"),
    [
        ({"max_size": "huge"}, "sources[0].max_size", "expected a size in bytes (10485760) or with a unit"),
        ({"max_size": 0}, "sources[0].max_size", "found 0"),
        ({"timeout": "soon"}, "sources[0].timeout", "expected a number of seconds (30) or a duration"),
        (
            {"maxsize": "20MiB"},
            "sources[0].maxsize",
            "unknown option (known: full_text, keep, max_size, password_command, proxy, refresh_minutes, sender, timeout, username)",
        ),
        (
            {"sender": "carrier-pigeon"},
            "sources[0].sender",
            "expected a sender (known: wordpress, wordpress-rest)",
        ),
        ({"keep": "forever"}, "sources[0].keep", '"30d"'),
        ({"tags": "news"}, "sources[0].tags", "expected a list of strings, found 'news'"),
    ],
)
def test_source_options_are_checked_at_load(tmp_path: Path, options: dict, key: str, problem: str) -> None:
    error = config_error(tmp_path, source(**options))
    assert error.key == key
    assert problem in error.problem


def test_sizes_and_durations_are_read_once(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(source(max_size="20MiB", timeout="1m", keep="30d"), encoding="utf-8")
    [spec] = load_config(path).sources
    assert spec.options == {"max_size": 20 * 1024 * 1024, "timeout": 60.0, "keep": "30d"}


def test_sections_are_typed(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[general]\nrefresh_minutes = 'often'\n")
    assert (error.key, error.problem) == (
        "general.refresh_minutes",
        "expected minutes (0 = never), found 'often'",
    )
    error = config_error(tmp_path, "[identity]\nname = 3\n")
    assert (error.key, error.problem) == ("identity.name", "expected a string, found 3")
    error = config_error(tmp_path, "[keys]\nnext_article = 3\n")
    assert (error.key, error.problem) == (
        "keys.next_article",
        'expected a string of keys such as "j,down", found 3',
    )
    error = config_error(tmp_path, "[general]\ncolour = 'red'\n")
    assert error.key == "general.colour" and error.problem.startswith(
        "unknown key (known: connections_per_host, keep, "
    )


def big_rss(size: int) -> bytes:
    item = {"title": "Big", "link": "http://example.org/big", "guid": "big", "description": "x" * size}
    return rss([item])


def test_max_size_from_config_takes_effect(profile, termnews, server: FeedServer) -> None:
    server.feed("/big.xml", big_rss(11 * 1024 * 1024))  # over the 10 MiB default
    server.feed("/small.xml", big_rss(4 * 1024))
    home = profile(
        f'[[sources]]\nname = "big"\nkind = "feed"\nlocation = "{server.url("/big.xml")}"\nmax_size = "20MiB"\n'
        f'[[sources]]\nname = "small"\nkind = "feed"\nlocation = "{server.url("/small.xml")}"\nmax_size = "2KiB"\n'
    )
    done = termnews(home, "refresh", check=1, timeout=180)
    assert done.stderr.strip() == "termnews: small: too large (over 2 KiB decoded)"
    assert done.stdout.strip() == "1 source ok, 1 failed, 1 new article"
    with Store(Paths.resolve(home)) as store:
        assert [h.title for h in store.headlines(View(), 0, 10)] == ["Big"]


def test_two_sources_of_one_name_are_refused(tmp_path: Path) -> None:
    other = source().replace("example.org/feed.xml", "example.net/rss")
    error = config_error(tmp_path, "[general]\nseeds = false\n" + source() + other)
    assert (error.key, error.problem) == (
        "sources[1].name",
        "'news' is the name of sources[0] already; choose another",
    )


def test_a_source_named_like_the_seeds_is_refused_while_they_are_on(tmp_path: Path) -> None:
    named_seeds = source().replace('"news"', '"seeds"')
    error = config_error(tmp_path, named_seeds)
    assert error.key == "sources[0].name"
    assert error.problem.startswith("'seeds' is the name of the bundled sample source; choose another")
    assert "seeds = false" in error.problem
    path = tmp_path / "config.toml"
    path.write_text("[general]\nseeds = false\n" + named_seeds, encoding="utf-8")
    assert [spec.name for spec in load_config(path).sources] == ["seeds"]  # the seeds off: the name is free


def test_a_duplicate_name_is_one_line_from_the_cli(profile, termnews) -> None:
    home = profile(source() + source().replace("example.org", "example.net"))
    done = termnews(home, "sources", check=2)
    config = Paths.resolve(home).config_file
    assert (
        done.stderr
        == f"termnews: {config}: sources[1].name: 'news' is the name of sources[0] already; choose another\n"
    )
