"""Refreshing sources into the store.

`refresh` fetches each source, sanitizes what it returns (the one sanitizing
step between sources and the screen) and stores it in one transaction per
source. A failed or empty fetch deletes nothing already cached. Never imports
Textual: the app runs this in a worker, the CLI directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from termnews.models import ArticleData, FetchContext, FetchResult, SourceSpec
from termnews.sanitize import LIMITS, clean_line, clean_text
from termnews.sources import load_kind
from termnews.store import Store


@dataclass(frozen=True)
class SourceOutcome:
    spec: SourceSpec
    new: int = 0
    total: int = 0
    not_modified: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()


Progress = Callable[[SourceOutcome, int, int], None]


def clean_article(entry: ArticleData) -> ArticleData:
    return replace(
        entry,
        title=clean_line(entry.title, LIMITS["title"]) or "(untitled)",
        body=clean_text(entry.body, LIMITS["body"]),
        link=clean_line(entry.link, LIMITS["link"]) or None,
        author=clean_line(entry.author, LIMITS["author"]) or None,
        guid=clean_line(entry.guid, LIMITS["link"]) or None,
        enclosures=tuple(clean_line(e, LIMITS["link"]) for e in entry.enclosures),
        comments_url=clean_line(entry.comments_url, LIMITS["link"]) or None,
    )


def fetch_source(spec: SourceSpec, ctx: FetchContext) -> FetchResult:
    """Run one source, turning anything it raises into an error result."""
    try:
        return load_kind(spec.kind)(spec).fetch(ctx)
    except Exception as exc:  # a source (or plugin) must never end the refresh
        return FetchResult(error=f"{type(exc).__name__}: {exc}")


def store_result(store: Store, spec: SourceSpec, result: FetchResult) -> SourceOutcome:
    if result.error is None and not result.not_modified:
        articles = [clean_article(a) for a in result.articles]
        new = store.store_articles(spec, articles)
    else:
        articles, new = [], 0
    store.record_fetch(
        spec.source_id,
        error=result.error,
        etag=result.etag,
        last_modified=result.last_modified,
        body_hash=result.body_hash,
    )
    return SourceOutcome(
        spec, new, len(articles), result.not_modified, result.error, result.warnings
    )


def refresh(
    store: Store, specs: list[SourceSpec], progress: Progress | None = None
) -> list[SourceOutcome]:
    outcomes: list[SourceOutcome] = []
    for spec in specs:
        status = store.source_status(spec.source_id)
        ctx = FetchContext(
            etag=status.etag if status else None,
            last_modified=status.last_modified if status else None,
            body_hash=status.body_hash if status else None,
        )
        outcome = store_result(store, spec, fetch_source(spec, ctx))
        outcomes.append(outcome)
        if progress:
            progress(outcome, len(outcomes), len(specs))
    return outcomes
