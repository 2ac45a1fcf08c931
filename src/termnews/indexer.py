"""The search index follows the articles: built after they are stored, off the refresh's path.

A refresh stores articles first (they can be read at once) and the search
index follows. `index_all` builds what is missing, a batch per transaction;
the app runs it in a worker, and the CLI's `refresh` starts it detached
(`python -m termnews.indexer`, `start_background`), the way `git gc --auto`
does, so the prompt comes back while it works. One indexer at a time per
cache (a lock file beside it); a search meanwhile says that its results may
be incomplete (`Store.unindexed`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from termnews.paths import Paths

if TYPE_CHECKING:
    from collections.abc import Iterator

    from termnews.store import Store

LOCK_NAME = "indexing.lock"


def index_all(store: Store, stop: Callable[[], bool] | None = None) -> int:
    """Index every stored article the index lacks (until `stop()` says so); returns how many."""
    total = 0
    while not (stop is not None and stop()):
        done = store.index_pending()
        total += done
        if not done:
            break
    return total


@contextmanager
def _lock(paths: Paths) -> Iterator[bool]:
    """Hold the cache's indexing lock while inside; yields False when another process holds it."""
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.cache_dir / LOCK_NAME, "a") as handle:
        yield _try_lock(handle)


def _try_lock(handle: IO[str]) -> bool:
    try:
        import fcntl
    except ImportError:  # no advisory locks here: indexers may overlap, each batch is its own transaction
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def indexing(paths: Paths) -> bool:
    """Is an indexer working on this cache now?"""
    with _lock(paths) as mine:
        return not mine


def start_background(paths: Paths) -> None:
    """Start a detached indexer for this cache, unless one is running."""
    if indexing(paths):
        return
    subprocess.Popen(
        [
            sys.executable,
            "-m",
            "termnews.indexer",
            str(paths.config_dir),
            str(paths.data_dir),
            str(paths.cache_dir),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main(argv: list[str]) -> int:
    from termnews.store import Store

    paths = Paths(*(Path(arg) for arg in argv[1:4]))
    try:
        os.nice(5)  # a person's next command comes first
    except (AttributeError, OSError):
        pass
    with _lock(paths) as mine:
        if mine:
            with Store(paths) as store:
                index_all(store)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
