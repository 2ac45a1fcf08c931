"""The Textual application: one session, one main screen, themes and keymap.

The keys in force are resolved against every screen and widget that declares
bindings, which means importing all of them: that is done before the first
paint only when the person has a `[keys]` table, otherwise when `?` asks.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen
from textual.theme import Theme

from termnews import collector
from termnews.screens.main import MainScreen
from termnews.session import Session
from termnews.themes import DEFAULT_THEME, ThemeProblem, load_themes
from termnews.widgets.worker_errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from termnews.keymap import KeysInForce, Scope

THEME_SETTING = "theme"


def main_panes() -> tuple[Scope, ...]:
    """The main screen's panes, each with the keys in force while it has focus (`?` shows them so)."""
    from termnews.keymap import Scope
    from termnews.widgets.comments import CommentsPane
    from termnews.widgets.composer import Composer
    from termnews.widgets.headlines import HeadlineList
    from termnews.widgets.reader import Reader
    from termnews.widgets.sources import SourcesPane

    return (
        Scope("headline list", (HeadlineList, MainScreen)),
        Scope("reader", (Reader, MainScreen)),
        Scope("comments", (CommentsPane, MainScreen)),
        Scope("sources pane", (SourcesPane, MainScreen)),
        Scope("composer", (Composer, MainScreen)),
    )


def help_sections() -> tuple[tuple[str, type[DOMNode]], ...]:
    """`?`: one section per part, the screen's own keys first."""
    from termnews.screens.drafts import DraftsScreen
    from termnews.widgets.comments import CommentsPane
    from termnews.widgets.composer import Composer
    from termnews.widgets.headlines import HeadlineList
    from termnews.widgets.reader import Reader
    from termnews.widgets.sources import SourcesPane

    return (
        ("Main screen (every pane; not while typing in a field)", MainScreen),
        ("Headline list", HeadlineList),
        ("Reader", Reader),
        ("Comments (c)", CommentsPane),
        ("Sources pane (1)", SourcesPane),
        ("Composer (r)", Composer),
        ("Drafts screen (D)", DraftsScreen),
    )


def import_ui() -> None:
    """Import every screen and widget module (most load on first use)."""
    import importlib
    import pkgutil

    import termnews.screens
    import termnews.widgets

    for package in (termnews.screens, termnews.widgets):
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)


def keymap_classes() -> list[type[DOMNode]]:
    """Every termnews screen and widget that declares bindings: a `[keys]` table may rebind any."""
    from termnews.keymap import own_bindings

    import_ui()
    found: list[type[DOMNode]] = []
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("termnews.") and own_bindings(cls) and cls not in found:
            found.append(cls)
    return found


def key_scopes(classes: list[type[DOMNode]]) -> list[Scope]:
    """The main screen's panes, and every other screen on its own (a modal screen stops the chain)."""
    from termnews.keymap import Scope

    others = [
        Scope(cls.__name__, (cls,)) for cls in classes if issubclass(cls, Screen) and cls is not MainScreen
    ]
    return [*main_panes(), *others]


def keys_in_force(wanted: dict[str, str]) -> KeysInForce:
    from termnews.keymap import resolve_keymap

    classes = keymap_classes()
    return resolve_keymap(wanted, classes, key_scopes(classes))


# Command palette entries: (title, help, action on the main screen).
PALETTE_COMMANDS = (
    ("Refresh all sources", "Fetch every source in the background (R)", "refresh_all"),
    ("Refresh this source", "Fetch the source of the article under the cursor (ctrl+r)", "refresh_current"),
    ("Mark all read in view", "Mark every article in the current list as read", "mark_view_read"),
    ("Sources pane", "Show or hide the sources and views (1)", "toggle_sources"),
    ("Search", "Search titles and bodies (/)", "search"),
    ("Add source", "Subscribe to a feed or a site's address, a feed file or a folder", "add_source"),
    (
        "Remove source",
        "Remove the source under the cursor (sources pane: d) and its cached articles, after asking",
        "remove_source",
    ),
    ("Full text", "Fetch the open article's web page and show its main text (F)", "full_text"),
    ("Export OPML", "Write every feed subscription to an OPML file", "export_opml"),
    ("Drafts", "Every draft: open, delete, export (D)", "drafts"),
    ("Export drafts", "Write every draft to a Markdown or JSON file", "export_drafts"),
    ("Keys", "Every key binding in force (?)", "help"),
)


