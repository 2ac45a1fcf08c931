"""`config.toml`: preferences, sources, identity, keys. Validated on load.

The file is checked against typed shapes (msgspec, imported only when a file
is read), and every source's options against what its kind and its sender
take. A mistake is reported as `ConfigError` naming the file, the key and
what was expected; termnews never writes to the file except through
`termnews config init` when it does not exist yet.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from termnews.models import SourceSpec
from termnews.paths import BUNDLED_PREFIX
from termnews.retention import Keep, parse_keep

SEEDS_SOURCE_NAME = "seeds"

DEFAULT_CONFIG = """\
# termnews configuration. Every key is optional; these are the defaults.

[general]
# Show the bundled sample articles as a source named "seeds".
seeds = true
# Theme name (see the command palette: "Theme"); the last choice made in the app wins.
# theme = "termnews-dark"
# Cap the whole cache: a number of articles (100000) or an age ("90d").
# Starred articles and articles with drafts are always kept.
# keep = 100000
# Refresh every source in the background every N minutes while the app is open (0 = never).
refresh_minutes = 0
# Requests to one site at a time while refreshing.
connections_per_host = 2
# A proxy for every request ("" = none); unset: HTTP_PROXY, HTTPS_PROXY and NO_PROXY.
# proxy = "http://127.0.0.1:3128"

# Your identity for replies: typed once, filled into every new draft.
[identity]
name = ""
email = ""
website = ""

# Rebind keys by binding id (press ? in the app for the ids), e.g.  "headlines.next" = "j,down"
[keys]

