"""Search latency over a large cache: what pressing enter in the search bar costs.

    PYTHONPATH=src python bench/search.py [--articles 100000] [--home DIR]

Builds (or reuses) a cache of N generated articles, then for queries from
common to rare words (ranks in the Zipf vocabulary of bench/corpus.py), two
words, and a prefix, times what the app does on a search: count the matches
and read the first page of ranked results with their snippets. Prints median
and p95 per query and overall.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_cache import build
from corpus import VOCABULARY
from stats import percentile
from termnews.paths import Paths
from termnews.store import Store, View

REPEATS = 25


def queries() -> list[str]:
    by_rank = {rank: VOCABULARY[rank] for rank in (5, 50, 500, 5000, 15000)}
    return [
        *by_rank.values(),
        f"{by_rank[50]} {by_rank[500]}",
        f"{by_rank[500]} {by_rank[5000]}",
        by_rank[500][:3] + "*",  # a prefix search
        by_rank[500][:2] + "*",  # a short prefix: thousands of words
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="reuse (or build) the cache here")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="termnews-search-"))
    if not (home / "cache" / "cache.sqlite").exists():
        started = time.perf_counter()
        build(home, args.articles)
        print(f"built {args.articles} articles in {time.perf_counter() - started:.0f} s")
    every: list[float] = []
    with Store(Paths.resolve(home)) as store:
        print(f"{store.count(View())} articles")
        print(f"{'query':<28} {'matches':>8} {'median ms':>10} {'p95 ms':>8}")
        for query in queries():
            view = View(query=query)
            samples = []
            for _ in range(REPEATS):
                store.queries.forget_searches()  # time a new search, not the app's memo of the last one
                started = time.perf_counter()
                matches = store.count(view)
                store.headlines(view, 0, 100)
                samples.append((time.perf_counter() - started) * 1000)
            every.extend(samples)
            print(
                f"{query:<28} {matches:>8} {statistics.median(samples):>10.1f} {percentile(samples, 0.95):>8.1f}"
            )
    print(f"{'all queries':<28} {'':>8} {statistics.median(every):>10.1f} {percentile(every, 0.95):>8.1f}")


if __name__ == "__main__":
    main()
