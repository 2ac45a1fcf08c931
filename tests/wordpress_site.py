"""A real WordPress on 127.0.0.1 for the tests: Debian's packages, nothing shared.

`start_site()` runs, in a private temporary folder:

- MariaDB as the `mysql` user (when run as root), on a socket in that folder,
  with `--skip-networking`;
- `php -S 127.0.0.1:PORT -t /usr/share/wordpress` with four workers;
- `wp_install()` from the PHP command line.

Debian's `wp-config.php` reads `/etc/wordpress/config-127.0.0.1.php` for the
host 127.0.0.1; the file written there only points at the folder named by the
`TERMNEWS_WP_SITE` environment variable of the PHP process, so runs (and
pytest-xdist workers) never see each other's site. `stop()` ends exactly the
processes `start_site()` started, by their ids, and removes the folder.

Site settings for fast, predictable tests (a must-use plugin and options):
comments are published at once (no "previously approved author" rule), a
comment containing HOLD_WORD is held for moderation, and flood protection
(15 s between comments from one IP, and every local client is 127.0.0.1) is
off except on posts made with `keep_flood=True`.

`WP_HOME` follows the request's Host header, so a proxy on another port (see
`DroppingProxy`) serves a complete site whose links and form point back at
the proxy.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

WORDPRESS_ROOT = Path("/usr/share/wordpress")
WP_CONFIG_DIR = Path("/etc/wordpress")
HOST_CONFIG = WP_CONFIG_DIR / "config-127.0.0.1.php"
HOST_CONFIG_MARK = "termnews tests: tests/wordpress_site.py"
SITE_ENV = "TERMNEWS_WP_SITE"
HOLD_WORD = "hold-for-moderation"
PACKAGES = "wordpress wordpress-theme-twentytwentythree mariadb-server php-cli php-mysql"

_HOST_CONFIG_TEXT = f"""<?php
// {HOST_CONFIG_MARK}
// Points WordPress at the test site whose folder the PHP process names in
// ${SITE_ENV}; without it, this file defines nothing.
$termnews_site = getenv('{SITE_ENV}');
if ($termnews_site && is_readable($termnews_site . '/site-config.php')) {{
    require $termnews_site . '/site-config.php';
}}
"""

_MU_PLUGIN = """<?php
/* Plugin Name: termnews test site settings */
// Flood protection off, except on posts marked to keep it.
add_filter('comment_flood_filter', function ($flood, $last, $new) {
    $post_id = isset($_POST['comment_post_ID']) ? (int) $_POST['comment_post_ID'] : 0;
    if ($post_id && get_post_meta($post_id, 'termnews_keep_flood', true)) {
        return $flood;
    }
    return false;
}, 20, 3);
"""


class WordPressUnavailable(RuntimeError):
    """Why no test site can run here (a missing package, not root for /etc/wordpress)."""


def missing_requirements() -> str | None:
    """A reason to skip, or None when a site can be started."""
    needed = {
        "php": shutil.which("php"),
        "mariadbd": shutil.which("mariadbd") or _sbin("mariadbd"),
        "mariadb-install-db": shutil.which("mariadb-install-db"),
        "mariadb": shutil.which("mariadb"),
    }
    absent = [name for name, found in needed.items() if not found]
    if absent or not (WORDPRESS_ROOT / "wp-settings.php").exists():
        what = (
            ", ".join(absent)
            + (" and " if absent else "")
            + ("" if (WORDPRESS_ROOT / "wp-settings.php").exists() else str(WORDPRESS_ROOT))
        )
        return (
            f"WordPress test site needs {PACKAGES} (missing: {what.strip(' and')}); run .ci/install-wordpress"
        )
    if not _php_has_mysqli():
        return "WordPress test site needs php-mysql (PHP has no mysqli); run .ci/install-wordpress"
    if HOST_CONFIG.exists():
        if HOST_CONFIG_MARK not in HOST_CONFIG.read_text(errors="replace"):
            return f"{HOST_CONFIG} exists and is not the tests' own file; not touching it"
    elif not os.access(WP_CONFIG_DIR, os.W_OK):
        return f"cannot write {HOST_CONFIG} (run the tests as root or create it once)"
    return None


def _sbin(name: str) -> str | None:
    path = Path("/usr/sbin") / name
    return str(path) if path.exists() else None


def _php_has_mysqli() -> bool:
    php = shutil.which("php")
    if not php:
        return False
    out = subprocess.run([php, "-m"], capture_output=True, text=True, timeout=30).stdout
    return "mysqli" in out.split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(
    check,
    timeout: float,
    what: str,
    proc: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.05)
    detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise WordPressUnavailable(f"{what} did not start within {timeout} s\n{detail}")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@dataclass
class Site:
    """A running WordPress; `url` ends without a slash."""

    folder: Path
    port: int
    url: str
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)
    socket_path: Path = Path()
    started_in: float = 0.0

    # -- PHP in the site's context ---------------------------------------------

    def php(self, code: str, *, installing: bool = False) -> str:
        """Run PHP with WordPress loaded (as an anonymous visitor); its output."""
        script = self.folder / f"run-{secrets.token_hex(4)}.php"
        installing_line = "define('WP_INSTALLING', true);\n" if installing else ""
        script.write_text(
            f"<?php\n$_SERVER['HTTP_HOST'] = '127.0.0.1:{self.port}';\n$_SERVER['REQUEST_URI'] = '/';\n"
            f"{installing_line}require '{WORDPRESS_ROOT}/wp-load.php';\n{code}\n",
            encoding="utf-8",
        )
        try:
            done = subprocess.run(
                ["php", str(script)], env=self.env, capture_output=True, text=True, timeout=60
            )
        finally:
            script.unlink(missing_ok=True)
        if done.returncode != 0:
            raise RuntimeError(f"php failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.stdout

    def create_post(
        self, title: str, content: str = "", *, comments_open: bool = True, keep_flood: bool = False
    ) -> int:
        """A published post; its id."""
        data = json.dumps(
            {
                "post_title": title,
                "post_content": content or f"<p>{title}</p>",
                "post_status": "publish",
                "comment_status": "open" if comments_open else "closed",
                "post_author": 1,
            }
        )
        code = (
            f"$id = wp_insert_post(json_decode({_php_str(data)}, true), true);\n"
            "if (is_wp_error($id)) { fwrite(STDERR, $id->get_error_message()); exit(1); }\n"
        )
        if keep_flood:
            code += "add_post_meta($id, 'termnews_keep_flood', '1');\n"
        code += "echo $id;"
        return int(self.php(code))

    def add_comment(
        self, post_id: int, author: str, content: str, parent: int = 0, minutes_ago: int = 0
    ) -> int:
        """An approved comment written straight into the site (not through the form)."""
        data = json.dumps(
            {
                "comment_post_ID": post_id,
                "comment_author": author,
                "comment_content": content,
                "comment_author_email": f"{author.lower().replace(' ', '.')}@example.org",
                "comment_parent": parent,
                "comment_approved": 1,
                "comment_date_gmt": time.strftime(
                    "%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 60 * minutes_ago)
                ),
            }
        )
        return int(
            self.php(
                f"$c = json_decode({_php_str(data)}, true);\n"
                "$c['comment_date'] = get_date_from_gmt($c['comment_date_gmt']);\n"
                "echo wp_insert_comment($c);"
            )
        )

    def comments(self, post_id: int) -> list[dict]:
        """Every comment of a post, whatever its status: id, parent, author, content, approved."""
        out = self.php(
            f"$rows = get_comments(['post_id' => {int(post_id)}, 'status' => 'all', 'orderby' => 'comment_ID', 'order' => 'ASC']);\n"
            "echo json_encode(array_map(function ($c) { return ['id' => (int) $c->comment_ID,"
            " 'parent' => (int) $c->comment_parent, 'author' => $c->comment_author,"
            " 'content' => $c->comment_content, 'approved' => $c->comment_approved]; }, $rows));"
        )
        return json.loads(out)

    def application_password(self, user: str = "admin") -> str:
        """A new Application Password for `user` (for the REST API)."""
        return self.php(
            f"$u = get_user_by('login', {_php_str(user)});\n"
            "$made = WP_Application_Passwords::create_new_application_password($u->ID, ['name' => 'termnews']);\n"
            "if (is_wp_error($made)) { fwrite(STDERR, $made->get_error_message()); exit(1); }\n"
            "echo $made[0];"
        ).strip()

    def approve(self, comment_id: int) -> None:
        """Approve a held comment, as a moderator would."""
        self.php(f"wp_set_comment_status({int(comment_id)}, 'approve');")

    def post_through_form(self, post_id: int, author: str, text: str, parent: int = 0) -> int:
        """A comment sent through the site's own form, as a visitor's browser would; its id."""
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(
            {
                "comment": text,
                "author": author,
                "email": f"{author.lower().replace(' ', '.')}@example.org",
                "url": "",
                "comment_post_ID": post_id,
                "comment_parent": parent,
                "submit": "Post Comment",
            }
        ).encode()

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # the Location names the comment
                return None

        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(f"{self.url}/wp-comments-post.php", body, timeout=60)
        except urllib.error.HTTPError as answer:
            location = answer.headers.get("Location", "")
            return int(location.rsplit("comment-", 1)[1])
        raise RuntimeError("the comment form did not redirect")

    def set_option(self, name: str, value: object) -> None:
        self.php(f"update_option({_php_str(name)}, json_decode({_php_str(json.dumps(value))}, true));")

    # -- stopping ----------------------------------------------------------------

    def stop(self) -> None:
        """End the processes this site started (newest first) and remove its folder.

        Each was started in a session of its own, so its process group has the
        id of the process started: `php -S` forks its workers into it, and they
        end with it.
        """
        for proc in reversed(self.processes):
            _end_group(proc)
        self.processes.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _end_group(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM to the process group led by `proc` (its id), then SIGKILL what is left."""
    group = proc.pid
    try:
        os.killpg(group, signal.SIGTERM)
    except ProcessLookupError:
        proc.poll()
        return
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        proc.poll()
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _php_str(text: str) -> str:
    """A PHP single-quoted string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def start_site() -> Site:
    """Start MariaDB and PHP's server, install WordPress; raises WordPressUnavailable."""
    reason = missing_requirements()
    if reason:
        raise WordPressUnavailable(reason)
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="termnews-wp-"))
    folder.chmod(0o755)
    site = Site(folder=folder, port=0, url="", env={})
    try:
        _start(site)
    except BaseException:
        site.stop()
        raise
    site.started_in = time.monotonic() - started
    return site


