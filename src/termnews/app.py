"""The Textual application: one session, one main screen."""

from __future__ import annotations

from textual.app import App

from termnews.screens.main import MainScreen
from termnews.session import Session


class TermnewsApp(App[None]):
    TITLE = "termnews"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        for notice in self.session.store.notices:
            self.notify(notice, severity="warning", markup=False)
        self.push_screen(MainScreen(self.session))
