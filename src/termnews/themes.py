"""Themes are data: TOML files turned into Textual `Theme`s after validation.

Bundled themes ship in the wheel (`themes/`); a person's own go in
`themes/` under the config dir and may replace a bundled one of the same name.
A file with a mistake is reported (file and field) and skipped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from termnews.paths import bundled_dir

DEFAULT_THEME = "termnews-dark"
COLOR_FIELDS = (
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)


@dataclass(frozen=True)
class ThemeProblem:
    path: Path
    field: str
    problem: str

    def __str__(self) -> str:
        return f"theme {self.path}: {self.field}: {self.problem}"


def theme_from_file(path: Path) -> Theme | ThemeProblem:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return ThemeProblem(path, "(file)", f"not readable TOML: {exc}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        return ThemeProblem(path, "name", "expected a non-empty string")
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        return ThemeProblem(path, "dark", f"expected true or false, found {dark!r}")
    colors = data.get("colors", {})
    if not isinstance(colors, dict):
        return ThemeProblem(path, "colors", "expected a table")
    for key, value in colors.items():
        if key not in COLOR_FIELDS:
            return ThemeProblem(path, f"colors.{key}", f"unknown colour (known: {', '.join(COLOR_FIELDS)})")
        try:
            Color.parse(value)
        except (ColorParseError, TypeError, ValueError):
            return ThemeProblem(path, f"colors.{key}", f"not a colour: {value!r}")
    if "primary" not in colors:
        return ThemeProblem(path, "colors.primary", "missing (every theme needs a primary colour)")
    return Theme(name=name.strip(), dark=dark, **colors)


def load_themes(user_dir: Path) -> tuple[list[Theme], list[ThemeProblem]]:
    """Bundled then user themes (a user theme wins on a name clash), and the problems found."""
    themes: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    for folder in (bundled_dir("themes"), user_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            loaded = theme_from_file(path)
            if isinstance(loaded, ThemeProblem):
                problems.append(loaded)
            else:
                themes[loaded.name] = loaded
    return list(themes.values()), problems
