"""The source contract every kind (built-in or plugin) implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from termnews.models import FetchContext, FetchResult, SourceSpec


class Source(ABC):
    """Turns one configured source into article records.

    A source never touches the store or the UI; `termnews.update` calls it,
    possibly in another thread or process, and stores what it returns.
    """

    #: The `kind` users write in config (`local`, `feed`, ...).
    kind: ClassVar[str]
    #: Whether a refresh is cheap enough to run at every start (local files).
    refresh_on_start: ClassVar[bool] = False

    def __init__(self, spec: SourceSpec) -> None:
        self.spec = spec

    @abstractmethod
    def fetch(self, ctx: FetchContext) -> FetchResult:
        """Read the source and return its articles.

        `ctx` carries the validators the last successful fetch returned, so a
        source can answer `not_modified=True` without parsing again. Errors the
        user should see are returned in `FetchResult.error`, not raised.
        """
