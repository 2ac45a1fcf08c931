"""The key footer: Textual's, rebuilt only when the keys it would show change.

Textual's `Footer` rebuilds itself (a widget per key, each styled twice) after
every change of the bindings in force: a screen's start sends several before
the first paint is done, and moving focus between panes with the same keys
sends more. Each rebuild that would draw the same keys is skipped here. And
Textual's first rebuild waits for the screen's first paint, so the keys came
with a second layout of the whole screen: here they are in the first one.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    _drawn: tuple[object, ...] | None = None  # what the last rebuild showed

    def _to_draw(self) -> tuple[object, ...]:
        shown = tuple((b.binding, b.enabled, b.tooltip) for b in self.screen.active_bindings.values())
        return (*shown, self.compact, self.show_command_palette, self.combine_groups)

    def bindings_changed(self, screen: Screen) -> None:
        super().bindings_changed(screen)  # and a rebuild once the screen is painted
        if self._drawn is None and screen.app.app_focus and screen is self.screen:
            self.call_next(self.recompose)  # not drawn yet: in time for the first paint

    async def recompose(self) -> None:
        to_draw = self._to_draw()
        if to_draw == self._drawn:
            return
        self._drawn = to_draw
        await super().recompose()
