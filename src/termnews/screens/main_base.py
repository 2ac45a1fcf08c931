"""What every part of the main screen shares: the session and its panes by name."""

from __future__ import annotations

from textual.screen import Screen

from termnews.models import SourceOutcome
from termnews.session import Session
from termnews.widgets.comments import CommentsPane
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader
from termnews.widgets.sources import SourcesPane
from termnews.widgets.status import StatusLine
from termnews.widgets.worker_errors import ReportsWorkerErrors


class MainScreenBase(ReportsWorkerErrors, Screen[None]):
    """The base the main screen's parts (refresh, reading, comments, links) are mixed from."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        # Each source's last refresh in this run (its error, what it skipped), for the sources pane.
        self.last_outcomes: dict[str, SourceOutcome] = {}

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def comments(self) -> CommentsPane:
        return self.query_one(CommentsPane)

    @property
    def sources(self) -> SourcesPane:
        return self.query_one(SourcesPane)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def update_counts(self) -> object:
        """Re-read the unread and total counts (the main screen starts a worker)."""
        raise NotImplementedError
