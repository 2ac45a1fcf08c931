"""The command line's side of feed servers: add, remove, rename and import there; list them.

cli.py calls in here from `add --server`, `remove SERVER/FEED`, `import-opml
--server` and `sources`, and registers `rename` with `add_sync_commands`.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

from termnews.models import SourceSpec
from termnews.session import Session
from termnews.text import plural

if TYPE_CHECKING:
    import argparse

# Servers' modules (termnews.sync, sources.server) load only for a command that talks to one:
# `termnews` with no command opens the app, which needs neither.

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class ServerUsageError(ValueError):
    """A server named that does not exist or is not a server: one line, exit status 2."""


def servers(session: Session) -> list[SourceSpec]:
    from termnews.sync import is_server_kind

    return [s for s in session.specs() if is_server_kind(s.kind)]


def server_named(session: Session, name: str) -> SourceSpec:
    for spec in servers(session):
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in servers(session)) or "none configured"
    raise ServerUsageError(f"no feed server named {name!r} (servers: {known})")


def server_feed(session: Session, name: str) -> tuple[SourceSpec, SourceSpec]:
    from termnews.sync import find_feeds

    found = find_feeds(session.store, servers(session), name)
    if not found:
        raise ServerUsageError(f"no server feed named {name!r} (see `termnews sources`)")
    if len(found) > 1:
        urls = ", ".join(feed.options["url"] for _, feed in found)
        raise ServerUsageError(f"{len(found)} feeds are named {name!r} ({urls}); rename one on the server")
    return found[0]


def add_to_server(session: Session, server_name: str, url: str, tags: tuple[str, ...]) -> int:
    from termnews.sources.server import ServerError
    from termnews.sync import subscribe

    server = server_named(session, server_name)
    try:
        feed = subscribe(session.store, server, url, tags[0] if tags else None)
    except ServerError as exc:
        print(f"termnews: {server.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"subscribed on {server.name}: {feed.name!r} ({url}); `termnews refresh` syncs it")
    return EXIT_OK


def remove_from_server(session: Session, name: str) -> int | None:
    """Unsubscribe `SERVER/FEED` there; None when `name` is not a server's feed."""
    from termnews.sources.server import ServerError
    from termnews.sync import find_feeds, unsubscribe

    if not find_feeds(session.store, servers(session), name):
        return None
    server, feed = server_feed(session, name)
    try:
        removed = unsubscribe(session.store, server, feed)
    except ServerError as exc:
        print(f"termnews: {server.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"unsubscribed {name!r} on {server.name}; {removed} cached articles removed (starred and drafted kept)"
    )
    return EXIT_OK


def import_to_server(session: Session, server_name: str, feeds: list[Any]) -> int:
    from termnews.sources.server import ServerError
    from termnews.sync import subscribe

    server = server_named(session, server_name)
    added = failed = 0
    for feed in feeds:
        try:
            subscribe(session.store, server, feed.url, feed.tags[0] if feed.tags else None)
            added += 1
        except ServerError as exc:
            print(f"termnews: {server.name}: {feed.url}: {exc}", file=sys.stderr)
            failed += 1
    print(
        f"subscribed {added} feed{'s' * (added != 1)} on {server.name}"
        + (f", {failed} failed" if failed else "")
    )
    return EXIT_FAILED if failed else EXIT_OK


def cmd_rename(session: Session, args: argparse.Namespace) -> int:
    from termnews.sources.server import ServerError
    from termnews.sync import rename

    server, feed = server_feed(session, args.name)
    try:
        rename(session.store, server, feed, args.title)
    except ServerError as exc:
        print(f"termnews: {server.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"renamed {args.name!r} to {args.title!r} on {server.name}")
    return EXIT_OK


def cmd_forget_refused(session: Session, args: argparse.Namespace) -> int:
    server = server_named(session, args.server)
    forgotten = session.store.sync_queue().forget_refused(server.source_id)
    print(f"forgot {plural(forgotten, 'refused change')} of {server.name} (your flags here are unchanged)")
    return EXIT_OK


def add_sync_commands(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "rename", parents=[common], help="rename a feed server's feed there (SERVER/FEED, see `sources`)"
    )
    p.add_argument("name", help="the feed as `termnews sources` lists it: SERVER/TITLE")
    p.add_argument("title", help="its new title")
    p.set_defaults(func=cmd_rename)
    p = subparsers.add_parser(
        "forget-refused",
        parents=[common],
        help="empty the list of changes a feed server refused (`termnews sources` shows it)",
    )
    p.add_argument("server", help="the server source's name")
    p.set_defaults(func=cmd_forget_refused)


def server_row(session: Session, spec: SourceSpec) -> dict[str, Any]:
    """What `termnews sources` says about a server beyond what every source has."""
    from termnews.sync import server_feeds

    status = session.store.sync_queue().status(spec.source_id)
    counts = session.store.article_counts()
    feeds = []
    for feed in server_feeds(session.store, spec):
        articles, unread = counts.get(feed.source_id, (0, 0))
        feeds.append(
            {
                "name": f"{spec.name}/{feed.name}",
                "tags": list(feed.tags[1:]),
                "articles": articles,
                "unread": unread,
            }
        )
    refused = [
        {
            "remote_id": r.remote_id,
            "title": r.title,
            "flag": r.flag,
            "value": r.value,
            "what": r.describe(),
            "changed": _stamp(r.changed),
            "refused": _stamp(r.refused),
            "reason": r.reason,
        }
        for r in session.store.sync_queue().refused(spec.source_id)
    ]
    return {
        "feeds": feeds,
        "queued": status.queued,
        "refused": refused,
        "last_sync": _stamp(status.last_sync) if status.last_sync else None,
        "last_error": status.last_error,
    }


def _stamp(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(when))


#: Refused changes `termnews sources` lists under a server (`--json` has them all).
REFUSED_SHOWN = 3


def print_server(row: dict[str, Any], kind_width: int, width: int) -> None:
    server = row["server"]
    waiting = (
        f"  {server['queued']} change{'s' * (server['queued'] != 1)} waiting" if server["queued"] else ""
    )
    n = len(server["feeds"])
    when = (server["last_sync"] or "never")[:16].replace("T", " ")
    print(
        f"{row['kind']:<{kind_width}} {row['name']:<{width}}  {n:>3} feed{'s' * (n != 1)}  synced {when:<16}  {row['location']}{waiting}"
    )
    if server["last_error"]:
        print(f"{'':<{kind_width}} {'':<{width}}  last error: {server['last_error']}")
    if refused := server["refused"]:
        print(
            f"{'':<{kind_width}} {'':<{width}}  {len(refused)} change{'s' * (len(refused) != 1)} refused by the server"
            " (not sent; the flags here stay):"
        )
        for r in refused[:REFUSED_SHOWN]:
            print(
                f"{'':<{kind_width}} {'':<{width}}    {r['refused'][:16].replace('T', ' ')}  {r['what']}: {r['reason']}"
            )
        if len(refused) > REFUSED_SHOWN:
            print(
                f"{'':<{kind_width}} {'':<{width}}    … {len(refused) - REFUSED_SHOWN} more (`termnews sources --json`)"
            )
    for feed in server["feeds"]:
        tags = f"  [{', '.join(feed['tags'])}]" if feed["tags"] else ""
        print(f"{'':<{kind_width}}   {feed['name']}  {feed['unread']}/{feed['articles']} unread{tags}")
