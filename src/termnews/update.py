"""Refreshing sources into the store.

`refresh` drives every source through up to three stages and keeps each
where it runs best:

1. fetch, in a pool of threads (network and disk waits release the GIL);
   conditional GET and the body hash answer "not modified" here, unparsed;
2. parse, in worker processes (feedparser is CPU-bound pure Python; a worker
   that dies or hangs on a hostile feed takes down only that source);
   `clean_article`, the one sanitizing step between sources and the screen,
   runs there too;
3. store, in the calling thread, one transaction per source.

A failed or empty fetch deletes nothing already cached. Sources that do not
split into stages (`local`, most plugins) run whole in a fetch thread. Never
imports Textual: the app runs this in a thread worker, the CLI directly.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from termnews.models import FetchContext, FetchResult, HttpOptions, SourceSpec
from termnews.sanitize import LIMITS, clean_article, clean_line
from termnews.sources import load_kind
from termnews.sources.base import Download, Source, StagedSource

if TYPE_CHECKING:
    from termnews.fetch import HttpClient
    from termnews.store import Store

# httpx (termnews.fetch) is imported where used: parser processes never need it.


@dataclass(frozen=True)
class SourceOutcome:
    spec: SourceSpec
    new: int = 0
    total: int = 0
    not_modified: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()


Progress = Callable[[SourceOutcome, int, int], None]


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(frozen=True)
class RefreshSettings:
    """How hard a refresh works; the defaults are sized for the machine."""

    #: Sources fetched at once (network waits overlap): 4 per core, 4 to 16.
    #: More threads buy little on a fast network and cost memory (each one
    #: that allocates gets a malloc arena of its own).
    fetch_workers: int = field(default_factory=lambda: min(16, max(4, 4 * _cpus())))
    #: Parser processes: one per core. 0 parses in the refresh's own process.
    parse_workers: int = field(default_factory=_cpus)
    #: Bytes of downloaded documents waiting to be parsed and stored; fetching
    #: pauses above it, so memory stays flat when the store is the slow stage.
    held_bytes: int = 4 * 1024 * 1024
    #: A document whose parse takes longer is abandoned with an error.
    parse_timeout: float = 120.0
    #: Defaults for every HTTP request (a source's options may override them).
    http: HttpOptions = field(default_factory=HttpOptions)


def store_result(
    store: Store, spec: SourceSpec, result: FetchResult, *, cleaned: bool = False
) -> SourceOutcome:
    """Store one source's result in one transaction and record the fetch."""
    # Errors and warnings quote servers, files and plugins: they are shown too.
    result = replace(
        result,
        error=None if result.error is None else (clean_line(result.error, LIMITS["title"]) or "error"),
        warnings=tuple(clean_line(w, LIMITS["title"]) for w in result.warnings),
    )
    if result.error is None and not result.not_modified:
        articles = result.articles if cleaned else [clean_article(a) for a in result.articles]
        new = store.store_articles(spec, articles)
    else:
        articles, new = [], 0
    store.record_fetch(
        spec.source_id,
        error=result.error,
        etag=result.etag,
        last_modified=result.last_modified,
        body_hash=result.body_hash,
        warnings=result.warnings,
    )
    return SourceOutcome(spec, new, len(articles), result.not_modified, result.error, result.warnings)


def _context(store: Store, spec: SourceSpec, http: HttpOptions) -> FetchContext:
    status = store.source_status(spec.source_id)
    if status is None:
        return FetchContext(http=http)
    return FetchContext(status.etag, status.last_modified, status.body_hash, http)


def refresh(
    store: Store,
    specs: list[SourceSpec],
    progress: Progress | None = None,
    *,
    settings: RefreshSettings | None = None,
) -> list[SourceOutcome]:
    """Refresh `specs` into `store`; one outcome per spec, in the same order.

    `progress(outcome, done, total)` is called in this thread as each source
    is stored.
    """
    return _Refresh(store, specs, progress, settings or RefreshSettings()).run()


# -- the pipeline -------------------------------------------------------------------


def _fetch_stage(
    cls: type[Source],
    spec: SourceSpec,
    ctx: FetchContext,
    http: HttpClient | None,
) -> object:
    """Runs in a fetch thread: a staged source's download, or a whole fetch."""
    source = cls(spec)
    if isinstance(source, StagedSource) and http is not None:
        return source.download(ctx, http)
    return source.fetch(ctx)