# Sources. kind is "local" (a folder) or any kind a plugin adds.
# [[sources]]
# name = "notes"
# kind = "local"
# location = "~/notes"
# keep = "30d"          # or a number of articles
"""


class ConfigError(ValueError):
    def __init__(self, path: Path, key: str, problem: str) -> None:
        super().__init__(f"{path}: {key}: {problem}")
        self.path, self.key, self.problem = path, key, problem


@dataclass(frozen=True)
class Identity:
    name: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    seeds: bool = True
    theme: str | None = None
    identity: Identity = Identity()
    keys: dict[str, str] = field(default_factory=dict)
    sources: tuple[SourceSpec, ...] = ()
    keep: Keep | None = None
    refresh_minutes: float = 0.0
    connections_per_host: int = 2
    proxy: str | None = None


# -- the file's shape: checked by msgspec, imported only when a file is read --------


@dataclass(frozen=True)
class _General:
    seeds: bool = True
    theme: str | None = None
    keep: int | str | None = None
    refresh_minutes: float = 0.0
    connections_per_host: int = 2
    proxy: str | None = None


@dataclass(frozen=True)
class _SourceTable:
    name: str
    kind: str
    location: str
    tags: list[str] = field(default_factory=list)


_SECTIONS: dict[str, Any] = {
    "general": _General,
    "identity": Identity,
    "keys": dict[str, str],
    "sources": list[dict[str, Any]],
}

# What a key expects, in words, where the type alone does not say it well.
_EXPECT = {
    "general.seeds": "true or false",
    "general.theme": "a theme name",
    "general.refresh_minutes": "minutes (0 = never)",
    "general.keep": 'a number of articles (500) or of days ("30d")',
    "general.connections_per_host": "a whole number, 1 or more",
    "general.proxy": 'a proxy URL such as "http://127.0.0.1:3128", or "" for none',
    "keys": 'a table of binding ids and keys such as "j,down"',
    "keys.*": 'a string of keys such as "j,down"',
    "identity.*": "a string",
    "sources": "[[sources]] tables",
    "tags": "a list of strings",
}


def _convert(path: Path, key: str, value: Any, shape: Any) -> Any:
    """`value` as `shape`; a mismatch is a ConfigError naming the key within `key`."""
    import msgspec

    if isinstance(shape, type) and is_dataclass(shape):
        if not isinstance(value, dict):
            raise ConfigError(path, key, f"expected a table, found {value!r}")
        known = {f.name for f in fields(shape)}
        for name in value:
            if name not in known:
                raise ConfigError(path, f"{key}.{name}", f"unknown key (known: {', '.join(sorted(known))})")
    try:
        return msgspec.convert(value, type=shape, strict=True)
    except msgspec.ValidationError as exc:
        problem, _, where = str(exc).partition(" - at `$")
        inner = where.rstrip("`").lstrip(".")
        full = ".".join(p for p in (key, inner) if p).replace(".[", "[")
        found = _lookup(value, inner)
        section = full.split(".", 1)[0] + ".*"
        what = _EXPECT.get(full) or _EXPECT.get(section) or _EXPECT.get(full.rsplit(".", 1)[-1])
        if what is None:
            what = problem.removeprefix("Expected ").split(", got")[0].replace("`", "")
            what = what.replace("null", "nothing").replace("str", "a string").replace("int", "a whole number")
        raise ConfigError(path, full, f"expected {what}, found {found!r}") from None


def _lookup(value: Any, inner: str) -> Any:
    """The value at msgspec's path (`a.b[0]`) inside `value`, as far as it goes."""
    for part in inner.replace("[", ".[").split("."):
        if not part:
            continue
        try:
            value = value[int(part[1:-1])] if part.startswith("[") else value[part]
        except (KeyError, IndexError, TypeError, ValueError):
            break
    return value


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # "Expected ']' at the end of a table declaration (at line 4, column 10)"
        problem, _, where = str(exc).partition(" (at ")
        where = f" at {where.rstrip(')')}" if where else ""
        raise ConfigError(path, "(file)", f"syntax error{where}: {problem}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(path, "(file)", f"cannot be read: {exc.strerror}") from None


def load_config(path: Path) -> Config:
    if not path.exists():
        return Config()
    data = _read(path)
    for name in data:
        if name not in _SECTIONS:
            raise ConfigError(path, name, f"unknown section (known: {', '.join(sorted(_SECTIONS))})")
    general: _General = _convert(path, "general", data.get("general", {}), _General)
    identity: Identity = _convert(path, "identity", data.get("identity", {}), Identity)
    table: dict[str, Any] = _convert(path, "keys", data.get("keys", {}), dict[str, Any])
    keys = {name: _convert(path, f"keys.{name}", value, str) for name, value in table.items()}
    tables: list[dict[str, Any]] = _convert(path, "sources", data.get("sources", []), list[dict[str, Any]])
    if general.refresh_minutes < 0:
        raise ConfigError(
            path,
            "general.refresh_minutes",
            f"expected minutes (0 = never), found {general.refresh_minutes!r}",
        )
    if general.connections_per_host < 1:
        raise ConfigError(
            path,
            "general.connections_per_host",
            f"expected a whole number, 1 or more, found {general.connections_per_host!r}",
        )
    sources = tuple(_source(path, n, t) for n, t in enumerate(tables))
    _check_names(path, sources, general.seeds)
    return Config(
        path=path,
        connections_per_host=general.connections_per_host,
        proxy=general.proxy,
        keep=None if general.keep is None else _keep(path, "general.keep", general.keep),
        refresh_minutes=float(general.refresh_minutes),
        seeds=general.seeds,
        theme=general.theme,
        identity=identity,
        keys=keys,
        sources=sources,
    )


def _check_names(path: Path, sources: tuple[SourceSpec, ...], seeds: bool) -> None:
    """Each source has a name of its own, the bundled seeds' included while they are on
    (a source is found, listed and removed by its name: a second one would be hidden)."""
    first: dict[str, int] = {}
    for index, spec in enumerate(sources):
        key = f"sources[{index}].name"
        if spec.name in first:
            raise ConfigError(
                path, key, f"{spec.name!r} is the name of sources[{first[spec.name]}] already; choose another"
            )
        if seeds and spec.name == SEEDS_SOURCE_NAME:
            raise ConfigError(
                path,
                key,
                f"{spec.name!r} is the name of the bundled sample source; choose another,"
                " or turn the samples off with `seeds = false` under [general]",
            )
        first[spec.name] = index


def _source(path: Path, index: int, raw: dict[str, Any]) -> SourceSpec:
    key = f"sources[{index}]"
    if "location" not in raw and "url" in raw:  # a feed server's address is its `url`
        raw = {("location" if k == "url" else k): v for k, v in raw.items()}
    for name in ("name", "kind", "location"):
        if name not in raw:
            raise ConfigError(path, f"{key}.{name}", "missing")
    base = {k: raw[k] for k in ("name", "kind", "location", "tags") if k in raw}
    table: _SourceTable = _convert(path, key, base, _SourceTable)
    options = _source_options(path, key, table.kind, {k: v for k, v in raw.items() if k not in base})
    location = table.location
    if table.kind == "local":
        location = str(Path(location).expanduser())
    return SourceSpec(table.name, table.kind, location, options, tuple(table.tags))


def _source_options(path: Path, key: str, kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """A source's options, checked against what its kind and its sender take.

    Sizes and durations are turned into bytes and seconds here. A kind or
    sender that does not load is not checked: the refresh or the send says
    what is wrong with it.
    """
    from termnews.sources import KINDS

    if not KINDS.knows(kind):
        known = ", ".join(KINDS.names())
        raise ConfigError(path, f"{key}.kind", f"unknown kind {kind!r} (known: {known})")
    if not raw:
        return {}  # nothing to check: no kind or sender is imported (start-up time)
    from termnews.senders import DEFAULT_SENDER, SENDERS

    sender = raw.get("sender", DEFAULT_SENDER)
    if not isinstance(sender, str) or not SENDERS.knows(sender):
        known = ", ".join(SENDERS.names())
        raise ConfigError(path, f"{key}.sender", f"expected a sender (known: {known}), found {sender!r}")
    shapes = [_options_type(KINDS.load, kind), _options_type(SENDERS.load, sender)]
    if "keep" in raw:
        _keep(path, f"{key}.keep", raw["keep"])
    if any(shape is None for shape in shapes):
        return dict(raw)  # a plugin that declares no options takes any
    options = dict(raw)
    allowed = {f.name: f for shape in shapes for f in fields(shape)}
    for name, value in raw.items():
        if name not in allowed:
            raise ConfigError(path, f"{key}.{name}", f"unknown option (known: {', '.join(sorted(allowed))})")
        parse = allowed[name].metadata.get("parse")
        if parse is not None:
            try:
                options[name] = parse(value)
            except ValueError as exc:
                raise ConfigError(path, f"{key}.{name}", str(exc)) from None
    for shape in shapes:
        _convert(path, key, {k: v for k, v in raw.items() if k in {f.name for f in fields(shape)}}, shape)
    return options


def _options_type(load: Callable[[str], Any], name: str) -> Any:
    try:
        return load(name).options_type
    except Exception:  # a broken plugin is reported where it is used, not here
        return None


def _keep(path: Path, key: str, value: Any) -> Keep:
    try:
        return parse_keep(value)
    except ValueError as exc:
        raise ConfigError(path, key, str(exc)) from None


def seeds_source() -> SourceSpec:
    return SourceSpec(SEEDS_SOURCE_NAME, "local", f"{BUNDLED_PREFIX}seeds")


def source_specs(config: Config, subscribed: list[SourceSpec]) -> list[SourceSpec]:
    """Every source in force: the seeds (unless turned off), config's, then the app's."""
    specs = ([seeds_source()] if config.seeds else []) + list(config.sources) + subscribed
    unique: dict[str, SourceSpec] = {}
    for spec in specs:
        unique.setdefault(spec.name, spec)
    return list(unique.values())
