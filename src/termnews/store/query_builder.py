"""A small builder for read-only queries over the articles (`a`), one clause at a time.

A `Select` knows its FROM (with joins), its WHERE clauses and their
parameters in order, so a caller narrows a view (`.where(...)`) without
testing the SQL text for what is already there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from termnews.models import View

NEWEST_FIRST = "a.sort_key DESC, a.rowid DESC"


@dataclass(frozen=True)
class Select:
    source: str = "articles a"
    source_params: tuple[object, ...] = ()
    clauses: tuple[str, ...] = ()
    params: tuple[object, ...] = ()

    def join(self, join: str, *params: object) -> Select:
        return replace(self, source=f"{self.source} {join}", source_params=(*self.source_params, *params))

    def where(self, clause: str, *params: object) -> Select:
        return replace(self, clauses=(*self.clauses, clause), params=(*self.params, *params))

    def sql(self, columns: str, tail: str = "", *tail_params: object) -> tuple[str, list[object]]:
        """`SELECT columns FROM ... WHERE ... tail` and its parameters."""
        where = f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""
        text = f"SELECT {columns} FROM {self.source}{where}{' ' + tail if tail else ''}"
        return text, [*self.source_params, *self.params, *tail_params]


def view_select(
    view: View, unread_only: bool = False, within: Select | None = None, with_flags: bool = False
) -> Select:
    """The rows of a view's filter and sources (a search's matches and order are the caller's);
    with `unread_only`, its unread rows. `within` is the query of the articles `a` to narrow
    (a join that starts elsewhere), instead of all of them.

    The flags table (`f`) is joined only when the filter needs it, or `with_flags`
    (to read them): a join on every row would turn index-only counts and skips
    into table scans.
    """
    select = within or Select()
    unread = unread_only or view.filter == "unread"
    if unread or view.filter == "starred" or with_flags:
        select = select.join("LEFT JOIN state.flags f ON f.article_id = a.id")
    if view.source_id:
        select = select.where("a.source_id = ?", view.source_id)
    if view.source_ids:
        select = select.where("a.source_id IN (SELECT value FROM json_each(?))", json.dumps(view.source_ids))
    if unread:
        select = select.where("COALESCE(f.read, 0) = 0")
    if view.filter == "starred":
        select = select.where("f.starred = 1")
    elif view.filter == "drafts":
        select = select.where("EXISTS (SELECT 1 FROM state.drafts d WHERE d.article_id = a.id)")
    return select
