"""An article's comments: fetched on demand from its comment feed, nested by parent.

A feed entry may name a feed of its comments (`wfw:commentRss`). WordPress
gives the RSS one, which carries no parent ids; its Atom twin (`?feed=atom&p=ID`,
or `.../feed/atom/` with pretty permalinks) carries `thr:in-reply-to` (RFC
4685), so `comment_feed_urls` tries the Atom one first and falls back to the
URL the feed gave.

Fetching follows the same HTTP rules as feeds (`termnews.fetch.HttpClient`:
validators, size cap, deadline); the comments and validators are kept in the
cache (`comment_feeds`), so a second look is a conditional GET, and when the
site cannot be reached the last copy is shown with the error. Every field is
sanitized here, like any content from a feed.

Never imports Textual.
"""

from __future__ import annotations

import calendar
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from html import unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from termnews.models import BodyFormat
from termnews.sanitize import LIMITS, clean_line, clean_text
from termnews.text import html_to_text

if TYPE_CHECKING:
    from termnews.fetch import HttpClient, HttpOptions
    from termnews.store import Store


@dataclass(frozen=True)
class Comment:
    """One comment, sanitized. `parent` is the id of the comment it answers."""

    id: str
    author: str
    body: str
    body_format: BodyFormat = "html"
    published: float | None = None
    link: str | None = None
    parent: str | None = None  # None: it answers the article (or the feed does not say)


@dataclass(frozen=True)
class Thread:
    """Comments in reading order, each with its depth (0 answers the article)."""

    entries: tuple[tuple[int, Comment], ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)


@dataclass(frozen=True)
class CommentsResult:
    """What looking up an article's comments came to."""

    url: str | None  # the feed read (or tried last)
    comments: tuple[Comment, ...] = ()
    threaded: bool = False  # the feed gave parents (else the thread is flat)
    error: str | None = None  # the fetch failed; `comments` are the last copy, if any
    stale: bool = False  # shown from the cache after a failed fetch
    fetched: float | None = None  # when the comments were last fetched
    tried: tuple[str, ...] = field(default=())

    @property
    def thread(self) -> Thread:
        return nest(self.comments)


class CommentParseError(ValueError):
    """Not a comment feed termnews can read."""


# -- where a post's comments are --------------------------------------------------


def comment_feed_urls(comments_url: str) -> list[str]:
    """Feeds to try for a `wfw:commentRss` URL: the threaded (Atom) one first.

    WordPress's RSS comment feed has no parent ids; its Atom twin has them.
    `...?feed=rss2&p=5` becomes `...?feed=atom&p=5`; `.../feed/` and
    `.../feed/rss2/` become `.../feed/atom/`. Anything else is used as given.
    """
    try:
        parts = urlsplit(comments_url)
    except ValueError:
        return [comments_url]
    candidates: list[str] = []
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "feed" and v in ("rss2", "rss", "") for k, v in query):
        atom_query = urlencode([(k, "atom" if k == "feed" else v) for k, v in query])
        candidates.append(urlunsplit(parts._replace(query=atom_query)))
    elif re.search(r"/feed(?:/rss2?)?/?$", parts.path):
        path = re.sub(r"/feed(?:/rss2?)?/?$", "/feed/atom/", parts.path)
        candidates.append(urlunsplit(parts._replace(path=path)))
    candidates.append(comments_url)
    return list(dict.fromkeys(candidates))


# -- parsing ------------------------------------------------------------------------

_IN_REPLY_PREFIX = re.compile(
    r"\A\s*<p>[^<]{0,80}<a\s+href=\"(?P<href>[^\"]+)\"[^>]*>[^<]{0,300}</a>[^<]{0,20}</p>\s*",
    re.IGNORECASE,
)


def parse_comments(data: bytes, url: str = "") -> tuple[list[Comment], bool]:
    """Comments of an RSS or Atom comment feed, and whether it gave parent ids."""
    from termnews.feedparse import looks_like_html_page, with_feedparser

    if looks_like_html_page(data):
        raise CommentParseError("not a comment feed: the server sent an HTML page")
    parsed = with_feedparser(data, url, "comment feed", CommentParseError)
    raw = [_entry(e) for e in parsed.entries]
    threaded = any(ref is not None for _, ref, _ in raw)
    ids = {c.id for c, _, _ in raw}
    links = {c.id: c.link for c, _, _ in raw}
    comments = []
    for comment, ref, ref_href in raw:
        parent = ref if ref in ids and ref != comment.id else None
        body = comment.body
        if parent is not None and comment.body_format == "html":
            # WordPress starts a reply's feed text with "In reply to <a>Name</a>.";
            # the thread shows that already.
            match = _IN_REPLY_PREFIX.match(body)
            if match and unescape(match.group("href")) in (ref_href, links.get(parent), parent):
                body = body[match.end() :]
        comments.append(_replace(comment, parent=parent, body=body))
    return comments, threaded


