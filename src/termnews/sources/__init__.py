"""Source kinds, found through the `termnews.sources` entry-point group.

Built-in kinds register through the same group a plugin uses, so installing a
package is all it takes to add a kind (see `termnews.plugins` for the three
costs of loading).
"""

from __future__ import annotations

from termnews.plugins import PluginGroup
from termnews.sources.base import Source

GROUP = "termnews.sources"

# Used when termnews runs from a source tree without installed metadata.
_BUILTIN = {
    "local": "termnews.sources.local:LocalSource",
    "feed": "termnews.sources.feed:FeedSource",
    "miniflux": "termnews.sources.miniflux:MinifluxSource",
    "greader": "termnews.sources.greader:GReaderSource",
}

KINDS = PluginGroup[Source](GROUP, _BUILTIN, Source, "source kind")


def load_kind(name: str) -> type[Source]:
    return KINDS.load(name)
