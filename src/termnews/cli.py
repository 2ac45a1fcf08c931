"""The `termnews` command: the app by default, headless subcommands for scripts."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from termnews import __version__, collector
from termnews.cli_sync import ServerUsageError
from termnews.config import DEFAULT_CONFIG, ConfigError
from termnews.models import Headline, HttpOptions, SourceOutcome, SourceSpec, SourceStatus
from termnews.paths import HOME_ENV, Paths
from termnews.session import Session
from termnews.session_subscriptions import AddressRefused, SubscriptionError
from termnews.store import StoreError, View, iter_pages
from termnews.text import ISO_COMPACT, clip, format_date, is_fetchable_url, plural

if TYPE_CHECKING:
    from termnews.discover import FoundFeed

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: A search that must first index this many articles says so (it waits for them).
INDEXING_SAID = 2000


def headline_json(h: Headline) -> dict[str, object]:
    return {
        "id": h.id,
        "title": h.title,
        "source": h.source,
        "published": format_date(h.published, ISO_COMPACT) or None,
        "read": h.read,
        "starred": h.starred,
        "has_draft": h.has_draft,
        "link": h.link,
        **({"snippet": h.snippet} if h.snippet else {}),
    }


def headline_line(h: Headline) -> str:
    marks = ("N" if not h.read else " ") + ("*" if h.starred else " ")
    line = f"{marks} {format_date(h.published) or '----------'}  {clip(h.source, 16):<16}  {h.title}"
    return f"{line}  | {h.snippet}" if h.snippet else line


def _print_headlines(rows: list[Headline], as_json: bool) -> None:
    out = sys.stdout
    for h in rows:
        out.write((json.dumps(headline_json(h), ensure_ascii=False) if as_json else headline_line(h)) + "\n")


def cmd_headlines(session: Session, args: argparse.Namespace) -> int:
    session.refresh_cheap_sources()
    view = View(filter="unread" if args.unread else "all")
    rows: list[Headline] = []
    for h in iter_pages(session.store, view):
        if args.limit is not None and len(rows) >= args.limit:
            break
        rows.append(h)
    if not rows and not args.json:  # said on stderr: standard output stays a list
        print(f"termnews: no {'unread ' if args.unread else ''}headlines", file=sys.stderr)
    _print_headlines(rows, args.json)
    return EXIT_OK


def cmd_search(session: Session, args: argparse.Namespace) -> int:
    query = " ".join(args.words)
    if not any(char.isalnum() for char in query):  # nothing the index holds a word of
        raise UsageError("the search has no words to look for (letters or digits)")
    session.refresh_cheap_sources(index=False)
    if lagging := session.store.unindexed():
        # A refresh's articles are indexed after it: a script's search waits for them
        # (and hears why, when that takes a moment).
        if lagging >= INDEXING_SAID:
            print(f"termnews: indexing {plural(lagging, 'new article')} for search first", file=sys.stderr)
        session.index()
    rows = session.store.headlines(View(query=query), 0, args.limit)
    if not rows:
        print("termnews: no matches", file=sys.stderr)
        return EXIT_FAILED
    _print_headlines(rows, args.json)
    return EXIT_OK


def cmd_show(session: Session, args: argparse.Namespace) -> int:
    """An article as readable text: title, source, date, link, body (the page's full text with
    --full-text), numbered links; wrapped to the terminal (80 columns for a script), at most 100."""
    import shutil
    from dataclasses import replace

    from termnews.render import article_text

    if args.again and not args.full_text:
        raise UsageError("--again goes with --full-text (it fetches the page again)")
    article = session.store.article(args.id)
    if article is None:
        raise UsageError(f"no article with the id {args.id!r} (ids: `termnews headlines --json`)")
    failed = None
    if args.full_text:
        state = session.full_text(article.id, again=args.again)
        if state is not None and state.body is not None:
            article = replace(article, body=state.body, body_format="html")
        else:
            failed = state.error if state is not None else "not extracted"
    width = max(20, min(shutil.get_terminal_size((80, 24)).columns, 100))
    sys.stdout.write(article_text(article, width) + "\n")
    if failed:
        print(f"termnews: no full text ({failed}); the feed's text is shown", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_config(session: Session | None, args: argparse.Namespace) -> int:
    paths = Paths.resolve(args.home)
    if args.action == "path":
        print(paths.config_file)
        return EXIT_OK
    if paths.config_file.exists():
        print(f"termnews: {paths.config_file} exists already; not overwritten", file=sys.stderr)
        return EXIT_FAILED
    try:
        paths.config_dir.mkdir(parents=True, exist_ok=True)
        paths.config_file.write_text(DEFAULT_CONFIG, encoding="utf-8")
    except OSError as exc:
        print(f"termnews: {_unusable_home(args.home, exc)}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote {paths.config_file}")
    return EXIT_OK


def cmd_cache(session: Session, args: argparse.Namespace) -> int:
    store = session.store
    if args.action == "clean":
        before = store.cache_files_size()
        removed = session.clean_cache()
        store.compact()  # give the room back to the disk
        print(f"removed {plural(removed, 'article')} (starred articles and articles with drafts are kept)")
        print(f"the cache went from {_mib(before)} to {_mib(store.cache_files_size())}")
        return EXIT_OK
    counts = store.article_counts()
    sizes = store.source_sizes()
    names = {spec.source_id: spec.name for spec in session.specs()}
    total = sum(n for n, _ in counts.values())
    print(f"{plural(total, 'article')}, {_mib(store.cache_files_size())} on disk in {session.paths.cache_db}")
    for source_id, (articles, unread) in sorted(counts.items(), key=lambda item: -item[1][0]):
        name = names.get(source_id, "(removed source " + source_id + ")")
        print(
            f"  {name:<30} {plural(articles, 'article'):>17} {unread:>8} unread"
            f" {_mib(sizes.get(source_id, 0)):>10}"
        )
    return EXIT_OK


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def cmd_app(session: Session, args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # `termnews > file` would wait for keys forever
        raise UsageError(
            "the app needs a terminal, and its input or output is redirected;"
            " scripts use the commands (`termnews --help`)"
        )
    from termnews.app import TermnewsApp  # Textual loads only for the app

    TermnewsApp(session).run()
    return EXIT_OK


# -- subscriptions ------------------------------------------------------------------


class UsageError(Exception):
    """A mistake in what the user asked: reported in one line, exit status 2."""


def cmd_add(session: Session, args: argparse.Namespace) -> int:
    """Subscribe; a web page's address is looked into for its feeds first."""
    if args.server:  # sync: subscribe on a feed server
        from termnews.cli_sync import add_to_server

        return add_to_server(session, args.server, args.location, tuple(args.tag or ()))
    location, tags = args.location.strip(), tuple(args.tag or ())
    try:
        if not is_fetchable_url(location):
            return _added([session.subscribe(location, args.name, tags)])
        with _said_if_slow(f"{location} has not answered yet (waiting up to {HttpOptions().deadline:.0f} s)"):
            found = session.find_feeds(location)
        if found.error:
            print(
                f"termnews: could not check {location} ({found.error}); subscribed as given", file=sys.stderr
            )
            return _added([session.subscribe(location, args.name, tags)])
        if found.is_feed:  # named by the title discovery read, without fetching it again
            return _added([session.subscribe(location, args.name, tags, title=found.feeds[0].title)])
        if not found.feeds:
            from termnews.discover import USUAL_PATHS

            what = (
                "the page names no feed, and none is"
                if found.page
                else "it is neither a feed nor a web page;"
            )
            print(
                f"termnews: no feed found at {location}: {what} at {', '.join(USUAL_PATHS)}",
                file=sys.stderr,
            )
            return EXIT_FAILED
        chosen = _choose_feeds(found.feeds, args.all)
        if chosen is None:
            return EXIT_USAGE
        return _added(session.subscribe_found(chosen, args.name, tags)) if chosen else EXIT_OK
    except AddressRefused as exc:  # like "no feed found": the address holds nothing to subscribe to
        print(f"termnews: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except SubscriptionError as exc:
        raise UsageError(str(exc)) from None


@contextlib.contextmanager
def _said_if_slow(waiting: str, after: float = 1.0) -> Iterator[None]:
    """Say on a terminal what the command waits for, once it has waited `after` seconds,
    and clear the line when the wait is over (a script's stderr gets nothing)."""
    import threading

    if not sys.stderr.isatty():
        yield
        return
    said = threading.Event()

    def say() -> None:
        said.set()
        print(f"termnews: {waiting}… (ctrl+c stops)", end="\r", file=sys.stderr, flush=True)

    timer = threading.Timer(after, say)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()
        if said.is_set():
            print("\x1b[2K", end="", file=sys.stderr, flush=True)  # erase the line


def _added(specs: list[SourceSpec]) -> int:
    for spec in specs:
        print(f"added {spec.kind} source {spec.name!r}: {spec.location}")
    if any(spec.kind == "feed" for spec in specs):
        print("run `termnews refresh` to fetch " + ("it" if len(specs) == 1 else "them"))
    return EXIT_OK


def _choose_feeds(feeds: list[FoundFeed], take_all: bool) -> list[FoundFeed] | None:
    """The feeds to subscribe: one, all (--all), or those picked by number on a terminal.
    None: several and no way to ask (the list is printed, exit status 2)."""
    if len(feeds) == 1 or take_all:
        return feeds
    lines = [f"{n:>3}. {f.title or '(untitled)'} [{f.format}] {f.url}" for n, f in enumerate(feeds, 1)]
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("\n".join(lines))
        print(f"termnews: {len(feeds)} feeds found; add one by its URL, or all with --all", file=sys.stderr)
        return None
    print(f"{len(feeds)} feeds found:\n" + "\n".join(lines))
    while True:
        try:
            answer = input("subscribe to (numbers, 'all', or nothing to cancel): ").strip().lower()
        except EOFError:
            return []
        if not answer:
            return []
        if answer == "all":
            return feeds
        picks = answer.replace(",", " ").split()
        if all(p.isdigit() and 1 <= int(p) <= len(feeds) for p in picks):
            return [feeds[int(p) - 1] for p in dict.fromkeys(picks)]
        print(f"numbers from 1 to {len(feeds)}, please")


def cmd_remove(session: Session, args: argparse.Namespace) -> int:
    from termnews.cli_sync import remove_from_server

    done = remove_from_server(session, args.name)  # `SERVER/FEED` unsubscribes on the server
    if done is not None:
        return done
    try:
        gone = session.unsubscribe(args.name)
    except SubscriptionError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"removed {gone.spec.name!r} and {plural(gone.articles, 'cached article')} "
        "(read marks, stars and drafts are kept)"
    )
    return EXIT_OK


