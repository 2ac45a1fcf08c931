"""`D`: every draft across all articles; open, delete (after asking), export.

Also the small dialogs the drafts flow needs: "continue the last draft or start
a new reply?", "export to which file?" ("delete this draft?" is screens/confirm), and the command
palette entries. Rows are read and written in thread workers; titles and
comments from feeds are shown as plain `Text`, never parsed as markup.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Button, DataTable, Static
from textual.worker import get_current_worker

from termnews.drafts import ArticleRef, cannot_write, export_text, first_line, format_for_path, write_export
from termnews.models import SENT_STATES, Draft, SourceSpec
from termnews.screens.confirm import ConfirmDeleteScreen
from termnews.screens.dialog import Dialog
from termnews.screens.prompt import PromptScreen
from termnews.store import Store
from termnews.text import clip, format_date, plural
from termnews.widgets.footer import KeyFooter
from termnews.widgets.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from termnews.outbox import SendReport  # imported when sending: start-up stays light


def _when(stamp: float) -> str:
    return format_date(stamp, "%Y-%m-%d %H:%M")


def ask_and_export_drafts(screen: Screen, store: Store, count: int) -> None:
    """Ask where, then write every draft there (Markdown, or JSON for a `.json` name)."""
    default = Path.home() / time.strftime("termnews-drafts-%Y%m%d-%H%M%S.md")

    def export(path: Path) -> None:  # in a thread worker
        drafts = store.drafts()
        try:
            written = write_export(path, export_text(drafts, format_for_path(path)))
        except OSError as exc:
            screen.notify(cannot_write(path, exc), title="Export failed", severity="error", markup=False)
            return
        screen.notify(f"Exported {plural(len(drafts), 'draft')} to {written}", timeout=6, markup=False)

    def chosen(value: str | None) -> None:
        if value:
            screen.run_worker(
                partial(export, Path(value).expanduser()),
                thread=True,
                group="drafts-write",
                exit_on_error=False,
            )

    screen.app.push_screen(
        PromptScreen(
            f"Export {plural(count, 'draft')} to:",
            str(default),
            "A name ending in .json writes JSON; anything else, Markdown.",
        ),
        chosen,
    )


class ReplyChoiceScreen(Dialog[str | None]):
    """The article has drafts: continue the last one, or start a new reply?

    A last reply that is at the site (sent, held, or in doubt) is never continued: it stays
    as it was sent, and `c` makes an edited copy of it instead ("copy").
    """

    BINDINGS = [
        Binding(
            "c",
            "choose('continue')",
            "Continue",
            id="reply_choice.continue",
            tooltip="Continue the last draft (a sent one: an edited copy of it)",
        ),
        Binding(
            "n",
            "choose('new')",
            "New reply",
            id="reply_choice.new",
            tooltip="Start a new reply beside the drafts",
        ),
        Binding("escape", "choose(None)", "Cancel", id="reply_choice.cancel", tooltip="Open nothing"),
    ]

    def __init__(self, article: ArticleRef, drafts: list[Draft]) -> None:
        super().__init__()
        self.article, self.drafts = article, drafts
        self.sent = drafts[0].state in SENT_STATES  # the last one is at the site: copy, never edit

    def compose(self) -> ComposeResult:
        last = self.drafts[0]
        count = len(self.drafts)
        with Vertical():
            yield Static(Text("Reply to: " + self.article.title), classes="dialog-title")
            yield Static(
                Text(
                    f"This article has {count} draft{'s' if count != 1 else ''}. Last one: #{last.id},"
                    f" {last.state}, changed {_when(last.updated)}"
                ),
                classes="dialog-detail",
            )
            yield Static(
                Text("“" + (first_line(last.comment, 60) or "(empty)") + "”"), classes="dialog-detail"
            )
            with Horizontal():
                if self.sent:
                    yield Button("Edited copy (c)", id="copy", variant="primary")
                else:
                    yield Button("Continue last draft (c)", id="continue", variant="primary")
                yield Button("New reply (n)", id="new")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id if event.button.id in ("continue", "copy", "new") else None)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss("copy" if choice == "continue" and self.sent else choice)


class DraftsTable(DataTable[Text]):
    """The drafts, one a row. Its enter (select the row: open it) is shown in the footer."""

    BINDINGS = [Binding("enter", "select_cursor", "Open", tooltip="Open the draft in the composer")]


@dataclass
class DraftsResult:
    """What happened on the drafts screen: a draft to open, drafts deleted."""

    open: Draft | None = None
    deleted: set[int] = field(default_factory=set)


class DraftsScreen(ReportsWorkerErrors, Screen[DraftsResult]):
    """Every draft, newest change first."""

    @dataclass
    class DraftsRead(Message):
        drafts: list[Draft]

    @dataclass
    class Deleted(Message):
        draft_id: int
        gone: bool

    @dataclass
    class Sent(Message):
        reports: list[SendReport]

    BINDINGS = [
        Binding("enter", "open", "Open", id="drafts.open", tooltip="Open the draft in the composer"),
        Binding("d,delete", "delete", "Delete", id="drafts.delete", tooltip="Delete the draft (asks first)"),
        Binding("e", "export", "Export", id="drafts.export", tooltip="Export every draft to a file"),
        Binding(
            "S",
            "send",
            "Send ready",
            id="drafts.send",
            tooltip="Send every ready draft to its site (the outbox)",
        ),
        Binding("escape,q", "close", "Back", id="drafts.close", tooltip="Back to the headlines"),
        Binding("question_mark", "help", "Help", id="drafts.help", tooltip="Show the keys of this screen"),
    ]

    def __init__(
        self,
        store: Store,
        settle: Callable[[], object] | None = None,
        specs: Callable[[], list[SourceSpec]] | None = None,
    ) -> None:
        """`settle` runs in the loading worker first (the composer writes what it has);
        `specs` gives the sources in force, whose options pick each draft's sender."""
        super().__init__()
        self.store = store
        self._settle = settle
        self._specs = specs
        self.drafts: dict[int, Draft] = {}
        self.result = DraftsResult()

    def compose(self) -> ComposeResult:
        yield Static("Drafts", id="drafts-title", markup=False)
        table = DraftsTable(id="drafts-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(
            "No drafts yet. Open an article, press r and write: the reply is kept here.",
            id="drafts-empty",
            markup=False,
        )
        yield Static("", id="drafts-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in (
            ("#", "id"),
            ("State", "state"),
            ("Last change", "updated"),
            ("Source", "source"),
            ("Article", "article"),
            ("First line", "first"),
        ):
            table.add_column(label, key=key)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="drafts-load", exit_on_error=False)
    def load(self) -> None:
        if self._settle is not None:
            try:
                self._settle()
            except Exception as exc:
                self.notify(f"Draft not saved: {exc}", severity="error", markup=False)
        drafts = self.store.drafts()
        if not get_current_worker().is_cancelled:  # a newer load is on its way
            self.post_message(self.DraftsRead(drafts))

    def on_drafts_screen_drafts_read(self, message: DraftsRead) -> None:
        drafts = message.drafts
        table = self.query_one(DataTable)
        keep = self.current
        table.clear()
        self.drafts = {d.id: d for d in drafts}
        source, title, words = self._column_widths()
        for d in drafts:
            table.add_row(
                Text(str(d.id), justify="right"),
                Text(d.state, style=_STATE_STYLES.get(d.state, "")),
                Text(_when(d.updated)),
                Text(clip(d.article_source, source)),
                Text(clip(d.article_title, title)),
                Text(first_line(d.comment, words) or "(empty)", style="" if d.comment.strip() else "dim"),
                key=str(d.id),
            )
        count = len(drafts)
        ready = sum(d.state == "ready" for d in drafts)
        sent = sum(d.state in ("sent", "held") for d in drafts)
        failed = sum(d.state == "failed" for d in drafts)
        extra = [f"{ready} ready"] if ready else []
        extra += [f"{sent} sent"] if sent else []
        extra += [f"{failed} failed"] if failed else []
        self.query_one("#drafts-title", Static).update(
            Text(f"Drafts: {count}" + (f" ({', '.join(extra)})" if extra else ""))
        )
        self.set_class(count == 0, "-empty")
        if keep is not None and keep.id in self.drafts:
            table.move_cursor(row=table.get_row_index(str(keep.id)))

    def _column_widths(self) -> tuple[int, int, int]:
        """Source, article and first line clipped to the screen: the table never scrolls sideways."""
        room = max(36, self.size.width - _FIXED_COLUMNS)
        source = min(16, room // 5)
        title = min(40, (room - source) // 2)
        return source, title, min(50, room - source - title)

    def on_resize(self) -> None:
        if self.drafts:
            self.load()

    @property
    def current(self) -> Draft | None:
        table = self.query_one(DataTable)
        if not self.drafts or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return self.drafts.get(int(key)) if key is not None else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Under the table: what the site said about the highlighted reply (why it failed)."""
        draft = self.current
        said = draft.send_error if draft is not None and draft.state != "draft" else None
        detail = self.query_one("#drafts-detail", Static)
        detail.update(Text(f"#{draft.id} {draft.state}: {said}" if draft is not None and said else ""))
        detail.set_class(bool(said), "-shown")

    async def action_help(self) -> None:
        await self.app.run_action("show_keys")  # the app holds the keymap in force

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        draft = self.current
        if draft is not None:
            self.result.open = draft
            self.dismiss(self.result)

    def action_close(self) -> None:
        self.dismiss(self.result)

    def action_delete(self) -> None:
        draft = self.current
        if draft is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete(draft.id)

        question = f"Delete draft #{draft.id}? This cannot be undone."
        said = "“" + (first_line(draft.comment, 60) or "(empty)") + "”"
        self.app.push_screen(
            ConfirmDeleteScreen(question, [f"Reply to: {draft.article_title}", said]), answered
        )

    @work(thread=True, group="drafts-write", exit_on_error=False)
    def delete(self, draft_id: int) -> None:
        self.post_message(self.Deleted(draft_id, self.store.delete_draft(draft_id)))

    def on_drafts_screen_deleted(self, message: Deleted) -> None:
        draft_id, gone = message.draft_id, message.gone
        self.result.deleted.add(draft_id)
        self.notify(
            f"Deleted draft #{draft_id}" if gone else f"Draft #{draft_id} was already gone", timeout=3
        )
        self.load()

    def action_export(self) -> None:
        if not self.drafts:
            self.notify("No drafts to export", timeout=2)
            return
        ask_and_export_drafts(self, self.store, len(self.drafts))

    def action_send(self) -> None:
        if not any(d.state in ("ready", "sending") for d in self.drafts.values()):
            self.notify("No draft is ready: open one and press ctrl+s to mark it ready", timeout=4)
            return
        self.notify("Sending the ready drafts…", timeout=3)
        self.send_ready()

    @work(thread=True, exclusive=True, group="drafts-send", exit_on_error=False)
    def send_ready(self) -> None:
        from termnews.outbox import Outbox

        if self._settle is not None:
            try:
                self._settle()
            except Exception:
                pass
        outbox = Outbox(self.store, self._specs() if self._specs else [])
        self.post_message(self.Sent(outbox.send_all()))

    def on_drafts_screen_sent(self, message: Sent) -> None:
        for r in message.reports:
            severity: SeverityLevel = (
                "information"
                if r.state in ("sent", "held")
                else ("error" if r.state == "failed" else "warning")
            )
            self.notify(
                f"#{r.draft_id} {r.state}: {r.message}",
                title=clip(r.title, 40),
                severity=severity,
                timeout=10,
                markup=False,
            )
        self.load()


# id, state and date columns, every cell's padding and the scrollbar, in cells
_FIXED_COLUMNS = 6 + 9 + 18 + 3 * 2 + 2

_STATE_STYLES = {
    "ready": "bold green",
    "sending": "bold yellow",
    "sent": "green",
    "held": "yellow",
    "failed": "bold red",
}
