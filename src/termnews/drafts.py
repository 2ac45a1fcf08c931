"""Replies kept on this machine: validation, saving with conflict handling, export, editor.

The headless half of the composer. Nothing here imports Textual, so the CLI,
the app and the tests share one set of rules:

- `validate` decides whether a draft may be marked ready, never whether its
  words are kept: invalid input is saved like any other.
- `DraftEditor` is one open draft. The UI stages the latest fields; `flush`
  (from a worker thread, or on quit) writes them with a compare-and-swap on
  the row's `version`. When another termnews process changed the same row in
  the meantime, both versions are kept: the other one stays where it is and
  ours is saved as a new draft, and the outcome says so.
- `export_markdown` / `export_json` and `write_export` for `termnews drafts
  export` and the drafts screen.
- `editor_command` / `edit_in_editor` for `ctrl+e` ($VISUAL / $EDITOR).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Literal

from termnews.config import Identity
from termnews.models import (
    EXPORT_FORMATS,
    SENT_STATES,
    Article,
    Draft,
    DraftConflict,
    ExportFormat,
    InboxItem,
)
from termnews.render import escape_markdown
from termnews.sanitize import clean_line
from termnews.store import Store
from termnews.text import ISO, clip, format_date, is_fetchable_url

# The limits of the WordPress comment form that the composer stands in for.
COMMENT_MAX = 65_525
NAME_MAX = 245
EMAIL_MAX = 100
WEBSITE_MAX = 200

FieldName = Literal["comment", "name", "email", "website"]
FIELD_NAMES: tuple[FieldName, ...] = ("comment", "name", "email", "website")
REQUIRED: frozenset[str] = frozenset({"comment", "name", "email"})
FIELD_LABELS: Mapping[str, str] = {
    "comment": "Comment",
    "name": "Name",
    "email": "Email",
    "website": "Website",
}
_LIMITS: Mapping[str, int] = {
    "comment": COMMENT_MAX,
    "name": NAME_MAX,
    "email": EMAIL_MAX,
    "website": WEBSITE_MAX,
}

# local@domain.tld: no spaces, one @, a dot inside the domain, no empty labels.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


# -- the form -------------------------------------------------------------------


@dataclass(frozen=True)
class DraftFields:
    """What the person typed into the form."""

    comment: str = ""
    name: str = ""
    email: str = ""
    website: str = ""

    @classmethod
    def from_identity(cls, identity: Identity) -> DraftFields:
        return cls(name=identity.name, email=identity.email, website=identity.website)

    @classmethod
    def of(cls, draft: Draft) -> DraftFields:
        return cls(draft.comment, draft.name, draft.email, draft.website)


@dataclass(frozen=True)
class ArticleRef:
    """The article a reply answers: a copy kept in the draft, so it outlives the cache."""

    id: str
    title: str
    link: str | None
    source: str

    @classmethod
    def of_article(cls, article: Article) -> ArticleRef:
        return cls(article.id, article.title, article.link, article.source)

    @classmethod
    def of_draft(cls, draft: Draft) -> ArticleRef:
        return cls(draft.article_id, draft.article_title, draft.article_link, draft.article_source)

    @classmethod
    def of_inbox_item(cls, item: InboxItem) -> ArticleRef:
        return cls(item.article_id, item.article_title, item.article_link, item.article_source)

    def uncached(self) -> Article:
        """The article as the reader shows it once it left the cache: the draft's copy, saying so."""
        return Article(
            id=self.id,
            source=self.source,
            title=self.title,
            body=NO_LONGER_CACHED,
            body_format="text",
            link=self.link,
            author=None,
            published=None,
            enclosures=(),
            read=True,
            starred=False,
        )


NO_LONGER_CACHED = (
    "This article is no longer cached. Its title, link and source above are the copy your"
    " draft keeps. If its source is still subscribed, refreshing it brings the article back here."
)


def is_plausible_email(text: str) -> bool:
    return bool(_EMAIL.match(text.strip()))


