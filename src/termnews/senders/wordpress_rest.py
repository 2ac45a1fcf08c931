"""The `wordpress-rest` sender: WordPress's REST API, with an Application Password.

For sites that close the comment form to scripts. Chosen per source:

    [[sources]]
    name = "blog"
    kind = "feed"
    location = "https://blog.example/feed/"
    sender = "wordpress-rest"
    user = "ada"
    password_command = "pass show blog.example/termnews"

Where to send is found as for the form (`WordPressSender.locate`: the post
and the comment answered); the endpoint is `wp/v2/comments` under the root
the article's page names (`<link rel="https://api.w.org/">`: `/wp-json/`, or
`?rest_route=/` when pretty permalinks are off), else `?rest_route=` beside
the site's `wp-comments-post.php`, which every WordPress answers. The
password is read from `password_command` (run without a shell, its first
line of output) only when sending, and goes only into the `Authorization`
header (HTTP basic auth, as WordPress's Application Passwords want).

What the API answers:

| answer | meaning |
| --- | --- |
| 201, `"status": "approved"` | published |
| 201, `"status": "hold"` | held for moderation |
| 409 `comment_duplicate` | the site has these words already |
| 400 `comment_flood`, 429 | too fast: try later |
| 401, 403 | the password, the user's rights, or comments closed: the site's words |
| other 4xx | refused, with the site's message |
"""

from __future__ import annotations

import base64
import json
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from termnews.models import HttpOptions
from termnews.sanitize import clean_line
from termnews.senders import Prepared, Reply, SendResult
from termnews.senders.wordpress import FLOOD_WAIT, MAX_ANSWER, WordPressSender, retry_after
from termnews.text import host_of, html_to_text
from termnews.units import parse_duration

ROUTE = "wp/v2/comments"
PASSWORD_TIMEOUT = 60.0


@dataclass(frozen=True)
class WordPressRestOptions:
    #: Seconds for reading the page and for sending, each (default 30).
    timeout: int | float | str | None = field(default=None, metadata={"parse": parse_duration})
    #: The WordPress user the Application Password belongs to.
    user: str | None = None
    #: A command whose first line of output is the Application Password (run without a shell).
    password_command: str | None = None
    #: The REST API's root, when the article's page does not name it ("https://blog.example/wp-json/").
    api_root: str | None = None


def comments_endpoint(api_root: str) -> str:
    """`wp/v2/comments` under an API root: `/wp-json/` or `?rest_route=/`."""
    parts = urlsplit(api_root)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "rest_route" for k, _ in query):
        routed = [(k, (v.rstrip("/") + "/" + ROUTE) if k == "rest_route" else v) for k, v in query]
        return urlunsplit(parts._replace(query=urlencode(routed, safe="/")))
    return urljoin(api_root if api_root.endswith("/") else api_root + "/", ROUTE)


class WordPressRestSender(WordPressSender):
    kind: ClassVar[str] = "wordpress-rest"
    options_type: ClassVar[type | None] = WordPressRestOptions

    def prepare(self, reply: Reply) -> Prepared | SendResult:
        user, command = self.options.get("user"), self.options.get("password_command")
        if not user or not command:
            return SendResult(
                "failed",
                "the wordpress-rest sender needs `user` and `password_command` in the source's table",
            )
        target = self.locate(reply)
        if isinstance(target, SendResult):
            return target
        root = self.options.get("api_root") or target.api_root
        endpoint = (
            comments_endpoint(root)
            if root
            else urljoin(target.endpoint, "./") + "?" + urlencode({"rest_route": "/" + ROUTE}, safe="/")
        )
        fields = {
            "post": target.post_id,
            "parent": target.parent_id,
            "content": reply.comment,
            "author_name": reply.name,
            "author_email": reply.email,
        }
        if reply.website:
            fields["author_url"] = reply.website
        summary = f"{target.summary(endpoint)} (REST API, as {clean_line(str(user), 100)})"
        return Prepared(endpoint, fields, target.comments_url, summary)

    def password(self) -> str | SendResult:
        """The Application Password, from `password_command`; an `offline` result when it fails."""
        command = str(self.options.get("password_command", ""))
        try:
            argv = shlex.split(command)
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=PASSWORD_TIMEOUT,
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            return SendResult("offline", f"password_command could not run: {clean_line(str(exc), 200)}")
        lines = done.stdout.splitlines()
        if done.returncode != 0 or not lines or not lines[0].strip():
            why = clean_line(done.stderr, 200) or "no password in its output"
            return SendResult("offline", f"password_command failed (status {done.returncode}): {why}")
        return lines[0].strip()

    def send(self, reply: Reply, prepared: Prepared) -> SendResult:
        from termnews.fetch import HttpClient

        password = self.password()
        if isinstance(password, SendResult):
            return password  # nothing left: the draft stays ready
        token = base64.b64encode(f"{self.options['user']}:{password}".encode()).decode("ascii")
        headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        options: HttpOptions = replace(self.http_options, max_bytes=MAX_ANSWER)
        with HttpClient(max_connections=1) as http:
            got = http.post(prepared.endpoint, prepared.fields, headers, options)
        if got.error is None:
            assert got.status is not None and got.body is not None
            return interpret_rest(got.status, got.headers, got.body)
        if got.failure == "connect":
            return SendResult("offline", f"offline: {got.error}")
        if got.failure == "invalid":
            return SendResult("failed", f"invalid REST address {prepared.endpoint!r}: {got.error}")
        return SendResult("unknown", f"no answer from {host_of(prepared.endpoint)}: {got.error}")


def interpret_rest(status: int, headers: Mapping[str, str], body: bytes) -> SendResult:
    """What the REST API meant by its answer."""
    try:
        doc: Any = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        doc = None
    data = doc if isinstance(doc, dict) else {}
    if status in (200, 201) and data.get("id") is not None:
        remote, link = str(data["id"]), clean_line(str(data.get("link") or ""), 4000) or None
        state = data.get("status")
        if state == "approved":
            return SendResult("sent", "published", remote, link, status=status)
        if state == "hold":
            return SendResult("held", "held for moderation by the site", remote, link, status=status)
        return SendResult(
            "failed", f"the site filed it as {clean_line(str(state), 40)}", remote, status=status
        )
    code = clean_line(str(data.get("code") or ""), 80)
    message = clean_line(html_to_text(str(data.get("message") or "")), 500) or f"HTTP {status}"
    said = f"{message} ({code})" if code else message
    if status == 409 or code == "comment_duplicate":
        return SendResult("failed", said, duplicate=True, status=status)
    if status == 429 or code == "comment_flood":
        wait = retry_after(headers.get("retry-after")) if headers.get("retry-after") else FLOOD_WAIT
        return SendResult("retry", said, retry_after=wait, status=status)
    if status >= 500:
        return SendResult("unknown", f"HTTP {status} from the site: {said}", status=status)
    if status >= 400:
        return SendResult("failed", said, status=status)
    return SendResult("unknown", f"HTTP {status}: an answer termnews does not recognize", status=status)
