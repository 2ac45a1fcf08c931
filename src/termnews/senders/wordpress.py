"""The `wordpress` sender: the site's own comment form, `wp-comments-post.php`.

Where to send: the article page's comment form says it best (its `action`,
its `comment_post_ID` and any hidden fields a plugin adds), so `prepare`
reads the page as a browser would. Without the page (or a form on it: a
theme hides the form once comments are closed), the post id comes from the
feed (WordPress's guid is `?p=ID`, and so is its comment feed URL) and the
endpoint from the site's address beside it.

What the site answers (`wp-comments-post.php`, WordPress 4.9 to 6.x):

| answer | meaning |
| --- | --- |
| 302 to `...#comment-N` | published |
| 302 with `unapproved=N` | held for moderation |
| 409 | duplicate: the site has these words already |
| 429 | too fast (flood protection): try later |
| 403 | comments closed (or not allowed) |
| 200 titled "Comment Submission Failure" | missing or invalid fields |
| 501, 505 | the server does not take such a request: refused |
| other 5xx | unknown: the comment may have been stored |

Every refusal is a `wp_die` page; its message is the site's reason, kept in
the site's words. A request that left without an answer coming back is
`unknown`: the outbox checks the comment feed before trying again.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any, ClassVar
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

from termnews.models import HttpOptions
from termnews.sanitize import clean_line
from termnews.senders import Prepared, Reply, Sender, SendResult
from termnews.text import host_of, html_to_text, is_fetchable_url
from termnews.units import MiB, parse_duration

ENDPOINT = "wp-comments-post.php"
FLOOD_WAIT = 15.0  # seconds WordPress asks between two comments from one address
MAX_ANSWER = 1024 * 1024
_COMMENT_NUMBER = re.compile(r"(?:#comment-|[?&]replytocom=|[?&]unapproved=)(\d+)")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_DIE_MESSAGE = re.compile(
    r"<div class=\"wp-die-message\"[^>]*>(.*?)</div>\s*</body>", re.IGNORECASE | re.DOTALL
)
_BODY = re.compile(r"<body[^>]*>(.*?)</body>", re.IGNORECASE | re.DOTALL)
FAILURE_TITLE = "Comment Submission Failure"
API_REL = "https://api.w.org/"  # the <link> naming the REST API's root
# Server errors that say the request was not taken, whatever it held: definite refusals, unlike
# 500, 502, 503 or 504, where the comment may have been stored before the error.
_REFUSED = frozenset({501, 505})


@dataclass(frozen=True)
class WordPressOptions:
    #: Seconds for reading the page and for sending, each (default 30).
    timeout: int | float | str | None = field(default=None, metadata={"parse": parse_duration})


@dataclass(frozen=True)
class Target:
    """Where a reply goes, as the article's page (or the feed) tells it."""

    post_id: str
    parent_id: str  # "0": the reply answers the post
    endpoint: str  # the form's action, wp-comments-post.php
    hidden: dict[str, str]  # the form's hidden fields (a plugin's among them)
    api_root: str | None  # the REST API's root, from the page's <link rel="https://api.w.org/">
    comments_url: str | None

    def summary(self, endpoint: str) -> str:
        where = f"post {self.post_id} at {endpoint}"
        return where + (f", in reply to comment {self.parent_id}" if self.parent_id != "0" else "")


