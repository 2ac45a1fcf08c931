"""Search keeps the newest matches (README: the newest 2,000, ranked by BM25), in the store and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from termnews.models import ArticleData, SourceSpec
from termnews.paths import Paths
from termnews.store import SEARCH_WINDOW, Store, View

WORD = "zorptopic"
NEWEST = 1_700_000_000.0
#: Items that say the word four times: 5 and 10 inside the window, 2500 outside it.
EMPHATIC = {5, 10, 2500}


def big_feed(store: Store, count: int = 3000) -> SourceSpec:
    """A 3,000-item feed stored as a feed lists it: newest first (so the oldest get the highest rowids)."""
    spec = SourceSpec("big feed", "feed", "http://big.invalid/feed.xml")
    entries = [
        ArticleData(
            title=f"item {i}",
            body=f"{WORD} {WORD} {WORD} {WORD}" if i in EMPHATIC else f"{WORD} filler filler filler",
            guid=f"urn:big:{i}",
            published=NEWEST - i * 60,
        )
        for i in range(count)
    ]
    store.store_articles(spec, entries)
    return spec


def expected_titles() -> list[str]:
    """The newest SEARCH_WINDOW items, best match first, newer first among equals."""
    best = [f"item {i}" for i in sorted(EMPHATIC) if i < SEARCH_WINDOW]
    rest = [f"item {i}" for i in range(SEARCH_WINDOW) if i not in EMPHATIC]
    return best + rest


def test_search_keeps_the_newest_matches_ranked_by_bm25(paths: Paths) -> None:
    with Store(paths) as store:
        spec = big_feed(store)
        rows = store.headlines(View(query=WORD), 0, 5000)
        assert store.count(View(query=WORD)) == SEARCH_WINDOW
        assert [h.title for h in rows] == expected_titles()
        assert "item 2500" not in {h.title for h in rows}, "an old match is outside the window, however good"
        in_source = store.headlines(View(source_id=spec.source_id, query=WORD), 0, 5000)
        assert [h.title for h in in_source] == expected_titles()
        assert store.headlines(View(source_id="another", query=WORD), 0, 10) == []
        # Pages of the ranked list are slices of it.
        assert [h.title for h in store.headlines(View(query=WORD), 1, 3)] == expected_titles()[1:4]


def test_search_window_is_taken_within_the_view(paths: Paths) -> None:
    with Store(paths) as store:
        big_feed(store)
        # Five of the newest and five of the oldest: a window taken before the
        # filter would lose the old ones, a window of the oldest the new ones.
        chosen = [h.id for h in store.headlines(View(), 0, 5) + store.headlines(View(), 2995, 5)]
        store.set_flag(chosen, "starred", True)
        starred = store.headlines(View("starred", query=WORD), 0, 100)
        assert sorted(h.id for h in starred) == sorted(chosen)


def test_cli_search_json_lists_the_newest_in_ranked_order(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    home = tmp_path / "profile"
    with Store(Paths.resolve(home)) as store:
        big_feed(store)
    done = subprocess.run(
        [sys.executable, "-m", "termnews", "search", WORD, "--json", "--limit", "3000", "--home", str(home)],
        env=subprocess_env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["title"] for line in done.stdout.splitlines()] == expected_titles()


def test_window_is_exact_where_many_matches_share_its_last_second(paths: Paths) -> None:
    """The index orders by whole seconds; within the window's last second the fractions decide.

    3,000 matches in one second, stored oldest first: a window cut by index
    order alone would keep the highest rowids, not the newest.
    """
    spec = SourceSpec("one second", "feed", "http://second.invalid/feed.xml")
    entries = [
        ArticleData(
            title=f"tick {i}", body=f"{WORD} tick", guid=f"urn:tick:{i}", published=NEWEST + i / 10_000
        )
        for i in range(3000)
    ]
    entries.reverse()  # the newest get the lowest rowids
    with Store(paths) as store:
        store.store_articles(spec, entries)
        rows = store.headlines(View(query=WORD), 0, 5000)
    assert [h.title for h in rows] == [f"tick {i}" for i in range(2999, 2999 - SEARCH_WINDOW, -1)]


def test_prefixes_of_two_three_and_more_letters_match_as_words_do(paths: Paths) -> None:
    with Store(paths) as store:
        big_feed(store, 10)
        spec = SourceSpec("words", "feed", "http://words.invalid/feed.xml")
        store.store_articles(
            spec, [ArticleData(title="zo", body="zo zor"), ArticleData(title="other", body="x")]
        )
        assert store.count(View(query="zorptopic")) == 10
        items = {f"item {i}" for i in range(10)}
        for prefix, expected in (("zo*", {*items, "zo"}), ("zor*", {*items, "zo"}), ("zorp*", items)):
            assert {h.title for h in store.headlines(View(query=prefix), 0, 100)} == expected, prefix
        assert {h.title for h in store.headlines(View(query="zorptopic*"), 0, 100)} == items


def test_articles_stored_but_not_indexed_are_counted_and_found_once_indexed(paths: Paths) -> None:
    from termnews.store.articles import prepare_rows
    from termnews.store.fetch_state import FetchNote, StoredFetch

    spec = SourceSpec("later", "feed", "http://later.invalid/feed.xml")
    rows = prepare_rows(spec.source_id, [ArticleData(title="late news", body=f"{WORD}", guid="urn:late")])
    with Store(paths) as store:
        assert store.store_fetches([StoredFetch(spec, rows, FetchNote())]) == [1]
        assert store.unindexed() == 1
        assert store.headlines(View(query=WORD)) == []
        assert [h.title for h in store.headlines(View())] == ["late news"], "readable before it is indexed"
        assert store.index_pending() == 1
        assert store.unindexed() == 0
        assert [h.title for h in store.headlines(View(query=WORD))] == ["late news"]


def test_cli_search_indexes_what_a_refresh_left_and_says_so(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    from termnews.cli import INDEXING_SAID
    from termnews.store.articles import prepare_rows
    from termnews.store.fetch_state import FetchNote, StoredFetch

    home = tmp_path / "profile"
    spec = SourceSpec("later", "feed", "http://later.invalid/feed.xml")
    # Enough articles waiting that the wait is worth a word (fewer are indexed without one).
    others = [ArticleData(title=f"other {n}", body="filler", guid=f"urn:{n}") for n in range(INDEXING_SAID)]
    late = ArticleData(title="late news", body=WORD, guid="urn:late", published=2e9)
    rows = prepare_rows(spec.source_id, [late, *others])
    with Store(Paths.resolve(home)) as store:
        store.store_fetches([StoredFetch(spec, rows, FetchNote())])

    def search() -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "termnews", "search", WORD, "--json", "--home", str(home)]
        return subprocess.run(argv, env=subprocess_env, capture_output=True, text=True, timeout=120)

    first, second = search(), search()
    assert f"indexing {len(rows) + 7} new articles for search first" in first.stderr  # and the 7 seeds
    assert [json.loads(line)["title"] for line in first.stdout.splitlines()] == ["late news"]
    assert second.stderr == "" and second.stdout == first.stdout
