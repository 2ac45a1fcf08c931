"""The main screen's refreshing: sources fetched in a worker, progress and results by message."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from termnews.models import SourceOutcome, SourceSpec
from termnews.schedule import skipped_counts
from termnews.screens.main_base import MainScreenBase
from termnews.text import plural


def failure_notice(outcomes: list[SourceOutcome]) -> str | None:
    """One notice for a refresh's failed sources (offline, every one fails): the reason and a few names."""
    failed = [o for o in outcomes if o.error]
    if not failed:
        return None
    first = failed[0]
    if len(failed) == 1:
        return f"{first.spec.name}: {first.error}"
    same = all(o.error == first.error for o in failed)
    reason = first.error if same else f"{first.error} ({first.spec.name}), and other errors"
    names = ", ".join(o.spec.name for o in failed[:3])
    if len(failed) > 3:
        names += f" and {len(failed) - 3} more"
    return f"{len(failed)} sources failed: {reason}\n{names} (✗ in the sources pane)"


class RefreshActions(MainScreenBase):
    @dataclass
    class CheapSourcesRefreshed(Message):
        """The start-up refresh of local sources is done."""

        outcomes: list[SourceOutcome]
        #: Per source id, the warnings its refresh before this run left (said then, not again).
        known_warnings: dict[str, tuple[str, ...]]

    @dataclass
    class Progress(Message):
        outcome: SourceOutcome
        done: int
        total: int

    @dataclass
    class Done(Message):
        outcomes: list[SourceOutcome]

    @dataclass
    class Indexed(Message):
        """The search index has caught up with the stored articles."""

    @dataclass
    class Failed(Message):
        """The refresh machinery itself failed (not one source): the cache is kept."""

        error: str

    #: Stored articles may be missing from the search index (a refresh's are indexed after it).
    index_lagging = True
    #: With articles on screen, the start-up read of the local folders waits this long after the
    #: first paint: the first keys are not slowed by it (it loads the refresh machinery), and
    #: quitting at once does not wait for it. With none it starts at once: they are all there is.
    START_REFRESH_DELAY = 1.0

    def refresh_at_start(self) -> None:
        """After the first paint: read the local folders, now or in a moment."""
        if self.headlines.total:
            self.set_timer(self.START_REFRESH_DELAY, self._refresh_local_sources)
        else:
            self._refresh_local_sources()

    def _refresh_local_sources(self) -> None:
        self.status.show(activity="reading local sources…")
        self.refresh_cheap_sources()

    @work(thread=True, exclusive=True, group="startup-refresh", exit_on_error=False)
    def refresh_cheap_sources(self) -> None:
        statuses = self.session.store.source_statuses([spec.source_id for spec in self.session.specs()])
        known = {source_id: status.warnings for source_id, status in statuses.items()}
        self.post_message(self.CheapSourcesRefreshed(self.session.refresh_cheap_sources(index=False), known))

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def catch_up_index(self) -> None:
        """Bring the search index up to date after the articles are shown (searches meanwhile say so)."""
        self.session.index(stop=lambda: get_current_worker().is_cancelled)
        self.post_message(self.Indexed())

    def on_refresh_actions_indexed(self, message: Indexed) -> None:
        self.index_lagging = False

    def on_refresh_actions_cheap_sources_refreshed(self, message: CheapSourcesRefreshed) -> None:
        self.status.show(activity="")
        for outcome in message.outcomes:
            self.note_outcome(outcome, message.known_warnings.get(outcome.spec.source_id, ()))
        self.tell_failures(message.outcomes)
        if any(not (o.not_modified or o.skipped or o.error) for o in message.outcomes):
            self.headlines.reload()  # a folder changed: its articles were stored again
        else:  # every folder as it was: the list stays as it is (re-reading it redraws every row)
            self.update_counts()
        self.catch_up_index()

    def note_outcome(self, outcome: SourceOutcome, known: tuple[str, ...] = ()) -> None:
        """Keep a source's refresh for the sources pane (its ✗ or ⚠); say what it skipped, once:
        not again when it repeats what this run, or the last run (`known`), said already."""
        before = self.last_outcomes.get(outcome.spec.source_id)
        self.last_outcomes[outcome.spec.source_id] = outcome
        said = before.warnings if before is not None else known
        if outcome.warnings and outcome.warnings != said:
            shown = "; ".join(outcome.warnings[:3]) + ("; …" if len(outcome.warnings) > 3 else "")
            self.notify(
                shown,
                title=f"{outcome.spec.name}: {plural(len(outcome.warnings), 'warning')}",
                severity="warning",
                markup=False,
            )

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def refresh_sources(self, specs: list[SourceSpec]) -> None:
        """Fetch `specs` in the background; the list updates without moving the cursor."""
        self._refresh(specs)

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def refresh_source_of(self, article_id: str, source_name: str) -> None:
        """Refresh an article's source in the background (a feed server's article: sync the server)."""
        spec = self.session.source_of(article_id, source_name)
        if spec is None:
            self.notify("No source under the cursor", timeout=2)
            return
        self._refresh([spec])

    def _refresh(self, specs: list[SourceSpec]) -> None:
        """In a worker: fetch `specs`, posting progress and the outcome."""

        def progress(outcome: SourceOutcome, done: int, total: int) -> None:
            self.post_message(self.Progress(outcome, done, total))

        try:
            outcomes = self.session.refresh(specs, progress, index=False)
        except Exception as exc:  # the refresh machinery itself failed: say so, keep the cache
            self.post_message(self.Failed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Done(outcomes))

    def on_refresh_actions_progress(self, message: Progress) -> None:
        self.status.show(activity=f"refreshing {message.done}/{message.total}")
        self.note_outcome(message.outcome)

    def tell_failures(self, outcomes: list[SourceOutcome]) -> None:
        notice = failure_notice(outcomes)
        if notice is not None:
            self.notify(notice, title="Refresh failed", severity="error", markup=False)

    def on_refresh_actions_done(self, message: Done) -> None:
        outcomes = message.outcomes
        failed = sum(1 for o in outcomes if o.error)
        new = sum(o.new for o in outcomes)
        not_due, gone = skipped_counts(outcomes)
        summary = (
            f"{new} new"
            + (f", {failed} failed" if failed else "")
            + (f", {not_due} not due yet" if not_due else "")
            + (f", {gone} gone" if gone else "")
        )
        self.status.show(activity=f"refreshed: {summary}")
        self.tell_failures(outcomes)
        self.headlines.reload()
        if new:
            self.index_lagging = True
            self.catch_up_index()

    def on_refresh_actions_failed(self, message: Failed) -> None:
        self.notify(f"Refresh failed: {message.error}", severity="error", markup=False)
        self.status.show(activity="refresh failed")

    def action_refresh_all(self) -> None:
        self.refresh_sources(self.session.specs())

    def action_refresh_current(self) -> None:
        current = self.headlines.current
        if current is None:
            self.notify("No source under the cursor", timeout=2)
            return
        self.refresh_source_of(current.id, current.source)
