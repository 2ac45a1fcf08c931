"""The headline pane: a virtual list that reads the store a page at a time.

Only the rows on screen are rendered (`render_line`), and only the pages they
fall in are read, so 100,000 articles open as fast as 100. One widget for the
whole list, never one widget per row. Painting never waits on SQLite: a page
not yet read is asked of a thread worker and drawn as placeholder rows until
it arrives (`PageRead`). `reload` asks for the page under the cursor at once,
before the list is painted, so it is seldom drawn as placeholders. Keys that
need a row at once (`row`) may still read it on the spot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, replace

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from termnews.models import Headline, View
from termnews.store import Store
from termnews.text import format_date
from termnews.widgets.worker_errors import ReportsWorkerErrors

PAGE = 100
PAGES_KEPT = 32
SOURCE_WIDTH = 12  # at 80 columns; a wider row gives half its extra room to the source, up to
MAX_SOURCE_WIDTH = 24  # (so "Valid & Hostile" and "Valid & Hostile (2)" stay distinct)
TITLE_WIDTH = 50  # the title's room at 80 columns, beside the source and the date
DATE_WIDTH = 10


class HeadlineList(ReportsWorkerErrors, ScrollView, can_focus=True):
    """Headlines of one `View` of the store, with a cursor."""

    BINDING_GROUP_TITLE = "headlines"

    BINDINGS = [
        Binding("down,j", "cursor(1)", "Next", show=False, id="headlines.next"),
        Binding("up,k", "cursor(-1)", "Previous", show=False, id="headlines.previous"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="headlines.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="headlines.page_up"),
        Binding("home,g", "jump(0)", "First", show=False, id="headlines.first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="headlines.last"),
        Binding("enter", "open", "Open", id="headlines.open", tooltip="Open the article under the cursor"),
    ]

    COMPONENT_CLASSES = {
        "headline--cursor",
        "headline--unread",
        "headline--read",
        "headline--meta",
        "headline--mark",
    }

    DEFAULT_CSS = """
    HeadlineList {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        & > .headline--cursor { background: $accent 40%; }
        &:focus > .headline--cursor { background: $accent; color: $text; }
        & > .headline--unread { text-style: bold; }
        & > .headline--read { color: $text-muted; }
        & > .headline--meta { color: $text-muted; }
        & > .headline--mark { color: $warning; }
    }
    """

    @dataclass
    class Opened(Message):
        headline: Headline

    class Reloaded(Message):
        """The list was read again: counts may have changed."""

    @dataclass
    class PageRead(Message):
        """A page of rows read by the worker, for the list as it was at `generation`."""

        generation: int
        number: int
        rows: list[Headline]

    cursor: reactive[int] = reactive(0, repaint=False)

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, self.total - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.view = View()
        self.total = 0
        self._pages: OrderedDict[int, list[Headline]] = OrderedDict()
        self._generation = 0  # bumped by every reload: a page read before it is dropped
        self._wanted: deque[int] = deque()  # page numbers for the reader worker, under _lock
        self._asked: set[int] = set()
        self._reading = False  # a reader worker is draining _wanted
        self._lock = threading.Lock()
        # Rendered rows, keyed by what they show: moving the cursor re-renders two rows, not all.
        self._strips: LRUCache[tuple[Headline, bool, bool, int], Strip] = LRUCache(256)

    # -- data -------------------------------------------------------------

    def reload(self, view: View | None = None, *, at: str | None = None) -> None:
        """Re-read the list (after a refresh or a new view), keeping the cursor's article.

        A new view starts at its top, or on the article `at` if the view has it.
        """
        current = self.current
        keep = current.id if current is not None else None
        new_view = view is not None and view != self.view
        if view is not None and new_view:
            self.view, keep = view, at
        self._forget_pages()
        self.total = self.store.count(self.view)
        self.virtual_size = Size(0, self.total)  # rows fit the width: no sideways scrolling
        position = self.store.position(self.view, keep) if keep is not None else None
        if position is not None and new_view:
            self.scroll_to(y=0, animate=False, immediate=True)
            self.cursor = 0
            self.move_to(position)
        elif position is not None:
            # Keep the row under the cursor where it was on screen.
            self.scroll_to(y=self.scroll_y + position - self.cursor, animate=False, immediate=True)
            self.cursor = position
        self.cursor = self.cursor  # the validator keeps it inside the new list
        if keep is None or (new_view and position is None):
            self.scroll_to(y=0, animate=False, immediate=True)
        self._ask_page(self.cursor // PAGE)
        self.refresh()
        self.post_message(self.Reloaded())

    def row(self, index: int) -> Headline | None:
        """The row at `index`, read now if its page has not arrived (for keys, not for painting)."""
        if not 0 <= index < self.total:
            return None
        number, offset = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None:
            page = self.store.headlines(self.view, number * PAGE, PAGE)
            self._keep_page(number, page)
        return page[offset] if offset < len(page) else None

    def cached_row(self, index: int) -> Headline | None:
        """The row at `index` if its page is here; otherwise None, and the page is asked for."""
        number, offset = divmod(index, PAGE)
        page = self._pages.get(number)
        if page is None:
            self._ask_page(number)
            return None
        self._pages.move_to_end(number)
        for near in (number + 1, number - 1):  # read ahead both ways: scrolling seldom meets a gap
            if near not in self._pages and 0 <= near * PAGE < self.total:
                self._ask_page(near)
        return page[offset] if offset < len(page) else None

    def _keep_page(self, number: int, page: list[Headline]) -> None:
        self._pages[number] = page
        self._pages.move_to_end(number)
        while len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)

    def _forget_pages(self) -> None:
        self._pages.clear()
        with self._lock:
            self._generation += 1
            self._wanted.clear()
            self._asked.clear()

    def _ask_page(self, number: int) -> None:
        with self._lock:
            if number in self._asked:
                return
            self._asked.add(number)
            self._wanted.append(number)
            start, self._reading = not self._reading, True
        if start:
            self._read_pages()

    @work(thread=True, group="headline-pages", exit_on_error=False)
    def _read_pages(self) -> None:
        """Read the pages asked for until none is left (one thread for a burst of scrolling)."""
        while True:
            with self._lock:
                if not self._wanted:
                    self._reading = False
                    return
                number, generation, view = self._wanted.popleft(), self._generation, self.view
            try:
                rows = self.store.headlines(view, number * PAGE, PAGE)
            except BaseException:  # reported by the worker handler; the page is not asked again
                with self._lock:
                    self._reading = False
                raise
            self.post_message(self.PageRead(generation, number, rows))

    def on_headline_list_page_read(self, message: PageRead) -> None:
        message.stop()
        with self._lock:
            if message.generation != self._generation:
                return
            self._asked.discard(message.number)
        self._keep_page(message.number, message.rows)
        top = int(self.scroll_y)
        first, last = message.number * PAGE, (message.number + 1) * PAGE
        if first < top + self.scrollable_content_region.height and last > top:  # on screen now
            self.refresh()

    @property
    def current(self) -> Headline | None:
        return self.row(self.cursor)

    def update_current(self, *, read: bool | None = None, starred: bool | None = None) -> Headline | None:
        """Change the cached row under the cursor (the store is written elsewhere)."""
        number, offset = divmod(self.cursor, PAGE)
        page = self._pages.get(number)
        if page is None or offset >= len(page):
            return None
        row = page[offset]
        page[offset] = replace(
            row, read=row.read if read is None else read, starred=row.starred if starred is None else starred
        )
        self.refresh_line(self.cursor)
        return page[offset]

    def find(self, start: int, step: int, predicate) -> int | None:
        """Index of the first row from `start` (walking by `step`) that matches."""
        index = start
        while 0 <= index < self.total:
            row = self.row(index)
            if row is not None and predicate(row):
                return index
            index += step
        return None

    # -- movement -------------------------------------------------------------

    def move_to(self, index: int) -> None:
        if self.total == 0:
            return
        self.cursor = index
        height = self.scrollable_content_region.height
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= self.scroll_y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def refresh_line(self, index: int) -> None:
        self.refresh_lines(index, 1)  # virtual coordinates: ScrollView subtracts the offset

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, index: int) -> None:
        self.move_to(self.total - 1 if index < 0 else index)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self.current))

    async def _on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < self.total:
            self.move_to(index)
            self.action_open()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, self.total)
        self.call_after_refresh(self.move_to, self.cursor)  # the cursor's row stays in sight

    # -- rendering ------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if not 0 <= index < self.total:
            if self.total == 0 and y == 1:
                return self._empty_line(width)
            return Strip.blank(width, self.rich_style)
        headline = self.cached_row(index)
        if headline is None:  # its page is on its way
            return Strip(self._placeholder_segments(index == self.cursor, width), width)
        key = (headline, index == self.cursor, self.has_focus, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = Strip(self._row_segments(headline, index == self.cursor, width), width)
            self._strips[key] = strip
        return strip

    def _empty_line(self, width: int) -> Strip:
        line = Text(f"  {empty_message(self.view)}", style=self.get_component_rich_style("headline--meta"))
        line.truncate(width, overflow="ellipsis", pad=True)
        return Strip(list(Segment.apply_style(list(line.render(self.app.console)), self.rich_style)), width)

    def _placeholder_segments(self, under_cursor: bool, width: int) -> list[Segment]:
        line = Text("    …", style=self.get_component_rich_style("headline--meta"), end="")
        line.truncate(width, pad=True)
        if under_cursor:
            line.stylize(self.get_component_rich_style("headline--cursor"))
        return list(Segment.apply_style(list(line.render(self.app.console)), self.rich_style))

    def _row_segments(self, h: Headline, under_cursor: bool, width: int) -> list[Segment]:
        base = self.rich_style + self.get_component_rich_style(
            "headline--read" if h.read else "headline--unread"
        )
        meta = self.get_component_rich_style("headline--meta")
        mark = self.get_component_rich_style("headline--mark")
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append("●" if not h.read else " ", mark)
        line.append("★" if h.starred else " ", mark)
        line.append("✎" if h.has_draft else " ", mark)
        line.append(" ")
        line.append_text(_title_and_meta(h, width - 4, meta))
        line.truncate(width, overflow="ellipsis", pad=True)
        if under_cursor:
            line.stylize(self.get_component_rich_style("headline--cursor"))
        segments = list(line.render(self.app.console))
        return list(Segment.apply_style(segments, base))


def _title_and_meta(h: Headline, width: int, meta: Style) -> Text:
    """The title (a search match beside it) and, when the row is wide enough, source and date."""
    show_meta = width >= 44
    source_width = source_column(width)
    title_width = width - ((source_width + DATE_WIDTH + 2) if show_meta else 0)
    line = Text(h.title, no_wrap=True, overflow="ellipsis", end="")
    if h.snippet:  # a search result: half the room for the title, the rest for the match
        line.truncate(max(1, title_width // 2), overflow="ellipsis")
        line.append(f"  {h.snippet}", meta)
    line.truncate(max(1, title_width), overflow="ellipsis", pad=True)
    if show_meta:
        source = Text(h.source, end="")
        source.truncate(source_width, overflow="ellipsis", pad=True)
        line.append(" ")
        line.append_text(source)
        line.stylize(meta, len(line) - source_width)
        line.append(" " + format_date(h.published).rjust(DATE_WIDTH), meta)
    return line


def source_column(width: int) -> int:
    """The source's columns in a row `width` wide: 12 up to 80 columns' worth, then half of what
    the row has beyond that (the title has the other half), up to 24."""
    extra = width - (TITLE_WIDTH + SOURCE_WIDTH + DATE_WIDTH + 2)
    return min(MAX_SOURCE_WIDTH, SOURCE_WIDTH + max(0, extra) // 2)


def empty_message(view: View) -> str:
    """What an empty list says, so an empty view never looks like a broken one."""
    if view.query is not None:
        return f"No matches for {view.query!r} (escape leaves the search)"
    if view.filter == "unread":
        return "No unread articles: all read"
    if view.filter == "starred":
        return "No starred articles (s stars the one under the cursor)"
    if view.filter == "drafts":
        return "No article has a draft (r writes a reply)"
    if view.source_id or view.source_ids:
        return "No articles here yet (R fetches every source)"
    return "No articles yet (R fetches every source)"
