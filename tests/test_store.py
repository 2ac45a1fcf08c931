"""The store: migrations, user data that outlives the cache, paging, search, corrupt files."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from termnews.models import SourceSpec
from termnews.paths import Paths
from termnews.store import CACHE_MIGRATIONS, STATE_MIGRATIONS, Store, StoreError, View, iter_pages
from termnews.update import refresh

GARBAGE = b"this is not a SQLite database, just some bytes\n" * 200 + bytes(range(256)) * 4


def write_articles(folder: Path, articles: dict[str, tuple[str, str, str]]) -> None:
    """name -> (title, ISO date, body) as Markdown files with front matter."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, date, body) in articles.items():
        (folder / f"{name}.md").write_text(
            f"---\ntitle: {title}\ndate: {date}\n---\n{body}\n", encoding="utf-8"
        )


def seven_articles(folder: Path) -> SourceSpec:
    write_articles(
        folder,
        {f"a{n}": (f"Article {n}", f"2020-01-0{n}T12:00:00Z", f"Body number {n}.") for n in range(1, 8)},
    )
    return SourceSpec("test folder", "local", str(folder))


def refreshed(store: Store, spec: SourceSpec) -> None:
    [outcome] = refresh(store, [spec])
    assert outcome.error is None, outcome.error


def titles(rows: list) -> list[str]:
    return [h.title for h in rows]


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- migrations -------------------------------------------------------------------


def test_migrations_set_user_version_on_both_files(paths: Paths) -> None:
    Store(paths).close()
    assert len(CACHE_MIGRATIONS) >= 1 and len(STATE_MIGRATIONS) >= 1
    assert user_version(paths.cache_db) == len(CACHE_MIGRATIONS)
    assert user_version(paths.state_db) == len(STATE_MIGRATIONS)
    # Each file holds its own tables.
    assert {"articles", "source_state"} <= tables(paths.cache_db)
    assert not {"flags", "drafts"} & tables(paths.cache_db)
    assert {"flags", "drafts", "subscriptions", "settings"} <= tables(paths.state_db)
    assert "articles" not in tables(paths.state_db)
    # Opening again migrates nothing and changes nothing.
    Store(paths).close()
    assert user_version(paths.cache_db) == len(CACHE_MIGRATIONS)
    assert user_version(paths.state_db) == len(STATE_MIGRATIONS)


