"""Source kinds, found through the `termnews.sources` entry-point group.

Built-in kinds register through the same group a plugin uses, so installing a
package is all it takes to add a kind. Three costs, as in harlequin's plugin
layer: `kind_names()` imports nothing; `load_kind(name)` imports one and fails
loudly; `load_all_kinds()` imports every kind and skips a broken one with a
warning.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from termnews.sources.base import Source

GROUP = "termnews.sources"

# Used when termnews runs from a source tree without installed metadata.
_BUILTIN = {
    "local": "termnews.sources.local:LocalSource",
    "feed": "termnews.sources.feed:FeedSource",
    "miniflux": "termnews.sources.miniflux:MinifluxSource",
    "greader": "termnews.sources.greader:GReaderSource",
}


class UnknownSourceKind(LookupError):
    pass


def _entry_points() -> dict[str, EntryPoint]:
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    for name, value in _BUILTIN.items():
        found.setdefault(name, EntryPoint(name=name, value=value, group=GROUP))
    return found


def kind_names() -> list[str]:
    return sorted(_entry_points())


def load_kind(name: str) -> type[Source]:
    eps = _entry_points()
    if name not in eps:
        raise UnknownSourceKind(f"unknown source kind {name!r} (known: {', '.join(sorted(eps))})")
    cls = eps[name].load()
    if not (isinstance(cls, type) and issubclass(cls, Source)):
        raise TypeError(f"source kind {name!r} does not name a termnews Source class")
    return cls


def load_all_kinds() -> tuple[dict[str, type[Source]], list[str]]:
    """Every kind that loads, and a warning for each one that does not."""
    kinds: dict[str, type[Source]] = {}
    warnings: list[str] = []
    for name in kind_names():
        try:
            kinds[name] = load_kind(name)
        except Exception as exc:  # a broken plugin must never be fatal
            warnings.append(f"source kind {name!r} could not be loaded: {exc}")
    return kinds, warnings
