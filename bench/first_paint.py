"""`termnews` that quits as soon as its first headline rows are painted (for bench/startup.py).

    python bench/first_paint.py --home DIR

The app carries no benchmark hook: this wraps the main screen's mount from
outside, then starts as the `termnews` command does (termnews.launch: the
garbage collector paused until the first paint).
"""

from __future__ import annotations

import sys

from termnews import collector, launch

collector.pause()  # before the imports below, as the command does before its own

from termnews.screens.main import MainScreen  # noqa: E402

_mount = MainScreen.on_mount


def _mount_then_quit(self: MainScreen) -> None:
    _mount(self)
    self.app.call_after_refresh(self.app.exit)


MainScreen.on_mount = _mount_then_quit  # type: ignore[method-assign]

if __name__ == "__main__":
    sys.exit(launch.main())
