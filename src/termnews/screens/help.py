"""`?`: every key binding in force, generated from the bindings themselves."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Static


def bindings_table(nodes: list[DOMNode]) -> Table:
    """One row per action: the keys bound to it now (after any keymap), and what it does."""
    rows: dict[tuple[str, str], list[str]] = {}
    for node in nodes:
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                if binding.system:
                    continue
                label = binding.tooltip or binding.description or binding.action
                where = node.BINDING_GROUP_TITLE or "everywhere"
                rows.setdefault((where, label), []).append(
                    node.app.get_key_display(binding.with_key(key)) if node.is_attached else key
                )
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column("Keys", no_wrap=True)
    table.add_column("Does")
    table.add_column("Where", style="dim")
    for (where, label), keys in rows.items():
        table.add_row(Text(", ".join(dict.fromkeys(keys))), Text(label), Text(where))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, nodes: list[DOMNode]) -> None:
        super().__init__()
        self._bound_nodes = nodes

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("termnews keys  (escape closes)", style="bold"))
            yield Static(bindings_table(self._bound_nodes))
