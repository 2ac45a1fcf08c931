"""What every part of a session stands on: the profile's paths, config and store, the
sources in force, and an HTTP client that respects each host's limits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from termnews.config import Config, load_config, source_specs
from termnews.models import SourceSpec
from termnews.paths import Paths
from termnews.store import Store

if TYPE_CHECKING:
    from termnews.fetch import HttpClient


@dataclass
class SessionBase:
    paths: Paths
    config: Config
    store: Store

    @classmethod
    def open(cls, home: str | None = None) -> Self:
        paths = Paths.resolve(home)
        config = load_config(paths.config_file)
        # A damaged state file is kept as it is; what it still holds moves to a new one.
        return cls(paths, config, Store(paths, salvage_state=True))

    def close(self) -> None:
        self.store.close()

    def specs(self) -> list[SourceSpec]:
        return source_specs(self.config, self.store.subscriptions())

    @contextmanager
    def _http(self) -> Iterator[HttpClient]:
        """A client that knows which hosts asked to wait, and remembers new waits when done."""
        from termnews.fetch import HttpClient
        from termnews.hosts import HostGate

        gate = HostGate(self.config.connections_per_host)
        gate.load(self.store.host_waits())
        try:
            with HttpClient(max_connections=4, gate=gate) as http:
                yield http
        finally:
            self.store.save_host_waits(gate.waits())

    def spec_named(self, name: str) -> SourceSpec | None:
        return next((s for s in self.specs() if s.name == name), None)
