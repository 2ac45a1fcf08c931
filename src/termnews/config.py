"""`config.toml`: preferences, sources, identity, keys. Validated on load.

A mistake in the file is reported as `ConfigError` naming the file, the key
and what was expected; termnews never writes to the file except through
`termnews config init` when it does not exist yet.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
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

# Your identity for replies: typed once, filled into every new draft.
[identity]
name = ""
email = ""
website = ""

# Rebind keys by binding id, e.g.  next_article = "j,down"
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


def _expect(path: Path, key: str, value: Any, kind: type, what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(path, key, f"expected {what}, found {value!r}")
    return value


def _table(path: Path, data: dict[str, Any], key: str, allowed: set[str]) -> dict[str, Any]:
    table = _expect(path, key, data.get(key, {}), dict, "a table")
    for name in table:
        if name not in allowed:
            raise ConfigError(path, f"{key}.{name}", f"unknown key (known: {', '.join(sorted(allowed))})")
    return table


def load_config(path: Path) -> Config:
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "(file)", f"not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(path, "(file)", f"cannot be read: {exc.strerror}") from exc
    known = {"general", "identity", "keys", "sources"}
    for name in data:
        if name not in known:
            raise ConfigError(path, name, f"unknown section (known: {', '.join(sorted(known))})")
    general = _table(path, data, "general", {"seeds", "theme", "keep", "refresh_minutes"})
    identity = _table(path, data, "identity", {"name", "email", "website"})
    keys = _expect(path, "keys", data.get("keys", {}), dict, "a table")
    for name, value in keys.items():
        _expect(path, f"keys.{name}", value, str, 'a string of keys such as "j,down"')
    for name, value in identity.items():
        _expect(path, f"identity.{name}", value, str, "a string")
    theme = general.get("theme")
    if theme is not None:
        _expect(path, "general.theme", theme, str, "a theme name")
    minutes = general.get("refresh_minutes", 0)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes < 0:
        raise ConfigError(path, "general.refresh_minutes", f"expected minutes (0 = never), found {minutes!r}")
    return Config(
        path=path,
        keep=_keep(path, "general.keep", general["keep"]) if "keep" in general else None,
        refresh_minutes=float(minutes),
        seeds=_expect(path, "general.seeds", general.get("seeds", True), bool, "true or false"),
        theme=theme,
        identity=Identity(**identity),
        keys=dict(keys),
        sources=tuple(_source(path, n, s) for n, s in enumerate(data.get("sources", []))),
    )


def _source(path: Path, index: int, raw: Any) -> SourceSpec:
    key = f"sources[{index}]"
    raw = _expect(path, key, raw, dict, "a [[sources]] table")
    if "location" not in raw and "url" in raw:  # sync: a feed server's address is its `url`
        raw = {**raw, "location": raw["url"]}
        del raw["url"]
    for field_name in ("name", "kind", "location"):
        if field_name not in raw:
            raise ConfigError(path, f"{key}.{field_name}", "missing")
        _expect(path, f"{key}.{field_name}", raw[field_name], str, "a string")
    tags = _expect(path, f"{key}.tags", raw.get("tags", []), list, "a list of strings")
    options = {k: v for k, v in raw.items() if k not in {"name", "kind", "location", "tags"}}
    if "keep" in options:
        _keep(path, f"{key}.keep", options["keep"])
    location = raw["location"]
    if raw["kind"] == "local":
        location = str(Path(location).expanduser())
    return SourceSpec(raw["name"], raw["kind"], location, options, tuple(map(str, tags)))


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
