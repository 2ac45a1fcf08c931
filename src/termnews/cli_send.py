"""`termnews send [--dry-run]`: send the ready drafts, and say what each site answered.

cli.py wires it in with `add_send_commands(subparsers, common)`; the handler
takes `(session, args)` and returns an exit code: 0 when every draft is at
its site (sent or held for moderation) or there was nothing to send, 1 when
one failed, waits, is offline or in doubt.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from termnews.sanitize import clean_line
from termnews.session import Session

if TYPE_CHECKING:  # the outbox and its senders load only for `send`
    from termnews.outbox import SendReport

EXIT_OK, EXIT_FAILED = 0, 1

_LABELS = {
    "sent": "sent",
    "held": "held for moderation",
    "failed": "FAILED",
    "ready": "not sent",
    "sending": "in doubt",
    "deleted": "skipped",
}


def add_send_commands(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    """Register `send` under `subparsers`."""
    p = subparsers.add_parser(
        "send",
        parents=[common],
        help="send the drafts marked ready (the outbox)",
        description="Send every draft marked ready to its site, once. Each ends sent, held for"
        " moderation, failed (with the site's reason) or still ready (the site asked to wait,"
        " or could not be reached). Drafts are never deleted.",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show where each ready draft would go; post nothing, change nothing",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="S",
        help="when a site asks to wait (too many comments too fast), wait up to S"
        " seconds and send again (default: do not wait)",
    )
    p.set_defaults(func=cmd_send)
    return p


def report_line(r: SendReport) -> str:
    label = "dry run" if r.dry_run else _LABELS.get(r.state, r.state)  # the message says what it would do
    where = f" (comment {r.remote_id})" if r.remote_id and r.state in ("sent", "held") else ""
    return f"#{r.draft_id:<4} {label}{where}: {clean_line(r.title)[:60]} — {clean_line(r.message)}"


def cmd_send(session: Session, args: argparse.Namespace) -> int:
    from termnews.outbox import Outbox

    outbox = Outbox(session.store, session.specs())
    if not outbox.pending():
        print("nothing to send (mark a draft ready with ctrl+s in the composer)")
        return EXIT_OK

    def progress(report: SendReport, done: int, total: int) -> None:
        print(report_line(report), flush=True)

    reports = outbox.send_all(dry_run=args.dry_run, max_wait=max(0.0, args.wait), progress=progress)
    if args.dry_run:
        return EXIT_OK
    sent = sum(r.state in ("sent", "held") for r in reports)
    rest = len(reports) - sent
    print(f"{sent} sent, {rest} not sent", file=sys.stderr)
    return EXIT_OK if rest == 0 else EXIT_FAILED
