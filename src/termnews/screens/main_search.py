"""The main screen's search bar: `/` opens it (composed at its first use), enter searches,
escape goes back to the view before it, on the article read from the results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.reactive import reactive

from termnews.models import View
from termnews.screens.main_base import MainScreenBase

if TYPE_CHECKING:
    from textual.widgets import Input


class SearchActions(MainScreenBase):
    searching: reactive[bool] = reactive(False)
    # The view, its label and the article under the cursor a search returns to.
    before_search: tuple[View, str, str | None] = (View(), "All", None)
    index_lagging: bool  # the refresh part's: the search index may lack the newest articles

    def watch_searching(self, searching: bool) -> None:
        if "search" in self._mounting:
            self.query_one("#search").set_class(searching, "-open")

    async def action_search(self) -> None:
        from textual.widgets import Input

        search = await self.ensure_pane(
            "search", lambda: Input(placeholder="Search (escape to leave)", id="search"), None, before="#body"
        )
        if not self.searching:
            current = self.headlines.current
            self.before_search = (
                self.headlines.view,
                self.status.view_label,
                current.id if current else None,
            )
        self.searching = True
        search.can_focus = True  # a submitted search leaves the tab order
        search.focus()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "search":
            query = message.value.strip()
            view, label, _ = self.before_search
            self.headlines.reload(View(query=query) if query else view)
            incomplete = " (indexing: results may be incomplete)" if self.index_lagging else ""
            self.status.show(view_label=f"Search: {query}{incomplete}" if query else label)
            message.input.can_focus = False  # done: tab moves between the panes, / edits the query
            self.headlines.focus()

    def key_escape(self) -> None:
        """Leave the search: back to the view before it, on the article read from the results."""
        if self.searching:
            from textual.widgets import Input

            self.searching = False
            self.query_one("#search", Input).value = ""
            view, label, before = self.before_search
            self.status.show(view_label=label)
            article = self.reader.article
            self.headlines.reload(view, at=article.id if article is not None else before)
            self.headlines.focus()
