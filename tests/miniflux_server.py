"""A real Miniflux on 127.0.0.1 for the tests: PostgreSQL from Debian, Miniflux built by Go.

`start_miniflux()` runs, in a private temporary folder:

- a PostgreSQL cluster made by `initdb` as the `postgres` user, listening on a
  unix socket in that folder only (`listen_addresses=''`, no TCP);
- the miniflux binary `.ci/install-miniflux` built, on `127.0.0.1:PORT`, with
  its scheduler off (tests refresh feeds with `PUT /v1/feeds/ID/refresh`).

`Miniflux.new_user()` gives each test its own user with an API token and the
Google Reader integration turned on (through the web form, as a browser
does: the integration has no API and no environment variable), so tests share
one server without seeing each other's feeds. `stop()` ends exactly the
processes started here, by their ids, and removes the folder; `kill()` and
`restart()` let a test take the server away and bring it back.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTALLER = REPO_ROOT / ".ci" / "install-miniflux"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
GO_ROOT = Path(os.environ.get("TERMNEWS_CI_GO", Path.home() / ".cache" / "termnews-ci" / "go"))
MINIFLUX_VERSION = os.environ.get("MINIFLUX_VERSION", "v2.3.5")


class MinifluxUnavailable(RuntimeError):
    """Why no Miniflux can run here (PostgreSQL or the binary missing)."""


def miniflux_binary() -> Path | None:
    found = GO_ROOT / "bin" / f"miniflux-{MINIFLUX_VERSION}"
    return found if os.access(found, os.X_OK) else None


def missing_requirements() -> str | None:
    """A reason the server cannot start, or None."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing; run .ci/install-miniflux)"
    if miniflux_binary() is None:
        return f"miniflux {MINIFLUX_VERSION} is not built (run .ci/install-miniflux)"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no `postgres` user to run initdb as"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _FormReader(HTMLParser):
    """Every field of the forms on a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str) -> list[tuple[str, str]]:
    reader = _FormReader()
    reader.feed(html)
    return reader.fields


@dataclass
class User:
    """One Miniflux user: web password, API token, Google Reader login."""

    base: str
    username: str
    password: str
    token: str
    greader_password: str

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"X-Auth-Token": self.token}, timeout=30)

    def feeds(self) -> list[dict]:
        with self.api() as client:
            return client.get("/v1/feeds").raise_for_status().json()

    def entries(self, **params: object) -> list[dict]:
        with self.api() as client:
            params.setdefault("limit", 1000)
            return client.get("/v1/entries", params=params).raise_for_status().json()["entries"]

    def entry(self, entry_id: int) -> dict:
        with self.api() as client:
            return client.get(f"/v1/entries/{entry_id}").raise_for_status().json()

    def subscribe(self, url: str, category: str | None = None) -> int:
        with self.api() as client:
            body: dict[str, object] = {"feed_url": url}
            if category:
                cats = client.get("/v1/categories").raise_for_status().json()
                found = [c for c in cats if c["title"] == category]
                if found:
                    body["category_id"] = found[0]["id"]
                else:
                    made = client.post("/v1/categories", json={"title": category}).raise_for_status()
                    body["category_id"] = made.json()["id"]
            return client.post("/v1/feeds", json=body).raise_for_status().json()["feed_id"]

    def refresh(self, feed_id: int) -> None:
        with self.api() as client:
            client.put(f"/v1/feeds/{feed_id}/refresh").raise_for_status()

    def set_entries(self, ids: list[int], *, status: str | None = None, starred: bool | None = None) -> None:
        body: dict[str, object] = {"entry_ids": ids}
        if status is not None:
            body["status"] = status
        if starred is not None:
            body["starred"] = starred
        with self.api() as client:
            client.put("/v1/entries", json=body).raise_for_status()


@dataclass
class Miniflux:
    folder: Path
    port: int
    admin_password: str
    binary: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    _users: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "run"

    def new_user(self) -> User:
        """A fresh user with an API token and the Google Reader integration on."""
        self._users += 1
        username = f"reader{self._users}-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(12)
        with httpx.Client(base_url=self.url, auth=("admin", self.admin_password), timeout=30) as admin:
            admin.post("/v1/users", json={"username": username, "password": password}).raise_for_status()
        with httpx.Client(base_url=self.url, auth=(username, password), timeout=30) as basic:
            token = basic.post("/v1/api-keys", json={"description": "termnews"}).raise_for_status()
        greader_password = secrets.token_urlsafe(12)
        self._enable_greader(username, password, greader_password)
        return User(self.url, username, password, token.json()["token"], greader_password)

    def _enable_greader(self, username: str, password: str, greader_password: str) -> None:
        with httpx.Client(base_url=self.url, timeout=30, follow_redirects=True) as web:
            login = dict(form_fields(web.get("/").raise_for_status().text))
            login.update(username=username, password=password)
            web.post("/login", data=login).raise_for_status()
            page = web.get("/integrations").raise_for_status().text
            fields = [(k, v) for k, v in form_fields(page) if not k.startswith("googlereader_")]
            fields += [
                ("googlereader_enabled", "1"),
                ("googlereader_username", username),
                ("googlereader_password", greader_password),
            ]
            form: dict[str, list[str]] = {}
            for key, value in fields:
                form.setdefault(key, []).append(value)
            web.post("/integration", data=form).raise_for_status()

    # -- processes ----------------------------------------------------------------

    def _start_miniflux(self) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LISTEN_ADDR": f"127.0.0.1:{self.port}",
            "BASE_URL": self.url,
            "DATABASE_URL": f"host={self.socket_dir} user=postgres dbname=miniflux sslmode=disable",
            "RUN_MIGRATIONS": "1",
            "CREATE_ADMIN": "1",
            "ADMIN_USERNAME": "admin",
            "ADMIN_PASSWORD": self.admin_password,
            "FETCHER_ALLOW_PRIVATE_NETWORKS": "1",
            "DISABLE_SCHEDULER_SERVICE": "1",
            "LOG_LEVEL": "error",
        }
        log = open(self.folder / "miniflux.log", "ab")
        self.procs["miniflux"] = subprocess.Popen(
            [str(self.binary)], env=env, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        _wait_for(lambda: _healthy(self.url), 60, "miniflux /healthcheck", self.folder / "miniflux.log")

    def kill(self) -> None:
        """Take the server away (as a crash would): the database stays."""
        proc = self.procs.pop("miniflux", None)
        if proc is not None:
            _end(proc)

    def restart(self) -> None:
        if "miniflux" not in self.procs:
            self._start_miniflux()

    def stop(self) -> None:
        for name in ("miniflux", "postgres"):
            proc = self.procs.pop(name, None)
            if proc is not None:
                _end(proc)
        shutil.rmtree(self.folder, ignore_errors=True)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthcheck", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_for(check, seconds: float, what: str, log: Path | None = None) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise MinifluxUnavailable(f"{what} did not come up in {seconds:.0f} s\n{tail}")


def _end(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """End a process we started (and its group), politely then firmly."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout)


