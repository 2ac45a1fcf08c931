"""The records that flow between layers.

Sources produce `ArticleData`; the store hands the app `Headline` rows and
`Article` records. All are frozen: a layer never edits another's data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

BodyFormat = Literal["text", "markdown", "html"]


@dataclass(frozen=True)
class SourceSpec:
    """One configured source: what the user wrote in config or added."""

    name: str
    kind: str
    location: str
    options: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    @property
    def source_id(self) -> str:
        """Stable identity of the source, independent of its display name."""
        return stable_hash(f"{self.kind}\0{self.location}")


@dataclass(frozen=True)
class ArticleData:
    """One entry as a source parsed it, before identity and sanitizing."""

    title: str
    body: str = ""
    body_format: BodyFormat = "text"
    guid: str | None = None
    link: str | None = None
    author: str | None = None
    published: float | None = None  # seconds since the epoch, UTC
    enclosures: tuple[str, ...] = ()
    comments_url: str | None = None


@dataclass(frozen=True)
class HttpOptions:
    """Limits of one HTTP request; every one can be set per source or per refresh."""

    max_bytes: int = 10 * 1024 * 1024  # decoded body
    deadline: float = 20.0  # seconds for the whole request, redirects included
    connect_timeout: float = 10.0
    max_redirects: int = 5
    user_agent: str = ""  # empty: termnews's own


@dataclass(frozen=True)
class FetchContext:
    """What a source may know about its last fetch (HTTP validators), and
    the refresh's HTTP limits (a source's own options go over them)."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    http: HttpOptions = field(default_factory=HttpOptions)


@dataclass(frozen=True)
class FetchResult:
    articles: list[ArticleData] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    not_modified: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Headline:
    """One row of the headline pane."""

    id: str
    title: str
    source: str
    published: float | None
    read: bool
    starred: bool
    has_draft: bool
    link: str | None
    #: In search results: the words around the first match in the body.
    snippet: str | None = None


@dataclass(frozen=True)
class Article:
    """One article as the reader shows it (already sanitized)."""

    id: str
    source: str
    title: str
    body: str
    body_format: BodyFormat
    link: str | None
    author: str | None
    published: float | None
    enclosures: tuple[str, ...]
    read: bool
    starred: bool


def stable_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def article_id(source_id: str, entry: ArticleData) -> str:
    """Identity that survives refreshes and cache rebuilds.

    From the entry's guid, else its link, else title and date.
    """
    key = entry.guid or entry.link or f"{entry.title}\0{entry.published or ''}"
    return stable_hash(f"{source_id}\0{key}")