class WordPressSender(Sender):
    kind: ClassVar[str] = "wordpress"
    options_type: ClassVar[type | None] = WordPressOptions

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        super().__init__(options)
        try:
            deadline = parse_duration(self.options.get("timeout", 30.0)) or 30.0
        except ValueError:  # config checked it; a stored option may predate the check
            deadline = 30.0
        self.http_options = HttpOptions(
            max_bytes=5 * MiB, deadline=deadline, connect_timeout=min(10.0, deadline)
        )

    # -- where -------------------------------------------------------------------

    def locate(self, reply: Reply) -> Target | SendResult:
        """Where the reply goes: the post, the comment it answers, the form and the REST API."""
        nowhere = self.nowhere(reply)
        if nowhere:
            return SendResult("failed", f"nowhere to send it: {nowhere}")
        form: _Form | None = None
        api_root: str | None = None
        page_error: str | None = None
        if reply.article_link and is_fetchable_url(reply.article_link):
            from termnews.fetch import HttpClient

            with HttpClient(max_connections=1) as http:
                got = http.get(reply.article_link, options=self.http_options)
            if got.error:
                page_error = got.error
                if got.error.startswith("could not connect"):
                    return SendResult("offline", f"offline: {got.error}")
            elif got.body is not None:
                form, api_root = read_comment_page(got.body.decode("utf-8", "replace"), got.url)
        post_id = (form.post_id if form else None) or self.post_id(reply)
        endpoint = form.action if form else self.endpoint(reply)
        if post_id is None or endpoint is None:
            why = (
                f" (the page: {page_error})"
                if page_error
                else (" (the page has no comment form)" if reply.article_link else "")
            )
            return SendResult(
                "failed",
                "cannot tell where to send this reply: no WordPress post id"
                f" in the feed and no comment form on the article's page{why}",
            )
        parent_id = self.remote_id(reply.parent) if reply.parent else "0"
        if parent_id is None:
            return SendResult(
                "failed",
                f"cannot tell WordPress's id of the comment this answers ({clean_line(reply.parent, 200)})",
            )
        comments = self.comments_url(reply, None, post_id, endpoint)
        return Target(post_id, parent_id, endpoint, dict(form.hidden) if form else {}, api_root, comments)

    def prepare(self, reply: Reply) -> Prepared | SendResult:
        target = self.locate(reply)
        if isinstance(target, SendResult):
            return target
        fields = dict(target.hidden)
        fields.update(
            {
                "comment": reply.comment,
                "author": reply.name,
                "email": reply.email,
                "url": reply.website,
                "comment_post_ID": target.post_id,
                "comment_parent": target.parent_id,
            }
        )
        fields.setdefault("submit", "Post Comment")
        return Prepared(target.endpoint, fields, target.comments_url, target.summary(target.endpoint))

    def nowhere(self, reply: Reply) -> str | None:
        if reply.article_link and is_fetchable_url(reply.article_link):
            return None  # its page may hold a comment form
        if self.post_id(reply) and self.endpoint(reply):
            return None
        return "the article has no web address and no WordPress post id"

    def post_id(self, reply: Reply) -> str | None:
        """From the guid (`?p=ID`), the comment feed URL or the link, in that order."""
        for url in (reply.article_guid, reply.comments_url, reply.article_link):
            found = _query_value(url, "p")
            if found and found.isdigit():
                return found
        return None

    def endpoint(self, reply: Reply) -> str | None:
        """The site's `wp-comments-post.php`, beside a `?p=` or `?feed=` address of it."""
        for url in (reply.comments_url, reply.article_link, reply.article_guid):
            if url and is_fetchable_url(url) and (_query_value(url, "p") or _query_value(url, "feed")):
                parts = urlsplit(url)
                return urljoin(urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")), ENDPOINT)
        return None

    def comments_url(
        self,
        reply: Reply,
        prepared: Prepared | None = None,
        post_id: str | None = None,
        endpoint: str | None = None,
    ) -> str | None:
        if prepared is not None and prepared.comments_url:
            return prepared.comments_url
        if reply.comments_url:
            return reply.comments_url
        post_id = post_id or self.post_id(reply)
        endpoint = endpoint or self.endpoint(reply)
        if post_id and endpoint:
            return urljoin(endpoint, f"./?feed=rss2&p={post_id}")
        return None

    def same_comment(self, a: str | None, b: str | None) -> bool:
        if not a or not b:
            return (a or None) == (b or None)
        na, nb = self.remote_id(a), self.remote_id(b)
        return na == nb if na and nb else a == b

    def remote_id(self, comment_id: str | None) -> str | None:
        if not comment_id:
            return None
        if comment_id.isdigit():
            return comment_id
        found = _COMMENT_NUMBER.findall(comment_id)
        return found[-1] if found else None

    # -- sending ------------------------------------------------------------------

    def send(self, reply: Reply, prepared: Prepared) -> SendResult:
        from termnews.fetch import HttpClient

        options = replace(self.http_options, max_bytes=MAX_ANSWER)
        referer = {"Referer": reply.article_link or prepared.endpoint}
        with HttpClient(max_connections=1) as http:
            got = http.post(prepared.endpoint, prepared.fields, referer, options)
        if got.error is None:
            assert got.status is not None and got.body is not None
            return interpret(got.status, got.headers, got.body, prepared.endpoint)
        if got.failure == "connect":
            return SendResult("offline", f"offline: {got.error}")
        if got.failure == "invalid":
            return SendResult("failed", f"invalid comment address {prepared.endpoint!r}: {got.error}")
        # The request may have arrived: the outbox checks the comment feed before any retry.
        return SendResult("unknown", f"no answer from {host_of(prepared.endpoint)}: {got.error}")


def interpret(status: int, headers: Mapping[str, str], body: bytes, endpoint: str = "") -> SendResult:
    """What `wp-comments-post.php` meant by its answer."""
    location = headers.get("location", "")
    if status in (301, 302, 303, 307) and location:
        location = urljoin(endpoint, location.strip())
        number = _COMMENT_NUMBER.findall(location)
        remote = number[-1] if number else None
        if "unapproved" in parse_qs(urlsplit(location).query):
            return SendResult("held", "held for moderation by the site", remote, location, status=status)
        if remote:
            return SendResult("sent", "published", remote, location, status=status)
        return SendResult(
            "unknown",
            f"the site redirected to {clean_line(location, 300)} without naming the comment",
            status=status,
        )
    text = body.decode("utf-8", "replace")
    message = die_message(text)
    if status == 409:
        return SendResult("failed", message or "duplicate comment", duplicate=True, status=status)
    if status == 429:
        return SendResult(
            "retry",
            message or "too many comments too fast",
            retry_after=retry_after(headers.get("retry-after")),
            status=status,
        )
    if status == 403:
        return SendResult("failed", message or "comments are closed", status=status)
    if status == 200 and FAILURE_TITLE.casefold() in page_title(text).casefold():
        return SendResult("failed", message or FAILURE_TITLE, status=status)
    if status in _REFUSED:  # the server does not take this request at all: nothing was stored
        reason = f"HTTP {status} {HTTPStatus(status).phrase}"
        return SendResult(
            "failed",
            f"the site refused the comment: {reason}" + (f": {message}" if message else ""),
            status=status,
        )
    if status >= 500:
        return SendResult(
            "unknown", f"HTTP {status} from the site" + (f": {message}" if message else ""), status=status
        )
    if 400 <= status < 500:
        return SendResult("failed", f"HTTP {status}" + (f": {message}" if message else ""), status=status)
    return SendResult(
        "unknown",
        f"HTTP {status}: an answer termnews does not recognize"
        + (f" ({page_title(text)})" if page_title(text) else ""),
        status=status,
    )


def page_title(html: str) -> str:
    found = _TITLE.search(html)
    return clean_line(html_to_text(found.group(1))) if found else ""


def die_message(html: str) -> str:
    """The message of a `wp_die` page, as one line of plain text."""
    found = _DIE_MESSAGE.search(html) or _BODY.search(html)
    if not found:
        return clean_line(html_to_text(html), 500) if "<" not in html[:200] else ""
    text = found.group(1)
    text = re.sub(r"<p>\s*<a href=[^>]*>\s*(?:&laquo;|«)[^<]*</a>\s*</p>", " ", text, flags=re.IGNORECASE)
    return clean_line(html_to_text(text), 500)


def retry_after(value: str | None, now: float | None = None) -> float:
    """Seconds to wait from a Retry-After header (seconds or a date); WordPress's 15 s without one."""
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            return FLOOD_WAIT
        return max(0.0, when - (time.time() if now is None else now))
    return FLOOD_WAIT


# -- the comment form ---------------------------------------------------------------


class _Form:
    def __init__(self, action: str) -> None:
        self.action = action
        self.hidden: dict[str, str] = {}
        self.names: set[str] = set()

    @property
    def post_id(self) -> str | None:
        value = self.hidden.get("comment_post_ID", "")
        return value if value.isdigit() else None


class _FormFinder(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[_Form] = []
        self.api_root: str | None = None
        self._open: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "link" and a.get("rel", "").strip() == API_REL and a.get("href") and self.api_root is None:
            self.api_root = urljoin(self.base, a["href"].strip())
        elif tag == "form":
            self._open = _Form(urljoin(self.base, a.get("action", "").strip() or self.base))
            self.forms.append(self._open)
        elif self._open is not None and tag in ("input", "textarea") and a.get("name"):
            self._open.names.add(a["name"])
            if tag == "input" and a.get("type", "").lower() == "hidden":
                self._open.hidden[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def read_comment_page(html: str, base: str) -> tuple[_Form | None, str | None]:
    """The page's WordPress comment form (posts to wp-comments-post.php, or has
    comment_post_ID) and the root of the site's REST API, each if there."""
    finder = _FormFinder(base)
    try:
        finder.feed(html)
        finder.close()
    except Exception:
        return None, None
    api_root = finder.api_root if finder.api_root and is_fetchable_url(finder.api_root) else None
    for form in finder.forms:
        if not is_fetchable_url(form.action):
            continue
        if urlsplit(form.action).path.endswith("/" + ENDPOINT) or "comment_post_ID" in form.hidden:
            return form, api_root
    return None, api_root


# -- small helpers ----------------------------------------------------------------------


def _query_value(url: str | None, key: str) -> str | None:
    if not url:
        return None
    try:
        values = parse_qs(urlsplit(url).query).get(key)
    except ValueError:
        return None
    return values[-1] if values else None
