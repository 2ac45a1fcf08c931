"""Parsing runs in worker processes: one that dies or hangs fails one source only.

The sources here are real `StagedSource` kinds, registered the way a plugin
would be found (by name in the kinds table), whose parse step kills or wedges
its worker process for one document.
"""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

import termnews.sources as sources
from feedserver import FeedServer, simple_rss
from termnews.models import FetchResult, SourceSpec
from termnews.sources.base import Download
from termnews.sources.feed import FeedSource
from termnews.store import Store, View
from termnews.update import RefreshSettings, refresh


class HostileSource(FeedSource):
    """A feed whose parser process dies (or hangs) on documents saying so."""

    kind = "hostile"

    @staticmethod
    def parse(download: Download) -> FetchResult:
        if b"DIE" in download.body:
            os._exit(3)  # as a segfault in a C parser would: no exception, no cleanup
        if b"HANG" in download.body:
            time.sleep(3600)
        return FeedSource.parse(download)


@pytest.fixture
def hostile_kind(monkeypatch):
    monkeypatch.setitem(sources._BUILTIN, "hostile", f"{__name__}:HostileSource")


def count(store: Store, spec: SourceSpec) -> int:
    return store.count(View(source_id=spec.source_id))


def test_worker_that_dies_fails_only_its_source(server, store, hostile_kind):
    for n in range(6):
        server.feed(f"/ok{n}.xml", simple_rss(2, prefix=f"Ok{n}"))
    server.feed("/die.xml", simple_rss(3, prefix="Fine"), etag=False, last_modified=False)
    specs = [SourceSpec(f"ok{n}", "hostile", server.url(f"/ok{n}.xml")) for n in range(6)]
    bad = SourceSpec("die", "hostile", server.url("/die.xml"))
    assert refresh(store, [bad])[0].new == 3  # cached while it was fine

    server.feed("/die.xml", simple_rss(3, prefix="DIE"), etag=False, last_modified=False)
    outcomes = refresh(store, [*specs[:3], bad, *specs[3:]], settings=RefreshSettings(parse_workers=2))
    by_name = {o.spec.name: o for o in outcomes}
    assert by_name["die"].error == "the feed parser crashed on this document (its worker process died)"
    assert all(by_name[f"ok{n}"].error is None and by_name[f"ok{n}"].new == 2 for n in range(6))
    assert count(store, bad) == 3


def test_worker_that_hangs_is_abandoned(server, store, hostile_kind):
    server.feed("/ok.xml", simple_rss(2))
    server.feed("/hang.xml", b"<rss>HANG</rss>")
    specs = [
        SourceSpec("hang", "hostile", server.url("/hang.xml")),
        SourceSpec("ok", "hostile", server.url("/ok.xml")),
    ]
    started = time.monotonic()
    outcomes = refresh(store, specs, settings=RefreshSettings(parse_workers=2, parse_timeout=1.0))
    took = time.monotonic() - started
    assert outcomes[0].error == "parsing took longer than 1 s; abandoned"
    assert outcomes[1].error is None and outcomes[1].new == 2
    assert took < 15


# -- parser processes only when a document needs them -------------------------------------


def _feeds(server: FeedServer, count: int) -> list[SourceSpec]:
    for n in range(count):
        server.feed(f"/f{n}.xml", simple_rss(2, prefix=f"F{n}"))
    return [SourceSpec(f"f{n}", "feed", server.url(f"/f{n}.xml")) for n in range(count)]


def test_no_parser_process_starts_when_every_feed_is_not_modified(store):
    settings = RefreshSettings(parse_workers=2)
    alive: list[int] = []
    with FeedServer() as server:
        specs = _feeds(server, 4)
        assert all(o.new == 2 for o in refresh(store, specs, settings=settings))
        outcomes = refresh(
            store, specs, lambda *_: alive.append(len(multiprocessing.active_children())), settings=settings
        )
    assert all(o.not_modified for o in outcomes)
    assert alive and max(alive) == 0


def test_a_changed_feed_among_unchanged_ones_is_parsed_in_a_worker(store):
    """Every source was parsed before, so no parser starts up front; the one that changed
    gets a worker started mid-refresh (by the fork server: fetching threads are running)."""
    settings = RefreshSettings(parse_workers=2)
    with FeedServer() as server:
        specs = _feeds(server, 4)
        refresh(store, specs, settings=settings)
        server.feed("/f2.xml", simple_rss(5, prefix="F2"))
        outcomes = refresh(store, specs, settings=settings)
    assert [o.not_modified for o in outcomes] == [True, True, False, True]
    assert outcomes[2].error is None and outcomes[2].new == 3
    assert count(store, specs[2]) == 5
