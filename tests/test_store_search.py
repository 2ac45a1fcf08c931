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