def _origin(session: Session, spec: SourceSpec) -> str:
    if spec in session.config.sources:
        return "config"
    if any(s.name == spec.name for s in session.store.subscriptions()):
        return "added"
    return "built-in"


def cmd_sources(session: Session, args: argparse.Namespace) -> int:
    from termnews.cli_sync import print_server, server_row
    from termnews.sync import is_server_kind

    session.refresh_cheap_sources()  # local folders: counted and checked as headlines would show them
    counts = session.store.article_counts()
    rows: list[dict[str, Any]] = []
    for spec in session.specs():
        status = session.source_status(spec)
        articles, unread = counts.get(spec.source_id, (0, 0))
        rows.append(
            {
                "name": spec.name,
                "kind": spec.kind,
                "location": spec.location,
                "tags": list(spec.tags),
                "origin": _origin(session, spec),
                "articles": articles,
                "unread": unread,
                "last_refresh": format_date(status.last_refresh if status else None, ISO_COMPACT) or None,
                "last_error": status.last_error if status else None,
                "warnings": list(status.warnings) if status else [],
                **_fetch_notes(session, spec, status),
            }
        )
        if is_server_kind(spec.kind):  # sync: the server's state and its feeds
            rows[-1]["server"] = server_row(session, spec)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("no sources (add one with `termnews add URL`)")
        return EXIT_OK
    kind_width = max(6, *(len(r["kind"]) for r in rows))
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        if "server" in r:
            print_server(r, kind_width, width)
            continue
        when = (r["last_refresh"] or "never")[:16].replace("T", " ")
        print(
            f"{r['kind']:<{kind_width}} {r['name']:<{width}}  {plural(r['articles'], 'article'):>14}  "
            f"{'failed' if r['last_error'] else 'refreshed'} {when:<16}  {r['location']}"
        )
        notes = ([f"last error: {r['last_error']}"] if r["last_error"] else []) + [
            f"warning: {w}" for w in r["warnings"]
        ]
        for note in notes + _note_lines(r):
            print(f"{'':<{kind_width}} {'':<{width}}  {note}")
    return EXIT_OK