def test_state_from_a_newer_termnews_is_refused(paths: Paths) -> None:
    Store(paths).close()
    conn = sqlite3.connect(paths.state_db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(paths)


# -- user data outlives the cache -----------------------------------------------


def add_draft(paths: Paths, article_id: str, comment: str) -> None:
    """Write a draft row the way the composer would (the store has no writer for drafts yet)."""
    conn = sqlite3.connect(paths.state_db)
    with conn:
        conn.execute(
            "INSERT INTO drafts (article_id, article_title, article_link, article_source,"
            " comment, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, "Article 3", None, "test folder", comment, 1.0, 2.0),
        )
    conn.close()


def test_flags_and_drafts_survive_deleting_the_cache_folder(paths: Paths, tmp_path: Path) -> None:
    spec = seven_articles(tmp_path / "articles")
    with Store(paths) as store:
        refreshed(store, spec)
        by_title = {h.title: h.id for h in store.headlines(View(), 0, 100)}
        store.set_flag([by_title["Article 2"], by_title["Article 5"]], "read", True)
        store.set_flag([by_title["Article 5"]], "starred", True)
    add_draft(paths, by_title["Article 3"], "My unsent reply, with ünïcode.")

    shutil.rmtree(paths.cache_dir)
    assert not paths.cache_dir.exists()

    with Store(paths) as store:
        assert store.count(View()) == 0  # the cache really is new
        assert store.notices == []
        refreshed(store, spec)
        rows = {h.title: h for h in store.headlines(View(), 0, 100)}
        assert {t: h.id for t, h in rows.items()} == by_title
        assert {t for t, h in rows.items() if h.read} == {"Article 2", "Article 5"}
        assert {t for t, h in rows.items() if h.starred} == {"Article 5"}
        assert {t for t, h in rows.items() if h.has_draft} == {"Article 3"}
        [draft] = store.drafts(by_title["Article 3"])
        assert draft.comment == "My unsent reply, with ünïcode."
        assert draft.article_title == "Article 3"
        article = store.article(by_title["Article 5"])
        assert article is not None and article.read and article.starred


def test_article_ids_are_stable_across_refreshes(paths: Paths, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    spec = seven_articles(folder)
    with Store(paths) as store:
        refreshed(store, spec)
        first = {h.title: h.id for h in store.headlines(View(), 0, 100)}
        assert len(set(first.values())) == 7

        # Edit one file's body and touch them all: the folder is read again.
        (folder / "a4.md").write_text(
            "---\ntitle: Article 4\ndate: 2020-01-04T12:00:00Z\n---\nA corrected body.\n",
            encoding="utf-8",
        )
        for path in folder.iterdir():
            os.utime(path, (1_700_000_000, 1_700_000_000))
        [outcome] = refresh(store, [spec])
        assert not outcome.not_modified and outcome.new == 0 and outcome.total == 7

        second = {h.title: h.id for h in store.headlines(View(), 0, 100)}
        assert second == first
        assert store.count(View()) == 7
        article = store.article(first["Article 4"])
        assert article is not None and article.body == "A corrected body."

        # Unchanged folder: not modified, nothing added.
        [outcome] = refresh(store, [spec])
        assert outcome.not_modified and outcome.new == 0

    # A different display name for the same folder is the same source.
    renamed = SourceSpec("another name", "local", str(folder))
    assert renamed.source_id == spec.source_id


# -- paging and counts -------------------------------------------------------------


def test_paging_and_counts_per_view(paths: Paths, tmp_path: Path) -> None:
    spec = seven_articles(tmp_path / "articles")
    with Store(paths) as store:
        refreshed(store, spec)
        newest_first = [f"Article {n}" for n in range(7, 0, -1)]
        assert titles(store.headlines(View(), 0, 3)) == newest_first[0:3]
        assert titles(store.headlines(View(), 3, 3)) == newest_first[3:6]
        assert titles(store.headlines(View(), 6, 3)) == newest_first[6:]
        assert store.headlines(View(), 9, 3) == []
        assert titles(iter_pages(store, View(), page=2)) == newest_first
        assert store.count(View()) == 7
        assert store.count(View("unread")) == 7
        assert store.count(View("starred")) == 0

        ids = {h.title: h.id for h in store.headlines(View(), 0, 100)}
        store.set_flag([ids["Article 1"], ids["Article 6"]], "read", True)
        store.set_flag([ids["Article 6"], ids["Article 3"], ids["Article 2"]], "starred", True)
        store.set_flag([ids["Article 2"]], "starred", False)

        unread = ["Article 7", "Article 5", "Article 4", "Article 3", "Article 2"]
        assert store.count(View("all")) == 7
        assert store.count(View("unread")) == 5
        assert store.count(View("starred")) == 2
        assert titles(store.headlines(View("unread"), 0, 100)) == unread
        assert titles(store.headlines(View("unread"), 2, 2)) == unread[2:4]
        assert titles(store.headlines(View("unread"), 4, 2)) == unread[4:]
        assert titles(store.headlines(View("starred"), 0, 100)) == ["Article 6", "Article 3"]
        assert titles(store.headlines(View("starred"), 1, 1)) == ["Article 3"]

        published = [h.published for h in store.headlines(View(), 0, 100)]
        assert published[0] == datetime(2020, 1, 7, 12, tzinfo=UTC).timestamp()
        assert published == sorted(published, reverse=True)

        # Filters combine with a source.
        assert store.count(View("unread", source_id=spec.source_id)) == 5
        assert store.count(View("all", source_id="no-such-source")) == 0
        assert len(store.mark_view_read(View("unread"))) == 5
        assert store.mark_view_read(View()) == []  # nothing left unread: nothing marked
        assert store.count(View("unread")) == 0


def test_a_tag_view_and_the_unread_count_of_any_view(paths: Paths, tmp_path: Path) -> None:
    """A tag is a view of several sources; each view, a search too, counts its own unread rows."""
    first = seven_articles(tmp_path / "first")
    second = SourceSpec("second", "local", str(tmp_path / "second"))
    write_articles(tmp_path / "second", {"s1": ("Second one", "2021-01-01T00:00:00Z", "Body number 8.")})
    with Store(paths) as store:
        refreshed(store, first)
        refreshed(store, second)
        tag = View(source_ids=(first.source_id, second.source_id))
        assert store.count(tag) == 8 and store.count(View(source_ids=(second.source_id,))) == 1
        ids = {h.title: h.id for h in store.headlines(tag, 0, 100)}
        store.set_flag([ids["Second one"], ids["Article 1"]], "read", True)
        store.set_flag([ids["Second one"], ids["Article 2"]], "starred", True)
        assert store.count(tag, unread_only=True) == 6
        assert store.count(View("starred"), unread_only=True) == 1  # Article 2, not Second one
        assert store.count(View(query="number"), unread_only=True) == 6
        assert store.count(View(query="number")) == 8


# -- search ------------------------------------------------------------------------------

SEARCH_CORPUS = {
    "lib": ("Library reopening", "2021-03-01T09:00:00Z", "The renovated reading room has oak tables."),
    "ferry": ("Ferry timetable", "2022-03-01T09:00:00Z", "Four crossings a day in winter."),
    "trees": ("Tree planting", "2023-03-01T09:00:00Z", "Volunteers planted rowan saplings."),
}


@pytest.fixture
def search_store(paths: Paths, tmp_path: Path):
    folder = tmp_path / "search"
    write_articles(folder, SEARCH_CORPUS)
    with Store(paths) as store:
        refreshed(store, SourceSpec("search", "local", str(folder)))
        yield store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("crossings", ["Ferry timetable"]),
        ("WINTER", ["Ferry timetable"]),
        ("Libr*", ["Library reopening"]),
        ("Libr", []),  # a prefix is asked for with a star
        ("tree", ["Tree planting"]),
        ("oak tab*", ["Library reopening"]),
        ("rowan saplings", ["Tree planting"]),
        ("rowan winter", []),
        # Words are words, not FTS5 syntax: no OR, no column filters.
        ("rowan OR winter", []),
        ("title:ferry", []),
        ("body:crossings", []),
        ("submarine", []),
    ],
)
def test_search_by_body_word_and_title_prefix(search_store: Store, query: str, expected: list[str]) -> None:
    assert titles(search_store.headlines(View(query=query), 0, 100)) == expected
    assert search_store.count(View(query=query)) == len(expected)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "AND",
        "OR",
        "NOT",
        "*",
        "NEAR(",
        "NEAR(a b",
        "(",
        ")",
        "-",
        ":",
        "title:",
        "^",
        "'",
        "\\",
        "'; DROP TABLE articles; --",
        "",
        "   ",
        "\x00",
        'a"b',
    ],
)
def test_odd_search_queries_return_nothing_without_error(search_store: Store, query: str) -> None:
    assert search_store.headlines(View(query=query), 0, 100) == []
    assert search_store.count(View(query=query)) == 0
    # The store still works afterwards.
    assert search_store.count(View()) == 3