def _as_postgres() -> dict[str, object]:
    if os.getuid() != 0:
        return {}
    ids = pwd.getpwnam("postgres")
    return {"user": ids.pw_uid, "group": ids.pw_gid, "extra_groups": []}


def start_miniflux() -> Miniflux:
    reason = missing_requirements()
    if reason:
        raise MinifluxUnavailable(reason)
    binary = miniflux_binary()
    assert binary is not None
    folder = Path(tempfile.mkdtemp(prefix="termnews-miniflux-"))
    site = Miniflux(folder, free_port(), secrets.token_urlsafe(12), binary)
    try:
        _start_postgres(site)
        site._start_miniflux()
    except BaseException:
        site.stop()
        raise
    return site


def _start_postgres(site: Miniflux) -> None:
    data, run = site.folder / "pgdata", site.socket_dir
    run.mkdir()
    as_pg = _as_postgres()
    if as_pg:
        ids = pwd.getpwnam("postgres")
        for path in (site.folder, run):
            os.chown(path, ids.pw_uid, ids.pw_gid)
    subprocess.run(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        cwd=site.folder,
        **as_pg,  # type: ignore[arg-type]
    )
    log = open(site.folder / "postgres.log", "ab")
    site.procs["postgres"] = subprocess.Popen(
        [
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-k",
            str(run),
            "-c",
            "listen_addresses=",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
        ],
        stdout=log,
        stderr=log,
        start_new_session=True,
        cwd=site.folder,
        **as_pg,  # type: ignore[arg-type]
    )
    log.close()

    def ready() -> bool:
        return (
            subprocess.run(
                [str(PG_BIN / "pg_isready"), "-h", str(run), "-U", "postgres", "-q"], check=False
            ).returncode
            == 0
        )

    _wait_for(ready, 60, "PostgreSQL", site.folder / "postgres.log")
    subprocess.run(
        [str(PG_BIN / "createdb"), "-h", str(run), "-U", "postgres", "miniflux"],
        check=True,
        capture_output=True,
    )


class CuttingProxy:
    """A forwarding proxy on 127.0.0.1 that can die in the middle of a sync.

    Every request goes on to `target`; `cut_after(pattern, n)` lets `n` more
    requests whose path contains `pattern` through, then answers every request
    by closing the connection, as a server that died would; `answer(method,
    path, status)` answers those requests with that HTTP status instead of
    forwarding them. `seen` lists the paths, `sizes` the number of entries or
    items in each forwarded JSON answer.
    """

    def __init__(self, target: str) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.target = target
        self.seen: list[str] = []
        self.sizes: list[int] = []
        self._pattern: str | None = None
        self._left = 0
        self.dead = False
        self._answers: dict[tuple[str, str], int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                owner.seen.append(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if owner._pattern and owner._pattern in self.path:
                    if owner._left <= 0:
                        owner.dead = True
                    owner._left -= 1
                if owner.dead:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status = owner._answers.get((self.command, self.path.partition("?")[0]))
                if status is not None:
                    refusal = b'{"error_message": "answered by the test proxy"}'
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(refusal)))
                    self.end_headers()
                    self.wfile.write(refusal)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                answer = httpx.request(
                    self.command, owner.target + self.path, headers=headers, content=body, timeout=60
                )
                owner._count(answer)
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in (
                        "content-length",
                        "connection",
                        "transfer-encoding",
                        "content-encoding",
                    ):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _count(self, answer: httpx.Response) -> None:
        try:
            body = answer.json()
        except ValueError:
            return
        if isinstance(body, dict):
            for key in ("entries", "items"):
                if isinstance(body.get(key), list):
                    self.sizes.append(len(body[key]))

    def cut_after(self, pattern: str, allowed: int) -> None:
        self._pattern, self._left, self.dead = pattern, allowed, False

    def answer(self, method: str, path: str, status: int) -> None:
        self._answers[(method, path)] = status

    def heal(self) -> None:
        self._pattern, self.dead = None, False
        self._answers.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