def _fetch_notes(session: Session, spec: SourceSpec, status: SourceStatus | None) -> dict[str, Any]:
    """What politeness and the server decided for a source: gone, moved, not due yet, a host's wait."""
    from termnews.hosts import host_key

    now = time.time()
    wait = next(
        (
            w
            for w in session.store.host_waits()
            if w.until > now
            and w.host == host_key(status.location if status and status.location else spec.location)
        ),
        None,
    )
    due = status.next_due if status and status.next_due and status.next_due > now else None
    return {
        "gone": _stamp(status.gone if status else None),
        "moved_to": status.location if status else None,
        "next_due": _stamp(due),
        "host_wait": {"until": _stamp(wait.until), "reason": wait.reason, "failures": wait.failures}
        if wait
        else None,
    }


def _stamp(when: float | None) -> str | None:
    return format_date(when, ISO_COMPACT) or None


def _note_lines(row: dict[str, Any]) -> list[str]:
    def clock(stamp: str) -> str:
        return stamp[:16].replace("T", " ")

    notes = []
    if row["gone"]:
        notes.append(f"gone: HTTP 410 on {clock(row['gone'])}; not fetched any more")
    if row["moved_to"]:
        notes.append(f"moved permanently: fetched from {row['moved_to']}")
    if row["host_wait"]:
        wait = row["host_wait"]
        notes.append(f"waiting: the site asked to wait until {clock(wait['until'])} ({wait['reason']})")
    if row["next_due"]:
        notes.append(f"next due {clock(row['next_due'])} (its update interval; `refresh --force` fetches it)")
    return notes