def _replace(comment: Comment, **changes: Any) -> Comment:
    return Comment(**{**asdict(comment), **changes})


def _entry(entry: Any) -> tuple[Comment, str | None, str | None]:
    import hashlib  # here: OpenSSL is not on the way to the first paint

    body = ""
    fmt: BodyFormat = "text"
    if entry.get("content"):
        detail = entry["content"][0]
        body = detail.get("value") or ""
        fmt = "text" if (detail.get("type") or "").lower() == "text/plain" else "html"
    elif entry.get("summary_detail"):
        detail = entry["summary_detail"]
        body = detail.get("value") or ""
        fmt = "text" if (detail.get("type") or "").lower() == "text/plain" else "html"
    elif entry.get("summary"):
        body, fmt = entry["summary"], "html"
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    link = clean_line(entry.get("link"), LIMITS["link"]) or None
    ident = clean_line(entry.get("id"), LIMITS["link"]) or link or ""
    if not ident:
        ident = (
            "sha:"
            + hashlib.sha256(
                f"{entry.get('author')}\0{stamp}\0{body}".encode("utf-8", "replace")
            ).hexdigest()[:20]
        )
    author = clean_line(entry.get("author") or _author_from_title(entry.get("title")), LIMITS["author"])
    reply = entry.get("thr_in-reply-to")
    ref = href = None
    if isinstance(reply, dict):
        ref = clean_line(reply.get("ref"), LIMITS["link"]) or None
        href = clean_line(reply.get("href"), LIMITS["link"]) or None
    comment = Comment(
        id=ident,
        author=author or "(anonymous)",
        body=clean_text(body, LIMITS["body"]),
        body_format=fmt,
        published=float(calendar.timegm(stamp)) if stamp else None,
        link=link,
    )
    return comment, ref, href


def _author_from_title(title: str | None) -> str:
    """WordPress titles comment entries "By: Name" (RSS without dc:creator)."""
    text = (title or "").strip()
    return text[3:].strip() if text.lower().startswith("by:") else ""


def nest(comments: Iterable[Comment]) -> Thread:
    """Reading order: each comment after the one it answers, oldest first at every level.

    A comment whose parent is not in the feed (or that would make a loop)
    answers the article.
    """
    items = list(comments)
    by_id = {c.id: c for c in items}
    children: dict[str | None, list[Comment]] = {}
    for c in items:
        parent = c.parent if c.parent in by_id and c.parent != c.id else None
        children.setdefault(parent, []).append(c)
    for group in children.values():
        group.sort(key=lambda c: (c.published is None, c.published or 0.0))
    out: list[tuple[int, Comment]] = []
    seen: set[str] = set()

    def walk(stack: list) -> None:  # (level, comment) pairs, depth first, each comment once
        while stack:
            level, c = stack.pop()
            if c.id in seen:
                continue
            seen.add(c.id)
            out.append((level, c))
            stack.extend((level + 1, k) for k in reversed(children.get(c.id, [])))

    walk([(0, c) for c in reversed(children.get(None, []))])
    for c in items:  # loops: parents that only point at each other
        if c.id not in seen:
            walk([(0, c)])
    return Thread(tuple(out))


# -- fetching -----------------------------------------------------------------------


def comments_to_json(comments: Sequence[Comment], threaded: bool) -> str:
    """How the cache keeps a comment feed: `{"threaded": ..., "comments": [...]}`."""
    return json.dumps({"threaded": threaded, "comments": [asdict(c) for c in comments]}, ensure_ascii=False)


