"""What the composer says about the open reply: its state line and the line under it.

Plain functions of the draft, so the form (composer.py) only puts them on screen.
A reply that is, or may be, at the site (`sending`, `sent`, `held`) is read-only:
what was sent stays as it was sent; `r` starts a new reply or an edited copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from termnews.models import SENT_STATES, Draft

READ_ONLY_HINT = "read-only: r starts a new reply or an edited copy"


def is_read_only(draft: Draft | None) -> bool:
    return draft is not None and draft.state in SENT_STATES


@dataclass(frozen=True)
class StateLine:
    text: str
    ready: bool = False  # shown as ready (green)
    alarm: bool = False  # something the person must know (not saved, failed)


def state_line(draft: Draft | None, *, changed: bool, save_failure: str | None) -> StateLine:
    """`Draft #3 · ready · saved`: which reply, its state as it will be stored, whether saved."""
    state = draft.state if draft is not None else "draft"
    if changed and state in ("ready", "failed"):
        state = "draft"  # changed words are saved as a draft: ready means these words were checked
    parts = [f"Draft #{draft.id}" if draft is not None else "New reply", state]
    if save_failure:
        parts.append(f"NOT SAVED: {save_failure} (retrying)")
    elif changed:
        parts.append("unsaved changes")
    elif draft is not None:
        parts.append("saved")
    return StateLine(" · ".join(parts), ready=state == "ready" and not changed, alarm=bool(save_failure))


def reason_line(draft: Draft | None, nowhere: str | None) -> str:
    """What the site said, or why the reply cannot go anywhere; empty when there is nothing to say."""
    if draft is not None and draft.state == "failed":
        return f"Not sent: {draft.send_error or 'the site refused it'}"
    if draft is not None and draft.state == "sending":
        return f"In doubt ({draft.send_error or 'no answer came back'}); {READ_ONLY_HINT}"
    if draft is not None and draft.state == "held":
        return f"Held for moderation by the site; {READ_ONLY_HINT}"
    if draft is not None and draft.state == "sent":
        where = f" ({draft.remote_url})" if draft.remote_url else ""
        return f"Sent{where}; {READ_ONLY_HINT}"
    if nowhere:
        return f"Nowhere to send this reply: {nowhere}. It is kept as a draft."
    return ""


def refusal(draft: Draft) -> str:
    """ctrl+s on a reply that is at the site: the one thing to say."""
    return f"Draft #{draft.id} is {draft.state}: it stays as it was sent ({READ_ONLY_HINT})"
