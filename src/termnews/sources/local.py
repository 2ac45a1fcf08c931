"""The `local` source: a folder of articles on disk.

`.txt`   first non-empty line is the title, the rest the body; a trailing
         WordPress comment form ("Leave a Reply ...") is dropped, since the
         composer stands for it.
`.md`    Markdown with optional front matter (`title:`, `date:`, `link:`,
         `author:` between `---` lines); else the first `# heading` is the title.
`.html`  the `<title>` (or first `<h1>`) is the title, the document the body.
`.xml .rss .atom .json`  feed files, each entry an article.

Only regular files under the folder are read. A FIFO, a device, a symlink that
leads out of the folder, an oversized or binary file is skipped with a warning:
reading never blocks and never leaves the folder.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from termnews.models import ArticleData, FetchContext, FetchResult
from termnews.paths import resolve_location
from termnews.sources.base import Source

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 100_000

# The comment form WordPress prints under a post, as it reads in copied text:
# its heading, then any of its lines (compared lower case, spaces squeezed,
# "Name *" as "name*"), in any grouping into lines.
_FORM_HEADINGS = ("leave a reply", "leave a reply cancel reply")
_FORM_LINES = frozenset(
    (
        "cancel reply",
        "your email address will not be published.",
        "required fields are marked*",
        "your email address will not be published. required fields are marked*",
        "comment",
        "comment*",
        "name",
        "name*",
        "email",
        "email*",
        "website",
        "save my name, email, and website in this browser for the next time i comment.",
        "post comment",
    )
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


class LocalSource(Source):
    kind: ClassVar[str] = "local"
    refresh_on_start: ClassVar[bool] = True

    def fetch(self, ctx: FetchContext) -> FetchResult:
        root = resolve_location(self.spec.location).resolve()
        if not root.is_dir():
            return FetchResult(error=f"{root}: not a folder")
        files, warnings = _regular_files(root)
        fingerprint = _fingerprint(root, files, warnings)
        if ctx.body_hash == fingerprint:
            # The same files and the same skipped: the last fetch's warnings (reading them included) hold.
            return FetchResult(not_modified=True, body_hash=fingerprint, warnings=ctx.warnings)
        articles: list[ArticleData] = []
        for path, info in files:
            rel = path.relative_to(root).as_posix()
            try:
                articles.extend(parse_file(rel, _read_regular(path), info.st_mtime, warnings))
            except (OSError, ValueError) as exc:
                warnings.append(f"{rel}: skipped ({exc})")
        return FetchResult(articles=articles, body_hash=fingerprint, warnings=tuple(warnings))


def _regular_files(root: Path) -> tuple[list[tuple[Path, os.stat_result]], list[str]]:
    """Regular files under `root`, in name order; symlinks only if they stay inside."""
    found: list[tuple[Path, os.stat_result]] = []
    warnings: list[str] = []
    stack = [root]
    while stack and len(found) < MAX_FILES:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            warnings.append(f"{folder}: {exc.strerror or exc}")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                try:
                    target = path.resolve()
                except (OSError, RuntimeError):  # a loop of links
                    warnings.append(f"{path.relative_to(root)}: skipped (link loop)")
                    continue
                if not target.is_relative_to(root):
                    warnings.append(f"{path.relative_to(root)}: skipped (link leads out of the folder)")
                    continue
                if not target.exists():
                    continue
                path, path_stat = target, target.stat()
            else:
                path_stat = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(path_stat.st_mode):
                if not entry.is_symlink():
                    stack.append(path)
            elif stat.S_ISREG(path_stat.st_mode):
                if path.suffix.lower() in PARSERS:
                    found.append((path, path_stat))
            else:
                warnings.append(f"{path.relative_to(root)}: skipped (not a regular file)")
    unique = {path: info for path, info in found}
    return sorted(unique.items()), warnings


def _fingerprint(root: Path, files: list[tuple[Path, os.stat_result]], skipped: list[str]) -> str:
    import hashlib  # here: OpenSSL is not on the way to the first paint

    digest = hashlib.sha256(str(root).encode())
    for path, info in files:
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    for warning in skipped:
        digest.update(f"{warning}\n".encode())
    return digest.hexdigest()


def _read_regular(path: Path) -> bytes:
    """Read a file that must still be regular when opened (no FIFO swapped in)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]
    finally:
        os.close(fd)


