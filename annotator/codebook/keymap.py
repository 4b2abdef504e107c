"""`--keymap`: remapping the annotate screen's bindings, checked before the UI starts.

A keymap is a YAML mapping of binding id to keys (`passage.done: ctrl+d`, several keys as
`ctrl+d, ctrl+e`). `read_keymap` checks it against `BINDINGS` (the annotate screen's
bindings and quit, by id, with their default keys) and the codebook, and returns it with
every key written as Textual names it (`!` becomes `exclamation_mark`, `shift+a` becomes `A`,
modifiers in Textual's order, spaces dropped), so that the checks compare like with like.
Every problem is reported as `file:line: what`, together:

* an unknown binding id, or one given twice;
* keys that are not text, or a key that is not a key name: a letter or digit (any script;
  with a modifier, an ASCII letter or digit), an ASCII punctuation character or its Textual
  name (`question_mark`, `slash`, `left_square_bracket`, ...), a named key (`enter`, `tab`,
  `escape`, `space`, `backspace`, `delete`, `insert`, `home`, `end`, `pageup`, `pagedown`,
  `up`, `down`, `left`, `right`, `f1`..`f24`), each optionally after modifiers `ctrl+`,
  `shift+`, `alt+`, `super+` (`shift+a` is written `A`, as terminals send it);
* a key that is a label or attribute key of any codebook layer (a letter typed on the
  annotate screen labels in the active layer before any binding sees it);
* a key that another binding has after the keymap is applied (its default, or its new key);
* for `app.quit` (bound everywhere, also while typing a note), a key that types a character;
* a key the passage view keeps: the cursor and selection keys (arrows with shift/ctrl, home,
  end, page up/down) for every binding, and for bindings that are not priority bindings also
  every other key it binds (ctrl+a, ctrl+c, ctrl+d, ...), which never reach them.
"""

from __future__ import annotations

import difflib
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from annotator.codebook.model import Codebook
from annotator.codebook.problems import CodebookError
from annotator.errors import InputError


@dataclass(frozen=True)
class UIBinding:
    """One remappable binding: its id, default keys (Textual names) and whether it has priority."""

    id: str
    keys: tuple[str, ...]
    priority: bool = False


# The annotate screen's bindings and the app's quit, as `annotator.tui` declares them (a test
# checks that the two agree).
BINDINGS: tuple[UIBinding, ...] = (
    UIBinding("layer.next", ("tab",), priority=True),
    UIBinding("layer.previous", ("shift+tab",), priority=True),
    UIBinding("select.jump", ("semicolon",)),
    UIBinding("select.anchor", ("space",)),
    UIBinding("select.clear", ("escape",)),
    UIBinding("passage.done", ("enter",), priority=True),
    UIBinding("passage.skip", ("greater_than_sign",)),
    UIBinding("passage.back", ("less_than_sign",)),
    UIBinding("passage.next", ("ctrl+n",)),
    UIBinding("passage.previous", ("ctrl+p",)),
    UIBinding("passage.flag", ("exclamation_mark",)),
    UIBinding("passage.comment", ("number_sign",)),
    UIBinding("label.undo", ("ctrl+z",), priority=True),
    UIBinding("label.redo", ("ctrl+y",), priority=True),
    UIBinding("label.previous", ("left_curly_bracket",)),
    UIBinding("label.next", ("right_curly_bracket",)),
    UIBinding("label.edit", ("equals_sign",)),
    UIBinding("label.delete", ("delete", "backspace"), priority=True),
    UIBinding("suggestion.accept", ("plus",)),
    UIBinding("suggestion.reject", ("minus",)),
    UIBinding("label.subtype", ("slash",)),
    UIBinding("stance.previous_target", ("left_square_bracket",)),
    UIBinding("stance.next_target", ("right_square_bracket",)),
    UIBinding("help.guidelines", ("f1",)),
    UIBinding("help.keys", ("question_mark",)),
    UIBinding("queue.open", ("f2",)),
    UIBinding("app.quit", ("ctrl+q",), priority=True),
)
BINDING_IDS: tuple[str, ...] = tuple(binding.id for binding in BINDINGS)

