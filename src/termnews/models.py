"""The records that flow between layers.

Sources produce `ArticleData`; the store hands the app `Headline` rows and
`Article` records. All are frozen: a layer never edits another's data.
The domain types the store speaks in (a `View` of the headlines, a `Draft`
and its states, a source's fetch status, the errors) live here too, so a
widget never imports a storage module for a type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

BodyFormat = Literal["text", "markdown", "html"]
ViewFilter = Literal["all", "unread", "starred", "drafts"]

DRAFT_STATES = ("draft", "ready", "sending", "sent", "held", "failed")
#: States only the outbox moves a draft out of: the reply is at the site, or may be.
SENT_STATES = ("sending", "sent", "held")
#: What `drafts export` writes (termnews.drafts); here so the command line lists them without loading it.
ExportFormat = Literal["md", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("md", "json")


@dataclass(frozen=True)
class SourceSpec:
    """One configured source: what the user wrote in config or added."""

    name: str
    kind: str
    location: str
    options: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()

    @cached_property  # a hash: asked for once per article when a source's articles are stored
    def source_id(self) -> str:
        """Stable identity of the source, independent of its display name."""
        return stable_hash(f"{self.kind}\0{self.location}")


@dataclass(frozen=True)
class Enclosure:
    """A file an entry points to (a podcast episode, a video), with what the feed says of it."""

    url: str
    type: str = ""  # a media type, as the feed gives it
    length: int | None = None  # bytes, when the feed gives it


@dataclass(frozen=True)
class ArticleData:
    """One entry as a source parsed it, before identity and sanitizing."""

    title: str
    body: str = ""
    body_format: BodyFormat = "text"
    guid: str | None = None
    link: str | None = None
    author: str | None = None
    published: float | None = None  # seconds since the epoch, UTC
    enclosures: tuple[Enclosure, ...] = ()
    comments_url: str | None = None  # the feed of the entry's comments
    image: str | None = None  # the entry's picture (a Media RSS thumbnail)
    comments_page: str | None = None  # the web page of its comments (RSS <comments>)
    #: Orders an undated article (a file's mtime), never shown as its date:
    #: without it, an undated article takes its place when first stored.
    first_seen: float | None = None


@dataclass(frozen=True)
class HttpOptions:
    """Limits of one HTTP request; every one can be set per source or per refresh."""

    max_bytes: int = 10 * 1024 * 1024  # decoded body
    deadline: float = 20.0  # seconds for the whole request, redirects included
    connect_timeout: float = 10.0
    max_redirects: int = 5
    user_agent: str = ""  # empty: termnews's own
    #: Basic credentials (user, password), sent only to the URL's own origin.
    auth: tuple[str, str] | None = field(default=None, repr=False)
    #: A proxy URL; "" for none; None: from the environment (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).
    proxy: str | None = None


@dataclass(frozen=True)
class FetchContext:
    """What a source may know about its last fetch (HTTP validators), and
    the refresh's HTTP limits (a source's own options go over them)."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    http: HttpOptions = field(default_factory=HttpOptions)
    #: Where to fetch instead of the configured location (a permanent redirect that held).
    location: str | None = None
    #: What the last fetch warned of: a source that finds its document unchanged says it again.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchResult:
    articles: list[ArticleData] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    not_modified: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()
    #: Where a permanent redirect (301, 308) led this time.
    moved_to: str | None = None
    #: Seconds before the source should be fetched again (<ttl>, sy:updatePeriod, max-age).
    fresh_for: float | None = None
    #: The server said 410 Gone.
    gone: bool = False


@dataclass(frozen=True)
class SourceOutcome:
    """What refreshing one source came to."""

    spec: SourceSpec
    new: int = 0
    total: int = 0
    not_modified: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()
    #: Not fetched, and why (not due yet, gone).
    skipped: str | None = None


@dataclass(frozen=True)
class Headline:
    """One row of the headline pane."""

    id: str
    title: str
    source: str
    published: float | None
    read: bool
    starred: bool
    has_draft: bool
    link: str | None
    #: In search results: the words around the first match in the body.
    snippet: str | None = None


@dataclass(frozen=True)
class Article:
    """One article as the reader shows it (already sanitized)."""

    id: str
    source: str
    title: str
    body: str
    body_format: BodyFormat
    link: str | None
    author: str | None
    published: float | None
    enclosures: tuple[Enclosure, ...]
    read: bool
    starred: bool
    image: str | None = None
    comments_page: str | None = None


# Enclosures, the image and the comments page share one text column: a line
# per URL, the URL alone (as enclosures were stored before they had a type and
# size) or URL, type, length and role separated by tabs. Cleaned URLs and types
# never hold a tab or a line break.
_ROLES = ("image", "comments")


def encode_media(
    enclosures: tuple[Enclosure, ...], image: str | None = None, comments_page: str | None = None
) -> str:
    lines = [
        "\t".join((e.url, e.type, "" if e.length is None else str(e.length))).rstrip("\t") for e in enclosures
    ]
    lines += [f"{url}\t\t\t{role}" for url, role in zip((image, comments_page), _ROLES, strict=True) if url]
    return "\n".join(lines)


