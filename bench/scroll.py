"""Keypress latency in the headline pane with a large cache, driven through Pilot.

    PYTHONPATH=src python bench/scroll.py [--articles 100000] [--home DIR]

Builds (or reuses) a cache of N articles, opens the app at 100x30 and presses
`j` 1,000 times, `pagedown` 200 times, then `G` and `g`. A press's latency is
the time from posting the key to the end of the last screen update it caused
(Pilot's own waiting afterwards is not counted). The same is measured, in the
same run, for a bare Textual app whose key changes one label: the floor any
Textual program pays. Prints mean, p95 and p99 per step and the peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Label

from build_cache import build
from stats import percentile
from termnews.app import TermnewsApp
from termnews.session import Session

STEPS = (("j", 1000), ("pagedown", 200), ("G", 1), ("g", 1))


_frames: list[float] = []
_compositor_refresh = Screen._compositor_refresh


def _timed_refresh(self: Screen) -> None:
    _compositor_refresh(self)
    _frames.append(time.perf_counter())


Screen._compositor_refresh = _timed_refresh  # type: ignore[method-assign]


class Floor(App[None]):
    """A bare Textual app: a key updates one label."""

    BINDINGS = [("j", "bump", "bump")]

    def compose(self) -> ComposeResult:
        yield Label("0")

    def action_bump(self) -> None:
        label = self.query_one(Label)
        label.update(str(int(str(label.content)) + 1))


async def press_latencies(app: App, steps: tuple[tuple[str, int], ...]) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key, count in steps:
            samples = timings.setdefault(key, [])
            for _ in range(count):
                _frames.clear()
                started = time.perf_counter()
                await pilot.press(key)
                if _frames:
                    samples.append((_frames[-1] - started) * 1000)
    return timings


async def drive(home: Path) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    floor = await press_latencies(Floor(), (("j", 1000),))
    app = TermnewsApp(Session.open(str(home)))
    timings = await press_latencies(app, STEPS)
    return floor, timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="reuse (or build) the cache here")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="termnews-scroll-"))
    if not (home / "cache" / "cache.sqlite").exists():
        started = time.perf_counter()
        build(home, args.articles)
        print(f"built {args.articles} articles in {time.perf_counter() - started:.0f} s")
    floor, timings = asyncio.run(drive(home))
    every = [t for samples in timings.values() for t in samples]
    print(f"{'step':<14} {'presses':>7} {'mean ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [("floor j", floor["j"]), *timings.items(), ("all termnews", every)]
    for key, samples in rows:
        print(
            f"{key:<14} {len(samples):>7} {statistics.mean(samples):>8.2f}"
            f" {percentile(samples, 0.95):>8.2f} {percentile(samples, 0.99):>8.2f} {max(samples):>8.2f}"
        )
    ratio = statistics.mean(timings["j"]) / statistics.mean(floor["j"])
    print(f"j: termnews / bare Textual mean latency = {ratio:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) {peak:.0f} MiB")


if __name__ == "__main__":
    main()
