"""The outbox: send ready drafts, once each, and keep what the site said.

A draft moves `ready -> sending -> sent | held | failed`, or back to `ready`
when it was not taken (the site asked to wait: 429; or it could not be
reached: offline). Its words are never touched here, and nothing is deleted.

Never twice:

- `ready -> sending` is a compare-and-swap on the row's version, so two
  termnews processes never both send one draft, and an edit made meanwhile in
  the composer is kept as a separate draft (see `DraftEditor`);
- a request that left without an answer coming back leaves the draft in
  `sending` (outcome unknown). Before any retry, the site's comment feed is
  read: the reply found there is `sent`. Only when it is not there, and
  `grace` seconds have passed since the attempt (a slow site may still be
  working on it), is the request sent again; WordPress then refuses a copy of
  a comment it already has (409, also for one held for moderation), which
  the outbox reads as "the first attempt arrived".
- a doubt is settled at the first send after the grace, never left in
  `sending`: when the feed cannot tell (none known, unreadable) or the second
  attempt gets no definite answer either, the draft is `failed` with that
  reason, so the person can look at the site and decide.

Never imports Textual. Network work happens in the calling thread: the app
runs `Outbox.send_all` in a thread worker, the CLI directly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from termnews.comments import Comment, CommentsResult, fetch_comments, find_reply
from termnews.models import ArticleReplyInfo, Draft, DraftConflict, SourceSpec
from termnews.senders import DEFAULT_SENDER, Prepared, Reply, Sender, SendResult, load_sender
from termnews.store import Store
from termnews.text import CLOCK, format_date

GRACE = 30.0  # seconds after an unanswered attempt before it may be sent again


@dataclass(frozen=True)
class SendReport:
    """What the outbox did with one draft, for the person."""

    draft_id: int
    title: str
    state: str  # the draft's state afterwards (`ready` when waiting or offline)
    message: str  # the site's words, or why nothing was done
    remote_id: str | None = None
    remote_url: str | None = None
    send_after: float | None = None  # waiting until then (429)
    dry_run: bool = False

    @property
    def done(self) -> bool:
        """Nothing left to do for this draft (at the site, or refused for good)."""
        return self.state in ("sent", "held", "failed")


Progress = Callable[[SendReport, int, int], None]


def reply_of(store: Store, draft: Draft) -> Reply:
    """What a sender gets: the draft's words, and what the cache knows of its article."""
    info = store.article_reply_info(draft.article_id)
    return Reply(
        draft_id=draft.id,
        comment=draft.comment,
        name=draft.name,
        email=draft.email,
        website=draft.website,
        article_link=(info.link if info and info.link else draft.article_link),
        article_guid=info.guid if info else None,
        comments_url=info.comments_url if info else None,
        parent=draft.parent_comment,
    )


