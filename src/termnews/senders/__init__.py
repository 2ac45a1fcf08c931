"""Ways of sending a reply to a site, found through the `termnews.senders` entry-point group.

The built-in `wordpress` sender registers through the same group a plugin
uses (`[project.entry-points."termnews.senders"]`), so a package adds a kind
of site by installing. Loading works as for sources (`termnews.sources`):
`sender_names()` imports nothing, `load_sender(name)` imports one and fails
loudly, `load_all_senders()` imports every one and skips a broken one with a
warning (`termnews.plugins` is that logic once, for every group).

The contract: a `Sender` turns a `Reply` (a draft's words and what is known of
the article) into a `Prepared` request (`prepare`, which may read the
article's page) and sends it (`send`), saying what the site answered as a
`SendResult`. It never touches the store; `termnews.outbox` does, and decides
what each answer means for the draft.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from termnews.plugins import PluginGroup

GROUP = "termnews.senders"

# Used when termnews runs from a source tree without installed metadata.
_BUILTIN = {
    "wordpress": "termnews.senders.wordpress:WordPressSender",
    "wordpress-rest": "termnews.senders.wordpress_rest:WordPressRestSender",
}

# -- the contract -------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """What is sent: a draft's words, and where they go as far as termnews knows."""

    draft_id: int
    comment: str
    name: str
    email: str
    website: str
    article_link: str | None
    article_guid: str | None = None
    comments_url: str | None = None
    parent: str | None = None  # the id (in the comment feed) of the comment answered


@dataclass(frozen=True)
class Prepared:
    """A request ready to go: where, what, and where the reply will show up."""

    endpoint: str
    fields: Mapping[str, str]
    comments_url: str | None = None  # the feed to look for the reply in
    summary: str = ""  # one line for `termnews send --dry-run`


Outcome = Literal["sent", "held", "failed", "retry", "offline", "unknown"]


@dataclass(frozen=True)
class SendResult:
    """The site's answer, as one of six outcomes, with the site's own words.

    - `sent`: published; `held`: waiting for the site's moderation;
    - `failed`: refused, for the reason in `message` (`duplicate` when the
      site already has these words);
    - `retry`: not taken now, try after `retry_after` seconds (too fast);
    - `offline`: never reached the site (nothing was sent);
    - `unknown`: the request left but no answer came back: it may or may not
      have arrived, so it is checked before any retry.
    """

    outcome: Outcome
    message: str = ""
    remote_id: str | None = None
    remote_url: str | None = None
    retry_after: float | None = None
    duplicate: bool = False
    status: int | None = None  # the HTTP status, when there was one


class Sender(ABC):
    """Sends replies to one kind of site. Built-in or plugin, the same contract."""

    #: The name used in config (`sender = "wordpress"` in a source's table).
    kind: ClassVar[str]
    #: The options it takes from its source's table (a dataclass, checked when
    #: config loads, as `termnews.sources.base.SourceOptions`). None: any.
    options_type: ClassVar[type | None] = None

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options = dict(options or {})

    @abstractmethod
    def prepare(self, reply: Reply) -> Prepared | SendResult:
        """Find where and how to send `reply` (this may read the article's page).

        Returns a `SendResult` instead when it cannot be sent: `offline` when
        the site could not be reached, `failed` when it never can be.
        """

    @abstractmethod
    def send(self, reply: Reply, prepared: Prepared) -> SendResult:
        """Send once and say what the site answered; never raises for the network."""

    @abstractmethod
    def comments_url(self, reply: Reply, prepared: Prepared | None = None) -> str | None:
        """The comment feed in which `reply` appears once published (None: unknown)."""

    def nowhere(self, reply: Reply) -> str | None:
        """Why `reply` can never be sent, known without the network (None: it may be).

        Asked when a reply is begun, so the person learns it before writing.
        """
        return None

    def same_comment(self, a: str | None, b: str | None) -> bool:
        """Whether two comment ids (as the feed gives them) name the same comment."""
        return (a or None) == (b or None)

    def remote_id(self, comment_id: str) -> str | None:
        """The site's own id for a comment found in its feed."""
        return None


SENDERS = PluginGroup[Sender](GROUP, _BUILTIN, Sender, "sender")
DEFAULT_SENDER = "wordpress"


def sender_names() -> list[str]:
    return SENDERS.names()


def load_sender(name: str) -> type[Sender]:
    return SENDERS.load(name)


def load_all_senders() -> tuple[dict[str, type[Sender]], list[str]]:
    return SENDERS.load_all()
