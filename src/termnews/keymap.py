"""The `[keys]` table against the bindings: key names checked, conflicts settled, the keys in force.

A person rebinds by binding id (`toggle_star = "s,x"`). Each entry is checked
here before Textual sees it: an unknown id or a key name Textual would never
send is reported and the default kept. A key the person gives one binding is
taken from any other binding in force at the same time (the same pane, its
screen); the message says which binding lost it. The result is what the app
hands to `App.set_keymap` and what `?` shows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, Keys

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(k.value for k in Keys)


def key_name(key: str) -> str:
    """The name Textual gives a key: "?" and "question_mark" are both "question_mark"."""
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return KEY_NAME_REPLACEMENTS.get(name, name)


def _character_names() -> frozenset[str]:
    return frozenset(key_name(chr(c)) for c in range(33, 127))


_CHARACTER_NAMES = _character_names()
_CHARACTERS = {key_name(chr(c)): chr(c) for c in range(33, 127)}


def typed_character(key: str) -> str | None:
    """The character a key types ("slash" -> "/", "j" -> "j"); None for ctrl+s, f5, pagedown..."""
    return key if len(key) == 1 else _CHARACTERS.get(key)


def is_key_name(key: str) -> bool:
    """Whether Textual can ever send `key`: "j", "G", "?", "slash", "ctrl+s", "f5", "pagedown"..."""
    *modifiers, base = key.split("+")
    if not base or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(base) == 1:
        return base.isprintable() and not base.isspace()
    return base in _NAMED_KEYS or base in _CHARACTER_NAMES or f"ctrl+{base}" in _NAMED_KEYS


def split_keys(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))


def own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The bindings termnews declares on `cls` and its termnews bases (not Textual's own)."""
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith("termnews.") and "BINDINGS" in klass.__dict__:
            found.extend(b for b in klass.__dict__["BINDINGS"] if isinstance(b, Binding))
    return found


@dataclass(frozen=True)
class Scope:
    """Bindings in force together: the focused part first, then what encloses it."""

    title: str
    classes: tuple[type[DOMNode], ...]


@dataclass
class KeysInForce:
    keys: dict[str, tuple[str, ...]]  # binding id -> its keys now (after the person's keymap)
    keymap: dict[str, str] = field(default_factory=dict)  # what to hand to App.set_keymap
    problems: list[str] = field(default_factory=list)  # one line each, for a notification

    def keys_of(self, binding: Binding) -> tuple[str, ...]:
        return self.keys.get(binding.id, split_keys(binding.key)) if binding.id else split_keys(binding.key)


def resolve_keymap(
    wanted: Mapping[str, str], classes: Iterable[type[DOMNode]], scopes: Iterable[Scope]
) -> KeysInForce:
    """Check `wanted` (binding id -> "key,key") against the bindings of `classes`."""
    owner: dict[str, type[DOMNode]] = {}
    defaults: dict[str, tuple[str, ...]] = {}
    for cls in classes:
        for binding in own_bindings(cls):
            if binding.id:
                owner.setdefault(binding.id, cls)
                defaults.setdefault(binding.id, split_keys(binding.key))
    result = KeysInForce(dict(defaults))
    chosen: dict[str, tuple[str, ...]] = {}
    for bid, text in wanted.items():
        keys = split_keys(text)
        bad = [k for k in keys if not is_key_name(k)]
        if bid not in defaults:
            result.problems.append(f"[keys] {bid}: no binding has this id (press ? for the ids); ignored")
        elif bad or not keys:
            what = f"{bad[0]!r} is not a key name" if bad else "no keys given"
            result.problems.append(f"[keys] {bid} = {text!r}: {what}; keeping {', '.join(defaults[bid])}")
        else:
            chosen[bid] = result.keys[bid] = keys
    for scope in scopes:
        _settle_scope(
            result, chosen, [bid for bid, cls in owner.items() if cls in scope.classes], owner, scope
        )
    result.keymap = {
        bid: ",".join(keys) for bid, keys in result.keys.items() if keys and keys != defaults[bid]
    }
    result.problems = list(dict.fromkeys(result.problems))
    return result


def _settle_scope(
    result: KeysInForce,
    chosen: dict[str, tuple[str, ...]],
    ids: list[str],
    owner: dict[str, type[DOMNode]],
    scope: Scope,
) -> None:
    """Give each key the person chose to their binding; say which binding it was taken from."""
    for bid in ids:
        for key in chosen.get(bid, ()):
            for other in ids:
                held = result.keys[other]
                same = [k for k in held if key_name(k) == key_name(key)]
                if other == bid or not same:
                    continue
                if other in chosen:
                    inner = min((bid, other), key=lambda i: scope.classes.index(owner[i]))
                    result.problems.append(
                        f"[keys] {key!r} is given to both {bid} and {other}; in the {scope.title} {inner} wins"
                    )
                    continue
                left = tuple(k for k in held if k not in same)
                if left or owner[other] is owner[bid]:
                    result.keys[other] = left
                    rest = f"{other} keeps {', '.join(left)}" if left else f"{other} now has no key"
                    result.problems.append(f"[keys] {bid} takes {key!r} from {other}; {rest}")
                elif scope.classes.index(owner[bid]) < scope.classes.index(owner[other]):
                    result.problems.append(
                        f"[keys] {bid} takes {key!r} in the {scope.title}; {other} keeps it elsewhere"
                    )
                else:  # a binding is never left without keys: the focused part keeps its own
                    result.problems.append(
                        f"[keys] {key!r} stays {other}'s in the {scope.title}; {bid} has it elsewhere"
                    )
