"""The base of every small question over the screen (prompt, confirm, choose).

Its look is in termnews.tcss under `Dialog`: a subclass brings only its words
and its answers.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen
from textual.widgets import Footer

AnswerType = TypeVar("AnswerType")


class Dialog(ModalScreen[AnswerType]):
    """A modal question; it dismisses with the answer. Its own footer shows its keys (the screen
    beneath takes none while it is up, so its footer would offer keys that do nothing)."""

    def on_mount(self) -> None:
        self.mount(Footer())
