"""Keys the UI keeps for itself, so a codebook can never bind a label to them."""

from __future__ import annotations

import string

# Navigation, editing and function keys, by the names Textual gives them.
_NAMED_KEYS = frozenset(
    {"left", "right", "up", "down", "home", "end", "pageup", "pagedown", "tab", "enter"}
    | {"escape", "space", "backspace", "delete"}
    | {f"f{n}" for n in range(1, 13)}
)

# Every printable ASCII character that is neither a letter nor a digit.
_PUNCTUATION = frozenset("?!#<>+-=/[]{},.;:'\"\\|~@$%^&*()_`")

MODIFIERS: tuple[str, ...] = ("ctrl", "shift", "alt", "meta", "super", "hyper")

_MODIFIED_KEYS = frozenset(
    f"{modifier}+{key}"
    for modifier in ("ctrl", "shift", "alt")
    for key in (*string.ascii_lowercase, *string.digits, *_NAMED_KEYS)
)

UI_RESERVED_KEYS: frozenset[str] = _NAMED_KEYS | _PUNCTUATION | _MODIFIED_KEYS
"""Keys the UI binds: named keys, punctuation and the common ctrl/shift/alt combinations.

Every key written with any modifier is reserved (`is_reserved_key` also covers `ctrl+shift+x`).
"""

_LABEL_KEY_CHARS = frozenset(string.ascii_letters + string.digits)


def has_modifier(key: str) -> bool:
    """True for keys such as `ctrl+s` or `shift+tab`."""
    head, plus, rest = key.partition("+")
    return bool(plus and rest) and head.lower() in MODIFIERS


def is_reserved_key(key: str) -> bool:
    """True when the UI keeps `key` for itself (reserved single keys and any modified key)."""
    return key in UI_RESERVED_KEYS or key == " " or has_modifier(key)


def key_problem(key: str) -> str | None:
    """Why `key` cannot be a codebook shortcut, or None when it can."""
    if is_reserved_key(key):
        return f"key {key!r} is reserved by the UI (labels may use letters and digits)"
    if len(key) != 1:
        return f"key {key!r} must be exactly one character (a letter or a digit)"
    if key not in _LABEL_KEY_CHARS:
        return f"key {key!r} must be an ASCII letter or digit"
    return None
