"""The Textual application: one session, one main screen, themes and keymap."""

from __future__ import annotations

from textual import work
from textual.app import App
from textual.theme import Theme

from termnews.screens.help import HelpScreen
from termnews.screens.main import MainScreen
from termnews.session import Session
from termnews.themes import DEFAULT_THEME, load_themes
from termnews.widgets.composer import Composer
from termnews.widgets.headlines import HeadlineList
from termnews.widgets.reader import Reader

THEME_SETTING = "theme"
# Every class whose bindings a `[keys]` table may rebind by id.
KEYMAP_CLASSES = (MainScreen, HeadlineList, Reader, Composer, HelpScreen)


def binding_ids() -> set[str]:
    return {b.id for cls in KEYMAP_CLASSES for b in cls.BINDINGS if getattr(b, "id", None)}


class TermnewsApp(App[None]):
    TITLE = "termnews"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        for notice in self.session.store.notices:
            self.notify(notice, severity="warning", markup=False)
        self._apply_themes()
        self._apply_keymap()
        self.push_screen(MainScreen(self.session))

    def _apply_themes(self) -> None:
        themes, problems = load_themes(self.session.paths.user_themes_dir)
        for theme in themes:
            self.register_theme(theme)
        for problem in problems:
            self.notify(str(problem), title="Theme not loaded", severity="error", markup=False)
        wanted = (
            self.session.store.setting(THEME_SETTING)
            or self.session.config.theme
            or DEFAULT_THEME
        )
        if wanted not in self.available_themes:
            self.notify(f"theme {wanted!r} not found; using {DEFAULT_THEME}", severity="warning", markup=False)
            wanted = DEFAULT_THEME
        self.theme = self._theme_in_force = wanted
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        """Persist a choice made in the app (not the theme applied at start)."""
        if theme.name != self._theme_in_force:
            self._theme_in_force = theme.name
            self.save_setting(THEME_SETTING, theme.name)

    @work(thread=True, group="settings", exit_on_error=False)
    def save_setting(self, key: str, value: str) -> None:
        self.session.store.set_setting(key, value)

    def _apply_keymap(self) -> None:
        keys = self.session.config.keys
        unknown = sorted(set(keys) - binding_ids())
        if unknown:
            self.notify(
                f"{self.session.config.path}: [keys] has unknown binding ids: {', '.join(unknown)}",
                severity="warning",
                markup=False,
            )
        self.set_keymap({k: v for k, v in keys.items() if k not in unknown})
