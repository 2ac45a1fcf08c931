"""One open profile: its paths, config and store, and the sources in force.

Shared by the CLI and the app so both see the same sources the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from termnews.config import Config, load_config, source_specs
from termnews.models import SourceSpec
from termnews.paths import Paths
from termnews.retention import clean
from termnews.sources import load_all_kinds
from termnews.store import Store
from termnews.update import Progress, RefreshSettings, SourceOutcome, refresh


class SubscriptionError(ValueError):
    """What is wrong with a source someone asked to add, in one sentence."""


def _infer_kind(location: str) -> tuple[str, str]:
    """(kind, location as stored) for what someone typed: a URL, a feed file or a folder."""
    from termnews.sources.feed import is_url

    if is_url(location):
        return "feed", location
    if "://" in location:
        raise SubscriptionError(f"{location}: only http and https URLs can be subscribed to")
    path = Path(location).expanduser()
    if path.is_dir():
        return "local", str(path.resolve())
    if path.is_file():
        return "feed", str(path.resolve())
    raise SubscriptionError(f"{location}: no such file or folder (and not an http(s) URL)")


@dataclass
class Session:
    paths: Paths
    config: Config
    store: Store

    @classmethod
    def open(cls, home: str | None = None) -> Session:
        paths = Paths.resolve(home)
        config = load_config(paths.config_file)
        # A damaged state file is kept as it is; what it still holds moves to a new one.
        return cls(paths, config, Store(paths, salvage_state=True))

    def close(self) -> None:
        self.store.close()

    def specs(self) -> list[SourceSpec]:
        return source_specs(self.config, self.store.subscriptions())

    def subscribe(self, location: str, name: str | None = None, tags: tuple[str, ...] = ()) -> SourceSpec:
        """Add a subscription (kept in state.sqlite); raises SubscriptionError."""
        from termnews.opml import default_name

        kind, location = _infer_kind(location.strip())
        name = " ".join((name if name else default_name(location)).split())
        if not name:
            raise SubscriptionError("the name must not be empty")
        spec = SourceSpec(name, kind, location, {}, tuple(dict.fromkeys(tags)))
        for other in self.specs():
            if other.name == spec.name:
                raise SubscriptionError(f"a source named {spec.name!r} exists already; choose another name")
            if other.source_id == spec.source_id:
                raise SubscriptionError(f"{spec.location} is subscribed already, as {other.name!r}")
        self.store.add_subscription(spec)
        return spec

    def spec_named(self, name: str) -> SourceSpec | None:
        return next((s for s in self.specs() if s.name == name), None)

    def refresh(
        self,
        specs: list[SourceSpec],
        progress: Progress | None = None,
        settings: RefreshSettings | None = None,
    ) -> list[SourceOutcome]:
        """Fetch `specs` into the store, then apply the retention rules."""
        from termnews.sync import is_server_kind, sync_all

        # sync: feed servers are synced (pull and push), the other sources fetched.
        servers = [s for s in specs if is_server_kind(s.kind)]
        others = [s for s in specs if s not in servers]
        outcomes = refresh(self.store, others, progress, settings=settings) if others else []
        outcomes += sync_all(self.store, servers, progress)
        clean(self.store, self.specs(), self.config.keep)
        return outcomes

    def refresh_cheap_sources(self) -> list[SourceOutcome]:
        """Refresh the sources cheap enough to read at every start (local folders)."""
        kinds, _ = load_all_kinds()
        cheap = [s for s in self.specs() if s.kind in kinds and kinds[s.kind].refresh_on_start]
        return self.refresh(cheap)
