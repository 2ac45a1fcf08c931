"""Build a termnews cache of N articles through the store API (for the benchmarks)."""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import html_body, title
from termnews.models import ArticleData, SourceSpec
from termnews.paths import Paths
from termnews.store import Store

PER_SOURCE = 1000


BODY_POOL = 2_000  # distinct bodies, reused: generating 100,000 would take longer than storing them


def build(home: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    bodies = [html_body(rng) for _ in range(min(count, BODY_POOL))]
    base = 1_600_000_000.0
    with Store(Paths.resolve(home)) as store:
        for first in range(0, count, PER_SOURCE):
            n = first // PER_SOURCE
            spec = SourceSpec(f"feed-{n:03d}", "feed", f"http://127.0.0.1:1/feed-{n:03d}.xml")
            entries = [
                ArticleData(
                    title=title(rng),
                    body=bodies[i % len(bodies)],
                    body_format="html",
                    guid=f"urn:bench:{i}",
                    link=f"https://example.org/a/{i}",
                    published=base + i * 60.0,
                )
                for i in range(first, min(first + PER_SOURCE, count))
            ]
            store.store_articles(spec, entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("home")
    parser.add_argument("count", type=int)
    args = parser.parse_args()
    started = time.perf_counter()
    build(Path(args.home), args.count)
    print(f"built {args.count} articles in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