def decode_media(text: str) -> tuple[tuple[Enclosure, ...], str | None, str | None]:
    """`encode_media`'s text back: the enclosures, the image and the comments page."""
    enclosures: list[Enclosure] = []
    found: dict[str, str] = {}
    for line in text.split("\n"):
        url, kind, length, role = (line.split("\t") + ["", "", ""])[:4]
        if not url:
            continue
        if role in _ROLES:
            found[role] = url
        else:
            enclosures.append(Enclosure(url, kind, int(length) if length.isdigit() else None))
    return tuple(enclosures), found.get("image"), found.get("comments")


def stable_hash(text: str) -> str:
    import hashlib  # here: loading OpenSSL is not on the way to the first paint

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def article_id(source_id: str, entry: ArticleData) -> str:
    """Identity that survives refreshes and cache rebuilds.

    From the entry's guid, else its link, else title and date.
    """
    key = entry.guid or entry.link or f"{entry.title}\0{entry.published or ''}"
    return stable_hash(f"{source_id}\0{key}")


@dataclass(frozen=True)
class View:
    """What the headline pane shows: a filter, optionally one source (or a tag's sources),
    optionally a search."""

    filter: ViewFilter = "all"
    source_id: str | None = None
    query: str | None = None
    source_ids: tuple[str, ...] = ()  # a tag: any of these sources (none: every source)


@dataclass(frozen=True)
class SourceStatus:
    """A source's last fetch: its HTTP validators, when, what went wrong, what it skipped."""

    source_id: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    last_refresh: float | None
    last_error: str | None
    next_due: float | None = None  # not fetched before (unless forced): <ttl>, max-age, refresh_minutes
    gone: float | None = None  # when the server said 410 Gone: never fetched again
    location: str | None = None  # where a permanent redirect moved it, once it held twice
    moved_to: str | None = None  # a permanent redirect seen, not yet held twice
    moved_seen: int = 0
    warnings: tuple[str, ...] = ()  # what the fetch read only in part or skipped (a folder's files), and why


@dataclass(frozen=True)
class FullTextState:
    """An article's page as last extracted: its main text (sanitized HTML), or why there is none."""

    body: str | None
    fetched: float
    error: str | None


@dataclass(frozen=True)
class HostWait:
    """A host that asked termnews to wait: until when, after how many refusals, and why."""

    host: str
    until: float  # seconds since the epoch
    failures: int
    reason: str


@dataclass(frozen=True)
class Draft:
    """A reply the person wrote, with its own copy of the article's title, link and source."""

    id: int
    article_id: str
    article_title: str
    article_link: str | None
    article_source: str
    parent_comment: str | None
    comment: str
    name: str
    email: str
    website: str
    state: str
    created: float
    updated: float
    version: int
    # The outbox's record.
    send_error: str | None = None
    send_after: float | None = None
    send_started: float | None = None
    sent_at: float | None = None
    remote_id: str | None = None
    remote_url: str | None = None
    attempts: int = 0


@dataclass(frozen=True)
class ArticleReplyInfo:
    """What a sender needs to know about an article beyond `Article`."""

    id: str
    link: str | None
    guid: str | None
    comments_url: str | None


@dataclass(frozen=True)
class CommentFeedState:
    """A comment feed as last fetched: validators, when, the error, the comments (JSON)."""

    url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    fetched: float
    last_error: str | None
    comments_json: str


class StoreError(RuntimeError):
    """The store cannot do what was asked (an unreadable or newer state file, a conflict)."""


class DraftConflict(StoreError):
    """A draft changed or vanished since it was read; `current` is what is stored now."""

    def __init__(self, draft_id: int, expected_version: int, current: Draft | None) -> None:
        what = (
            "was deleted" if current is None else f"is at version {current.version}, not {expected_version}"
        )
        super().__init__(f"draft {draft_id} {what}")
        self.draft_id, self.expected_version, self.current = draft_id, expected_version, current


@dataclass(frozen=True)
class InboxItem:
    """A comment answering one of the person's replies, as the inbox keeps it.

    A copy of the article's title, link and source is kept, as a draft does,
    so the answer stays meaningful after the article leaves the cache.
    """

    id: int
    comment_id: str  # the comment's id in its comment feed
    article_id: str
    article_title: str
    article_link: str | None
    article_source: str
    draft_id: int | None  # the person's reply it answers
    author: str
    published: float | None
    text: str  # plain text, sanitized
    link: str | None
    arrived: float
    read: bool


@dataclass(frozen=True)
class NewReply:
    """An answer found in a watched thread, before the inbox keeps it."""

    comment_id: str
    article_id: str
    article_title: str
    article_link: str | None
    article_source: str
    draft_id: int | None
    author: str
    published: float | None
    text: str
    link: str | None


@dataclass(frozen=True)
class ThreadMarks:
    """What the comments pane marks in one thread."""

    new: frozenset[str] = frozenset()  # comment ids that arrived since the thread was last opened
    own: dict[str, Draft] = field(default_factory=dict)  # comment id: the person's reply it is
    pending: tuple[Draft, ...] = ()  # the person's replies not in the feed (held, in doubt)
