"""Applying the keep rules (`termnews.retention`) to the article cache."""

from __future__ import annotations

import time
from typing import Protocol

from termnews.models import SourceSpec
from termnews.retention import Keep, parse_keep


class _Prunable(Protocol):
    def prune(
        self, source_id: str | None, *, keep_newest: int | None = ..., older_than: float | None = ...
    ) -> int: ...


def clean(articles: _Prunable, specs: list[SourceSpec], global_keep: Keep | None = None) -> int:
    """Apply every source's `keep`, then the global cap; returns how many articles went."""
    now = time.time()
    removed = 0
    for spec in specs:
        if "keep" in spec.options:
            keep = parse_keep(spec.options["keep"])
            removed += articles.prune(
                spec.source_id, keep_newest=keep.newest, older_than=keep.older_than(now)
            )
    if global_keep is not None:
        removed += articles.prune(
            None, keep_newest=global_keep.newest, older_than=global_keep.older_than(now)
        )
    return removed
