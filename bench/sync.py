"""Benchmark: syncing with a real Miniflux, `termnews refresh` against `newsboat -x reload`.

    python bench/sync.py [--feeds 200] [--entries 50] [--runs 3]

Serves bench/refresh.py's corpus (N feeds x M entries, mixed RSS and Atom)
on 127.0.0.1, starts a real Miniflux (tests/miniflux_server.py: PostgreSQL on
a private socket, the binary .ci/install-miniflux builds), subscribes every
feed there, and times, in the same run and against the same server:

  first    a first full sync: every entry pulled into an empty cache;
  nothing  a sync when nothing changed on the server.

termnews syncs with `kind = "miniflux"` (an API token); newsboat with
`urls-source "miniflux"`, `miniflux-login`, `miniflux-password` and
`reload-threads 4`. Prints the median of each and the ratio termnews/newsboat
(goals: first <= 0.25, nothing <= 0.05). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from miniflux_server import User, start_miniflux  # noqa: E402
from refresh import Run, Server, compile_termnews, make_corpus, measure, wait_indexed  # noqa: E402

GOALS = {"first": 0.25, "nothing": 0.05}


class Termnews:
    name = "termnews"

    def __init__(self, work: Path, user: User, python: str) -> None:
        self.home = work / "termnews"
        self.python = python
        self.env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        secret = work / "token"
        secret.write_text(user.token)
        (self.home / "config").mkdir(parents=True)
        (self.home / "config" / "config.toml").write_text(
            '[general]\nseeds = false\n\n[[sources]]\nname = "home"\nkind = "miniflux"\n'
            f'url = "{user.base}"\ntoken_command = "cat {secret}"\n'
        )

    def forget(self) -> None:
        """A first sync: no cache and no sync state."""
        shutil.rmtree(self.home / "cache", ignore_errors=True)
        shutil.rmtree(self.home / "data", ignore_errors=True)

    def run(self) -> Run:
        run = measure(
            [self.python, "-m", "termnews", "--home", str(self.home), "refresh", "--quiet"], self.env
        )
        # As bench/refresh.py does: the search index a sync leaves to a background indexer is
        # complete before the next run starts, so that run is not timed against it.
        run.indexed_seconds, run.indexer_rss_mib = wait_indexed(self.home, run.seconds)
        return run

    def count(self) -> int:
        import sqlite3

        with sqlite3.connect(self.home / "cache" / "cache.sqlite") as conn:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


class Newsboat:
    name = "newsboat"

    def __init__(self, work: Path, user: User, threads: int) -> None:
        self.dir = work / "newsboat"
        self.dir.mkdir()
        self.urls = self.dir / "urls"
        self.urls.write_text("")
        self.config = self.dir / "config"
        self.config.write_text(
            'urls-source "miniflux"\n'
            f'miniflux-url "{user.base}/"\n'
            f'miniflux-login "{user.username}"\n'
            f'miniflux-password "{user.password}"\n'
            f"reload-threads {threads}\n"
        )
        self.cache = self.dir / "cache.db"

    def forget(self) -> None:
        for p in self.dir.glob("cache.db*"):
            p.unlink()

    def run(self) -> Run:
        return measure(
            ["newsboat", "-x", "reload", "-u", str(self.urls), "-c", str(self.cache), "-C", str(self.config)]
        )

    def count(self) -> int:
        import sqlite3

        with sqlite3.connect(self.cache) as conn:
            return conn.execute("SELECT COUNT(*) FROM rss_item").fetchone()[0]


def subscribe_all(user: User, urls: list[str]) -> None:
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(user.subscribe, urls))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--newsboat-threads", type=int, default=4)
    parser.add_argument("--only", choices=["termnews", "newsboat"])
    args = parser.parse_args()

    print(f"load average: {os.getloadavg()}")
    corpus = make_corpus(args.feeds, args.entries)
    server = Server(corpus)
    miniflux = start_miniflux()
    work = Path(tempfile.mkdtemp(prefix="termnews-bench-sync-"))
    try:
        user = miniflux.new_user()
        subscribe_all(user, [f"http://127.0.0.1:{server.port}{path}" for path in corpus])
        print(f"Miniflux {miniflux.url}: {len(user.feeds())} feeds subscribed")
        compile_termnews(args.python)
        programs = [Termnews(work, user, args.python), Newsboat(work, user, args.newsboat_threads)]
        if args.only:
            programs = [p for p in programs if p.name == args.only]
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for prog in programs:  # interleaved: a load spike hurts both
                prog.forget()
                first = prog.run()
                nothing = prog.run()
                times.setdefault((prog.name, "first"), []).append(first.seconds)
                times.setdefault((prog.name, "nothing"), []).append(nothing.seconds)
                print(
                    f"  {prog.name:<9} first {first.seconds:6.2f} s   nothing new {nothing.seconds:6.2f} s"
                    f"   ({prog.count()} entries stored, peak {first.tree_pss_mib:.0f} MiB"
                    + (
                        f", search index complete {first.indexed_seconds:.2f} s"
                        if first.indexed_seconds
                        else ""
                    )
                    + ")"
                )
        print(f"\nmedian of {args.runs} (load average now: {os.getloadavg()})")
        for scenario, goal in GOALS.items():
            line = f"  {scenario:<8}"
            for prog in programs:
                line += f"  {prog.name} {statistics.median(times[(prog.name, scenario)]):6.2f} s"
            if len(programs) == 2:
                ratio = statistics.median(times[("termnews", scenario)]) / statistics.median(
                    times[("newsboat", scenario)]
                )
                line += f"   ratio {ratio:.3f} (goal <= {goal}) {'ok' if ratio <= goal else 'MISSED'}"
            print(line)
    finally:
        miniflux.stop()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
