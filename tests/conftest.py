"""Shared fixtures: where the repository's folders are, and a throwaway profile."""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from feedserver import FeedServer, rss
from termnews.paths import HOME_ENV, Paths
from termnews.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_environment(monkeypatch) -> None:
    """Tests talk to 127.0.0.1 directly unless a test sets a proxy itself."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def seeds_dir() -> Path:
    return REPO_ROOT / "seeds"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    """A profile (config, data, cache) under the test's own temporary folder."""
    return Paths.resolve(tmp_path / "home")


@pytest.fixture
def subprocess_env(tmp_path: Path) -> dict[str, str]:
    """Environment for `python -m termnews ...`: this checkout's src, no inherited profile.

    The XDG folders point into the test's temporary folder, so a run that falls
    back to the platform defaults never touches the real user's files.
    """
    env = {k: v for k, v in os.environ.items() if k != HOME_ENV}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp_path / "xdg" / var.lower())
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture
def profile(tmp_path: Path):
    """`profile(TOML)`: a profile folder under the test's temporary folder, its config.toml written.

    The config turns the bundled seeds off (`seeds=True` keeps them) and goes on with TOML,
    so TOML's first lines may add to `[general]`. Called again, it writes the config anew.
    `name` is the folder's name ("home": the `home` fixture's folder).
    """

    def write(toml: str = "", *, seeds: bool = False, name: str = "home") -> Path:
        root = tmp_path / name
        config = Paths.resolve(root).config_file
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(("" if seeds else "[general]\nseeds = false\n") + toml, encoding="utf-8")
        return root

    return write


@pytest.fixture
def home(profile) -> Path:
    """A profile folder whose config turns the bundled seeds off."""
    return profile()


@pytest.fixture
def identity_home(profile) -> Path:
    """A profile on the bundled seeds whose [identity] fills a reply's name and email."""
    return profile('[identity]\nname = "Ann Reader"\nemail = "ann@example.org"\nwebsite = ""\n', seeds=True)


@pytest.fixture
def termnews(subprocess_env):
    """`termnews(HOME, ARGS)`: `termnews --home HOME ARGS` as a subprocess, never with a traceback.

    `check` is the exit status expected (None: any); `env` adds to the environment.
    """

    def run(home: Path, *args: str, check: int | None = 0, env: dict[str, str] | None = None, timeout=120):
        done = subprocess.run(
            [sys.executable, "-m", "termnews", "--home", str(home), *args],
            env={**subprocess_env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )
        assert "Traceback" not in done.stderr, done.stderr
        if check is not None:
            assert done.returncode == check, (done.returncode, done.stdout, done.stderr)
        return done

    return run


@pytest.fixture
def run(home: Path, termnews):
    """`termnews --home HOME ARGS` on the `home` profile (see `termnews`)."""
    return functools.partial(termnews, home)


@pytest.fixture
def store(paths: Paths):
    """An open store on the throwaway profile."""
    with Store(paths) as opened:
        yield opened


@pytest.fixture
def server():
    """A feed server on 127.0.0.1 (tests/feedserver.py), stopped after the test."""
    with FeedServer() as running:
        yield running


@pytest.fixture
def news_site(server: FeedServer) -> FeedServer:
    """A site on the feed server: /feed.xml lists a news story (/tram.html, a page with
    furniture around its text) and a gallery (/gallery.html, a page with no text at all)."""
    pages = REPO_ROOT / "tests" / "data" / "pages"
    for path, name in (("/tram.html", "news.html"), ("/gallery.html", "thin.html")):
        page = (pages / name).read_bytes()
        server.route(path, lambda h, page=page: h.reply(200, page, "text/html; charset=utf-8"))
    items = [
        {
            "title": "Council approves new tram line",
            "link": server.url("/tram.html"),
            "guid": "tram",
            "description": "The council voted for a tram line.",
        },
        {
            "title": "Photos",
            "link": server.url("/gallery.html"),
            "guid": "gallery",
            "description": "Pictures.",
        },
    ]
    server.feed("/feed.xml", rss(items))
    return server


@pytest.fixture
def recording_browser(tmp_path: Path, monkeypatch) -> Path:
    """`$BROWSER` = a script writing its argv (JSON) to a file, one file per call
    (read them with `app_support.browser_calls`)."""
    log = tmp_path / "browser-calls"
    log.mkdir()
    script = tmp_path / "browser.py"
    script.write_text(
        "import json, sys, time\n"
        f"open({str(log)!r} + '/' + str(time.monotonic_ns()), 'w').write(json.dumps(sys.argv[1:]))\n"
    )
    monkeypatch.setenv("BROWSER", f"{sys.executable} {script}")
    return log


@pytest.fixture
def suspend_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The headless test driver cannot hand the terminal over; stand in for `App.suspend`."""
    from termnews.app import TermnewsApp

    calls: list[str] = []

    @contextlib.contextmanager
    def suspend(self):
        calls.append("suspend")
        yield
        calls.append("resume")

    monkeypatch.setattr(TermnewsApp, "suspend", suspend)
    return calls


@pytest.fixture(scope="session")
def miniflux():
    """A real Miniflux (tests/miniflux_server.py) for the whole run; each test makes its own user.

    In CI (`CI` set) a missing PostgreSQL or Miniflux fails the tests: CI installs
    both with .ci/install-miniflux.
    """
    import miniflux_server

    reason = miniflux_server.missing_requirements()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI installs Miniflux (.ci/install-miniflux), yet: {reason}")
    if reason:
        pytest.skip(reason)
    try:
        running = miniflux_server.start_miniflux()
    except (miniflux_server.MinifluxUnavailable, OSError) as exc:
        pytest.fail(f"PostgreSQL and Miniflux are installed but did not start: {exc}")
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch):
    """Dates show in UTC, in this process and the children it starts; restored afterwards."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# A real WordPress for the sending and inbox tests (tests/wordpress_site.py), one per run.
@pytest.fixture(scope="session")
def wordpress():
    from wordpress_site import WordPressUnavailable, missing_requirements, start_site

    reason = missing_requirements()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI installs WordPress (.ci/install-wordpress), yet: {reason}")
    if reason:
        pytest.skip(reason)
    try:
        site = start_site()
    except WordPressUnavailable as exc:
        pytest.fail(f"the packages are installed but the site did not start: {exc}")
    yield site
    site.stop()
