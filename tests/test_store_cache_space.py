"""`cache clean` gives the disk space back; `cache stats` shows the size of each source."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest

from termnews.models import ArticleData, SourceSpec
from termnews.paths import Paths
from termnews.retention import Keep
from termnews.store import Store, View, clean

SPEC = SourceSpec("big feed", "feed", "http://big.invalid/feed.xml")


def fill(store: Store, count: int = 3000) -> None:
    """Articles with a kilobyte or two of words each: 3,000 make a cache of a few MiB."""
    rng = random.Random(11)
    vocabulary = [
        "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(3, 9))) for _ in range(4000)
    ]
    entries = [
        ArticleData(
            title=f"story {i}",
            body=" ".join(rng.choices(vocabulary, k=250)),
            guid=f"urn:big:{i}",
            published=1_700_000_000.0 - i * 60,
        )
        for i in range(count)
    ]
    store.store_articles(SPEC, entries)


def on_disk(paths: Paths) -> int:
    base = paths.cache_db
    return sum(p.stat().st_size for p in (base, Path(f"{base}-wal"), Path(f"{base}-shm")) if p.exists())


def make_legacy(paths: Paths) -> None:
    """Turn the cache into one made before incremental vacuum (auto_vacuum = NONE)."""
    conn = sqlite3.connect(paths.cache_db)
    conn.execute("PRAGMA auto_vacuum = NONE")
    conn.execute("VACUUM")
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    conn.close()


@pytest.mark.parametrize("legacy", [False, True], ids=["new-cache", "cache-made-before-vacuum"])
def test_clean_then_compact_gives_the_space_back(paths: Paths, legacy: bool) -> None:
    if legacy:
        Store(paths).close()
        make_legacy(paths)
    with Store(paths) as store:
        fill(store)
        store.compact()  # the starting point: everything written into the file
        before = on_disk(paths)
        assert before > 2 * 2**20
        assert clean(store, [], Keep(newest=100)) == 2900
        store.compact()
        after = on_disk(paths)
        assert after < before * 0.2, (before, after)
        # What was kept still reads and is still found.
        assert store.count(View()) == 100
        assert store.count(View(query="story")) == 100
        assert [h.title for h in store.headlines(View(), 0, 2)] == ["story 0", "story 1"]
    with Store(paths) as store:  # and the file opens again
        assert store.count(View()) == 100


def test_cli_cache_clean_shrinks_the_file_and_stats_show_each_source(profile, termnews) -> None:
    home = profile(
        "keep = 100\n\n"
        f'[[sources]]\nname = "{SPEC.name}"\nkind = "{SPEC.kind}"\nlocation = "{SPEC.location}"\n'
    )
    paths = Paths.resolve(home)
    with Store(paths) as store:
        fill(store)
    before = on_disk(paths)

    def cache(action: str) -> str:
        return termnews(home, "cache", action).stdout

    assert "removed 2900 articles" in cache("clean")
    assert on_disk(paths) < before * 0.2, (before, on_disk(paths))
    stats = cache("stats")
    line = re.search(r"big feed\s+100 articles\s+100 unread\s+([\d.]+) MiB", stats)
    assert line, stats
    assert 0 < float(line.group(1)) < 1
