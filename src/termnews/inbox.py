"""Watched threads: answers to the person's replies, and held replies the site published.

Every thread the person replied in (a draft `sent` or `held`) is watched:
on refresh its comment feed is read again (`comments.fetch_comments`: a
conditional GET with the cached validators, one feed at a time over one
connection pool), and then

- a held reply found in the feed was published by the site: its draft
  becomes `sent`;
- a comment answering one of the person's comments lands in the inbox
  (`store.add_replies`): its parent is that comment, or, where the feed
  gives no parents, it names the person and came after the reply.

Never imports Textual; network work happens in the calling thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from termnews.comments import Comment, CommentsResult, comment_text, fetch_comments
from termnews.models import Draft, DraftConflict, InboxItem, NewReply, SourceSpec, ThreadMarks
from termnews.outbox import Outbox, find_in_feed, reply_of
from termnews.senders import Sender
from termnews.store import Store

if TYPE_CHECKING:
    from termnews.fetch import HttpClient

#: The states of a reply that is at the site: its thread is watched.
WATCHED_STATES = ("sent", "held")
SLACK = 300.0  # seconds a site's clock may differ from ours


@dataclass(frozen=True)
class WatchReport:
    """What one look at the watched threads found."""

    threads: int = 0
    new: tuple[InboxItem, ...] = ()  # answers that reached the inbox now
    published: tuple[int, ...] = ()  # ids of held drafts now sent
    errors: tuple[str, ...] = field(default=())  # one line per thread that could not be read


@dataclass(frozen=True)
class Mine:
    """The person's reply as it shows in its thread: the draft, and its comment when published."""

    draft: Draft
    comment: Comment | None


def watched_drafts(store: Store, sources: Iterable[str] | None = None) -> dict[str, list[Draft]]:
    """The person's replies at a site, by article: the watched threads."""
    wanted = set(sources) if sources is not None else None
    threads: dict[str, list[Draft]] = {}
    for draft in store.drafts():
        if draft.state in WATCHED_STATES and (wanted is None or draft.article_source in wanted):
            threads.setdefault(draft.article_id, []).append(draft)
    return threads


def watch_threads(
    store: Store,
    specs: Sequence[SourceSpec],
    *,
    sources: Iterable[str] | None = None,
    http: HttpClient | None = None,
) -> WatchReport:
    """Read every watched thread (of `sources`, else all) once; settle held replies, keep answers."""
    threads = watched_drafts(store, sources)
    if not threads:
        return WatchReport()
    from termnews.fetch import HttpClient  # httpx: only when there is a thread to read

    outbox = Outbox(store, specs)
    new: list[InboxItem] = []
    published: list[int] = []
    errors: list[str] = []
    client = http or HttpClient(max_connections=2)
    try:
        for drafts in threads.values():
            title = drafts[0].article_title
            try:
                sender = outbox.sender_for(drafts[0])
            except Exception as exc:  # a sender plugin that does not load fails this thread only
                errors.append(f"{title}: no sender: {exc}")
                continue
            feed = sender.comments_url(reply_of(store, drafts[0]))
            if not feed:
                continue
            got = fetch_comments(store, feed, http=client)
            if got.error:
                errors.append(f"{title}: {got.error}")
                continue
            mine = own_comments(store, sender, drafts, got)
            published += settle_held(store, sender, mine)
            new += store.add_replies(answers(sender, mine, got))
    finally:
        if http is None:
            client.close()
    return WatchReport(len(threads), tuple(new), tuple(published), tuple(errors))


def own_comments(store: Store, sender: Sender, drafts: Sequence[Draft], got: CommentsResult) -> list[Mine]:
    """Each of the person's replies in a thread, with its comment in the feed when it is there."""
    return [Mine(draft, find_in_feed(draft, sender, got)) for draft in drafts]


def settle_held(store: Store, sender: Sender, mine: Sequence[Mine]) -> list[int]:
    """Held replies now in the feed were published: their drafts become sent."""
    done = []
    for m in mine:
        if m.draft.state == "held" and m.comment is not None:
            try:
                store.publish_held(m.draft.id, sender.remote_id(m.comment.id), m.comment.link)
            except DraftConflict:
                continue  # changed meanwhile (another termnews did it)
            done.append(m.draft.id)
    return done


def answers(sender: Sender, mine: Sequence[Mine], got: CommentsResult) -> list[NewReply]:
    """Comments answering one of the person's: by parent, else (a flat feed) by naming them."""
    own_ids = {m.comment.id for m in mine if m.comment is not None}
    out = []
    for c in got.comments:
        if c.id in own_ids:
            continue
        answered = _answered(sender, mine, c, got.threaded)
        if answered is not None:
            d = answered.draft
            out.append(
                NewReply(
                    c.id,
                    d.article_id,
                    d.article_title,
                    d.article_link,
                    d.article_source,
                    d.id,
                    c.author,
                    c.published,
                    comment_text(c),
                    c.link,
                )
            )
    return out


def _answered(sender: Sender, mine: Sequence[Mine], c: Comment, threaded: bool) -> Mine | None:
    if threaded:
        if c.parent is None:
            return None
        return next(
            (m for m in mine if m.comment is not None and sender.same_comment(c.parent, m.comment.id)), None
        )
    # No parents in the feed: a later comment by someone else that names the person.
    text = comment_text(c).casefold()
    for m in sorted(mine, key=lambda m: m.draft.sent_at or 0.0, reverse=True):
        name = " ".join(m.draft.name.split()).casefold()
        if not name or " ".join(c.author.split()).casefold() == name:
            continue
        after = m.draft.sent_at is None or c.published is None or c.published >= m.draft.sent_at - SLACK
        if after and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", " ".join(text.split())):
            return m
    return None


# -- how a thread is shown: what is new, which comments are the person's ---------------


def thread_marks(
    store: Store, specs: Sequence[SourceSpec], article_id: str, got: CommentsResult, *, record: bool = True
) -> ThreadMarks:
    """Mark a thread being opened, and (with `record`) remember what it shows for next time.

    The first opening marks nothing new: everything would be.
    """
    visit = store.thread_visit(article_id)
    drafts = [d for d in store.drafts(article_id) if d.state in ("sending", *WATCHED_STATES)]
    mine: list[Mine] = []
    if drafts:
        try:
            sender: Sender | None = Outbox(store, specs).sender_for(drafts[0])
        except Exception:  # no sender to compare ids with: the replies are listed as not in the feed
            sender = None
        if sender is not None:
            mine = own_comments(store, sender, drafts, got)
            settle_held(store, sender, mine)  # as a refresh would: the site published them
    own = {m.comment.id: m.draft for m in mine if m.comment is not None}
    pending = tuple(m.draft for m in mine if m.comment is None) if mine else tuple(drafts)
    ids = [c.id for c in got.comments]
    new = frozenset(i for i in ids if i not in own and visit is not None and i not in visit[1])
    if record and not got.error:
        store.record_thread_visit(article_id, ids)
    return ThreadMarks(new, own, pending)