def _lean_malloc() -> None:
    """Tune glibc's malloc before the fetching threads and parser processes start.

    Each thread that allocates gets an arena of its own, and the bodies that
    pass through eight of them leave eight fragmented heaps: about 10 MiB of
    peak memory on a 200-feed refresh, for no speed. And a fixed mmap threshold
    gives every block over 128 KiB (a feed's body, a batch of rows) back to the
    system when freed, where glibc would raise the threshold and keep them in
    the heap: about 3 MiB less at the peak. Elsewhere a no-op.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, 2)  # M_ARENA_MAX
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def cmd_refresh(session: Session, args: argparse.Namespace) -> int:
    from termnews.fetch import HttpOptions
    from termnews.update import RefreshSettings

    _lean_malloc()

    specs = session.specs()
    if args.names:
        known = {s.name: s for s in specs}
        missing = [n for n in args.names if n not in known]
        if missing:
            raise UsageError(f"no source named {missing[0]!r} (see `termnews sources`)")
        specs = [known[n] for n in args.names]
    defaults = RefreshSettings()
    settings = RefreshSettings(
        fetch_workers=args.jobs or defaults.fetch_workers,
        parse_workers=defaults.parse_workers,
        http=HttpOptions(
            deadline=args.timeout or HttpOptions.deadline,
            connect_timeout=min(HttpOptions.connect_timeout, args.timeout or HttpOptions.deadline),
            max_bytes=(args.max_size * 1024 * 1024) if args.max_size else HttpOptions.max_bytes,
        ),
        force=args.force,
    )
    show_bar = not args.quiet and sys.stdout.isatty() and bool(specs)
    if show_bar:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(
            TextColumn("refreshing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            transient=True,
        )
        task = bar.add_task("", total=len(specs))

        def progress(outcome: SourceOutcome, done: int, total: int) -> None:
            bar.update(task, completed=done, description=outcome.spec.name[:30])

        with bar:
            outcomes = session.refresh(specs, progress, settings=settings, index=False)
    else:
        outcomes = session.refresh(specs, settings=settings, index=False)
    session.index_in_background()  # the articles are stored: the prompt need not wait for the index
    return _report_refresh(session, outcomes, args.quiet)


def _report_refresh(session: Session, outcomes: list[SourceOutcome], quiet: bool) -> int:
    """Failures on stderr; unless `quiet`, warnings and a one-line summary; the exit status."""
    from termnews.schedule import skipped_counts

    failed = [o for o in outcomes if o.error]
    for o in failed:
        print(f"termnews: {o.spec.name}: {o.error}", file=sys.stderr)
    if not quiet:
        for o in outcomes:
            for warning in o.warnings:
                print(f"termnews: {o.spec.name}: warning: {warning}", file=sys.stderr)
        new = sum(o.new for o in outcomes)
        not_due, gone = skipped_counts(outcomes)
        ok = len(outcomes) - len(failed) - not_due - gone
        print(
            f"{plural(ok, 'source')} ok, {len(failed)} failed, {plural(new, 'new article')}"
            + (f", {not_due} not due (see `termnews sources`; --force fetches them)" if not_due else "")
            + (f", {gone} gone (HTTP 410; see `termnews sources`)" if gone else "")
        )
        answers = len(session.last_watch.new) if session.last_watch else 0
        if answers:
            print(f"{plural(answers, 'new answer')} to your replies (`termnews inbox`)")
    for error in session.last_watch.errors if session.last_watch else ():
        print(f"termnews: watching replies: {error}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_import_opml(session: Session, args: argparse.Namespace) -> int:
    from termnews.opml import OpmlError

    try:
        data = Path(args.file).expanduser().read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.file}: {(exc.strerror or str(exc)).lower()}") from None
    try:
        if args.server:  # subscribe on a feed server
            from termnews.cli_sync import import_to_server
            from termnews.opml import read_opml

            return import_to_server(session, args.server, read_opml(data))
        done = session.import_opml(data)
    except OpmlError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    for url in done.refused:
        print(f"termnews: skipped {url!r}: not an http(s) URL", file=sys.stderr)
    added, skipped = len(done.added), done.skipped + len(done.refused)
    print(
        f"imported {plural(added, 'feed')}"
        + (f" ({skipped} already subscribed or skipped)" if skipped else "")
    )
    return EXIT_OK


def cmd_export_opml(session: Session, args: argparse.Namespace) -> int:
    from termnews.drafts import cannot_write

    export = session.export_opml()
    if args.file and args.file != "-":
        try:
            Path(args.file).expanduser().write_text(export.text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(cannot_write(args.file, exc)) from None
        print(f"wrote {plural(export.feeds, 'feed')} to {args.file}")
    else:
        sys.stdout.write(export.text)
    if export.left_out:
        what = "source that is" if export.left_out == 1 else "sources that are"
        print(
            f"termnews: {export.left_out} {what} not on the web (local folders and files, feed servers)"
            " left out of the OPML",
            file=sys.stderr,
        )
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    from termnews.cli_drafts import add_drafts_commands
    from termnews.cli_inbox import add_inbox_commands
    from termnews.cli_send import add_send_commands
    from termnews.cli_sync import add_sync_commands

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
        epilog="Start with `termnews` (the bundled sample articles), then `termnews add URL` and"
        " `termnews refresh`. `termnews COMMAND --help` tells more.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"termnews {__version__}")
    # No default for `home` here: set_defaults would also change the --home
    # action the subcommands share through `common`, and `termnews --home DIR
    # CMD` would lose DIR. `main` fills in None.
    parser.set_defaults(func=cmd_app)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    _add_reading_commands(sub, common)
    _add_source_commands(sub, common)
    _add_profile_commands(sub, common)
    add_drafts_commands(sub, common)
    add_send_commands(sub, common)
    add_sync_commands(sub, common)
    add_inbox_commands(sub, common)
    return parser


def _add_reading_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("headlines", parents=[common], help="print the headlines, newest first")
    p.add_argument("--unread", action="store_true", help="only unread articles")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="at most N headlines")
    p.set_defaults(func=cmd_headlines)

    p = sub.add_parser("show", parents=[common], help="print an article as readable text")
    p.add_argument("id", help="the article's id (`termnews headlines --json`)")
    p.add_argument(
        "--full-text",
        action="store_true",
        help="the article's web page, extracted (fetched once, then cached)",
    )
    p.add_argument("--again", action="store_true", help="with --full-text: fetch the page again")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("search", parents=[common], help="full-text search over titles and bodies")
    p.add_argument("words", nargs="+", metavar="WORD", help="words that must all appear (word* is a prefix)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=_positive_int, default=100, metavar="N", help="at most N results (100)")
    p.set_defaults(func=cmd_search)


def _add_source_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "add", parents=[common], help="subscribe to a feed or a site's feeds (URL), a feed file or a folder"
    )
    p.add_argument(
        "location",
        metavar="URL|PATH",
        help="a feed URL, a web page's (its feeds are found), a file or a folder",
    )
    p.add_argument(
        "--name", help="the source's name (default: the feed's own title, else its host or file name)"
    )
    p.add_argument("--tag", action="append", metavar="TAG", help="a tag (category); may be repeated")
    p.add_argument("--all", action="store_true", help="a page naming several feeds: subscribe to all of them")
    p.add_argument("--server", metavar="NAME", help="subscribe on this feed server (its first tag: category)")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", parents=[common], help="unsubscribe and drop its cached articles")
    p.add_argument("name", help="the source's name (see `termnews sources`)")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser(
        "sources",
        parents=[common],
        help="list sources: kind, name, articles, last refresh, last error, skipped files",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("refresh", parents=[common], help="fetch every source (or the named ones) now")
    p.add_argument("names", nargs="*", metavar="NAME", help="only these sources")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary; errors only")
    p.add_argument(
        "--jobs", type=_positive_int, metavar="N", help="sources fetched at once (default: 4 per core, 4-16)"
    )
    p.add_argument(
        "--timeout", type=_positive_float, metavar="S", help="seconds allowed per feed request (20)"
    )
    p.add_argument(
        "--max-size", type=_positive_int, metavar="MIB", help="largest feed accepted, decoded (10 MiB)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="fetch sources before their update interval (<ttl>, max-age) ends",
    )
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("import-opml", parents=[common], help="subscribe to every feed of an OPML file")
    p.add_argument("file", help="the OPML file")
    p.add_argument("--server", metavar="NAME", help="subscribe on this feed server instead")
    p.set_defaults(func=cmd_import_opml)

    p = sub.add_parser("export-opml", parents=[common], help="write the feeds as OPML (to FILE or stdout)")
    p.add_argument("file", nargs="?", help="where to write (default: standard output)")
    p.set_defaults(func=cmd_export_opml)


def _add_profile_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("config", parents=[common], help="where the config file is; write a default one")
    p.add_argument("action", choices=["path", "init"])
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("cache", parents=[common], help="cache size per source; clean by the keep rules")
    p.add_argument("action", choices=["stats", "clean"])
    p.set_defaults(func=cmd_cache)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _unusable_home(home: str | None, exc: OSError) -> str:
    """One line for a profile folder that cannot be used (a file, a read-only place)."""
    given, via = (home, "--home") if home else (os.environ.get(HOME_ENV), HOME_ENV)
    if given and Path(given).expanduser().exists() and not Path(given).expanduser().is_dir():
        return f"{via} {given}: not a folder"
    reason = (exc.strerror or str(exc)).lower()
    return f"cannot keep termnews's files in {exc.filename}: {reason}" + (
        f" ({via} {given})" if given else ""
    )


def app_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """`termnews` and `termnews --home DIR` open the app: seen without building the parser of
    every command (a few dozen parsers, each looking for translations on disk). Anything else,
    `--home=DIR` included, is argparse's to read (None)."""
    if not argv:
        return argparse.Namespace(func=cmd_app, home=None)
    if len(argv) == 2 and argv[0] == "--home" and argv[1] and not argv[1].startswith("-"):
        return argparse.Namespace(func=cmd_app, home=argv[1])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = app_arguments(sys.argv[1:] if argv is None else argv) or build_parser().parse_args(argv)
    if not hasattr(args, "home"):
        args.home = None
    if args.func is not cmd_app:  # the app resumes it after its first paint
        collector.resume()
    if args.func is cmd_config:
        return cmd_config(None, args)
    try:
        session = Session.open(args.home)
    except (ConfigError, StoreError) as exc:
        print(f"termnews: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # --home names a file, or a folder that cannot be made
        print(f"termnews: {_unusable_home(args.home, exc)}", file=sys.stderr)
        return EXIT_USAGE
    for notice in session.store.notices:  # a cache rebuilt, a state file salvaged
        print(f"termnews: {notice}", file=sys.stderr)
    try:
        return args.func(session, args)
    except (UsageError, ServerUsageError) as exc:
        print(f"termnews: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("termnews: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # `termnews headlines | head` is not an error
        return EXIT_OK
    finally:
        session.close()
