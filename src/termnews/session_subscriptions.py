"""Subscriptions a person adds and removes (from the app or the CLI), found on pages and
moved in and out with OPML. Feeds a config file defines are the config's to change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from termnews.config import seeds_source
from termnews.models import FetchContext, HttpOptions, SourceSpec
from termnews.sanitize import clean_line
from termnews.session_base import SessionBase
from termnews.text import FETCHABLE_SCHEMES, is_fetchable_url, url_scheme

if TYPE_CHECKING:
    from termnews.discover import Discovery, FoundFeed


@dataclass(frozen=True)
class Removed:
    spec: SourceSpec
    articles: int  # cached articles dropped with it


@dataclass(frozen=True)
class OpmlExport:
    text: str
    feeds: int
    left_out: int  # sources that are not web feeds (local folders and files, feed servers)


@dataclass(frozen=True)
class OpmlImport:
    added: list[SourceSpec]
    skipped: int  # already subscribed
    refused: list[str]  # locations that are not http(s) URLs


class SubscriptionError(ValueError):
    """What is wrong with a source someone asked to add, in one sentence."""


class AddressRefused(SubscriptionError):
    """The address answered a definite "no" (404, 410, a redirect loop): nothing to subscribe to."""


def _infer_kind(location: str) -> tuple[str, str]:
    """(kind, location as stored) for what someone typed: a URL, a feed file or a folder."""
    if not location:  # a blank argument from a script: not the current folder
        raise SubscriptionError("nothing to add: give a feed's address, a feed file or a folder")
    if is_fetchable_url(location):
        return "feed", location
    if "://" in location:
        if url_scheme(location) in FETCHABLE_SCHEMES or location.lower().startswith(("http://", "https://")):
            raise SubscriptionError(f"{location}: a malformed address ({_malformed(location)})")
        raise SubscriptionError(f"{location}: only http and https URLs can be subscribed to")
    path = Path(location).expanduser()
    if path.is_dir():
        return "local", str(path.resolve())
    if path.is_file():
        from termnews.sources.local import ARTICLE_SUFFIXES

        if path.suffix.lower() in ARTICLE_SUFFIXES:
            folder = path.resolve().parent
            raise SubscriptionError(
                f"{location}: an article, not a feed; add its folder ({folder}) to read it"
            )
        return "feed", str(path.resolve())
    host, slash, _ = location.partition("/")
    if slash and "." in host.strip(".") and not location.startswith("~"):  # example.org/feed
        raise SubscriptionError(
            f"{location}: no such file or folder; for a web address, write https://{location}"
        )
    raise SubscriptionError(f"{location}: no such file or folder (and not an http(s) URL)")


def _malformed(url: str) -> str:
    """What is wrong with an http(s) address that `is_fetchable_url` refused."""
    from urllib.parse import urlsplit

    if any(char.isspace() for char in url):
        return "it holds white space"
    try:
        urlsplit(url).port  # noqa: B018 - reading it checks it
    except ValueError as exc:
        return str(exc)
    return "no host"


def unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base (2)`, `base (3)`... : the first not in `taken`."""
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    return name


def read_feed_title(spec: SourceSpec) -> str:
    """A feed's own title, fetched once to name it ("" offline, on an error, or without one)."""
    from termnews.discover import feed_name
    from termnews.fetch import HttpClient  # httpx: loaded only when needed
    from termnews.sources.base import Download
    from termnews.sources.feed import FeedSource

    with HttpClient(max_connections=1) as http:
        got = FeedSource(spec).download(FetchContext(http=HttpOptions(deadline=10.0)), http)
    return feed_name(got.body, got.url) if isinstance(got, Download) else ""


