"""The `termnews` command: the app by default, headless subcommands for scripts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Callable, Sequence

from termnews import __version__
from termnews.config import DEFAULT_CONFIG, ConfigError
from termnews.models import Headline
from termnews.paths import Paths
from termnews.render import format_date
from termnews.session import Session
from termnews.store import StoreError, View, iter_pages

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def headline_json(h: Headline) -> dict[str, object]:
    return {
        "id": h.id,
        "title": h.title,
        "source": h.source,
        "published": format_date(h.published, "%Y-%m-%dT%H:%M:%S%z") or None,
        "read": h.read,
        "starred": h.starred,
        "has_draft": h.has_draft,
        "link": h.link,
    }


def headline_line(h: Headline) -> str:
    marks = ("N" if not h.read else " ") + ("*" if h.starred else " ")
    return f"{marks} {format_date(h.published) or '----------'}  {h.source[:16]:<16}  {h.title}"


def _print_headlines(rows: list[Headline], as_json: bool) -> None:
    out = sys.stdout
    for h in rows:
        out.write((json.dumps(headline_json(h), ensure_ascii=False) if as_json else headline_line(h)) + "\n")


def cmd_headlines(session: Session, args: argparse.Namespace) -> int:
    session.refresh_cheap_sources()
    view = View(filter="unread" if args.unread else "all")
    rows = []
    for h in iter_pages(session.store, view):
        if args.limit is not None and len(rows) >= args.limit:
            break
        rows.append(h)
    _print_headlines(rows, args.json)
    return EXIT_OK


def cmd_search(session: Session, args: argparse.Namespace) -> int:
    session.refresh_cheap_sources()
    rows = session.store.headlines(View(query=args.query), 0, args.limit)
    _print_headlines(rows, args.json)
    return EXIT_OK if rows else EXIT_FAILED


def cmd_config(session: Session | None, args: argparse.Namespace) -> int:
    paths = Paths.resolve(args.home)
    if args.action == "path":
        print(paths.config_file)
        return EXIT_OK
    if paths.config_file.exists():
        print(f"termnews: {paths.config_file} exists already; not overwritten", file=sys.stderr)
        return EXIT_FAILED
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(DEFAULT_CONFIG, encoding="utf-8")
    print(f"wrote {paths.config_file}")
    return EXIT_OK


def cmd_app(session: Session, args: argparse.Namespace) -> int:
    from termnews.app import TermnewsApp  # Textual loads only for the app

    TermnewsApp(session).run()
    return EXIT_OK


Command = Callable[[Session, argparse.Namespace], int]
# Commands that do not open the store.
_STORELESS = {"config"}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--home",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="keep config, data and cache under DIR (also: TERMNEWS_HOME)",
    )
    parser = argparse.ArgumentParser(
        prog="termnews",
        description="A terminal news reader. With no command, opens the reader.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"termnews {__version__}")
    parser.set_defaults(func=cmd_app, home=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("headlines", parents=[common], help="print the headlines, newest first")
    p.add_argument("--unread", action="store_true", help="only unread articles")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="at most N headlines")
    p.set_defaults(func=cmd_headlines)

    p = sub.add_parser("search", parents=[common], help="full-text search over titles and bodies")
    p.add_argument("query", help="words that must all appear (the last may be a prefix)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=_positive_int, default=100, metavar="N", help="at most N results (100)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("config", parents=[common], help="where the config file is; write a default one")
    p.add_argument("action", choices=["path", "init"])
    p.set_defaults(func=cmd_config)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.func is cmd_config:
        return cmd_config(None, args)
    try:
        session = Session.open(args.home)
    except (ConfigError, StoreError) as exc:
        print(f"termnews: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(session, args)
    except BrokenPipeError:
        sys.stderr.close()  # `termnews headlines | head` is not an error
        return EXIT_OK
    finally:
        session.close()
