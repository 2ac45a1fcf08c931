"""Retention: per-source keep and a global cap, never losing starred or drafted articles."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from termnews.config import ConfigError, load_config
from termnews.models import ArticleData, SourceSpec
from termnews.retention import Keep, parse_keep
from termnews.store import Store, View, clean

DAY = 86_400.0


def _fill(store: Store, spec: SourceSpec, count: int, newest: float) -> list[str]:
    entries = [
        ArticleData(
            title=f"{spec.name} story {i}",
            body=f"body word{i} shared",
            guid=f"g{i}",
            published=newest - i * DAY,
        )
        for i in range(count)
    ]
    store.store_articles(spec, entries)
    return [h.id for h in store.headlines(View(source_id=spec.source_id), 0, count)]


def test_keep_newest_spares_starred_and_drafted(store: Store) -> None:
    spec = SourceSpec("a", "feed", "http://a.invalid/feed", {"keep": 3})
    other = SourceSpec("b", "feed", "http://b.invalid/feed")
    ids = _fill(store, spec, 10, time.time())
    _fill(store, other, 5, time.time())
    store.set_flag([ids[8]], "starred", True)
    store.create_draft(
        article_id=ids[9], article_title="a story 9", article_link=None, article_source="a", comment="keep me"
    )
    removed = clean(store, [spec, other])
    assert removed == 5
    kept = {h.id for h in store.headlines(View(source_id=spec.source_id), 0, 100)}
    assert kept == {*ids[:3], ids[8], ids[9]}
    assert store.count(View(source_id=other.source_id)) == 5
    assert store.count(View()) == 10
    assert store.count(View(filter="unread")) == 10
    # The search index follows: a removed article is no longer found.
    assert store.count(View(query="word5")) == 0
    assert store.count(View(query="word9")) == 1
    assert store.count(View(query="shared")) == 10


def test_keep_days_and_global_cap(store: Store) -> None:
    now = time.time()
    spec = SourceSpec("a", "feed", "http://a.invalid/feed", {"keep": "3d"})
    other = SourceSpec("b", "feed", "http://b.invalid/feed")
    _fill(store, spec, 10, now - 0.5 * DAY)  # ages 0.5, 1.5, ... 9.5 days
    _fill(store, other, 10, now - 0.5 * DAY)
    assert clean(store, [spec, other]) == 7  # a keeps 0.5, 1.5 and 2.5 days old
    assert store.count(View(source_id=spec.source_id)) == 3
    before = store.count(View())
    assert clean(store, [spec, other], Keep(newest=5)) == before - 5
    assert store.count(View()) == 5


def test_parse_keep_and_config_errors(tmp_path: Path) -> None:
    assert parse_keep(500) == Keep(newest=500)
    assert parse_keep("30d") == Keep(days=30.0)
    assert parse_keep("2 days") == Keep(days=2.0)
    for bad in ("soon", -1, True, 1.5):
        with pytest.raises(ValueError):
            parse_keep(bad)
    config = tmp_path / "config.toml"
    config.write_text('[[sources]]\nname = "x"\nkind = "local"\nlocation = "/tmp"\nkeep = "forever"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert "sources[0].keep" in str(caught.value) and "30d" in str(caught.value)
    config.write_text('[general]\nkeep = "90d"\nrefresh_minutes = 15\n')
    loaded = load_config(config)
    assert loaded.keep == Keep(days=90.0) and loaded.refresh_minutes == 15.0


def test_loading_the_config_opens_no_database(subprocess_env: dict[str, str]) -> None:
    """config -> retention is policy only: neither the store nor sqlite3 is imported."""
    import subprocess
    import sys

    probe = "import sys, termnews.config; print(sorted(m for m in sys.modules if m in ('sqlite3', 'termnews.store')))"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=subprocess_env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