def _decode(data: bytes) -> str:
    if b"\0" in data[:8192]:
        raise ValueError("binary data, not text")
    return data.decode("utf-8-sig", errors="replace")


def parse_file(
    rel: str, data: bytes, mtime: float | None, warnings: list[str] | None = None
) -> list[ArticleData]:
    """Parse one file's bytes; `rel` (its path in the folder) is its guid.

    Raises ValueError for a file that gives nothing; what a file that gives
    something went wrong with is added to `warnings`, as "rel: what".
    """
    return PARSERS[Path(rel).suffix.lower()](rel, data, mtime, [] if warnings is None else warnings)


def parse_text(rel: str, data: bytes, mtime: float | None, warnings: list[str]) -> list[ArticleData]:
    text = _decode(data).replace("\r\n", "\n")
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ValueError("empty file")
    title = lines[0].strip()
    body = "\n".join(_without_comment_form(lines[1:])).strip("\n")
    return [ArticleData(title=title, body=body, body_format="text", guid=rel, first_seen=mtime)]


def _without_comment_form(lines: list[str]) -> list[str]:
    """The lines without a trailing WordPress comment form (the composer stands for it).

    Only a form that ends the text goes: its heading followed by nothing but
    the form's own lines. A "Leave a Reply" anywhere else is the article's.
    """
    end = len(lines)
    form_lines = 0
    for index in range(len(lines) - 1, -1, -1):
        line = " ".join(lines[index].split()).lower().replace(" *", "*")
        if not line:
            continue
        if line in _FORM_HEADINGS and form_lines:
            end = index
            break
        if line not in _FORM_LINES:
            break
        form_lines += 1
    return lines[:end]


def parse_markdown(rel: str, data: bytes, mtime: float | None, warnings: list[str]) -> list[ArticleData]:
    text = _decode(data).replace("\r\n", "\n")
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end() :]
    title = meta.get("title")
    if not title:
        heading = _MD_HEADING.search(text)
        if heading:
            title = heading.group(1)
            text = text[: heading.start()] + text[heading.end() :]
    if not title:
        title = Path(rel).stem
    return [
        ArticleData(
            title=title,
            body=text.strip("\n"),
            body_format="markdown",
            guid=rel,
            link=meta.get("link") or None,
            author=meta.get("author") or None,
            published=_date(meta.get("date")),
            first_seen=mtime,
        )
    ]


class _TitleFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1 = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("title", "h1") and not getattr(self, tag):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            setattr(self, self._in, getattr(self, self._in) + data)


def parse_html(rel: str, data: bytes, mtime: float | None, warnings: list[str]) -> list[ArticleData]:
    text = _decode(data)
    finder = _TitleFinder()
    finder.feed(text)
    finder.close()
    title = " ".join((finder.title or finder.h1).split()) or Path(rel).stem
    return [ArticleData(title=title, body=text, body_format="html", guid=rel, first_seen=mtime)]


def parse_feed_file(rel: str, data: bytes, mtime: float | None, warnings: list[str]) -> list[ArticleData]:
    # The feed parsers (lxml, feedparser) load only for a folder that holds a feed file:
    # looking this kind up (the app does at start) stays cheap.
    from termnews.feedparse import FeedParseError, read_feed

    try:
        read = read_feed(data)
    except FeedParseError as exc:
        raise ValueError(str(exc)) from exc
    warnings.extend(f"{rel}: {warning}" for warning in read.warnings)
    # A feed file's entries are identified within the file.
    return [
        replace(entry, guid=f"{rel}#{entry.guid or entry.link or entry.title}") for entry in read.articles
    ]


def _date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


PARSERS: dict[str, Callable[[str, bytes, float | None, list[str]], list[ArticleData]]] = {
    ".txt": parse_text,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
    ".xml": parse_feed_file,
    ".rss": parse_feed_file,
    ".atom": parse_feed_file,
    ".json": parse_feed_file,
}
#: Files a folder reads as one article each (not feeds): subscribing to one alone is a mistake.
ARTICLE_SUFFIXES = frozenset(suffix for suffix, parse in PARSERS.items() if parse is not parse_feed_file)