def _start(site: Site) -> None:
    folder = site.folder
    as_root = os.geteuid() == 0
    me = pwd.getpwuid(os.geteuid()).pw_name
    db_user = "mysql" if as_root else me
    data = folder / "db"
    data.mkdir()
    sock = folder / "mysqld.sock"
    if as_root:
        ids = pwd.getpwnam("mysql")
        os.chown(data, ids.pw_uid, ids.pw_gid)
        os.chown(folder, ids.pw_uid, ids.pw_gid)  # the socket and pid file live here
    log = folder / "mariadb.log"
    install = subprocess.run(
        [
            "mariadb-install-db",
            "--no-defaults",
            f"--user={db_user}",
            f"--datadir={data}",
            "--auth-root-authentication-method=socket",
            f"--auth-root-socket-user={me}",
            "--skip-test-db",
            "--skip-name-resolve",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if install.returncode != 0:
        raise WordPressUnavailable(f"mariadb-install-db failed: {install.stderr[-2000:]}")
    mariadbd = shutil.which("mariadbd") or _sbin("mariadbd")
    db = subprocess.Popen(
        [
            mariadbd,
            "--no-defaults",
            f"--user={db_user}",
            f"--datadir={data}",
            f"--socket={sock}",
            "--skip-networking",
            f"--pid-file={folder / 'mariadb.pid'}",
            f"--log-error={log}",
            "--innodb-buffer-pool-size=32M",
            "--innodb-log-file-size=16M",
            "--innodb-flush-log-at-trx-commit=0",
            "--skip-log-bin",
            "--skip-name-resolve",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    site.processes.append(db)
    site.socket_path = sock
    _wait_for(lambda: sock.exists() and _mariadb_ready(sock, me), 60, "MariaDB", db, log)
    password = secrets.token_hex(12)
    sql = (
        "CREATE DATABASE wordpress CHARACTER SET utf8mb4;"
        f"CREATE USER 'wordpress'@'localhost' IDENTIFIED BY '{password}';"
        "GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';"
    )
    done = subprocess.run(
        ["mariadb", f"--socket={sock}", "-u", me, "-e", sql], capture_output=True, text=True, timeout=30
    )
    if done.returncode != 0:
        raise WordPressUnavailable(f"could not create the database: {done.stderr}")

    content = folder / "wp-content"
    (content / "mu-plugins").mkdir(parents=True)
    (content / "plugins").mkdir()
    (content / "uploads").mkdir()
    (content / "themes").symlink_to(WORDPRESS_ROOT / "wp-content" / "themes")
    (content / "mu-plugins" / "termnews-test.php").write_text(_MU_PLUGIN, encoding="utf-8")
    site.port = free_port()
    site.url = f"http://127.0.0.1:{site.port}"
    keys = "\n".join(
        f"define('{k}', '{secrets.token_hex(24)}');"
        for k in (
            "AUTH_KEY",
            "SECURE_AUTH_KEY",
            "LOGGED_IN_KEY",
            "NONCE_KEY",
            "AUTH_SALT",
            "SECURE_AUTH_SALT",
            "LOGGED_IN_SALT",
            "NONCE_SALT",
        )
    )
    (folder / "site-config.php").write_text(
        f"""<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', '{password}');
define('DB_HOST', 'localhost:{sock}');
define('WP_CONTENT_DIR', '{content}');
$termnews_host = isset($_SERVER['HTTP_HOST']) ? preg_replace('/[^0-9.:]/', '', $_SERVER['HTTP_HOST']) : '127.0.0.1:{site.port}';
define('WP_HOME', 'http://' . $termnews_host);
define('WP_SITEURL', 'http://' . $termnews_host);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_DEBUG', false);
// Application Passwords (the REST sender's login) need HTTPS or a local site.
define('WP_ENVIRONMENT_TYPE', 'local');
{keys}
$table_prefix = 'wp_';
""",
        encoding="utf-8",
    )
    if not HOST_CONFIG.exists():
        HOST_CONFIG.write_text(_HOST_CONFIG_TEXT, encoding="utf-8")
    site.env = {**os.environ, SITE_ENV: str(folder), "PHP_CLI_SERVER_WORKERS": "4"}
    installed = site.php(
        "require_once ABSPATH . 'wp-admin/includes/upgrade.php';\n"
        "wp_install('termnews test site', 'admin', 'admin@example.org', true, '', wp_generate_password());\n"
        "update_option('comment_previously_approved', 0);\n"
        "update_option('comment_moderation', 0);\n"
        f"update_option('moderation_keys', '{HOLD_WORD}');\n"
        "update_option('comments_notify', 0);\n"
        "update_option('moderation_notify', 0);\n"
        "update_option('thread_comments', 1);\n"
        "update_option('posts_per_rss', 50);\n"
        "update_option('permalink_structure', '');\n"
        "wp_delete_post(1, true); wp_delete_post(2, true); wp_delete_post(3, true);\n"
        "echo 'installed';",
        installing=True,
    )
    if not installed.endswith("installed"):
        raise WordPressUnavailable(f"wp_install() did not finish: {installed[-2000:]}")
    server_log = folder / "php-server.log"
    server = subprocess.Popen(
        ["php", "-S", f"127.0.0.1:{site.port}", "-t", str(WORDPRESS_ROOT)],
        env=site.env,
        stdout=server_log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=WORDPRESS_ROOT,
    )
    site.processes.append(server)
    _wait_for(lambda: _port_open(site.port), 30, "php -S", server, server_log)


def _mariadb_ready(sock: Path, user: str) -> bool:
    done = subprocess.run(
        ["mariadb", f"--socket={sock}", "-u", user, "-e", "SELECT 1"], capture_output=True, timeout=10
    )
    return done.returncode == 0


# -- a proxy that loses the answer ------------------------------------------------


class DroppingProxy:
    """Forwards HTTP to the site; for chosen requests, the answer never comes back.

    Each connection carries one request (`Connection: close` is forced). A
    request matching `drop` (by method, say POST) is forwarded whole, the
    site's whole answer is read (so the site has done its work), and then the
    client's connection is closed without a byte: the client cannot know
    whether the request arrived. `dropped` counts those.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.drop_methods: set[str] = set()
        self.drop_remaining = 0
        self.dropped = 0
        self.forwarded = 0
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def drop_next(self, method: str, count: int = 1) -> None:
        self.drop_methods = {method.upper()}
        self.drop_remaining = count

    def close(self) -> None:
        self._closed = True
        self._server.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        with client:
            client.settimeout(30)
            request = _read_request(client)
            if request is None:
                return
            method = request.split(b" ", 1)[0].decode("ascii", "replace").upper()
            drop = method in self.drop_methods and self.drop_remaining > 0
            if drop:
                self.drop_remaining -= 1
            with socket.create_connection(("127.0.0.1", self.target_port), timeout=60) as upstream:
                upstream.sendall(request)
                answer = bytearray()
                while True:
                    chunk = upstream.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            if drop:
                self.dropped += 1
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return  # closed with a reset, the answer lost
            self.forwarded += 1
            client.sendall(bytes(answer))


def _read_request(conn: socket.socket) -> bytes | None:
    """One whole HTTP/1.1 request (headers and a Content-Length body), with `Connection: close`."""
    data = bytearray()
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name == b"content-length":
            length = int(line.split(b":", 1)[1].strip())
        if name in (b"connection", b"keep-alive", b"accept-encoding"):
            continue
        kept.append(line)
    kept += [b"Connection: close", b"Accept-Encoding: identity"]
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return b"\r\n".join(kept) + b"\r\n\r\n" + body
