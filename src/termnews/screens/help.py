"""`?`: the keys in force, per pane, with the binding ids a `[keys]` table rebinds.

Generated from the bindings termnews declares (each class's `BINDINGS`) and the
keys the person's keymap gave them (`termnews.keymap`), so it shows what a key
press will do; Textual's own inner bindings are not listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static

from termnews.keymap import KeysInForce, own_bindings

TEXTUAL_KEYS = "Also: tab / shift+tab move between panes; ^p opens the command palette (themes, maximize)."

Sections = Sequence[tuple[str, type[DOMNode]]]
_LAYOUT = {False: "-ids-beside", True: "-ids-below"}


#: Narrower than this, the ids go under what each key does: a column of their own would leave
#: the descriptions a few characters wide.
NARROW = 70
HINTS = {
    False: "Rebind a key by its id (the last column) in config.toml's [keys].",
    True: "Rebind a key by its id (dim, under what it does) in config.toml's [keys].",
}


def bindings_table(
    keys: KeysInForce, cls: type[DOMNode], display: Callable[[Binding], str], ids_below: bool = False
) -> Table:
    """One row per binding of `cls`: its keys now, what it does and its id (a column of its own,
    or with `ids_below` a dim line under what it does)."""
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    table.add_column("Keys", no_wrap=True, min_width=12)
    table.add_column("Does", ratio=1)
    if not ids_below:
        table.add_column("Id", style="dim", no_wrap=True, min_width=21)
    for binding in own_bindings(cls):
        bound = keys.keys_of(binding)
        shown = ", ".join(display(binding.with_key(k)) for k in bound) if bound else "(no key)"
        label = Text(binding.tooltip or binding.description or binding.action)
        if not ids_below:
            table.add_row(Text(shown), label, Text(binding.id or ""))
            continue
        if binding.id:
            label.append(f"\n{binding.id}", style="dim")
        table.add_row(Text(shown), label)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close", tooltip="Close the keys"),
        # The list's own keys, as in the reader: the help is longer than a small terminal.
        Binding("j", "scroll(1)", "Down", id="help.down", show=False),
        Binding("k", "scroll(-1)", "Up", id="help.up", show=False),
        Binding("space", "scroll_page(1)", "Page down", id="help.page_down", show=False),
        Binding("b", "scroll_page(-1)", "Page up", id="help.page_up", show=False),
    ]

    def __init__(self, keys: KeysInForce, sections: Sections) -> None:
        super().__init__()
        self.keys, self.sections = keys, sections

    def compose(self) -> ComposeResult:
        # Both layouts are composed; the screen's `-narrow` class shows one (termnews.tcss).
        self.set_class(self.app.size.width < NARROW, "-narrow")
        with VerticalScroll():
            yield Static(Text("termnews keys  (escape closes)", style="bold"))
            for below in (False, True):
                yield Static(Text(HINTS[below]), classes=f"help-hint {_LAYOUT[below]}")
            for title, cls in self.sections:
                yield Static(Text(title, style="bold"), classes="help-section")
                for below in (False, True):
                    table = bindings_table(self.keys, cls, self.app.get_key_display, ids_below=below)
                    yield Static(table, classes=_LAYOUT[below])
            yield Static(Text(TEXTUAL_KEYS), classes="help-section")

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW, "-narrow")

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_scroll_page(self, pages: int) -> None:
        view = self.query_one(VerticalScroll)
        view.scroll_relative(y=pages * max(1, view.scrollable_content_region.height - 1), animate=False)