def validate(fields: DraftFields) -> dict[str, str]:
    """Field name to what is wrong with it; empty when the draft may be marked ready."""
    problems: dict[str, str] = {}
    for name in FIELD_NAMES:
        value: str = getattr(fields, name)
        if name in REQUIRED and not value.strip():
            problems[name] = f"{FIELD_LABELS[name]} is required"
        elif len(value) > _LIMITS[name]:
            problems[name] = (
                f"{FIELD_LABELS[name]} is too long: {len(value):,} characters (at most {_LIMITS[name]:,})"
            )
    if "email" not in problems and not is_plausible_email(fields.email):
        problems["email"] = "Not an email address (expected name@example.org)"
    if "website" not in problems and fields.website.strip() and not is_fetchable_url(fields.website.strip()):
        problems["website"] = "Website must be an http:// or https:// address"
    return {name: problems[name] for name in FIELD_NAMES if name in problems}


def first_line(text: str, limit: int = 80) -> str:
    """The first non-blank line of a comment, on one line, capped."""
    for line in text.splitlines():
        if line.strip():
            return clip(clean_line(line), limit)
    return ""


# -- saving ---------------------------------------------------------------------


@dataclass(frozen=True)
class SaveOutcome:
    """What one `flush` did."""

    draft: Draft | None  # the row now being edited; None while nothing is stored
    wrote: bool = False  # a row was written
    created: bool = False  # a new row was made (the first save, or a kept conflict)
    conflict: Draft | None = None  # another process's version, left as it was
    message: str | None = None  # to tell the person (a conflict, a row deleted elsewhere)


class DraftEditor:
    """One draft being written: stage the latest fields from the UI, flush from anywhere.

    Flushes are serialized by a lock and always write the most recently
    staged fields, so two overlapping workers can never put older words over
    newer ones. A new reply gets a row only once something differs from the
    empty form (so opening and closing the composer leaves no trace).

    `parent` is the comment a new reply answers (its id in the comment feed),
    recorded when the row is made; None answers the article itself.
    """

    def __init__(
        self,
        store: Store,
        article: ArticleRef,
        draft: Draft | None = None,
        initial: DraftFields | None = None,
        parent: str | None = None,
    ) -> None:
        self.store = store
        self.article = ArticleRef.of_draft(draft) if draft is not None else article
        self.draft = draft
        self.parent = draft.parent_comment if draft is not None else parent
        self._lock = threading.Lock()
        self._saved = DraftFields.of(draft) if draft is not None else (initial or DraftFields())
        self._staged = self._saved

    @property
    def staged(self) -> DraftFields:
        return self._staged

    @property
    def saved(self) -> DraftFields:
        return self._saved

    @property
    def needs_save(self) -> bool:
        return self._staged != self._saved

    def adopt(self, stored: Draft) -> bool:
        """Take the row as stored now when only its state changed (the outbox acted on it)."""
        with self._lock:
            if self.draft is None or stored.id != self.draft.id or DraftFields.of(stored) != self._saved:
                return False
            self.draft = stored
            return True

    def stage(self, fields: DraftFields) -> bool:
        """Remember the latest fields; True if they differ from what is stored."""
        self._staged = fields
        return self.needs_save

    def flush(self, state: str | None = None) -> SaveOutcome:
        """Write the staged fields (and `state`, if given) unless nothing changed.

        Editing a ready (or failed) draft sends it back to `draft`: ready means
        "these exact words were checked". A reply that is at the site, or may
        be (`sending`, `sent`, `held`), keeps its state: it is never queued again.
        """
        with self._lock:
            fields = self._staged
            draft = self.draft
            refused = None
            if draft is not None and draft.state in SENT_STATES and state is not None:
                if state != draft.state:
                    refused = (
                        f"Draft #{draft.id} is {draft.state}: it stays so and is not"
                        " sent again (start a new reply to say more)"
                    )
                state = None
            if fields == self._saved and (state is None or (draft is not None and draft.state == state)):
                return SaveOutcome(draft, message=refused)
            if draft is None:
                saved = self._create(fields, state or "draft", self.parent)
                return self._done(saved, fields, created=True)
            if draft.state in SENT_STATES and fields != self._saved:
                # What was sent stays as it was sent: changed words are a new reply.
                saved = self._create(fields, "draft", draft.parent_comment)
                message = f"Draft #{draft.id} is {draft.state}: your changes are a new draft, #{saved.id}"
                return self._done(saved, fields, created=True, message=message)
            if state is None and draft.state in ("ready", "failed") and fields != self._saved:
                state = "draft"
            try:
                saved = self.store.update_draft(draft.id, draft.version, state=state, **asdict(fields))
            except DraftConflict as conflict:
                return self._keep_both(draft, conflict.current, fields, state)
            return self._done(saved, fields, message=refused)

    def _create(self, fields: DraftFields, state: str, parent: str | None = None) -> Draft:
        a = self.article
        return self.store.create_draft(
            article_id=a.id,
            article_title=a.title,
            article_link=a.link,
            article_source=a.source,
            state=state,
            parent_comment=parent,
            **asdict(fields),
        )

    def _done(
        self,
        saved: Draft,
        fields: DraftFields,
        *,
        created: bool = False,
        conflict: Draft | None = None,
        message: str | None = None,
    ) -> SaveOutcome:
        self.draft, self._saved = saved, fields
        return SaveOutcome(saved, wrote=True, created=created, conflict=conflict, message=message)

    def _keep_both(
        self, mine: Draft, theirs: Draft | None, fields: DraftFields, state: str | None
    ) -> SaveOutcome:
        if theirs is not None and DraftFields.of(theirs) == fields and (state in (None, theirs.state)):
            # The other process stored exactly these words: nothing to keep twice.
            self.draft, self._saved = theirs, fields
            return SaveOutcome(theirs)
        kept_state = state or ("draft" if mine.state in SENT_STATES else mine.state)
        saved = self._create(fields, kept_state, mine.parent_comment)
        if theirs is None:
            message = f"Draft #{mine.id} was deleted elsewhere; your text is saved as draft #{saved.id}"
        else:
            message = (
                f"Draft #{mine.id} was changed in another termnews window; both versions are"
                f" kept: yours is now draft #{saved.id}, the other stays draft #{mine.id}"
            )
        return self._done(saved, fields, created=True, conflict=theirs, message=message)