class TermnewsApp(ReportsWorkerErrors, App[None]):
    TITLE = "termnews"
    CSS_PATH = "termnews.tcss"  # screen layouts and dialogs; shipped in the wheel beside this file

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        # Themes are chosen before the first style pass: switching later restyles every widget.
        self._theme_problems = self._register_themes()
        # A [keys] table is settled before the first key; without one, the defaults are in force.
        self._keys = keys_in_force(session.config.keys) if session.config.keys else None

    @property
    def keys_in_force(self) -> KeysInForce:
        """Every binding's keys after the person's keymap (resolved when first asked)."""
        if self._keys is None:
            self._keys = keys_in_force(self.session.config.keys)
        return self._keys

    def on_mount(self) -> None:
        self.call_after_refresh(collector.resume)  # paused by the `termnews` command until now
        for notice in self.session.store.notices:
            self.notify(notice, severity="warning", markup=False)
        for problem in self._theme_problems:
            self.notify(str(problem), title="Theme not loaded", severity="error", markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self._keys is not None:
            self._apply_keymap(self._keys)

    def get_default_screen(self) -> Screen:
        """The main screen is the first screen (no blank one composed, laid out and painted first)."""
        return MainScreen(self.session)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        ours = isinstance(screen, MainScreen)
        for command in super().get_system_commands(screen):
            if not (ours and command.title == "Keys"):  # one "Keys": ours, the help screen
                yield command
        if ours:
            for title, help_text, action in PALETTE_COMMANDS:
                yield SystemCommand(title, help_text, partial(screen.run_action, action))

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Save to the Downloads folder when there is one, else to the first writable place
        (Textual says where once it is saved)."""
        return super().deliver_screenshot(filename, path or str(self.screenshot_folder()), time_format)

    def screenshot_folder(self) -> Path:
        from platformdirs import user_downloads_path

        candidates = (user_downloads_path(), Path.home(), self.session.paths.data_dir)
        usable = (p for p in candidates if p.is_dir() and os.access(p, os.W_OK))
        return next(usable, Path(tempfile.gettempdir()))

    def _register_themes(self) -> list[ThemeProblem]:
        themes, problems = load_themes(self.session.paths.user_themes_dir)
        for theme in themes:
            self.register_theme(theme)
        wanted = self.session.store.setting(THEME_SETTING) or self.session.config.theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            problems.append(ThemeProblem(Path(wanted), "name", f"no such theme; using {DEFAULT_THEME}"))
            wanted = DEFAULT_THEME
        self._theme_in_force = wanted
        self._apply_first_theme(wanted)
        return problems

    def _apply_first_theme(self, name: str) -> None:
        """The theme in force before anything is styled. Setting `theme` would have Textual parse
        the whole stylesheet again once the app runs, and restyle and lay out every widget: here
        its variables go into the stylesheet before its first parse. The rest is what Textual's
        own watcher does when the theme changes (the mode classes, the ANSI colour mapping)."""
        self.set_reactive(App.theme, name)
        dark = self.current_theme.dark
        self.update_classes(
            {f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark}, update=False
        )
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    def _remember_theme(self, theme: Theme) -> None:
        """Persist a choice made in the app (not the theme applied at start)."""
        if theme.name != self._theme_in_force:
            self._theme_in_force = theme.name
            self.save_setting(THEME_SETTING, theme.name)

    @work(thread=True, group="settings", exit_on_error=False)
    def save_setting(self, key: str, value: str) -> None:
        self.session.store.set_setting(key, value)

    def _apply_keymap(self, keys: KeysInForce) -> None:
        if keys.problems:
            self.notify(
                "\n".join(keys.problems),
                title=f"{self.session.config.path}",
                severity="warning",
                timeout=15,
                markup=False,
            )
        self.set_keymap(keys.keymap)

    def action_show_keys(self) -> None:
        from termnews.screens.help import HelpScreen

        # The keys of the screen `?` was pressed on come first (stable sort: the rest keep their order).
        here = sorted(help_sections(), key=lambda section: not isinstance(self.screen, section[1]))
        self.push_screen(HelpScreen(self.keys_in_force, here))
