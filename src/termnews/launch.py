"""The `termnews` command's entry point: the collector paused before anything is imported.

It resumes after the app's first paint, or once a subcommand's arguments are read
(`termnews.collector`).
"""

from __future__ import annotations

from collections.abc import Sequence

from termnews import collector


def main(argv: Sequence[str] | None = None) -> int:
    collector.pause()
    from termnews.cli import main as run_command

    return run_command(argv)
