"""Reading a codebook YAML file into the model, reporting every problem with its line.

The YAML is composed into nodes (which keep their line numbers) and read field by field: this
module checks the shape (known fields, types, required values); `validate` checks the meaning.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path as FilePath
from typing import TypeVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annotator.codebook.model import (
    ATTRIBUTE_KINDS,
    LAYER_KINDS,
    Attribute,
    AttributeValue,
    Category,
    Codebook,
    CollapsedClass,
    Label,
    Layer,
    LayerKind,
    Subtype,
    Target,
    subtype_attribute,
)
from annotator.codebook.paths import default_codebook_path
from annotator.codebook.problems import Path, Problems
from annotator.codebook.validate import validate
from annotator.errors import InputError

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"

# The fields each part may have; which are required, and which only some kinds may use, is
# checked where the part is read.
_CODEBOOK_FIELDS = ("name", "description", "language", "license", "targets", "layers")
_TARGET_FIELDS = ("id", "name", "description")
_LAYER_FIELDS = (
    "id",
    "name",
    "kind",
    "description",
    "guidelines",
    "allow_overlap",
    "categories",
    "attributes",
    "labels",
    "target_layer",
    "targets",
    "collapse",
)
_CATEGORY_FIELDS = ("id", "name", "description")
_LABEL_FIELDS = (
    "id",
    "name",
    "key",
    "color",
    "definition",
    "examples",
    "near_misses",
    "category",
    "value",
    "subtypes",
    "retired",
    "replaces",
    "split_from",
)
_SUBTYPE_FIELDS = ("id", "name")
_ATTRIBUTE_FIELDS = (
    "id",
    "name",
    "kind",
    "description",
    "values",
    "key",
    "applies_to",
    "default",
)
_VALUE_FIELDS = ("id", "name", "key")
_COLLAPSE_FIELDS = ("id", "name", "labels")

T = TypeVar("T")

_SPAN_ONLY = ("allow_overlap",)
_ORDINAL_ONLY = ("target_layer", "targets", "collapse")


def load_codebook(path: str | os.PathLike[str] | Traversable) -> Codebook:
    """Load and validate a codebook file; raises CodebookError listing every problem.

    A file that cannot be read as UTF-8 text is an InputError naming the file.
    """
    file = FilePath(path) if isinstance(path, (str, os.PathLike)) else path
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise InputError(str(file), reason) from None
    except UnicodeDecodeError as exc:
        raise InputError(str(file), f"not UTF-8 text (byte {exc.start})") from None
    return load_codebook_text(text, str(file))


def load_default_codebook() -> Codebook:
    """The codebook shipped with the tool."""
    return load_codebook(default_codebook_path())


def load_codebook_text(text: str, source_name: str) -> Codebook:
    """Load and validate codebook YAML; `source_name` prefixes every problem message."""
    problems = Problems(source_name)
    codebook = _parse(text, problems)
    if codebook is not None:
        validate(codebook, problems)
    problems.raise_if_any()
    assert codebook is not None  # every way of getting None reports a problem
    return codebook


def _parse(text: str, problems: Problems) -> Codebook | None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        problems.at_line(_error_line(exc, text), f"YAML syntax error: {_error_text(exc)}")
        return None
    except RecursionError:
        problems.at_line(1, "YAML nested too deeply")
        return None
    if root is None:
        problems.at_line(1, "the codebook is empty")
        return None
    try:
        return _Reader(problems).codebook(root)
    except RecursionError:
        problems.at_line(1, "YAML nested too deeply")
        return None


def _error_line(exc: yaml.YAMLError, text: str) -> int:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    position = getattr(exc, "position", None)  # a ReaderError: an unreadable character
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _error_text(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        return str(exc.problem or exc.context)
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
        return f"character U+{exc.character:04X} is not allowed in YAML"
    return str(exc)


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Builds model objects from nodes, recording lines and shape problems in `problems`."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self._scalars = SafeConstructor()

    # -- objects -------------------------------------------------------------------------

    def codebook(self, node: Node) -> Codebook | None:
        found = self._fields(node, (), "codebook", _CODEBOOK_FIELDS)
        if found is None:
            return None
        fields, what = found
        targets = self._list(fields, "targets", (), what, self._target)
        layers = self._list(fields, "layers", (), what, self._layer, required=True)
        return Codebook(
            name=self._text(fields, "name", (), what, required=True),
            description=self._text(fields, "description", (), what),
            language=self._text(fields, "language", (), what) or "en",
            license=self._text(fields, "license", (), what) or None,
            targets=targets,
            layers=layers,
        )

    def _target(self, node: Node, path: Path) -> Target | None:
        found = self._fields(node, path, "target", _TARGET_FIELDS)
        if found is None:
            return None
        fields, what = found
        return Target(
            id=self._ident(fields, "id", path, what),
            name=self._text(fields, "name", path, what, required=True),
            description=self._text(fields, "description", path, what),
        )

    def _layer(self, node: Node, path: Path) -> Layer | None:
        found = self._fields(node, path, "layer", _LAYER_FIELDS)
        if found is None:
            return None
        fields, what = found
        layer_id = self._ident(fields, "id", path, what)
        kind = self._text(fields, "kind", path, what, required=True)
        if kind and kind not in LAYER_KINDS:
            self.problems.at(path + ("kind",), f"{what}: unknown layer kind {kind!r} ({_one_of(LAYER_KINDS)})")
        # With an unknown kind, kind-specific fields are not held against the layer.
        known = kind in LAYER_KINDS
        self._only_for(fields, path, what, _SPAN_ONLY, kind == "span" or not known, "span layers")
        ordinal = kind == "target_ordinal" if known else None
        self._only_for(fields, path, what, _ORDINAL_ONLY, ordinal is not False, "target_ordinal layers")

        def label(node: Node, label_path: Path) -> Label | None:
            return self._label(node, label_path, ordinal)

        labels = self._list(fields, "labels", path, what, label, required=True)
        attributes = self._list(fields, "attributes", path, what, self._attribute)
        subtypes = subtype_attribute(labels)
        if subtypes is not None:
            if any(attribute.id == subtypes.id for attribute in attributes):
                self.problems.at(path, f"{what}: attribute id {subtypes.id!r} is kept for the labels' subtypes")
            attributes = (*attributes, subtypes)
        return Layer(
            id=layer_id,
            name=self._text(fields, "name", path, what, required=True),
            kind=LayerKind(kind) if kind in LAYER_KINDS else kind,  # type: ignore[arg-type]  # an unknown kind was reported above
            description=self._text(fields, "description", path, what),
            guidelines=self._text(fields, "guidelines", path, what) or layer_id,
            allow_overlap=self._bool(fields, "allow_overlap", path, what),
            categories=self._list(fields, "categories", path, what, self._category),
            attributes=attributes,
            labels=labels,
            target_layer=self._ident(fields, "target_layer", path, what, required=False) or None,
            targets=self._idents(fields, "targets", path, what),
            collapse=self._list(fields, "collapse", path, what, self._collapsed_class),
        )

    def _category(self, node: Node, path: Path) -> Category | None:
        found = self._fields(node, path, "category", _CATEGORY_FIELDS)
        if found is None:
            return None
        fields, what = found
        return Category(
            id=self._ident(fields, "id", path, what),
            name=self._text(fields, "name", path, what, required=True),
            description=self._text(fields, "description", path, what),
        )

    def _label(self, node: Node, path: Path, ordinal: bool | None) -> Label | None:
        """`ordinal` is None when the layer's kind is unknown."""
        found = self._fields(node, path, "label", _LABEL_FIELDS)
        if found is None:
            return None
        fields, what = found
        value = None
        if ordinal or (ordinal is None and "value" in fields):
            value = self._ordinal_value(fields, path, what)
        elif "value" in fields:
            only = f"{what}: 'value' is only for target_ordinal layers"
            self.problems.at(path + ("value",), only)
        return Label(
            id=self._ident(fields, "id", path, what),
            name=self._text(fields, "name", path, what, required=True),
            key=self._key(fields, "key", path, what, required=True),
            color=self._text(fields, "color", path, what, required=True, hint=_COLOR_HINT),
            definition=self._text(fields, "definition", path, what, required=True),
            examples=self._texts(fields, "examples", path, what, required=True),
            near_misses=self._texts(fields, "near_misses", path, what, required=True),
            category=self._ident(fields, "category", path, what, required=False) or None,
            value=value,
            subtypes=self._list(fields, "subtypes", path, what, self._subtype),
            retired=self._bool(fields, "retired", path, what),
            replaces=self._idents(fields, "replaces", path, what),
            split_from=self._ident(fields, "split_from", path, what, required=False) or None,
        )

    def _ordinal_value(self, fields: Mapping[str, Node], path: Path, what: str) -> int | None:
        node = fields.get("value")
        if node is None:
            self.problems.at(
                path + ("value",),
                f"{what}: 'value' is missing (an integer scale point, or null for the one label meaning no stance)",
            )
            return None
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            return None
        if isinstance(node, ScalarNode) and node.tag == _INT:
            return int(self._scalars.construct_yaml_int(node))
        self.problems.at(path + ("value",), f"{what}: 'value' must be an integer or null")
        return None

    def _subtype(self, node: Node, path: Path) -> Subtype | None:
        found = self._fields(node, path, "subtype", _SUBTYPE_FIELDS)
        if found is None:
            return None
        fields, what = found
        return Subtype(
            id=self._ident(fields, "id", path, what),
            name=self._text(fields, "name", path, what, required=True),
        )

    def _attribute(self, node: Node, path: Path) -> Attribute | None:
        found = self._fields(node, path, "attribute", _ATTRIBUTE_FIELDS)
        if found is None:
            return None
        fields, what = found
        kind = self._text(fields, "kind", path, what, required=True)
        if kind and kind not in ATTRIBUTE_KINDS:
            self.problems.at(
                path + ("kind",),
                f"{what}: unknown attribute kind {kind!r} ({_one_of(ATTRIBUTE_KINDS)})",
            )
        values: tuple[AttributeValue, ...] = ()
        key = None
        default: str | bool | None = None
        if kind == "choice":
            self._only_for(fields, path, what, ("key",), False, "flag attributes")
            values = self._list(fields, "values", path, what, self._attribute_value, required=True)
            default = self._ident(fields, "default", path, what, required=False) or None
        elif kind == "flag":
            self._only_for(fields, path, what, ("values",), False, "choice attributes")
            key = self._key(fields, "key", path, what, required=True)
            default = self._bool(fields, "default", path, what)
        return Attribute(
            id=self._ident(fields, "id", path, what),
            name=self._text(fields, "name", path, what, required=True),
            kind=kind,  # type: ignore[arg-type]  # an unknown kind was reported above
            values=values,
            key=key,
            applies_to=self._idents(fields, "applies_to", path, what),
            default=default,
            description=self._text(fields, "description", path, what),
        )

    def _attribute_value(self, node: Node, path: Path) -> AttributeValue | None:
        found = self._fields(node, path, "value", _VALUE_FIELDS)
        if found is None:
            return None
        fields, what = found
        return AttributeValue(
            id=self._ident(fields, "id", path, what),
            name=self._text(fields, "name", path, what, required=True),
            key=self._key(fields, "key", path, what, required=True),
        )

    def _collapsed_class(self, node: Node, path: Path) -> CollapsedClass | None:
        found = self._fields(node, path, "collapse class", _COLLAPSE_FIELDS)
        if found is None:
            return None
        fields, what = found
        return CollapsedClass(
            id=self._ident(fields, "id", path, what),
            name=self._text(fields, "name", path, what, required=True),
            labels=self._idents(fields, "labels", path, what, required=True),
        )

    # -- fields --------------------------------------------------------------------------

    def _fields(self, node: Node, path: Path, noun: str, known: tuple[str, ...]) -> tuple[dict[str, Node], str] | None:
        """A mapping node's fields and how to name it; reports duplicate and unknown fields."""
        if not isinstance(node, MappingNode):
            article = "an" if noun[0] in "aeiou" else "a"
            self.problems.at_line(_line(node), f"{article} {noun} must be a mapping of 'field: value' lines")
            return None
        self.problems.record(path, _line(node))
        what = _describe(noun, node)
        fields: dict[str, Node] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(name, str):
                self.problems.at_line(_line(key_node), f"{what}: field names must be plain text")
            elif name in fields:
                self.problems.at_line(_line(key_node), f"{what}: duplicate field {name!r}")
            elif name not in known:
                self.problems.at_line(_line(key_node), _unknown_field(name, what, known))
            else:
                fields[name] = value_node
                self.problems.record(path + (name,), _line(key_node))
        return fields, what

    def _present(
        self,
        fields: Mapping[str, Node],
        name: str,
        path: Path,
        what: str,
        required: bool,
        hint: str = "",
    ) -> Node | None:
        """The field's node, or None when it is absent or null (reported when required)."""
        node = fields.get(name)
        if node is None:
            if required:
                self.problems.at(path, f"{what}: {name!r} is missing{hint}")
            return None
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            if required:
                self.problems.at(path + (name,), f"{what}: {name!r} is empty{hint}")
            return None
        return node

    def _text(
        self,
        fields: Mapping[str, Node],
        name: str,
        path: Path,
        what: str,
        required: bool = False,
        hint: str = "",
    ) -> str:
        node = self._present(fields, name, path, what, required, hint)
        if node is None:
            return ""
        if not isinstance(node, ScalarNode):
            self.problems.at(path + (name,), f"{what}: {name!r} must be text")
            return ""
        text = _squeeze(node.value)
        if required and not text:
            self.problems.at(path + (name,), f"{what}: {name!r} is empty{hint}")
        return text

    def _ident(self, fields: Mapping[str, Node], name: str, path: Path, what: str, required: bool = True) -> str:
        text = self._text(fields, name, path, what, required=required)
        if text and not _is_snake_case(text):
            self.problems.at(
                path + (name,),
                f"{what}: {name} {text!r} must be snake_case (a-z, 0-9 and _, starting with a letter)",
            )
        return text

    def _key(self, fields: Mapping[str, Node], name: str, path: Path, what: str, required: bool) -> str:
        """A shortcut key keeps its source text: `key: 1` is the key "1", not the number."""
        node = self._present(fields, name, path, what, required)
        if node is None:
            return ""
        if not isinstance(node, ScalarNode):
            self.problems.at(path + (name,), f"{what}: {name!r} must be a single character")
            return ""
        if required and not node.value:
            self.problems.at(path + (name,), f"{what}: {name!r} is empty")
        return node.value

    def _bool(self, fields: Mapping[str, Node], name: str, path: Path, what: str) -> bool:
        node = self._present(fields, name, path, what, required=False)
        if node is None:
            return False
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return bool(self._scalars.construct_yaml_bool(node))
        self.problems.at(path + (name,), f"{what}: {name!r} must be true or false")
        return False

    def _list(
        self,
        fields: Mapping[str, Node],
        name: str,
        path: Path,
        what: str,
        build: Callable[[Node, Path], T | None],
        required: bool = False,
    ) -> tuple[T, ...]:
        """Build each item of a list field; paths count the items built, as the model does."""
        built: list[T] = []
        for item in self._items(fields, name, path, what, required):
            thing = build(item, path + (name, len(built)))
            if thing is not None:
                built.append(thing)
        return tuple(built)

    def _items(
        self, fields: Mapping[str, Node], name: str, path: Path, what: str, required: bool = False
    ) -> list[Node]:
        node = self._present(fields, name, path, what, required)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.problems.at(path + (name,), f"{what}: {name!r} must be a list ('- ...' lines)")
            return []
        if required and not node.value:
            self.problems.at(path + (name,), f"{what}: {name!r} needs at least one entry")
        return list(node.value)

    def _texts(
        self, fields: Mapping[str, Node], name: str, path: Path, what: str, required: bool = False
    ) -> tuple[str, ...]:
        texts: list[str] = []
        for item in self._items(fields, name, path, what, required):
            self.problems.record(path + (name, len(texts)), _line(item))
            readable = isinstance(item, ScalarNode) and item.tag != _NULL
            text = _squeeze(item.value) if readable else ""
            if not isinstance(item, ScalarNode):
                self.problems.at_line(_line(item), f"{what}: each of {name!r} must be text")
            elif not text:
                self.problems.at_line(_line(item), f"{what}: an entry of {name!r} is empty")
            else:
                texts.append(text)
        return tuple(texts)

    def _idents(
        self, fields: Mapping[str, Node], name: str, path: Path, what: str, required: bool = False
    ) -> tuple[str, ...]:
        idents = self._texts(fields, name, path, what, required)
        for index, ident in enumerate(idents):
            if not _is_snake_case(ident):
                self.problems.at(path + (name, index), f"{what}: {name} entry {ident!r} is not a snake_case id")
        return idents

    def _only_for(
        self,
        fields: Mapping[str, Node],
        path: Path,
        what: str,
        names: tuple[str, ...],
        allowed: bool,
        kinds: str,
    ) -> None:
        if allowed:
            return
        for name in names:
            if name in fields:
                self.problems.at(path + (name,), f"{what}: {name!r} is only for {kinds}")


_COLOR_HINT = ' (write it quoted: color: "#rrggbb")'


def _squeeze(text: str) -> str:
    """Text with runs of whitespace made one space, so YAML block styles do not change content."""
    return " ".join(text.split())


def _is_snake_case(text: str) -> bool:
    return (
        text[:1].isascii()
        and text[:1].islower()
        and all(char.isascii() and (char.islower() or char.isdigit() or char == "_") for char in text)
    )


def _one_of(choices: tuple[str, ...]) -> str:
    return "expected one of: " + ", ".join(choices)


def _unknown_field(name: str, what: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    suggestion = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
    return f"{what}: unknown field {name!r}{suggestion}"


def _describe(noun: str, node: MappingNode) -> str:
    """How messages name an object: by its id when it has one."""
    for key_node, value_node in node.value:
        if key_node.value == "id" and isinstance(value_node, ScalarNode) and value_node.value:
            return f"{noun} {value_node.value!r}"
    return noun
