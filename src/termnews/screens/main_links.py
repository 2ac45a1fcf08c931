"""The main screen's links: `o` opens the article's link, `f` and a number one of its links."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

from termnews.screens.main_base import MainScreenBase

if TYPE_CHECKING:  # the reader loads Markdown with its first article
    from textual.widgets import Markdown


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
        self._show_link_prompt()

    def _show_link_prompt(self) -> None:
        digits, count = self._link_digits, len(self.reader.links)
        text = "" if digits is None else f"Link number (1-{count}): {digits}_  enter opens, escape cancels"
        self.status.show(prompt=text)

    def on_key(self, event: events.Key) -> None:
        """After `f`: digits choose a link, opened as soon as the number is unambiguous.

        Enter opens the number typed so far, escape cancels; any other key cancels
        the prompt and then does what it always does."""
        if self._link_digits is None:
            return
        links = self.reader.links
        if event.character and event.character.isdigit():
            event.stop()
            event.prevent_default()
            self._link_digits += event.character
            number = int(self._link_digits)
            if number * 10 > len(links):  # no further digit could make a valid number
                self._link_digits = None
                self._open_numbered(number)
            self._show_link_prompt()
            return
        digits, self._link_digits = self._link_digits, None
        self._show_link_prompt()
        if event.key in ("enter", "escape"):
            event.stop()
            event.prevent_default()
            if event.key == "enter" and digits:
                self._open_numbered(int(digits))

    def _open_numbered(self, number: int) -> None:
        links = self.reader.links
        if 1 <= number <= len(links):
            self._open(links[number - 1])
        else:
            self.notify(f"No link {number}", timeout=2)

    def _open(self, url: str) -> None:
        from termnews.links import LinkRefused, open_link

        try:
            open_link(url)
        except LinkRefused as exc:
            self.notify(str(exc), severity="warning", markup=False)
        else:
            self.notify(f"Opening {url}", timeout=3, markup=False)
