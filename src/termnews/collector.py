"""The garbage collector paused while termnews starts (see `termnews.launch`).

Starting termnews allocates a few hundred thousand objects (the modules and classes of
Textual, Rich and termnews, then the first screen's widgets) and frees almost none of
them, so every collection those allocations trigger meanwhile scans a growing heap and
finds nothing to free: about a sixth of the time to the first paint, measured here
(bench/README.md). What start-up built is frozen when collection resumes (`gc.freeze`),
so later collections leave those long-lived objects alone.
"""

from __future__ import annotations

import gc


def pause() -> None:
    gc.disable()


def resume() -> None:
    """Collect again, after freezing what start-up built. Only where `pause` held the
    collector: an app or a command run inside another program (a test) leaves that
    program's collector as it was."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()