def _parse_stage(cls: type[Source], download: Download) -> FetchResult:
    """Runs in a worker process (only staged sources download)."""
    assert issubclass(cls, StagedSource)
    try:
        return cls.parse(download)
    except Exception as exc:
        return FetchResult(error=f"could not parse: {type(exc).__name__}: {exc}")


def _worker_init() -> None:
    # A hostile document may try to take all memory: cap the worker's address
    # space so it fails there (as that source's error), not the machine.
    try:
        import resource

        limit = 4 * 1024**3
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _start_forkserver() -> None:
    """Start the fork server (and resource tracker) with the process's own stderr.

    Both hand `sys.stderr.fileno()` to the server they start; inside the app,
    Textual has replaced `sys.stderr` with an object that has no usable file
    descriptor, and starting a worker would fail with "bad value(s) in
    fds_to_keep". Started once; later pools reuse the running server.
    """
    from multiprocessing import forkserver, resource_tracker

    replaced = sys.stderr
    try:
        sys.stderr = sys.__stderr__
        resource_tracker.ensure_running()
        forkserver.ensure_running()
    finally:
        sys.stderr = replaced


def _mp_context() -> multiprocessing.context.BaseContext:
    """How to start parser processes.

    Plain fork only while this process has a single thread (the CLI, before
    any fetch starts): it is the cheapest, and children share the parent's
    pages. Otherwise (the app, or a pool restarted mid-refresh) a forked child
    could inherit a lock another thread held, so a fork server starts them.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["termnews.feedparse", "termnews.sources.feed", "termnews.update"])
        _start_forkserver()
        return ctx
    return multiprocessing.get_context("spawn")


def _ready() -> None:
    """A no-op job: submitting it starts the workers."""


def _stop(pool: ProcessPoolExecutor) -> None:
    """End a pool whose workers may be stuck in a parse."""
    for proc in list(getattr(pool, "_processes", {}).values()):
        try:
            proc.kill()
        except (OSError, AttributeError):
            pass
    pool.shutdown(wait=True, cancel_futures=True)


_CRASHED = "the feed parser crashed on this document (its worker process died)"


@dataclass(frozen=True)
class _Job:
    """A source in the pipeline: fetching, or (with its download) parsing."""

    index: int
    cls: type[Source]
    download: Download | None = None


class _Refresh:
    def __init__(
        self,
        store: Store,
        specs: list[SourceSpec],
        progress: Progress | None,
        settings: RefreshSettings,
    ) -> None:
        self.store, self.specs, self.progress, self.settings = store, specs, progress, settings
        self.outcomes: list[SourceOutcome | None] = [None] * len(specs)
        self.done = 0
        self.parse_pool: ProcessPoolExecutor | None = None

    def finish(self, index: int, result: FetchResult, cleaned: bool) -> None:
        try:
            outcome = store_result(self.store, self.specs[index], result, cleaned=cleaned)
        except Exception as exc:  # a store error ends this source, not the refresh
            outcome = SourceOutcome(self.specs[index], error=f"could not store: {exc}")
        self.outcomes[index] = outcome
        self.done += 1
        if self.progress:
            self.progress(outcome, self.done, len(self.specs))

    def run(self) -> list[SourceOutcome]:
        jobs: deque[tuple[int, type[Source]]] = deque()
        kinds: dict[str, type[Source] | Exception] = {}  # entry points are read once
        for index, spec in enumerate(self.specs):
            if spec.kind not in kinds:
                try:
                    kinds[spec.kind] = load_kind(spec.kind)
                except Exception as exc:
                    kinds[spec.kind] = exc
            kind = kinds[spec.kind]
            if isinstance(kind, Exception):
                self.finish(index, FetchResult(error=str(kind)), True)
            else:
                jobs.append((index, kind))
        staged = any(issubclass(cls, StagedSource) for _, cls in jobs)
        if staged and self.settings.parse_workers > 0:
            # Start the parser processes now, before any fetching thread
            # exists (see `_mp_context`). Forked children share the parent's
            # pages, so the parsers are imported first, once for all.
            import termnews.feedparse  # noqa: F401

            self._pool().submit(_ready)
        workers = max(1, self.settings.fetch_workers)
        from termnews.fetch import HttpClient

        http = HttpClient(max_connections=workers) if staged else None
        fetchers = ThreadPoolExecutor(workers, thread_name_prefix="termnews-fetch")
        try:
            self._loop(jobs, fetchers, http, workers)
        finally:
            fetchers.shutdown(wait=True, cancel_futures=True)
            if self.parse_pool is not None:
                self.parse_pool.shutdown(wait=True, cancel_futures=True)
            if http is not None:
                http.close()
        return [o for o in self.outcomes if o is not None]

    def _loop(
        self,
        jobs: deque[tuple[int, type[Source]]],
        fetchers: ThreadPoolExecutor,
        http: HttpClient | None,
        workers: int,
    ) -> None:
        # Downloaded documents not yet stored are kept under a byte budget: when
        # parsing or storing is the slow stage, fetching waits instead of piling
        # bodies up in memory. (A network-bound refresh never reaches it.)
        self.pending: dict[Future, _Job] = {}
        self.held = self.fetching = 0
        self.last_parse = time.monotonic()
        while jobs or self.pending:
            while jobs and self.fetching < workers and self.held < self.settings.held_bytes:
                self.fetching += 1
                index, cls = jobs.popleft()
                ctx = _context(self.store, self.specs[index], self.settings.http)
                future = fetchers.submit(_fetch_stage, cls, self.specs[index], ctx, http)
                self.pending[future] = _Job(index, cls)
            parsing = any(job.download is not None for job in self.pending.values())
            done, _ = wait(self.pending, timeout=1.0 if parsing else None, return_when=FIRST_COMPLETED)
            broken = [job for future in done if (job := self._collect(future)) is not None]
            stuck = parsing and not done and time.monotonic() - self.last_parse > self.settings.parse_timeout
            if broken or stuck:
                self._recover(broken)

    def _collect(self, future: Future) -> _Job | None:
        """Take a finished stage forward; a parse whose pool broke is returned to retry."""
        job = self.pending.pop(future)
        if job.download is None:  # a fetch
            self.fetching -= 1
            try:
                got = future.result()
            except Exception as exc:
                got = FetchResult(error=f"{type(exc).__name__}: {exc}")
            if isinstance(got, Download):
                self.held += len(got.body)
                self.pending[self._submit_parse(job.cls, got)] = _Job(job.index, job.cls, got)
                self.last_parse = time.monotonic()
            else:
                self.finish(job.index, got, cleaned=False)
            return None
        self.last_parse = time.monotonic()
        self.held -= len(job.download.body)
        try:
            self.finish(job.index, future.result(), cleaned=True)
        except BrokenProcessPool:
            return job
        return None

    def _recover(self, broken: list[_Job]) -> None:
        """The pool is gone (a worker died) or wedged (a parse that never ends):
        end it, then give each document it held a worker of its own, so only
        the guilty one fails."""
        stranded = list(broken)
        for future, job in list(self.pending.items()):
            if job.download is not None:
                del self.pending[future]
                self.held -= len(job.download.body)
                stranded.append(job)
        if self.parse_pool is not None:
            _stop(self.parse_pool)
            self.parse_pool = None
        for job in stranded:
            assert job.download is not None
            self.finish(job.index, self._parse_alone(job.cls, job.download), cleaned=True)
        self.last_parse = time.monotonic()

    def _submit_parse(self, cls: type[Source], download: Download) -> Future:
        if self.settings.parse_workers <= 0:
            future: Future = Future()
            future.set_result(_parse_stage(cls, download))
            return future
        return self._pool().submit(_parse_stage, cls, download)

    def _pool(self) -> ProcessPoolExecutor:
        if self.parse_pool is None:
            self.parse_pool = ProcessPoolExecutor(
                self.settings.parse_workers, mp_context=_mp_context(), initializer=_worker_init
            )
        return self.parse_pool

    def _parse_alone(self, cls: type[Source], download: Download) -> FetchResult:
        pool = ProcessPoolExecutor(1, mp_context=_mp_context(), initializer=_worker_init)
        try:
            future = pool.submit(_parse_stage, cls, download)
            done, _ = wait([future], timeout=self.settings.parse_timeout)
            if not done:
                return FetchResult(
                    error=f"parsing took longer than {self.settings.parse_timeout:g} s; abandoned"
                )
            return future.result()
        except BrokenProcessPool:
            return FetchResult(error=_CRASHED)
        finally:
            _stop(pool)