def comments_from_json(text: str) -> tuple[list[Comment], bool]:
    """The comments and the threaded flag kept by `comments_to_json` (nothing if unreadable)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return [], False
    if not isinstance(doc, dict) or not isinstance(doc.get("comments"), list):
        return [], False
    names = set(Comment.__dataclass_fields__)
    out = []
    for row in doc["comments"]:
        if isinstance(row, dict) and row.get("id"):
            try:
                out.append(Comment(**{k: v for k, v in row.items() if k in names}))
            except TypeError:
                continue
    return out, bool(doc.get("threaded"))


def fetch_comments(
    store: Store,
    comments_url: str,
    *,
    http: HttpClient | None = None,
    options: HttpOptions | None = None,
    use_validators: bool = True,
) -> CommentsResult:
    """The comments behind `comments_url`, fetched now (a conditional GET when cached).

    Tries the threaded feed first (see `comment_feed_urls`). Never raises for
    what the network or the site does: a failure returns the last copy, if
    any, with `error` and `stale` set.
    """
    from termnews.fetch import HttpClient, HttpOptions

    options = options or HttpOptions(max_bytes=5 * 1024 * 1024)
    own = http is None
    client = http or HttpClient(max_connections=2)
    errors: list[str] = []
    tried: list[str] = []
    try:
        for url in comment_feed_urls(comments_url):
            tried.append(url)
            result = _fetch_one(store, client, url, options, use_validators)
            if result.error is None:
                return CommentsResult(**{**_fields(result), "tried": tuple(tried)})
            errors.append(result.error)
            if result.error.startswith("could not connect"):
                break  # the host is unreachable: the next URL is on the same host
    finally:
        if own:
            client.close()
    for url in tried:  # the last copy of any of them
        cached = store.comment_feed(url)
        if cached is not None and cached.body_hash is not None:
            comments, threaded = comments_from_json(cached.comments_json)
            return CommentsResult(
                url,
                tuple(comments),
                threaded,
                errors[0],
                True,
                cached.fetched,
                tuple(tried),
            )
    return CommentsResult(
        tried[-1] if tried else None,
        (),
        False,
        errors[0] if errors else "no comment feed",
        False,
        None,
        tuple(tried),
    )


def _fields(result: CommentsResult) -> dict[str, Any]:
    return {f: getattr(result, f) for f in CommentsResult.__dataclass_fields__}


def _fetch_one(
    store: Store, client: HttpClient, url: str, options: HttpOptions, use_validators: bool
) -> CommentsResult:
    import hashlib  # here: OpenSSL is not on the way to the first paint

    cached = store.comment_feed(url)
    have = cached is not None and cached.body_hash is not None
    validated = cached if have and use_validators else None
    etag = validated.etag if validated else None
    modified = validated.last_modified if validated else None
    got = client.get(url, etag, modified, options)
    now = time.time()
    if got.error:
        store.save_comment_feed(url, comments_json=None, error=got.error, now=now)
        return CommentsResult(url, error=got.error)
    if got.not_modified and have:
        assert cached is not None
        comments, threaded = comments_from_json(cached.comments_json)
        store.save_comment_feed(
            url,
            comments_json=cached.comments_json,
            etag=got.etag,
            last_modified=got.last_modified,
            body_hash=cached.body_hash,
            now=now,
        )
        return CommentsResult(url, tuple(comments), threaded, fetched=now)
    assert got.body is not None
    digest = hashlib.sha256(got.body).hexdigest()
    try:
        comments, threaded = parse_comments(got.body, got.url)
    except CommentParseError as exc:
        store.save_comment_feed(url, comments_json=None, error=str(exc), now=now)
        return CommentsResult(url, error=str(exc))
    store.save_comment_feed(
        url,
        comments_json=comments_to_json(comments, threaded),
        etag=got.etag,
        last_modified=got.last_modified,
        body_hash=digest,
        now=now,
    )
    return CommentsResult(url, tuple(comments), threaded, fetched=now)


# -- finding a reply again -------------------------------------------------------------

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": "...",
        "\u00d7": "x",
    }
)


def plain_words(text: str, fmt: str = "html") -> str:
    """Text reduced for comparison: no tags or entities, plain quotes, one space, folded case.

    WordPress stores a comment as typed but shows it through wptexturize and
    wpautop (curly quotes, dashes, paragraphs); both sides are reduced alike.
    """
    if fmt == "html":
        text = html_to_text(text)
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    text = text.replace("--", "-").replace("---", "-")
    return " ".join(text.split()).casefold()


def find_reply(
    comments: Iterable[Comment],
    *,
    author: str,
    text: str,
    parent: str | None,
    threaded: bool = True,
    since: float | None = None,
    slack: float = 300.0,
    same_parent: Callable[[str | None, str | None], bool] | None = None,
) -> Comment | None:
    """The comment in a feed that is this reply: same author, same parent, same words.

    The parent is compared only when the feed gives parents (`threaded`).
    `since` (when the attempt started) rules out older comments with the same
    words; `slack` allows for a site clock that differs from ours.
    """
    want = plain_words(text, "text")
    who = " ".join(author.split()).casefold()
    if not want:
        return None
    for c in comments:
        if " ".join(c.author.split()).casefold() != who:
            continue
        if threaded:
            same = same_parent(c.parent, parent) if same_parent else (c.parent or None) == (parent or None)
            if not same:
                continue
        if since is not None and c.published is not None and c.published < since - slack:
            continue
        have = plain_words(c.body, c.body_format)
        if have == want or (want in have and len(have) <= len(want) + 200):
            return c
    return None


# -- showing --------------------------------------------------------------------------


def comment_text(comment: Comment) -> str:
    """A comment's words as plain text, paragraphs kept, safe for a terminal."""
    body = comment.body
    if comment.body_format == "html":
        body = html_to_text(body, lines=True)
    lines = [" ".join(line.split()) for line in clean_text(body).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