# -- export ----------------------------------------------------------------------


def draft_to_dict(draft: Draft) -> dict[str, object]:
    """A draft as JSON-ready data: every column, dates as ISO 8601, and its problems."""
    data: dict[str, object] = {f.name: getattr(draft, f.name) for f in dataclass_fields(draft)}
    data["created"] = format_date(draft.created, ISO)
    data["updated"] = format_date(draft.updated, ISO)
    data["problems"] = validate(DraftFields.of(draft))
    return data


def export_json(drafts: Iterable[Draft]) -> str:
    return json.dumps([draft_to_dict(d) for d in drafts], ensure_ascii=False, indent=2) + "\n"


def draft_markdown(draft: Draft, *, escape: bool = True) -> str:
    """One draft as Markdown: a heading naming the article, the fields, then the comment.

    Free text is escaped so that it reads as written once rendered; `escape=False`
    leaves it as written, for a terminal (`drafts show`).
    """

    def escaped(text: str) -> str:
        return escape_markdown(clean_line(text)) if escape else clean_line(text)

    lines = [f"## Reply to: {escaped(draft.article_title) or '(untitled)'}", ""]
    meta = [
        ("Draft", f"#{draft.id} ({draft.state})"),
        ("Article", clean_line(draft.article_link or "") or "(no link)"),
        ("Source", escaped(draft.article_source)),
        ("Name", escaped(draft.name)),
        ("Email", clean_line(draft.email)),
        ("Website", clean_line(draft.website)),
        ("Created", format_date(draft.created, ISO)),
        ("Last change", format_date(draft.updated, ISO)),
    ]
    lines += [f"- {label}: {value}" for label, value in meta if value]
    lines += ["", draft.comment.rstrip("\n"), ""]
    return "\n".join(lines)


def export_markdown(drafts: Sequence[Draft]) -> str:
    heading = f"# termnews drafts ({len(drafts)})\n"
    return heading + "".join(f"\n{draft_markdown(d)}\n---\n" for d in drafts)


