"""Focus marks and pane dividers are visible in every bundled theme: a WCAG contrast
ratio of at least 3:1 against what they are drawn on, measured on the colours the
running app resolved from the theme files and the CSS."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color
from textual.widget import Widget
from textual.widgets import Input, Label, TextArea

from app_support import make_app, make_home, settle
from termnews.widgets.comments import CommentsPane
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader
from termnews.widgets.sources import SourcesPane

THEMES = ["termnews-dark", "termnews-light", "high-contrast", "sepia"]
MINIMUM = 3.0


def luminance(color: Color) -> float:
    """WCAG 2 relative luminance."""

    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula() -> None:
    assert contrast(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast(Color(118, 118, 118), Color(255, 255, 255)) == pytest.approx(4.54, abs=0.01)


def drawn_on(widget: Widget, color: Color) -> tuple[Color, Color]:
    """A mark's colour as painted (alpha blended) and the background it is painted on."""
    background = widget.background_colors[1]
    return background + color, background


def painted_background(widget: Widget) -> tuple[Color, Color]:
    """A widget's own background (the mark) and its parent's, around it."""
    assert widget.parent is not None
    return drawn_on(widget.parent, widget.styles.background)  # type: ignore[arg-type]


def edge(widget: Widget, side: str) -> tuple[Color, Color]:
    kind, color = getattr(widget.styles, f"border_{side}")
    assert kind not in ("", "none", "hidden", "blank"), f"{widget!r} has no {side} edge"
    return drawn_on(widget, color)


@pytest.mark.parametrize("theme", THEMES)
async def test_focus_marks_and_dividers_stand_out(tmp_path: Path, theme: str) -> None:
    app = make_app(make_home(tmp_path))
    app.theme = theme
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        headlines = screen.query_one(HeadlineList)
        await pilot.press("enter", "1", "c")  # open an article; the sources pane; its comments
        await settle(app, pilot)
        measured = {
            "headlines/reader divider": edge(headlines, "bottom"),
            "sources divider": edge(screen.query_one(SourcesPane), "right"),
            "comments divider": edge(screen.query_one(CommentsPane), "top"),
        }
        reader = screen.query_one(Reader)
        reader.focus()
        await settle(app, pilot)
        measured["focused reader"] = edge(reader, "left")
        await pilot.press("r")
        await settle(app, pilot)
        composer = screen.query_one(Composer)
        measured["composer divider"] = edge(composer, "left")
        name = composer.query_one("#name", Input)
        name.focus()
        await settle(app, pilot)
        label = name.parent.query_one(Label)
        measured["focused field's label"] = painted_background(label)
        area = composer.query_one(TextArea)
        area.focus()
        await settle(app, pilot)
        measured["focused comment box"] = edge(area, "left")
        weak = {
            what: round(contrast(mark, under), 2)
            for what, (mark, under) in measured.items()
            if contrast(mark, under) < MINIMUM
        }
        assert weak == {}, f"{theme}: below {MINIMUM}:1: {weak}"
