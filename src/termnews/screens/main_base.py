"""What every part of the main screen shares: the session and its panes by name.

The headline list, the reader and the status line are composed with the
screen. The panes that start hidden (the search bar, the sources pane, the
inbox, the comments and the composer) are composed on first use: until then
their property is None and `ensure_pane` mounts them, so the first paint
neither imports nor styles what it does not show.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.screen import Screen
from textual.widget import AwaitMount, Widget

from termnews.models import SourceOutcome
from termnews.session import Session
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader
from termnews.widgets.status import StatusLine
from termnews.widgets.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from termnews.widgets.comments import CommentsPane
    from termnews.widgets.composer import Composer
    from termnews.widgets.inbox import InboxList
    from termnews.widgets.sources import SourcesPane


class MainScreenBase(ReportsWorkerErrors, Screen[None]):
    """The base the main screen's parts (refresh, reading, comments, links) are mixed from."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        # Each source's last refresh in this run (its error, what it skipped), for the sources pane.
        self.last_outcomes: dict[str, SourceOutcome] = {}
        self._mounting: dict[str, AwaitMount] = {}  # panes composed on first use, by id

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def reader(self) -> Reader:
        return self.query_one(Reader)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    # -- panes composed on first use: None until then ---------------------------------

    @property
    def composer(self) -> Composer | None:
        return self._composed("composer")

    @property
    def comments(self) -> CommentsPane | None:
        return self._composed("comments")

    @property
    def sources(self) -> SourcesPane | None:
        return self._composed("sources")

    @property
    def inbox(self) -> InboxList | None:
        return self._composed("inbox")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key the focused field types is not offered as the screen's (`/` types a slash in the
        comment box). Textual drops such keys itself, but misses those whose name is not the
        character's Unicode name ("slash" is SOLIDUS)."""
        focused = self.focused
        if focused is None or not focused.check_consume_key("a", "a"):
            return True  # not a field that takes typing: every key is the screen's
        from termnews.keymap import own_bindings, typed_character

        keys = self.app.keys_in_force.keys_of  # type: ignore[attr-defined]  # TermnewsApp's
        for binding in own_bindings(type(self)):
            if binding.action.partition("(")[0] == action:
                typed = [key for key in keys(binding) if typed_character(key) is not None]
                if typed and len(typed) == len(keys(binding)):
                    return not all(focused.check_consume_key(k, typed_character(k)) for k in typed)
        return True

    def _composed(self, pane_id: str) -> Any:
        return self.query_one(f"#{pane_id}") if pane_id in self._mounting else None

    async def ensure_pane(
        self, pane_id: str, make: Callable[[], Widget], parent: str | None, **where: str
    ) -> Any:
        """The pane `pane_id`; at its first use made by `make` and mounted into `parent` (None: the
        screen), `before` or `after` a sibling, where the screen's layout has it."""
        if pane_id not in self._mounting:
            into = self.query_one(parent) if parent else self
            self._mounting[pane_id] = into.mount(make(), **where)
        await self._mounting[pane_id]
        return self.query_one(f"#{pane_id}")

    async def ensure_composer(self) -> Composer:
        from termnews.widgets.composer import Composer

        def make() -> Composer:
            session = self.session
            return Composer(
                session.store, session.config.identity, nowhere_to_send=session.nowhere_to_send, id="composer"
            )

        return await self.ensure_pane("composer", make, "#right", after="#reading")

    async def ensure_comments(self) -> CommentsPane:
        from termnews.widgets.comments import CommentsPane

        return await self.ensure_pane(
            "comments", lambda: CommentsPane(id="comments"), "#reading", after="#reader"
        )

    def update_counts(self) -> object:
        """Re-read the unread and total counts (the main screen starts a worker)."""
        raise NotImplementedError