class SubscriptionActions(SessionBase):
    def subscribe(
        self, location: str, name: str | None = None, tags: tuple[str, ...] = (), *, title: str | None = None
    ) -> SourceSpec:
        """Add a subscription (kept in state.sqlite); raises SubscriptionError.

        Without a `name`, a feed is named by its own `title` (read from the
        feed when not given), else its host or file name, made unique with a
        number: only a name the person chose can be refused as taken.
        """
        from termnews.opml import default_name

        kind, location = _infer_kind(location.strip())
        spec = SourceSpec("", kind, location, {}, tuple(dict.fromkeys(tags)))
        existing = self.specs()
        for other in existing:
            if other.source_id == spec.source_id:
                raise SubscriptionError(f"{spec.location} is subscribed already, as {other.name!r}")
        taken = {other.name for other in existing}
        if name is not None:
            name = " ".join(name.split())
            if not name:
                raise SubscriptionError("the name must not be empty")
            if name in taken:
                raise SubscriptionError(f"a source named {name!r} exists already; choose another name")
        else:
            if title is None and kind == "feed":
                title = read_feed_title(spec)
            name = unique_name(clean_line(title or "") or default_name(location), taken)
        spec = replace(spec, name=name)
        self.store.add_subscription(spec)
        return spec

    def find_feeds(self, url: str) -> Discovery:
        """What `url` is: a feed, or a page and the feeds it names (fetches: call off the UI thread).

        Raises AddressRefused when the address says a definite "no"; one that cannot be
        reached now is a Discovery with its `error` (it may be subscribed as given).
        """
        from termnews.discover import discover

        with self._http() as http:  # a site that asked to wait is not asked now either
            found = discover(url, http, HttpOptions(proxy=self.config.proxy))
        if found.refused:
            raise AddressRefused(f"{url} cannot be subscribed to: {found.error}")
        return found

    def subscribe_found(
        self, feeds: list[FoundFeed], name: str | None = None, tags: tuple[str, ...] = ()
    ) -> list[SourceSpec]:
        """Subscribe to discovered feeds, each named `name`, else its title, else its host,
        made unique with a number; raises SubscriptionError when one is subscribed already."""
        from termnews.opml import default_name

        names = {s.name for s in self.specs()}
        added = []
        for feed in feeds:
            unique = unique_name(" ".join((name or feed.title or default_name(feed.url)).split()), names)
            added.append(self.subscribe(feed.url, unique, tags))
            names.add(unique)
        return added

    def unsubscribe(self, name: str) -> Removed:
        """Remove a subscription added from the app or the CLI; raises SubscriptionError.

        Its cached articles go too unless another source in force is the same
        one; read marks, stars and drafts stay.
        """
        spec = next((s for s in self.store.subscriptions() if s.name == name), None)
        if spec is None:
            found = self.spec_named(name)
            where = self.config.path or self.paths.config_file
            if found == seeds_source() and found not in self.config.sources:
                raise SubscriptionError(
                    f"{name!r} is the bundled sample source; turn it off with `seeds = false`"
                    f" under [general] in {where}"
                )
            if found is not None:
                raise SubscriptionError(f"{name!r} is defined in {where}; remove it there")
            raise SubscriptionError(f"no source named {name!r} (see `termnews sources`)")
        self.store.remove_subscription(spec.name)
        removed = 0
        if not any(s.source_id == spec.source_id for s in self.specs()):
            removed = self.store.remove_source_articles(spec.source_id)
            # Forget its fetches too (validators, gone, moved), so adding it again starts afresh.
            self.store.forget_source(spec.source_id)
        return Removed(spec, removed)

    def import_opml(self, data: bytes) -> OpmlImport:
        """Subscribe to every http(s) feed of an OPML document; raises opml.OpmlError.

        A feed keeps its title as its name (its host without one), made unique
        with a number; a feed subscribed already is skipped.
        """
        from termnews.opml import default_name, read_opml

        feeds = read_opml(data)
        existing = self.specs()
        names = {s.name for s in existing}
        ids = {s.source_id for s in existing}
        added: list[SourceSpec] = []
        refused: list[str] = []
        skipped = 0
        for feed in feeds:
            if not is_fetchable_url(feed.url):
                refused.append(feed.url)
                continue
            base = " ".join((feed.title or "").split()) or default_name(feed.url)
            spec = SourceSpec(base, "feed", feed.url, {}, feed.tags)
            if spec.source_id in ids:
                skipped += 1
                continue
            name = unique_name(base, names)
            spec = replace(spec, name=name)
            self.store.add_subscription(spec)
            names.add(name)
            ids.add(spec.source_id)
            added.append(spec)
        return OpmlImport(added, skipped, refused)

    def export_opml(self) -> OpmlExport:
        """The feed sources as an OPML document."""
        from termnews.opml import write_opml

        specs = self.specs()
        # A file's path means nothing to another reader, nor does a local folder or a feed server.
        feeds = [s for s in specs if s.kind == "feed" and is_fetchable_url(s.location)]
        return OpmlExport(write_opml(feeds), len(feeds), len(specs) - len(feeds))
