"""Parsing runs in worker processes: one that dies or hangs fails one source only.

The sources here are real `StagedSource` kinds, registered the way a plugin
would be found (by name in the kinds table), whose parse step kills or wedges
its worker process for one document.
"""

from __future__ import annotations

import os
import time

import pytest

import termnews.sources as sources
from feedserver import simple_rss
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
