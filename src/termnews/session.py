"""One open profile: its paths, config and store, and the sources in force.

Shared by the CLI and the app so both see the same sources the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from termnews.config import Config, load_config, source_specs
from termnews.models import SourceSpec
from termnews.paths import Paths
from termnews.sources import load_all_kinds
from termnews.store import Store
from termnews.retention import clean
from termnews.update import Progress, RefreshSettings, SourceOutcome, refresh


@dataclass
class Session:
    paths: Paths
    config: Config
    store: Store

    @classmethod
    def open(cls, home: str | None = None) -> "Session":
        paths = Paths.resolve(home)
        config = load_config(paths.config_file)
        return cls(paths, config, Store(paths))

    def close(self) -> None:
        self.store.close()

    def specs(self) -> list[SourceSpec]:
        return source_specs(self.config, self.store.subscriptions())

    def spec_named(self, name: str) -> SourceSpec | None:
        return next((s for s in self.specs() if s.name == name), None)

    def refresh(
        self,
        specs: list[SourceSpec],
        progress: Progress | None = None,
        settings: RefreshSettings | None = None,
    ) -> list[SourceOutcome]:
        """Fetch `specs` into the store, then apply the retention rules."""
        outcomes = refresh(self.store, specs, progress, settings=settings)
        clean(self.store, self.specs(), self.config.keep)
        return outcomes

    def refresh_cheap_sources(self) -> list[SourceOutcome]:
        """Refresh the sources cheap enough to read at every start (local folders)."""
        kinds, _ = load_all_kinds()
        cheap = [
            s for s in self.specs() if s.kind in kinds and kinds[s.kind].refresh_on_start
        ]
        return self.refresh(cheap)