def export_text(drafts: Sequence[Draft], fmt: ExportFormat) -> str:
    return export_json(drafts) if fmt == "json" else export_markdown(drafts)


def format_for_path(path: str | os.PathLike[str] | None, requested: str | None = None) -> ExportFormat:
    """The requested format, else the file's extension (.json), else Markdown."""
    if requested:
        for known in EXPORT_FORMATS:
            if requested == known:
                return known
        raise ValueError(f"unknown export format {requested!r} (known: md, json)")
    if path is not None and Path(path).suffix.lower() == ".json":
        return "json"
    return "md"


def write_export(path: str | os.PathLike[str], text: str) -> Path:
    """Write the whole export or nothing: a temporary file beside the target, then rename."""
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def cannot_write(path: str | os.PathLike[str], exc: OSError) -> str:
    """One line for an export that could not be written, the same in the app and the CLI."""
    return f"cannot write {path}: {(exc.strerror or str(exc)).lower()}"


# -- $VISUAL / $EDITOR ----------------------------------------------------------


def editor_command(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """$VISUAL, else $EDITOR (split like a shell would, never run by one), else nano or vi."""
    environ = os.environ if environ is None else environ
    for variable in ("VISUAL", "EDITOR"):
        value = environ.get(variable, "").strip()
        if value:
            try:
                argv = shlex.split(value)
            except ValueError:
                continue
            if argv:
                return argv
    for fallback in ("nano", "vi"):
        found = shutil.which(fallback, path=environ.get("PATH"))
        if found:
            return [found]
    return None


@dataclass(frozen=True)
class EditResult:
    text: str  # what the comment should be now (the original unless changed)
    changed: bool
    error: str | None = None  # why the original was kept


CONTEXT_MARK = "#>"  # lines of the editor's file that quote the comment answered


def with_context(text: str, context: str | None) -> str:
    """The editor's file: the comment being answered quoted in `#>` lines, a blank line, the reply."""
    if not context:
        return text
    quoted = [f"{CONTEXT_MARK} {line}".rstrip() for line in context.splitlines()]
    head = f"{CONTEXT_MARK} You are answering (lines starting with {CONTEXT_MARK} are removed):"
    return "\n".join([head, *quoted, "", text])


def without_context(text: str) -> str:
    """The reply alone: every `#>` line removed, and the blank line after a leading block of them."""
    lines = text.split("\n")
    lead = next((i for i, line in enumerate(lines) if not line.startswith(CONTEXT_MARK)), len(lines))
    if lead and lead < len(lines) and not lines[lead].strip():
        del lines[lead]
    return "\n".join(line for line in lines if not line.startswith(CONTEXT_MARK))


def edit_in_editor(
    text: str,
    argv: Sequence[str],
    *,
    run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
    context: str | None = None,
) -> EditResult:
    """Let the person edit `text` in an external editor; the original survives any failure.

    The text goes to a private temporary file; the editor runs with an
    argument list (no shell). A non-zero exit, a missing or unreadable file,
    or an unchanged file all return the original text. `context` (the
    comment being answered) is quoted above the text in `#>` lines, which
    are removed when the editor returns.
    """
    folder = tempfile.mkdtemp(prefix="termnews-draft-")
    path = Path(folder) / "comment.md"
    try:
        # A last line without its newline would join a line the editor appends.
        body = text if text.endswith("\n") else text + "\n"
        path.write_text(with_context(body, context), encoding="utf-8")
        try:
            status = run([*argv, str(path)]).returncode
        except OSError as exc:
            return EditResult(text, False, f"could not start {argv[0]}: {exc.strerror or exc}")
        if status != 0:
            return EditResult(
                text, False, f"{Path(argv[0]).name} exited with status {status}; comment unchanged"
            )
        try:
            new = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return EditResult(text, False, f"could not read the edited file: {exc.strerror or exc}")
        new = new.replace("\r\n", "\n")
        if context:
            new = without_context(new)
        if new.endswith("\n") and not text.endswith("\n"):
            new = new[:-1]  # editors add a final newline; it is not the person's words
        return EditResult(new, new != text)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
