"""`termnews inbox [--json]`: the answers to your replies, found by refresh in the watched threads.

cli.py wires it in with `add_inbox_commands(subparsers, common)`. Listing
changes nothing: an answer stays unread until it is opened (in the app, or
`termnews inbox read ID`).
"""

from __future__ import annotations

import argparse
import json
import sys

from termnews.models import InboxItem
from termnews.sanitize import clean_line
from termnews.session import Session
from termnews.text import ISO_COMPACT, format_date

EXIT_OK, EXIT_FAILED = 0, 1


def add_inbox_commands(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "inbox",
        parents=[common],
        help="answers to your replies (found by `termnews refresh`)",
        description="Comments answering a reply you sent, newest first; unread until opened.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--unread", action="store_true", help="only unread answers")
    p.set_defaults(func=cmd_inbox)
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    read = actions.add_parser("read", parents=[common], help="mark an answer read (or --unread)")
    read.add_argument("id", type=int, help="the answer's number (see `termnews inbox`)")
    read.add_argument("--unread", action="store_true", help="mark it unread again")
    read.set_defaults(func=cmd_inbox_read)
    return p


def inbox_json(item: InboxItem) -> dict[str, object]:
    return {
        "id": item.id,
        "article_title": item.article_title,
        "author": item.author,
        "date": format_date(item.published if item.published is not None else item.arrived, ISO_COMPACT),
        "text": item.text,
        "link": item.link,
        "read": item.read,
    }


def inbox_line(item: InboxItem) -> str:
    from termnews.drafts import first_line

    mark = " " if item.read else "*"
    when = format_date(item.published if item.published is not None else item.arrived)
    return (
        f"{mark} #{item.id:<4} {when}  {clean_line(item.author)[:24]} on"
        f" {clean_line(item.article_title)[:40]!r}: {first_line(item.text, 60)}"
    )


def cmd_inbox(session: Session, args: argparse.Namespace) -> int:
    items = session.store.inbox(unread_only=args.unread)
    if not items and not args.json:  # said on stderr: standard output stays a list
        what = "unread answers to your replies" if args.unread else "answers to your replies yet"
        print(f"termnews: no {what}", file=sys.stderr)
    for item in items:
        print(json.dumps(inbox_json(item), ensure_ascii=False) if args.json else inbox_line(item))
    return EXIT_OK


def cmd_inbox_read(session: Session, args: argparse.Namespace) -> int:
    if not session.store.mark_inbox_read(args.id, not args.unread):
        print(f"termnews: no answer #{args.id} in the inbox (see `termnews inbox`)", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