def test_search_combines_with_flags(search_store: Store) -> None:
    [ferry] = search_store.headlines(View(query="ferry"), 0, 10)
    search_store.set_flag([ferry.id], "starred", True)
    assert titles(search_store.headlines(View("starred", query="ferry"), 0, 10)) == ["Ferry timetable"]
    assert search_store.headlines(View("starred", query="rowan"), 0, 10) == []


# -- corrupt files ------------------------------------------------------------------------


def test_corrupt_cache_is_moved_aside_and_rebuilt(paths: Paths, tmp_path: Path) -> None:
    spec = seven_articles(tmp_path / "articles")
    with Store(paths) as store:
        refreshed(store, spec)
        some_id = store.headlines(View(), 0, 1)[0].id
        store.set_flag([some_id], "starred", True)
    for suffix in ("-wal", "-shm"):
        Path(f"{paths.cache_db}{suffix}").unlink(missing_ok=True)
    paths.cache_db.write_bytes(GARBAGE)

    with Store(paths) as store:
        assert len(store.notices) == 1
        assert "cache" in store.notices[0]
        [moved] = [p for p in paths.cache_dir.iterdir() if p.name.startswith("cache.sqlite.corrupt-")]
        assert moved.name in store.notices[0]
        assert moved.read_bytes() == GARBAGE
        assert user_version(paths.cache_db) == len(CACHE_MIGRATIONS)
        assert store.count(View()) == 0
        refreshed(store, spec)
        assert store.count(View()) == 7
        assert titles(store.headlines(View("starred"), 0, 10)) == ["Article 7"]


def test_corrupt_state_is_left_byte_identical(paths: Paths) -> None:
    Store(paths).close()
    for suffix in ("-wal", "-shm"):
        Path(f"{paths.state_db}{suffix}").unlink(missing_ok=True)
    paths.state_db.write_bytes(GARBAGE)
    before = sha(paths.state_db)
    with pytest.raises(StoreError):
        Store(paths)
    assert sha(paths.state_db) == before
    assert sorted(p.name for p in paths.data_dir.iterdir()) == ["state.sqlite"]


def test_corrupt_state_raises_store_error_and_touches_nothing(paths: Paths) -> None:
    Store(paths).close()
    for suffix in ("-wal", "-shm"):
        Path(f"{paths.state_db}{suffix}").unlink(missing_ok=True)
    paths.state_db.write_bytes(GARBAGE)
    before = sha(paths.state_db)
    cache_before = sorted(p.name for p in paths.cache_dir.iterdir())
    with pytest.raises(StoreError, match="state"):
        Store(paths)
    assert sha(paths.state_db) == before
    assert sorted(p.name for p in paths.cache_dir.iterdir()) == cache_before


# -- draft ids ------------------------------------------------------------------------------


