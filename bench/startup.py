"""Start-up with a large cache: termnews's first paint against a bare Textual app and newsboat.

    PYTHONPATH=src python bench/startup.py [--runs 5]

In one run, as whole processes in a pseudo-terminal (`script`), median of --runs
(taken in rounds, one of each program per round, so a machine whose load changes
during the run weighs on every program alike):

  floor        a bare Textual app that exits after its first paint;
  termnews     `termnews` through bench/first_paint.py (exits as soon as the
               first headline rows are painted), on caches of 10,000
               and 100,000 articles built through the store API;
  newsboat     `newsboat -x print-unread` on a newsboat cache of the same
               10,000 articles (filled by `newsboat -x reload` from
               bench/refresh.py's corpus, which termnews also refreshes from).

Prints medians, the ratios the targets are about, peak memory (the largest
process's VmHWM) and the size on disk of both caches. See bench/README.md.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_cache import build
from refresh import Newsboat, Run, Server, Termnews, compile_termnews, make_corpus, measure

FLOOR_APP = """
from textual.app import App
from textual.widgets import Static

class Floor(App):
    def compose(self):
        yield Static("first paint")

    def on_mount(self):
        self.call_after_refresh(self.exit)

Floor().run()
"""


def in_terminal(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run `command` attached to a pseudo-terminal of 80x24, as a person's shell would.

    A pseudo-terminal made by `script` with no terminal around it has no size: Textual then
    starts at one fallback size and hears another once it runs, and lays every screen out twice.
    """
    return measure(["script", "-qec", f"stty rows 24 cols 80; {shlex.join(command)}", "/dev/null"], env)


def in_rounds(
    runs: int, programs: dict[str, tuple[list[str], dict[str, str] | None]]
) -> dict[str, list[Run]]:
    """Each program `runs` times, one of each per round; prints each one's median and peak."""
    results: dict[str, list[Run]] = {label: [] for label in programs}
    for _ in range(runs):
        for label, (command, env) in programs.items():
            results[label].append(in_terminal(command, env))
    for label, done in results.items():
        print(
            f"  {label:<28} median {statistics.median(r.seconds for r in done):6.3f} s"
            f"   peak {max(r.peak_rss_mib for r in done):5.0f} MiB"
        )
    return results


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--home100k", type=Path, help="reuse a cache of 100,000 built by build_cache.py")
    args = parser.parse_args()
    if not shutil.which("newsboat"):
        print("newsboat is not installed: apt-get install -y newsboat", file=sys.stderr)
        return 2
    python = sys.executable
    compile_termnews(python)
    work = Path(tempfile.mkdtemp(prefix="termnews-startup-"))
    started = time.perf_counter()
    server = Server(make_corpus(200, 50))
    try:
        urls = [f"http://127.0.0.1:{server.port}{path}" for path in make_corpus(200, 50)]
        newsboat = Newsboat(work, urls, None)
        newsboat.run()
        termnews10k = Termnews(work, urls, python)
        termnews10k.run()  # and waits for its search index, built in the background
        home100k = args.home100k or work / "termnews-100k"
        if not (home100k / "cache" / "cache.sqlite").exists():
            build(home100k, 100_000)
        print(
            f"caches ready in {time.perf_counter() - started:.0f} s: newsboat {newsboat.count()} "
            f"articles, termnews {termnews10k.count()} and 100,000"
        )

        floor_script = work / "floor.py"
        floor_script.write_text(FLOOR_APP)
        env = termnews10k.env
        first_paint = str(Path(__file__).resolve().parent / "first_paint.py")
        print(f"wall time to first paint (median of {args.runs}, in rounds):")
        print_unread = ["newsboat", "-x", "print-unread", "-u", str(newsboat.urls)]
        print_unread += ["-c", str(newsboat.cache), "-C", str(newsboat.config)]
        done = in_rounds(
            args.runs,
            {
                "bare Textual app": ([python, str(floor_script)], None),
                "termnews, 10,000": ([python, first_paint, "--home", str(termnews10k.home)], env),
                "termnews, 100,000": ([python, first_paint, "--home", str(home100k)], env),
                "newsboat -x print-unread, 10,000": (print_unread, None),
            },
        )
        floor, t10k = done["bare Textual app"], done["termnews, 10,000"]
        t100k, nb = done["termnews, 100,000"], done["newsboat -x print-unread, 10,000"]
        print("ratios (targets in parentheses):")
        print(f"  termnews 100,000 / bare Textual     {median(t100k) / median(floor):5.2f}  (<= 1.5)")
        print(f"  termnews 10,000 / newsboat 10,000   {median(t10k) / median(nb):5.2f}  (<= 0.3)")
        peak = max(r.peak_rss_mib for r in t100k)
        print(f"  peak memory, termnews 100,000       {peak:5.0f} MiB (< 90)")
        ours = sum(p.stat().st_size for p in (termnews10k.home / "cache").glob("cache.sqlite*"))
        theirs = sum(p.stat().st_size for p in newsboat.dir.glob("cache.db*"))
        print(
            f"  cache on disk, 10,000 articles      termnews {ours / 2**20:.1f} MiB,"
            f" newsboat {theirs / 2**20:.1f} MiB, ratio {ours / theirs:.2f} (<= 1.0)"
        )
        print(f"total {time.perf_counter() - started:.0f} s")
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
