"""A thread worker that raises is shown to the person and logged, never lost.

Textual posts `Worker.StateChanged` only to the node that started the worker
(it does not bubble), so the app, the screens and the widgets that run workers
all mix this in: one handler, written once.
"""

from __future__ import annotations

import logging
from typing import cast

from textual.widget import Widget
from textual.worker import Worker, WorkerState

log = logging.getLogger("termnews")


class ReportsWorkerErrors:
    """Mixin for a Textual node: its workers' exceptions become an error notification and a log line."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        node = cast(Widget, self)  # or an App or a Screen: each has notify and log
        worker, error = event.worker, event.worker.error
        what = worker.name.strip("_").replace("_", " ") or "background task"
        log.error("worker %r failed", worker.name, exc_info=error)
        node.log.error(f"worker {worker.name!r} failed: {error!r}")
        node.notify(
            f"{what} failed: {type(error).__name__}: {error}",
            title="Something went wrong",
            severity="error",
            markup=False,
        )
