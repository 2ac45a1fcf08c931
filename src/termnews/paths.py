"""Where termnews keeps things: config, user data, cache, bundled data.

`--home DIR` or `TERMNEWS_HOME` puts config, data and cache under one folder
(tests, separate profiles); otherwise platformdirs picks the usual places.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "termnews"
HOME_ENV = "TERMNEWS_HOME"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> Paths:
        home = home or os.environ.get(HOME_ENV)
        if home:
            root = Path(home).expanduser().resolve()
            return cls(root / "config", root / "data", root / "cache")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def state_db(self) -> Path:
        return self.data_dir / "state.sqlite"

    @property
    def cache_db(self) -> Path:
        return self.cache_dir / "cache.sqlite"


# A location written `bundled:seeds` names a folder shipped with termnews, so
# that the source's identity does not depend on where it was installed.
BUNDLED_PREFIX = "bundled:"


def resolve_location(location: str) -> Path:
    if location.startswith(BUNDLED_PREFIX):
        return bundled_dir(location.removeprefix(BUNDLED_PREFIX))
    return Path(location).expanduser()


def bundled_dir(name: str) -> Path:
    """A folder shipped with the package (`seeds`, `themes`).

    In a wheel it sits at `termnews/_data/NAME`; in a source checkout it is
    the top-level folder of the repository.
    """
    here = Path(__file__).resolve().parent
    installed = here / "_data" / name
    if installed.is_dir():
        return installed
    return here.parent.parent / name