def draft_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT * FROM drafts ORDER BY id").fetchall()
    finally:
        conn.close()


def new_draft(store: Store, comment: str) -> int:
    return store.create_draft(
        article_id="a1", article_title="Article 1", article_link=None, article_source="s", comment=comment
    ).id


def test_draft_ids_are_never_reused(paths: Paths) -> None:
    with Store(paths) as store:
        first, second = new_draft(store, "one"), new_draft(store, "two")
        assert store.delete_draft(second)
        third = new_draft(store, "three")
        assert third not in (first, second)
        assert store.delete_draft(third)
        assert new_draft(store, "four") > third


def test_a_state_file_of_schema_2_keeps_every_draft_and_stops_reusing_ids(paths: Paths) -> None:
    """A state file as termnews wrote it before migration 3: every draft survives, ids and all."""
    paths.data_dir.mkdir(parents=True)
    conn = sqlite3.connect(paths.state_db, isolation_level=None)
    for number, script in enumerate(STATE_MIGRATIONS[:2], start=1):
        conn.executescript(f"BEGIN; {script} PRAGMA user_version = {number}; COMMIT;")
    for n in range(1, 6):
        conn.execute(
            "INSERT INTO drafts (article_id, article_title, article_link, article_source, parent_comment,"
            " comment, name, email, website, state, created, updated, version, send_error, remote_id,"
            " attempts) VALUES (?, ?, NULL, 'src', NULL, ?, 'Ann', 'ann@example.org', '', ?, ?, ?, ?, ?, ?, ?)",
            (
                f"a{n}",
                f"Article {n}",
                f"reply {n} ünïcode",
                "sent" if n == 2 else "draft",
                n,
                n + 0.5,
                n,
                None,
                None,
                n,
            ),
        )
    conn.execute("DELETE FROM drafts WHERE id = 5")  # the highest id, gone before the upgrade
    conn.close()
    before = draft_rows(paths.state_db)
    assert [r[0] for r in before] == [1, 2, 3, 4]

    with Store(paths) as store:
        assert user_version(paths.state_db) == len(STATE_MIGRATIONS)
        assert [d.comment for d in store.drafts()] == [f"reply {n} ünïcode" for n in (4, 3, 2, 1)]
        fresh = new_draft(store, "after the upgrade")
        assert fresh == 5  # the file kept no trace of the old 5; from here on no id comes back
        assert store.delete_draft(fresh)
        assert new_draft(store, "and another") == 6
    after = draft_rows(paths.state_db)
    assert after[:4] == before


# -- connections ----------------------------------------------------------------------------


def open_files(path: Path) -> int:
    """How many file descriptors of this process are open on `path`."""
    fds = Path("/proc/self/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd) == str(path)
        except OSError:
            continue
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts open files through /proc")
def test_a_threads_connection_is_closed_when_the_thread_ends(paths: Paths, tmp_path: Path) -> None:
    """Forty short-lived workers, one after another, do not leave forty connections open.

    (SQLite keeps a closed connection's descriptor for reuse while the file is
    open elsewhere in the process, so the count stays small rather than at one.)
    """
    import threading

    spec = seven_articles(tmp_path / "articles")
    store = Store(paths)
    refreshed(store, spec)
    counts: list[int] = []
    for _ in range(40):
        worker = threading.Thread(target=lambda: counts.append(store.count(View())))
        worker.start()
        worker.join()
    assert counts == [7] * 40
    assert open_files(paths.cache_db) <= 5, "a finished thread's connection is closed"
    assert store.count(View()) == 7  # the main thread's own still works
    store.close()
    assert open_files(paths.cache_db) == 0 and open_files(paths.state_db) == 0


def test_bodies_are_zlib_streams_that_read_back_as_written() -> None:
    """Bodies are compressed with ISA-L's deflate where it is installed (three times faster than
    zlib's): the stored bytes differ from zlib's, the text read back does not, and a cache that
    zlib wrote reads back the same."""
    import zlib

    from termnews.store.search_index import body_text, compress_body, deflater

    bodies = [
        "",
        "plain ASCII " * 50,
        "<p>café naïve — “quoted” € Zürich 😀</p>" * 200,
        "lone \ud800 surrogate",  # not UTF-8: written as "?", as before
        os.urandom(3000).hex(),
    ]
    for body in bodies:
        stored = compress_body(body)
        assert zlib.decompress(stored) == body.encode("utf-8", "replace")
        assert body_text(stored) == body_text(zlib.compress(body.encode("utf-8", "replace"), 1))
    pytest.importorskip("isal")
    assert deflater() is not zlib.compress
    large = bodies[2] + bodies[4]
    assert len(compress_body(large)) <= len(zlib.compress(large.encode(), 1)) * 1.02