class Outbox:
    """Sends a profile's ready drafts through the sender of each draft's source.

    A source picks its sender with `sender = "NAME"` in its options (config's
    `[[sources]]` table); the default is `wordpress`. The source's options go
    to the sender as they are (`timeout`, for example).
    """

    def __init__(
        self,
        store: Store,
        specs: Sequence[SourceSpec] = (),
        *,
        grace: float = GRACE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        load: Callable[[str], type[Sender]] = load_sender,
    ) -> None:
        self.store = store
        self.specs = {s.name: s for s in specs}
        self.grace = grace
        self.clock = clock
        self.sleep = sleep
        self._load = load
        self._senders: dict[str, Sender] = {}

    # -- what and how ------------------------------------------------------------

    def pending(self) -> list[Draft]:
        return self.store.outbox()

    def sender_for(self, draft: Draft) -> Sender:
        """The sender of the draft's source; raises LookupError/TypeError when it cannot load."""
        return self._sender_of(draft.article_source)

    def _sender_of(self, source: str) -> Sender:
        spec = self.specs.get(source)
        options = dict(spec.options) if spec else {}
        name = str(options.pop("sender", DEFAULT_SENDER))
        key = f"{name}\0{source}"
        if key not in self._senders:
            self._senders[key] = self._load(name)(options)
        return self._senders[key]

    def nowhere_to_send(self, article_id: str, link: str | None, source: str) -> str | None:
        """Why a reply to this article can never be sent, known without the network; None if it may."""
        try:
            sender = self._sender_of(source)
        except Exception as exc:
            return f"no way to send replies from {source!r}: {exc}"
        return sender.nowhere(_empty_reply(self.store.article_reply_info(article_id), link))

    # -- sending -------------------------------------------------------------------

    def send_all(
        self,
        *,
        dry_run: bool = False,
        max_wait: float = 0.0,
        only: Iterable[int] | None = None,
        progress: Progress | None = None,
    ) -> list[SendReport]:
        """Send every ready draft (and settle those in doubt); one report per draft.

        With `max_wait`, drafts the site asked to wait (429) for at most that
        many seconds are waited for and sent again in this run.
        """
        wanted = set(only) if only is not None else None
        drafts = [d for d in self.pending() if wanted is None or d.id in wanted]
        reports: dict[int, SendReport] = {}
        total = len(drafts)
        for done, draft in enumerate(drafts, start=1):
            report = self.preview(draft) if dry_run else self.send_one(draft)
            reports[draft.id] = report
            if progress:
                progress(report, done, total)
        while not dry_run and max_wait > 0:
            waiting = [r for r in reports.values() if r.state == "ready" and r.send_after]
            soonest = min((r.send_after for r in waiting if r.send_after), default=None)
            if soonest is None or soonest - self.clock() > max_wait:
                break
            self.sleep(max(0.0, soonest - self.clock()))
            for report in waiting:
                again = self.store.draft(report.draft_id)
                if again is not None and again.state == "ready":
                    reports[again.id] = self.send_one(again)
                    if progress:  # the same draft again, with its new outcome
                        progress(reports[draft.id], total, total)
        return list(reports.values())

    def send_one(self, draft: Draft) -> SendReport:
        """One attempt for one draft (a `ready` one, or one in doubt)."""
        if draft.state == "sending":
            return self._resolve_doubt(draft)
        if draft.state != "ready":
            return _report(draft, f"not sent: the draft is {draft.state}")
        now = self.clock()
        if draft.send_after and draft.send_after > now:
            return _report(
                draft,
                f"waiting until {format_date(draft.send_after, CLOCK)}: {draft.send_error or ''}".rstrip(
                    ": "
                ),
            )
        try:
            sender = self.sender_for(draft)
        except Exception as exc:
            return self._finish_unsent(draft, SendResult("failed", f"no way to send it: {exc}"))
        reply = reply_of(self.store, draft)
        prepared = sender.prepare(reply)
        if isinstance(prepared, SendResult):
            return self._finish_unsent(draft, prepared)
        try:
            claimed = self.store.claim_for_sending(draft.id, draft.version, now=self.clock())
        except DraftConflict as conflict:
            return _conflict(draft, conflict)
        result = sender.send(reply, prepared)
        return self._settle(claimed, sender, reply, prepared, result, after_doubt=False)

    def preview(self, draft: Draft) -> SendReport:
        """`--dry-run`: where the draft would go; nothing is posted or changed."""
        if draft.state == "sending":
            try:
                sender = self.sender_for(draft)
            except Exception as exc:
                return _report(draft, f"outcome of the last attempt unknown; no sender: {exc}", dry_run=True)
            feed = sender.comments_url(reply_of(self.store, draft))
            return _report(
                draft,
                "outcome of the last attempt unknown: would first look for it in "
                f"{feed or '(no comment feed known)'}",
                dry_run=True,
            )
        if draft.send_after and draft.send_after > self.clock():
            return _report(draft, f"would wait until {format_date(draft.send_after, CLOCK)}", dry_run=True)
        try:
            sender = self.sender_for(draft)
        except Exception as exc:
            return _report(draft, f"cannot be sent: {exc}", dry_run=True)
        prepared = sender.prepare(reply_of(self.store, draft))
        if isinstance(prepared, SendResult):
            return _report(draft, f"cannot be sent now: {prepared.message}", dry_run=True)
        return _report(draft, f"would send to {prepared.summary}", dry_run=True)

    # -- outcomes ---------------------------------------------------------------------

    def _finish_unsent(self, draft: Draft, result: SendResult) -> SendReport:
        """Nothing left for the site: record why (`offline` keeps the draft ready)."""
        try:
            claimed = self.store.claim_for_sending(draft.id, draft.version, now=self.clock())
        except DraftConflict as conflict:
            return _conflict(draft, conflict)
        state, record = _plain_outcome(result, self.clock())
        saved = self.store.record_send(claimed.id, state, **record)
        return _report(saved, saved.send_error or "")

    def _settle(
        self,
        draft: Draft,
        sender: Sender,
        reply: Reply,
        prepared: Prepared | None,
        result: SendResult,
        *,
        after_doubt: bool,
    ) -> SendReport:
        now = self.clock()
        if result.outcome in ("sent", "held"):
            saved = self.store.record_send(
                draft.id,
                result.outcome,
                error=None if result.outcome == "sent" else result.message,
                sent_at=now,
                remote_id=result.remote_id,
                remote_url=result.remote_url,
            )
            return _report(saved, result.message)
        if result.outcome == "failed" and result.duplicate and after_doubt:
            # The site has these words already: the unanswered attempt arrived.
            found = self._look_for(draft, sender, reply, prepared)
            if isinstance(found, SendReport):
                return found
            saved = self.store.record_send(
                draft.id,
                "held",
                sent_at=now,
                error=f"the site already has this reply (the interrupted attempt reached it:"
                f" {result.message}); not in its comment feed yet, so probably awaiting moderation",
            )
            return _report(saved, saved.send_error or "")
        if result.outcome != "unknown":
            state, record = _plain_outcome(result, now)
            saved = self.store.record_send(draft.id, state, **record)
            return _report(saved, saved.send_error or "")
        # unknown: the request left, no answer came back.
        if after_doubt:  # the second attempt without a definite answer: the person decides
            saved = self.store.record_send(
                draft.id,
                "failed",
                error=f"no definite answer twice ({result.message}); it may have reached the site:"
                " look there before sending it again",
            )
            return _report(saved, saved.send_error or "")
        saved = self.store.record_send(
            draft.id,
            "sending",
            error=f"outcome unknown: {result.message}; the comment feed is checked before any retry",
        )
        return self._resolve_doubt(saved, sender=sender, reply=reply, prepared=prepared, first_look=True)

    def _look_for(
        self, draft: Draft, sender: Sender, reply: Reply, prepared: Prepared | None
    ) -> SendReport | str:
        """Find an earlier attempt in the comment feed: `sent` if there, else why not (a string)."""
        feed = sender.comments_url(reply, prepared)
        if not feed:
            return "no comment feed is known for this article"
        got = fetch_comments(self.store, feed)
        if got.error and not got.stale:
            return f"the comment feed could not be read ({got.error})"
        if got.stale:
            return f"the comment feed could not be read ({got.error})"
        found = find_in_feed(draft, sender, got)
        if found is None:
            return "not in the comment feed"
        saved = self.store.record_send(
            draft.id,
            "sent",
            sent_at=found.published or self.clock(),
            remote_id=sender.remote_id(found.id),
            remote_url=found.link,
        )
        return _report(saved, f"published (found in the comment feed: {found.link or found.id})")

    def _resolve_doubt(
        self,
        draft: Draft,
        *,
        sender: Sender | None = None,
        reply: Reply | None = None,
        prepared: Prepared | None = None,
        first_look: bool = False,
    ) -> SendReport:
        """A draft in `sending`: look for it at the site; send again only when surely absent.

        Right after the unanswered attempt (`first_look`) it is only looked for. On a later
        send it is settled once the grace has passed: found (`sent`), sent again when the
        comment feed shows it absent, or `failed` with the reason when the feed cannot tell.
        """
        try:
            sender = sender or self.sender_for(draft)
        except Exception as exc:
            return self._unsettled(draft, f"outcome of the last attempt unknown; no sender to check: {exc}")
        reply = reply or reply_of(self.store, draft)
        unprepared = ""
        if prepared is None:  # the article's page may name the comment feed (and is needed to resend)
            ready = sender.prepare(reply)
            prepared, unprepared = (None, ready.message) if isinstance(ready, SendResult) else (ready, "")
        looked = self._look_for(draft, sender, reply, prepared)
        if isinstance(looked, SendReport):
            return looked
        started = draft.send_started or 0.0
        absent = looked == "not in the comment feed"
        if first_look or self.clock() - started < self.grace:
            when = format_date(started + self.grace, CLOCK)
            saved = self.store.record_send(
                draft.id,
                "sending",
                error=(
                    "outcome of the last attempt unknown and not in the comment feed yet"
                    if absent
                    else f"outcome of the last attempt unknown; {looked}"
                )
                + f": checked again at the next send after {when}",
            )
            return _report(saved, saved.send_error or "")
        if not absent:
            return self._unsettled(draft, f"outcome of the last attempt unknown and {looked}")
        if prepared is None:
            return self._unsettled(draft, f"not in the comment feed; sending again failed: {unprepared}")
        result = sender.send(reply, prepared)
        return self._settle(draft, sender, reply, prepared, result, after_doubt=True)

    def _unsettled(self, draft: Draft, why: str) -> SendReport:
        """A doubt the outbox cannot settle on its own: `failed`, saying so; the person decides."""
        saved = self.store.record_send(
            draft.id,
            "failed",
            error=f"{why}. It may have reached the site: look there before sending it again",
        )
        return _report(saved, saved.send_error or "")


