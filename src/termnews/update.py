"""Refreshing sources into the store.

`refresh` drives every source through up to three stages and keeps each
where it runs best:

1. fetch, in a pool of threads (network and disk waits release the GIL);
   conditional GET and the body hash answer "not modified" here, unparsed;
2. parse, in worker processes (feedparser is CPU-bound pure Python; a worker
   that dies or hangs on a hostile feed takes down only that source);
   `clean_article`, the one sanitizing step between sources and the screen,
   runs there too;
3. store, in the calling thread: the workers send rows ready to write
   (article ids, compressed bodies), written a batch of sources per
   transaction;
4. index: the search index is built from the stored articles, after them
   (`index=False` leaves it to `termnews.indexer`, in the background); until
   then a search may miss the newest articles (`Store.unindexed`).

A failed or empty fetch deletes nothing already cached. Sources that do not
split into stages (`local`, most plugins) run whole in a fetch thread. Never
imports Textual: the app runs this in a thread worker, the CLI directly.
"""

from __future__ import annotations

import gc
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

from termnews.models import (
    FetchContext,
    FetchResult,
    HttpOptions,
    SourceOutcome,
    SourceSpec,
    SourceStatus,
)
from termnews.sanitize import LIMITS, clean_article, clean_line
from termnews.schedule import interval, not_due
from termnews.sources import load_kind
from termnews.sources.base import Download, Source, StagedSource
from termnews.store.articles import ArticleRow, prepare_rows
from termnews.store.fetch_state import FetchNote, StoredFetch

if TYPE_CHECKING:
    from termnews.fetch import HttpClient
    from termnews.hosts import HostGate
    from termnews.store import Store

# httpx (termnews.fetch) is imported where used: parser processes never need it.


Progress = Callable[[SourceOutcome, int, int], None]

#: Articles written per transaction (a batch of whole sources, written when it reaches this).
BATCH_ROWS = 1000
#: While the pipeline waits, a batch is written once it holds this many articles, or once
#: its first source has waited FLUSH_WAIT seconds: a run of "not modified" answers, or of
#: small feeds, is one transaction, not one each.
IDLE_ROWS = BATCH_ROWS // 4
FLUSH_WAIT = 0.2


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
    #: pauses above it, so memory stays flat when parsing or the store is the
    #: slow stage (a few documents a parser process are enough to keep it busy).
    held_bytes: int = 2 * 1024 * 1024
    #: A document whose parse takes longer is abandoned with an error.
    parse_timeout: float = 120.0
    #: Defaults for every HTTP request (a source's options may override them).
    http: HttpOptions = field(default_factory=HttpOptions)
    #: Requests to one host at a time, and the least time between their starts.
    per_host: int = 2
    host_spacing: float = 0.1
    #: Fetch sources before they are due (<ttl>, max-age, refresh_minutes).
    force: bool = False


@dataclass(frozen=True)
class Prepared:
    """A source's fetch ready to store: its articles as rows (built where they were parsed)."""

    result: FetchResult  # without its articles
    rows: list[ArticleRow]


def prepare(spec: SourceSpec, result: FetchResult, *, cleaned: bool = False) -> Prepared:
    """Rows from a fetch's articles (cleaned here unless `cleaned`); errors and warnings made safe to show."""
    # Errors and warnings quote servers, files and plugins: they are shown too.
    result = replace(
        result,
        error=None if result.error is None else (clean_line(result.error, LIMITS["title"]) or "error"),
        warnings=tuple(clean_line(w, LIMITS["title"]) for w in result.warnings),
    )
    rows: list[ArticleRow] = []
    if result.error is None and not result.not_modified:
        rows = prepare_rows(
            spec.source_id, result.articles if cleaned else map(clean_article, result.articles)
        )
    return Prepared(replace(result, articles=[]), rows)


def _stored(store: Store, batch: list[tuple[SourceSpec, Prepared]]) -> list[SourceOutcome]:
    """Write a batch of sources in one transaction; a failure fails each of them, nothing else."""
    fetches = [
        StoredFetch(
            spec,
            None if p.result.error or p.result.not_modified else p.rows,
            FetchNote(
                error=p.result.error,
                etag=p.result.etag,
                last_modified=p.result.last_modified,
                body_hash=p.result.body_hash,
                interval=interval(spec, p.result),
                not_modified=p.result.not_modified,
                moved_to=p.result.moved_to,
                gone=p.result.gone,
                warnings=p.result.warnings,
            ),
        )
        for spec, p in batch
    ]
    try:
        news = store.store_fetches(fetches)
    except Exception as exc:  # a store error ends these sources, not the refresh
        return [SourceOutcome(spec, error=f"could not store: {exc}") for spec, _ in batch]
    return [
        SourceOutcome(spec, new, len(p.rows), p.result.not_modified, p.result.error, p.result.warnings)
        for (spec, p), new in zip(batch, news, strict=True)
    ]


