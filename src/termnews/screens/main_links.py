"""The main screen's links: `o` opens the article's link, `f` and a number one of its links."""

from __future__ import annotations

from textual import events
from textual.widgets import Markdown

from termnews.links import LinkRefused, open_link
from termnews.screens.main_base import MainScreenBase


class LinkActions(MainScreenBase):
    _link_digits: str | None = None  # digits typed after `f`

    def on_markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        self._open(message.href)

    def action_open_link(self) -> None:
        article = self.reader.article
        link = article.link if article else (self.headlines.current.link if self.headlines.current else None)
        if not link:
            self.notify("This article has no link", timeout=2)
            return
        self._open(link)

    def action_follow_link(self) -> None:
        links = self.reader.links
        if not links:
            self.notify("This article has no links", timeout=2)
            return
        self._link_digits = ""
        self.notify(f"Link number (1-{len(links)})?", timeout=3)

    def on_key(self, event: events.Key) -> None:
        """After `f`: digits choose a link, opened as soon as the number is unambiguous."""
        if self._link_digits is None:
            return
        event.stop()
        event.prevent_default()
        links = self.reader.links
        if event.character and event.character.isdigit():
            self._link_digits += event.character
            number = int(self._link_digits)
            if number * 10 > len(links):  # no further digit could make a valid number
                self._link_digits = None
                self._open_numbered(number)
        else:
            digits, self._link_digits = self._link_digits, None
            if event.key == "enter" and digits:
                self._open_numbered(int(digits))

    def _open_numbered(self, number: int) -> None:
        links = self.reader.links
        if 1 <= number <= len(links):
            self._open(links[number - 1])
        else:
            self.notify(f"No link {number}", timeout=2)

    def _open(self, url: str) -> None:
        try:
            open_link(url)
        except LinkRefused as exc:
            self.notify(str(exc), severity="warning", markup=False)
        else:
            self.notify(f"Opening {url}", timeout=3, markup=False)
