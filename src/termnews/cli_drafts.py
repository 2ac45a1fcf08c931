"""`termnews drafts ...`: list, show, export and delete replies from a script.

cli.py wires these in with `add_drafts_commands(subparsers, common)`; every
handler takes `(session, args)` and returns an exit code. Drafts carry their
own copy of the article's title, link and source, so nothing here needs the
cache or a refresh. The drafts module itself loads only when a command runs:
`termnews` with no command opens the app, which needs none of it at start.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from termnews.models import EXPORT_FORMATS, Draft
from termnews.sanitize import clean_line
from termnews.session import Session
from termnews.text import clip, format_date, plural

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_drafts_commands(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Register `drafts list | show | export | delete` under `subparsers`."""
    drafts = subparsers.add_parser(
        "drafts",
        parents=[common],
        help="list, show, export or delete reply drafts",
        description="Replies written in termnews, kept in state.sqlite until you delete them.",
    )
    drafts.set_defaults(func=_usage(drafts))
    actions = drafts.add_subparsers(title="actions", metavar="ACTION")

    p = actions.add_parser("list", parents=[common], help="every draft, newest change first")
    p.add_argument("--json", action="store_true", help="one JSON object per line (with the whole comment)")
    p.set_defaults(func=cmd_drafts_list)

    p = actions.add_parser("show", parents=[common], help="one draft, as plain text")
    p.add_argument("id", type=_draft_id, help="the draft's number (see `termnews drafts list`)")
    p.add_argument("--json", action="store_true", help="as a JSON object")
    p.set_defaults(func=cmd_drafts_show)

    p = actions.add_parser("export", parents=[common], help="every draft to a file (or standard output)")
    p.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        default=None,
        help="md or json (default: json for a FILE ending in .json, else md)",
    )
    p.add_argument(
        "file",
        nargs="?",
        default=None,
        metavar="FILE",
        help="where to write (replaced as a whole); standard output if absent or -",
    )
    p.set_defaults(func=cmd_drafts_export)

    p = actions.add_parser("delete", parents=[common], help="delete one draft (cannot be undone)")
    p.add_argument("id", type=_draft_id, help="the draft's number")
    p.set_defaults(func=cmd_drafts_delete)
    return drafts


def _usage(parser: argparse.ArgumentParser):
    def handler(session: Session, args: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        print("termnews drafts: choose an action: list, show, export, delete", file=sys.stderr)
        return EXIT_USAGE

    return handler


def _draft_id(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a draft number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("draft numbers start at 1")
    return value


def draft_line(d: Draft) -> str:
    """One line of `drafts list`: number, state, last change, source, title, first line."""
    from termnews.drafts import first_line

    title = clean_line(d.article_title)
    first = first_line(d.comment, 60) or "(empty)"
    return (
        f"#{d.id:<4} {d.state:<5}  {format_date(d.updated, '%Y-%m-%d %H:%M')}  "
        f"{clip(clean_line(d.article_source), 16):<16}  {title}  —  {first}"
    )


def cmd_drafts_list(session: Session, args: argparse.Namespace) -> int:
    from termnews.drafts import draft_to_dict

    out = sys.stdout
    drafts = session.store.drafts()
    if not drafts and not args.json:  # said on stderr: standard output stays a list
        print("no drafts (press r on an article in termnews to write a reply)", file=sys.stderr)
    for d in drafts:
        out.write((json.dumps(draft_to_dict(d), ensure_ascii=False) if args.json else draft_line(d)) + "\n")
    return EXIT_OK


def _find(session: Session, draft_id: int) -> Draft | None:
    draft = session.store.draft(draft_id)
    if draft is None:
        print(f"termnews: no draft #{draft_id} (see `termnews drafts list`)", file=sys.stderr)
    return draft


def cmd_drafts_show(session: Session, args: argparse.Namespace) -> int:
    from termnews.drafts import draft_markdown, draft_to_dict

    draft = _find(session, args.id)
    if draft is None:
        return EXIT_FAILED
    if args.json:
        sys.stdout.write(json.dumps(draft_to_dict(draft), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(draft_markdown(draft, escape=False))
    return EXIT_OK


def cmd_drafts_export(session: Session, args: argparse.Namespace) -> int:
    from termnews.drafts import cannot_write, export_text, format_for_path, write_export

    to_stdout = args.file in (None, "-")
    fmt = format_for_path(None if to_stdout else args.file, args.format)
    drafts = session.store.drafts()
    text = export_text(drafts, fmt)
    if to_stdout:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        written = write_export(args.file, text)
    except OSError as exc:
        print(f"termnews: {cannot_write(args.file, exc)}", file=sys.stderr)
        return EXIT_FAILED
    _say(sys.stderr, f"exported {plural(len(drafts), 'draft')} to {written}")
    return EXIT_OK


def cmd_drafts_delete(session: Session, args: argparse.Namespace) -> int:
    draft = _find(session, args.id)
    if draft is None:
        return EXIT_FAILED
    if not session.store.delete_draft(draft.id):
        print(f"termnews: draft #{draft.id} was deleted meanwhile", file=sys.stderr)
        return EXIT_FAILED
    _say(sys.stdout, f"deleted draft #{draft.id} (reply to: {clean_line(draft.article_title)})")
    return EXIT_OK


def _say(stream: TextIO, text: str) -> None:
    stream.write(text + "\n")
