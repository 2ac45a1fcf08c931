"""`termnews add / remove / sources / refresh` as a person runs them: subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

from feedserver import rss, simple_rss
from termnews.models import SourceSpec
from termnews.paths import Paths
from termnews.store import Store, View


def test_add_then_refresh_stores_entries_and_second_refresh_is_a_304(run, home, server):
    server.feed("/feed.xml", simple_rss(4))
    url = server.url("/feed.xml")
    added = run("add", url)
    assert f"added feed source 'Test feed': {url}" in added.stdout  # the feed's own title

    first = run("refresh")
    assert first.stdout.strip() == "1 source ok, 0 failed, 4 new articles"
    second = run("refresh")
    assert second.stdout.strip() == "1 source ok, 0 failed, 0 new articles"

    seen = server.requests("/feed.xml")
    # One GET by `add` to see what the URL is (and read the feed's title), then the refreshes.
    assert [s.headers.get("if-none-match") is not None for s in seen] == [False, False, True]
    with Store(Paths.resolve(home)) as store:
        spec = store.subscriptions()[0]
        titles = {h.title for h in store.headlines(View(source_id=spec.source_id))}
    assert titles == {"Story 0", "Story 1", "Story 2", "Story 3"}

    listed = run("headlines").stdout
    assert "Story 3" in listed


def test_refresh_exit_status_and_errors_on_stderr(run, server):
    server.feed("/good.xml", simple_rss(2))
    server.status("/bad.xml", 500)
    run("add", server.url("/good.xml"), "--name", "good")
    run("add", server.url("/bad.xml"), "--name", "bad")
    done = run("refresh", check=1)
    assert done.stdout.strip() == "1 source ok, 1 failed, 2 new articles"
    assert done.stderr.strip() == "termnews: bad: HTTP 500 Internal Server Error"

    quiet = run("refresh", "--quiet", check=1)
    assert quiet.stdout == ""
    assert "bad: HTTP 500" in quiet.stderr

    only_good = run("refresh", "good")
    assert only_good.stdout.strip() == "1 source ok, 0 failed, 0 new articles"


def test_sources_lists_kind_name_location_counts_refresh_and_error(run, server, tmp_path):
    server.feed("/good.xml", simple_rss(3))
    server.feed("/bad.xml", simple_rss(1))
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "hello.txt").write_text("Hello\nworld\n")
    run("add", server.url("/good.xml"), "--name", "good", "--tag", "news")
    run("add", server.url("/bad.xml"), "--name", "bad")
    server.status("/bad.xml", 404)  # since it was added
    run("add", str(folder))
    run("refresh", check=1)

    rows = {r["name"]: r for r in map(json.loads, run("sources", "--json").stdout.splitlines())}
    assert set(rows) == {"good", "bad", "notes"}
    assert rows["good"]["kind"] == "feed" and rows["good"]["articles"] == 3
    assert rows["good"]["tags"] == ["news"] and rows["good"]["last_error"] is None
    assert rows["good"]["last_refresh"]
    assert rows["bad"]["last_error"] == "HTTP 404 Not Found" and rows["bad"]["articles"] == 0
    assert rows["notes"]["kind"] == "local" and rows["notes"]["location"] == str(folder.resolve())
    assert rows["notes"]["articles"] == 1

    text = run("sources").stdout
    assert "last error: HTTP 404 Not Found" in text
    assert "feed   good" in text


def test_add_refuses_duplicates_and_nonsense(run, server, tmp_path):
    url = server.url("/feed.xml")
    server.feed("/feed.xml", simple_rss(1))
    server.feed("/other.xml", simple_rss(1))
    run("add", url, "--name", "one")
    assert "exists already" in run("add", server.url("/other.xml"), "--name", "one", check=2).stderr
    assert "subscribed already, as 'one'" in run("add", url, "--name", "two", check=2).stderr
    assert "no such file or folder" in run("add", str(tmp_path / "missing.xml"), check=2).stderr
    assert "only http and https" in run("add", "ftp://example.org/feed", check=2).stderr
    assert run("refresh", "--jobs", "0", check=2).returncode == 2  # argparse: usage error


def test_feed_file_name_defaults_to_its_title_else_its_stem(run, tmp_path):
    path = tmp_path / "world-news.rss"
    path.write_bytes(rss([{"title": "One", "guid": "1"}], title="World &amp;amp; news"))
    assert "added feed source 'World & news'" in run("add", str(path)).stdout
    untitled = tmp_path / "local-news.rss"
    untitled.write_bytes(rss([{"title": "One", "guid": "1"}], title=""))
    assert "added feed source 'local-news'" in run("add", str(untitled)).stdout
    assert run("refresh").stdout.strip() == "2 sources ok, 0 failed, 2 new articles"


def test_a_second_feed_from_the_same_host_is_named_by_its_title(run, server):
    server.feed("/news.xml", simple_rss(2))  # titled "Test feed"
    server.feed("/sport.xml", rss([{"title": "Goal", "guid": "g"}], title="Sport  <b>desk</b>"))
    server.feed("/again.xml", simple_rss(1, "Again"))  # "Test feed" too
    server.feed("/bare.xml", rss([{"title": "Bare", "guid": "b"}], title=""))
    server.feed("/bare2.xml", rss([{"title": "Bare", "guid": "b"}], title=""))
    server.status("/down.xml", 503)
    host = f"127.0.0.1:{server.port}"
    names = []
    for path in ("/news.xml", "/sport.xml", "/again.xml", "/bare.xml", "/bare2.xml", "/down.xml"):
        done = run("add", server.url(path))
        names.append(done.stdout.split("'")[1])
    assert names == ["Test feed", "Sport desk", "Test feed (2)", host, f"{host} (2)", f"{host} (3)"]
    # A name the person chose is theirs: taken, it is refused.
    server.feed("/more.xml", simple_rss(1))
    assert "exists already" in run("add", server.url("/more.xml"), "--name", "Sport desk", check=2).stderr
    assert run("refresh", check=1).stdout.startswith("5 sources ok, 1 failed")


def test_remove_drops_cached_articles_but_keeps_flags_and_drafts(run, home, server):
    server.feed("/feed.xml", simple_rss(3))
    run("add", server.url("/feed.xml"), "--name", "news")
    run("refresh")
    with Store(Paths.resolve(home)) as store:
        spec: SourceSpec = store.subscriptions()[0]
        ids = [h.id for h in store.headlines(View(source_id=spec.source_id))]
        store.set_flag(ids[:1], "starred", True)
        store.create_draft(
            article_id=ids[0],
            article_title="Story",
            article_link=None,
            article_source="news",
            comment="my words",
        )

    done = run("remove", "news")
    assert "removed 'news' and 3 cached articles" in done.stdout
    assert "no source named 'news'" in run("remove", "news", check=2).stderr
    with Store(Paths.resolve(home)) as store:
        assert store.count(View(source_id=spec.source_id)) == 0
        assert store.subscriptions() == []
        assert [d.comment for d in store.drafts(ids[0])] == ["my words"]
        assert store.db.query("SELECT starred FROM state.flags WHERE article_id = ?", [ids[0]]) == [(1,)]

    # Added again, it is fetched in full (its validators were forgotten).
    run("add", server.url("/feed.xml"), "--name", "news")
    assert run("refresh").stdout.strip() == "1 source ok, 0 failed, 3 new articles"


def test_sources_from_config_cannot_be_removed_here(run, profile):
    profile('[[sources]]\nname = "cfg"\nkind = "feed"\nlocation = "http://127.0.0.1:9/x"\n')
    assert "is defined in" in run("remove", "cfg", check=2).stderr


def test_home_option_after_the_command_too(home, subprocess_env, server):
    server.feed("/feed.xml", simple_rss(1))
    done = subprocess.run(
        [sys.executable, "-m", "termnews", "add", server.url("/feed.xml"), "--home", str(home)],
        env=subprocess_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    with Store(Paths.resolve(home)) as store:
        assert len(store.subscriptions()) == 1
