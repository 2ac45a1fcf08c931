"""The main screen's sources: adding one by a feed's or a site's address (a picker when a page
names several feeds), removing one (after asking), and exporting them as OPML. Fetching and
writing run in workers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from termnews.models import SourceSpec, View
from termnews.screens.main_base import MainScreenBase
from termnews.screens.prompt import PromptScreen
from termnews.session_subscriptions import SubscriptionError
from termnews.text import is_fetchable_url, plural

if TYPE_CHECKING:
    from termnews.discover import FoundFeed
    from termnews.session_subscriptions import Removed


class SourceActions(MainScreenBase):
    @dataclass
    class SourceAdded(Message):
        spec: SourceSpec

    @dataclass
    class FeedsFound(Message):
        """A page named several feeds: the person picks."""

        location: str
        feeds: list[FoundFeed]

    @dataclass
    class NotAdded(Message):
        """What the person typed was refused: the dialog comes back with it, to be corrected."""

        location: str
        problem: str

    def action_add_source(self) -> None:
        self.ask_for_source(
            "https://", "A site's feeds are found; it is fetched at once and its articles join the list."
        )

    def ask_for_source(self, typed: str, detail: str) -> None:
        def chosen(location: str | None) -> None:
            if location:
                self.add_source(location)

        title = "Add a source: a feed or a site's address, a feed file or a folder"
        self.app.push_screen(PromptScreen(title, typed, detail), chosen)

    def on_source_actions_not_added(self, message: NotAdded) -> None:
        self.notify(message.problem, title="Not added", severity="error", markup=False)
        self.ask_for_source(message.location, f"Not added: {message.problem}")

    @work(thread=True, group="sources-write", exit_on_error=False)
    def add_source(self, location: str) -> None:
        location = location.strip()
        try:
            if not is_fetchable_url(location):
                self._added([self.session.subscribe(location)])
                return
            found = self.session.find_feeds(location)
            if found.error or found.is_feed:
                if found.error:
                    self.notify(f"Could not check it ({found.error}); added as given", markup=False)
                self._added([self.session.subscribe(location)])
            elif not found.feeds:
                self.post_message(self.NotAdded(location, f"No feed found at {location}"))
            elif len(found.feeds) == 1:
                self._added(self.session.subscribe_found(found.feeds))
            else:
                self.post_message(self.FeedsFound(location, found.feeds))
        except SubscriptionError as exc:
            self.post_message(self.NotAdded(location, str(exc)))

    def _added(self, specs: list[SourceSpec]) -> None:
        for spec in specs:
            self.post_message(self.SourceAdded(spec))

    def on_source_actions_feeds_found(self, message: FeedsFound) -> None:
        from termnews.screens.feed_picker import FeedPickerScreen

        def picked(feeds: list[FoundFeed] | None) -> None:
            if feeds:
                self.add_found(feeds)

        self.app.push_screen(FeedPickerScreen(message.location, message.feeds), picked)

    @work(thread=True, group="sources-write", exit_on_error=False)
    def add_found(self, feeds: list[FoundFeed]) -> None:
        try:
            self._added(self.session.subscribe_found(feeds))
        except SubscriptionError as exc:
            self.notify(str(exc), title="Not added", severity="error", markup=False)

    def on_source_actions_source_added(self, message: SourceAdded) -> None:
        self.notify(f"Added {message.spec.name!r}; fetching it", markup=False)
        self.refresh_sources([message.spec])

    def refresh_sources(self, specs: list[SourceSpec]) -> object:
        """Fetch these sources now (the refresh part starts a worker)."""
        raise NotImplementedError

    # -- removing ----------------------------------------------------------------------

    @dataclass
    class RemoveAsked(Message):
        """A subscription may be removed: the person is asked, told what goes with it."""

        spec: SourceSpec
        articles: int

    @dataclass
    class SourceRemoved(Message):
        removed: Removed

    def action_remove_source(self) -> None:
        """`d` in the sources pane, or the palette: the source under the pane's cursor (else the
        source of the headline under the cursor)."""
        pane = self.sources
        if pane is not None and pane.is_open:
            name = pane.source_under_cursor
        else:
            name = self.headlines.current.source if self.headlines.current is not None else None
        if name is None:
            self.notify("No source under the cursor: choose one in the sources pane (1)", timeout=4)
            return
        self.ask_to_remove(name)

    @work(thread=True, group="sources-write", exit_on_error=False)
    def ask_to_remove(self, name: str) -> None:
        session = self.session
        spec = next((s for s in session.store.subscriptions() if s.name == name), None)
        if spec is None:
            try:  # not added from the app or the CLI: unsubscribe refuses, in the CLI's words
                session.unsubscribe(name)
            except SubscriptionError as exc:
                self.notify(str(exc), title="Not removed", severity="error", timeout=8, markup=False)
            return
        articles = session.store.article_counts().get(spec.source_id, (0, 0))[0]
        self.post_message(self.RemoveAsked(spec, articles))

    def on_source_actions_remove_asked(self, message: RemoveAsked) -> None:
        from termnews.screens.confirm import ConfirmDeleteScreen

        spec = message.spec

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_source(spec.name)

        articles = plural(message.articles, "cached article")
        question = f"Remove the source {spec.name!r} and delete its {articles}?"
        details = [spec.location, "Read marks, stars and drafts are kept."]
        self.app.push_screen(ConfirmDeleteScreen(question, details), answered)

    @work(thread=True, group="sources-write", exit_on_error=False)
    def remove_source(self, name: str) -> None:
        try:
            self.post_message(self.SourceRemoved(self.session.unsubscribe(name)))
        except SubscriptionError as exc:
            self.notify(str(exc), title="Not removed", severity="error", markup=False)

    def on_source_actions_source_removed(self, message: SourceRemoved) -> None:
        gone = message.removed
        said = f"Removed {gone.spec.name!r} and {plural(gone.articles, 'cached article')}"
        self.notify(f"{said} (read marks, stars and drafts are kept)", markup=False)
        self.last_outcomes.pop(gone.spec.source_id, None)
        view = self.headlines.view
        shown = gone.spec.source_id in (view.source_id, *view.source_ids)
        if shown:
            self.status.show(view_label="All")
        self.headlines.reload(View() if shown else None)  # and the counts, the sources pane with them

    def action_export_opml(self) -> None:

        def chosen(path: str | None) -> None:
            if path:
                self.export_opml(Path(path).expanduser())

        self.app.push_screen(
            PromptScreen(
                "Export the feed subscriptions as OPML to:", str(Path.home() / "termnews-feeds.opml")
            ),
            chosen,
        )

    @work(thread=True, group="sources-write", exit_on_error=False)
    def export_opml(self, path: Path) -> None:
        from termnews.drafts import cannot_write, write_export

        export = self.session.export_opml()
        try:
            write_export(path, export.text)
        except OSError as exc:
            self.notify(cannot_write(path, exc), title="Export failed", severity="error", markup=False)
            return
        note = f"; {export.left_out_note}" if export.left_out_note else ""
        self.notify(f"Wrote {plural(export.feeds, 'feed')} to {path}{note}", markup=False)