# The passage view (a read-only Textual TextArea) moves the cursor and selects with these.
CURSOR_KEYS = frozenset(
    {"up", "down", "left", "right", "home", "end", "pageup", "pagedown"}
    | {f"shift+{key}" for key in ("up", "down", "left", "right", "home", "end")}
    | {"ctrl+left", "ctrl+right", "ctrl+shift+left", "ctrl+shift+right", "ctrl+pageup", "ctrl+pagedown"}
)
# ... and binds these too (copy, select all, editing keys that do nothing read-only), so a
# binding without priority never sees them.
PASSAGE_VIEW_KEYS = CURSOR_KEYS | frozenset(
    {"ctrl+a", "ctrl+e", "f6", "f7", "backspace", "delete", "ctrl+w", "ctrl+backspace", "alt+backspace"}
    | {"ctrl+d", "alt+delete", "ctrl+x", "super+x", "ctrl+c", "super+c", "ctrl+v", "ctrl+u"}
    | {"super+backspace", "ctrl+k", "ctrl+shift+k", "ctrl+z", "super+z", "ctrl+y", "super+y"}
)

MODIFIERS = ("alt", "ctrl", "shift", "super")  # Textual writes them in this (sorted) order
NAMED_KEYS = frozenset(
    {"enter", "tab", "escape", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown"}
    | {"up", "down", "left", "right"}
    | {f"f{number}" for number in range(1, 25)}
)
# Textual treats these as the same key as the one they map to.
ALIASES = {"ctrl+i": "tab", "ctrl+m": "enter", "ctrl+j": "newline", "ctrl+space": "ctrl+at"}

_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def punctuation_key(character: str) -> str:
    """Textual's name for a punctuation character, e.g. `?` -> `question_mark`."""
    name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    return _REPLACEMENTS.get(name, name)


PUNCTUATION_NAMES = frozenset(punctuation_key(character) for character in string.punctuation)


def normalise_key(key: str) -> str | None:
    """`key` as Textual names it (modifiers sorted, aliases resolved), or None if it is no key."""
    key = key.strip()
    if len(key) == 1:
        if key.isalnum():
            return key
        return punctuation_key(key) if key in string.punctuation else None
    *written_modifiers, base = key.split("+")  # `+` after a modifier is written `plus`
    modifiers = [modifier.strip().lower() for modifier in written_modifiers]
    base = base.strip()
    if not base or any(modifier not in MODIFIERS for modifier in modifiers) or len(set(modifiers)) < len(modifiers):
        return None
    if len(base) == 1:
        if base in string.punctuation:
            base = punctuation_key(base)
        elif not base.isalnum() or (modifiers and not base.isascii()):
            return None
        elif modifiers:
            if base.isupper():  # `ctrl+A`: the letter, lower-cased, as Textual names it
                base = base.lower()
            if modifiers == ["shift"] and base.isalpha():
                return base.upper()  # a shifted letter arrives as the capital
    elif base.lower() in NAMED_KEYS or base.lower() in PUNCTUATION_NAMES:
        base = base.lower()
    else:
        return None
    written = "+".join([*sorted(modifiers), base])
    return ALIASES.get(written, written)


class KeymapError(CodebookError):
    """A keymap file has problems; `messages` lists each as `file:line: what`."""

    def __init__(self, source: str, messages: list[str]) -> None:
        count = len(messages)
        InputError.__init__(self, source, f"{count} problem{'s' if count != 1 else ''} in the keymap")
        self.messages = list(messages)


def read_keymap(path: Path, codebook: Codebook | None = None) -> dict[str, str]:
    """Read and check a keymap (see the module); returns binding id -> normalised keys."""
    try:
        content = path.read_text(encoding="utf-8")
        data = yaml.safe_load(content)
        node = yaml.compose(content)
    except (OSError, ValueError, yaml.YAMLError) as error:  # ValueError: bad UTF-8, a bad YAML date
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(str(path), f"cannot read keymap: {reason}") from None
    except RecursionError:
        raise InputError(str(path), "cannot read keymap: YAML nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InputError(str(path), "a keymap is a mapping of binding id to keys, e.g. `passage.done: ctrl+d`")
    problems: list[tuple[int, str]] = []
    entries: dict[str, tuple[int, list[str]]] = {}  # id -> line, normalised keys
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        binding_id = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(binding_id, str) or binding_id not in BINDING_IDS:
            shown = binding_id if isinstance(binding_id, str) else "(not text)"
            close = difflib.get_close_matches(shown, BINDING_IDS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(BINDING_IDS)})"
            problems.append((line, f"unknown binding id {shown!r}{hint}"))
            continue
        if binding_id in entries:
            problems.append((line, f"{binding_id}: given twice (first on line {entries[binding_id][0]})"))
            continue
        text = isinstance(value_node, yaml.ScalarNode) and value_node.tag == "tag:yaml.org,2002:str"
        value = value_node.value if text else None
        if not isinstance(value, str) or not value.strip():
            problems.append((line, f"{binding_id}: keys must be text, e.g. `{binding_id}: ctrl+d`"))
            continue
        keys: list[str] = []
        for written in value.split(","):
            key = normalise_key(written)
            if key is None:
                problems.append((line, f"{binding_id}: {written.strip()!r} is not a key name{_KEY_HELP}"))
            elif key not in keys:
                keys.append(key)
        entries[binding_id] = (line, keys)
    problems += _collisions(entries, codebook)
    if problems:
        problems.sort(key=lambda item: item[0])
        raise KeymapError(str(path), [f"{path}:{line}: {what}" for line, what in problems])
    return {binding_id: ",".join(keys) for binding_id, (_line, keys) in entries.items()}


_KEY_HELP = (
    " (a letter, digit or punctuation mark, a name such as enter, tab, escape, space, f5, up, pageup, "
    "question_mark, optionally after ctrl+, shift+, alt+ or super+)"
)


def _collisions(entries: dict[str, tuple[int, list[str]]], codebook: Codebook | None) -> list[tuple[int, str]]:
    """Keys taken twice, by the codebook or by the passage view."""
    codebook_keys = _codebook_keys(codebook)
    owner: dict[str, str] = {}  # key -> binding id, in effect after the keymap
    for binding in BINDINGS:
        if binding.id not in entries:
            for key in binding.keys:
                owner[key] = binding.id
    problems: list[tuple[int, str]] = []
    priority = {binding.id for binding in BINDINGS if binding.priority}
    for binding_id, (line, keys) in sorted(entries.items(), key=lambda item: item[1][0]):
        for key in keys:
            if key in codebook_keys:
                problems.append((line, f"{binding_id}: {key!r} is the key of {codebook_keys[key]}"))
                continue
            if binding_id == "app.quit" and _typed(key):
                problems.append((line, f"{binding_id}: {key!r} would quit while typing a note or comment"))
                continue
            if key in CURSOR_KEYS:
                problems.append((line, f"{binding_id}: {key!r} moves the cursor in the passage"))
                continue
            if key in PASSAGE_VIEW_KEYS and binding_id not in priority:
                problems.append(
                    (line, f"{binding_id}: {key!r} is taken by the passage view and would never reach the binding")
                )
                continue
            other = owner.get(key)
            if other is not None and other != binding_id:
                where = f" (line {entries[other][0]})" if other in entries else ""
                problems.append((line, f"{binding_id}: {key!r} is already the key of {other}{where}"))
                continue
            owner[key] = binding_id
    return problems


def _typed(key: str) -> bool:
    """Whether `key` types a character (quit is bound everywhere, also in the text prompts)."""
    return len(key) == 1 or key in PUNCTUATION_NAMES or key == "space"


def _codebook_keys(codebook: Codebook | None) -> dict[str, str]:
    """Every label and attribute key of every layer: key -> what it is, for messages."""
    keys: dict[str, str] = {}
    if codebook is None:
        return keys
    for layer in codebook.layers:
        for label in layer.active_labels:
            keys.setdefault(label.key, f"label {label.name!r} in layer {layer.name!r}")
        for attribute in layer.attributes:
            if attribute.key:
                keys.setdefault(attribute.key, f"attribute {attribute.name!r} in layer {layer.name!r}")
            for value in attribute.values:
                if value.key:
                    keys.setdefault(value.key, f"{attribute.name} {value.name!r} in layer {layer.name!r}")
    return keys