def _empty_reply(info: ArticleReplyInfo | None, link: str | None) -> Reply:
    """A reply with no words yet: what a sender needs to tell whether it could ever be sent."""
    return Reply(
        draft_id=0,
        comment="",
        name="",
        email="",
        website="",
        article_link=info.link if info and info.link else link,
        article_guid=info.guid if info else None,
        comments_url=info.comments_url if info else None,
    )


def _conflict(draft: Draft, conflict: DraftConflict) -> SendReport:
    current = conflict.current
    if current is None:
        return SendReport(draft.id, draft.article_title, "deleted", "deleted meanwhile; not sent")
    return _report(current, f"changed meanwhile (now {current.state}); not sent this time")


def _report(draft: Draft, message: str, *, dry_run: bool = False) -> SendReport:
    return SendReport(
        draft.id,
        draft.article_title,
        draft.state,
        message,
        draft.remote_id,
        draft.remote_url,
        draft.send_after,
        dry_run,
    )


def find_in_feed(draft: Draft, sender: Sender, got: CommentsResult) -> Comment | None:
    """The draft's comment in its thread: by the site's id when known, else by author, parent and words."""
    if draft.remote_id:
        found = next((c for c in got.comments if sender.same_comment(c.id, draft.remote_id)), None)
        if found is not None:
            return found
    return find_reply(
        got.comments,
        author=draft.name,
        text=draft.comment,
        parent=draft.parent_comment,
        threaded=got.threaded,
        since=draft.send_started,
        same_parent=sender.same_comment,
    )


def _plain_outcome(result: SendResult, now: float) -> tuple[str, dict[str, Any]]:
    """The draft's state and record for an answer that needs no second look: failed, retry, offline."""
    if result.outcome == "retry":
        after = now + (result.retry_after if result.retry_after is not None else 15.0)
        wait = f"the site asks to wait; sent again after {format_date(after, CLOCK)}"
        return "ready", {"send_after": after, "error": f"{result.message} ({wait})"}
    if result.outcome == "offline":
        return "ready", {"error": f"{result.message}; it waits for the next send"}
    return "failed", {"error": result.message}
