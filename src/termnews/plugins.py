"""Entry-point groups of classes: source kinds, senders, whatever comes next.

Built-in classes register through the same group a plugin uses, so installing
a package is all it takes to add one. Three costs, as in harlequin's plugin
layer: `names()` imports nothing; `load(name)` imports one and fails loudly;
`load_all()` imports every one and skips a broken one with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

T = TypeVar("T")


class UnknownPlugin(LookupError):
    pass


class PluginGroup(Generic[T]):
    """One entry-point group of classes deriving from `base`.

    `builtin` (name to `module:Class`) is used when termnews runs from a
    source tree without installed metadata; it is read on every lookup. The
    installed packages' entry points are read once per process, at the first
    lookup: a package installed while termnews runs is seen at its next start.
    """

    # `base` is typed loosely: it is usually abstract, and mypy accepts only
    # concrete classes where `type[T]` is expected.
    def __init__(self, group: str, builtin: Mapping[str, str], base: type, what: str) -> None:
        self.group, self.builtin, self.base, self.what = group, builtin, base, what
        self._installed: dict[str, EntryPoint] | None = None

    def _entry_points(self) -> dict[str, EntryPoint]:
        # Reading installed packages' metadata costs milliseconds a time (the sources pane looks
        # a kind up per source): only when asked, and once.
        from importlib.metadata import EntryPoint, entry_points

        if self._installed is None:
            self._installed = {ep.name: ep for ep in entry_points(group=self.group)}
        found = dict(self._installed)
        for name, value in self.builtin.items():
            found.setdefault(name, EntryPoint(name=name, value=value, group=self.group))
        return found

    def names(self) -> list[str]:
        """Every registered name; imports nothing."""
        return sorted(self._entry_points())

    def knows(self, name: str) -> bool:
        """Whether `name` is registered; a built-in name is known without reading any metadata."""
        return name in self.builtin or name in self._entry_points()

    def load(self, name: str) -> type[T]:
        """One class by name; raises when it is unknown or does not load."""
        eps = self._entry_points()
        if name not in eps:
            raise UnknownPlugin(f"unknown {self.what} {name!r} (known: {', '.join(sorted(eps))})")
        cls = eps[name].load()  # Any: checked here, so it is returned as type[T]
        is_one = isinstance(cls, type) and issubclass(cls, self.base)
        if not is_one:
            raise TypeError(f"{self.what} {name!r} does not name a termnews {self.base.__name__} class")
        return cls

    def load_all(self) -> tuple[dict[str, type[T]], list[str]]:
        """Every class that loads, and a warning for each one that does not."""
        loaded: dict[str, type[T]] = {}
        warnings: list[str] = []
        for name in self.names():
            try:
                loaded[name] = self.load(name)
            except Exception as exc:  # a broken plugin must never be fatal
                warnings.append(f"{self.what} {name!r} could not be loaded: {exc}")
        return loaded, warnings