def _context(status: SourceStatus | None, http: HttpOptions) -> FetchContext:
    if status is None:
        return FetchContext(http=http)
    return FetchContext(
        status.etag, status.last_modified, status.body_hash, http, status.location, status.warnings
    )


def refresh(
    store: Store,
    specs: list[SourceSpec],
    progress: Progress | None = None,
    *,
    settings: RefreshSettings | None = None,
    index: bool = True,
) -> list[SourceOutcome]:
    """Refresh `specs` into `store`; one outcome per spec, in the same order.

    `progress(outcome, done, total)` is called in this thread as each source
    is stored. With `index`, the search index is brought up to date before
    returning; without, the caller sees to it (`termnews.indexer`).
    """
    outcomes = _Refresh(store, specs, progress, settings or RefreshSettings()).run()
    if index:
        from termnews.indexer import index_all

        index_all(store)
    return outcomes


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


def _parse_stage(cls: type[Source], spec: SourceSpec, download: Download) -> Prepared:
    """Runs in a worker process (only staged sources download): parse, clean, build the rows."""
    assert issubclass(cls, StagedSource)
    try:
        result = cls.parse(download)
    except Exception as exc:
        result = FetchResult(error=f"could not parse: {type(exc).__name__}: {exc}")
    return prepare(spec, result, cleaned=True)


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
        # What the children inherit leaves the collector's care: a collection in
        # a child would write to every object's header and unshare its pages.
        gc.freeze()
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["termnews.feedparse", "termnews.sources.feed", "termnews.update"])
        _start_forkserver()
        return ctx
    return multiprocessing.get_context("spawn")


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes as the parsers run (started as `_mp_context` says, memory capped);
    sync prepares its pages in them too."""
    return ProcessPoolExecutor(workers, mp_context=_mp_context(), initializer=_worker_init)


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
        self.statuses: dict[str, SourceStatus] = {}
        self.batch: list[tuple[int, Prepared]] = []
        self.batch_rows = 0
        self.queued = 0.0  # when the batch's first source was queued

    def finish(self, index: int, prepared: Prepared) -> None:
        """Queue a source for the next batch write (written when the batch is full or the pipeline idles)."""
        if not self.batch:
            self.queued = time.monotonic()
        self.batch.append((index, prepared))
        self.batch_rows += len(prepared.rows)
        if self.batch_rows >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        batch, self.batch, self.batch_rows = self.batch, [], 0
        if not batch:
            return
        outcomes = _stored(self.store, [(self.specs[index], p) for index, p in batch])
        for (index, _), outcome in zip(batch, outcomes, strict=True):
            self.outcomes[index] = outcome
            self.done += 1
            if self.progress:
                self.progress(outcome, self.done, len(self.specs))

    def _skip(self, index: int, why: str) -> None:
        self.outcomes[index] = outcome = SourceOutcome(self.specs[index], skipped=why)
        self.done += 1
        if self.progress:
            self.progress(outcome, self.done, len(self.specs))

    def _gate(self) -> HostGate:
        from termnews.hosts import HostGate

        gate = HostGate(self.settings.per_host, self.settings.host_spacing)
        gate.load(self.store.host_waits())
        return gate

    def run(self) -> list[SourceOutcome]:
        # Every source's last fetch in one read: when each is due, and its validators.
        self.statuses = self.store.source_statuses([spec.source_id for spec in self.specs])
        jobs = self._jobs()
        staged = [index for index, cls in jobs if issubclass(cls, StagedSource)]
        if self.settings.parse_workers > 0 and any(self._never_parsed(index) for index in staged):
            # Documents will need parsing: start the parser processes now, before
            # any fetching thread exists (see `_mp_context`). Forked children share
            # the parent's pages, so the parsers are imported first, once for all.
            # When every source may well answer "not modified", they start only
            # once a document needs them.
            import termnews.feedparse  # noqa: F401
            from termnews.store.search_index import deflater

            deflater()
            self._pool().submit(_ready)
        workers = max(1, self.settings.fetch_workers)
        http: HttpClient | None = None
        if staged:  # httpx is loaded only for a download (not for local folders)
            from termnews.fetch import HttpClient

            http = HttpClient(max_connections=workers, gate=self._gate())
        fetchers = ThreadPoolExecutor(workers, thread_name_prefix="termnews-fetch")
        try:
            self._loop(jobs, fetchers, http, workers)
            self.flush()
        finally:
            fetchers.shutdown(wait=True, cancel_futures=True)
            if self.parse_pool is not None:
                self.parse_pool.shutdown(wait=True, cancel_futures=True)
            if http is not None:
                http.close()
                self.store.save_host_waits(http.gate.waits())
        return [o for o in self.outcomes if o is not None]

    def _jobs(self) -> deque[tuple[int, type[Source]]]:
        """The sources to fetch, with their kinds; the others are done (not due, or of an unknown kind)."""
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
                self.finish(index, prepare(spec, FetchResult(error=str(kind))))
            elif (why := not_due(self.statuses.get(spec.source_id), self.settings.force)) is not None:
                self._skip(index, why)
            else:
                jobs.append((index, kind))
        return jobs

    def _never_parsed(self, index: int) -> bool:
        """No document of this source was stored yet: its fetch will need a parser."""
        status = self.statuses.get(self.specs[index].source_id)
        return status is None or status.body_hash is None

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
                ctx = _context(self.statuses.get(self.specs[index].source_id), self.settings.http)
                future = fetchers.submit(_fetch_stage, cls, self.specs[index], ctx, http)
                self.pending[future] = _Job(index, cls)
            parsing = any(job.download is not None for job in self.pending.values())
            done, _ = wait(self.pending, timeout=0, return_when=FIRST_COMPLETED)
            if not done:  # nothing to take forward now: write what is queued, then wait
                done, _ = wait(self.pending, timeout=self._idle(parsing), return_when=FIRST_COMPLETED)
            broken = [job for future in done if (job := self._collect(future)) is not None]
            stuck = parsing and not done and time.monotonic() - self.last_parse > self.settings.parse_timeout
            if broken or stuck:
                self._recover(broken)

    def _idle(self, parsing: bool) -> float | None:
        """Nothing to take forward: write the queued batch if it is big or old enough (IDLE_ROWS,
        FLUSH_WAIT); returns how long to wait for the pipeline before looking again (None: until
        it moves)."""
        longest = 1.0 if parsing else None  # a parse that never ends is watched for
        if not self.batch:
            return longest
        left = self.queued + FLUSH_WAIT - time.monotonic()
        if self.batch_rows >= IDLE_ROWS or left <= 0:
            self.flush()
            return longest
        return left if longest is None else min(longest, left)

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
                self.pending[self._submit_parse(job.cls, self.specs[job.index], got)] = _Job(
                    job.index, job.cls, got
                )
                self.last_parse = time.monotonic()
            else:
                self.finish(job.index, prepare(self.specs[job.index], got))
            return None
        self.last_parse = time.monotonic()
        self.held -= len(job.download.body)
        try:
            self.finish(job.index, future.result())
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
            spec = self.specs[job.index]
            self.finish(job.index, self._parse_alone(job.cls, spec, job.download))
        self.last_parse = time.monotonic()

    def _submit_parse(self, cls: type[Source], spec: SourceSpec, download: Download) -> Future:
        if self.settings.parse_workers <= 0:
            future: Future = Future()
            future.set_result(_parse_stage(cls, spec, download))
            return future
        return self._pool().submit(_parse_stage, cls, spec, download)

    def _pool(self) -> ProcessPoolExecutor:
        if self.parse_pool is None:
            self.parse_pool = worker_pool(self.settings.parse_workers)
        return self.parse_pool

    def _parse_alone(self, cls: type[Source], spec: SourceSpec, download: Download) -> Prepared:
        pool = worker_pool(1)
        try:
            future = pool.submit(_parse_stage, cls, spec, download)
            done, _ = wait([future], timeout=self.settings.parse_timeout)
            if not done:
                timeout = self.settings.parse_timeout
                return prepare(spec, FetchResult(error=f"parsing took longer than {timeout:g} s; abandoned"))
            return future.result()
        except BrokenProcessPool:
            return prepare(spec, FetchResult(error=_CRASHED))
        finally:
            _stop(pool)
