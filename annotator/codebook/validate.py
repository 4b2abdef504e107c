"""Checks on what a codebook means: unique ids and keys, references that resolve, sound scales.

The loader has already checked the shape; empty values it reported are skipped here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from annotator.codebook.colors import color_problem
from annotator.codebook.keys import key_problem
from annotator.codebook.model import Codebook, Layer
from annotator.codebook.problems import Path, Problems


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


def validate(codebook: Codebook, problems: Problems) -> None:
    """Report every problem of meaning in `codebook` to `problems`."""
    _unique(problems, "target id", _ids(("targets",), codebook.targets))
    _unique(problems, "layer id", _ids(("layers",), codebook.layers))
    for index, layer in enumerate(codebook.layers):
        _LayerCheck(codebook, layer, ("layers", index), problems).run()


def _ids(path: Path, things: Iterable[_HasId]) -> list[tuple[Path, str]]:
    """The id of each thing in a list, with the path of its `id` field."""
    return [((*path, index, "id"), thing.id) for index, thing in enumerate(things)]


def _unique(problems: Problems, noun: str, items: Iterable[tuple[Path, str]]) -> None:
    """Report ids that occur twice, on the second occurrence."""
    first: dict[str, Path] = {}
    for path, ident in items:
        if not ident:
            continue
        if ident in first:
            first_line = problems.line(first[ident])
            problems.at(path, f"duplicate {noun} {ident!r} (first on line {first_line})")
        else:
            first[ident] = path


class _LayerCheck:
    """The checks of one layer; paths are relative to the layer's place in the file."""

    def __init__(self, codebook: Codebook, layer: Layer, path: Path, problems: Problems) -> None:
        self.codebook = codebook
        self.layer = layer
        self.path = path
        self.problems = problems
        self.what = f"layer {layer.id!r}"
        self.label_ids = {label.id for label in layer.labels}

    def at(self, *parts: str | int) -> Path:
        return self.path + parts

    def run(self) -> None:
        self.unique_ids()
        self.keys()
        self.labels()
        self.attributes()
        self.migrations()
        if self.layer.kind == "target_ordinal":
            self.scale()
            self.targets()
            self.collapse()

    def unique_ids(self) -> None:
        layer, at, problems = self.layer, self.at, self.problems
        _unique(problems, "label id", _ids(at("labels"), layer.labels))
        _unique(problems, "category id", _ids(at("categories"), layer.categories))
        _unique(problems, "attribute id", _ids(at("attributes"), layer.attributes))
        _unique(problems, "collapse class id", _ids(at("collapse"), layer.collapse))
        for i, label in enumerate(layer.labels):
            noun = f"subtype id in label {label.id!r}"
            _unique(problems, noun, _ids(at("labels", i, "subtypes"), label.subtypes))
        for i, attribute in enumerate(layer.attributes):
            noun = f"value id in attribute {attribute.id!r}"
            _unique(problems, noun, _ids(at("attributes", i, "values"), attribute.values))

    def keys(self) -> None:
        """Labels, choice values and flags share one key space; retired labels free their keys."""
        owners: list[tuple[Path, str, str]] = []
        for i, label in enumerate(self.layer.labels):
            if not label.retired:
                owners.append((self.at("labels", i, "key"), label.key, f"label {label.id!r}"))
        for i, attribute in enumerate(self.layer.attributes):
            if attribute.key is not None:
                path = self.at("attributes", i, "key")
                owners.append((path, attribute.key, f"flag {attribute.id!r}"))
            for j, value in enumerate(attribute.values):
                path = self.at("attributes", i, "values", j, "key")
                owner = f"value {value.id!r} of attribute {attribute.id!r}"
                owners.append((path, value.key, owner))
        taken: dict[str, tuple[Path, str]] = {}
        for path, key, owner in owners:
            if not key:
                continue
            problem = key_problem(key)
            if problem:
                self.problems.at(path, f"{owner}: {problem}")
            elif key in taken:
                other_path, other = taken[key]
                self.problems.at(
                    path,
                    f"{owner}: key {key!r} is already used in {self.what} by {other} "
                    f"(line {self.problems.line(other_path)})",
                )
            else:
                taken[key] = (path, owner)

    def labels(self) -> None:
        category_ids = [category.id for category in self.layer.categories]
        for i, label in enumerate(self.layer.labels):
            what = f"label {label.id!r}"
            if label.color:
                problem = color_problem(label.color)
                if problem:
                    self.problems.at(self.at("labels", i, "color"), f"{what}: {problem}")
            if label.category and label.category not in category_ids:
                known = ", ".join(category_ids) if category_ids else "none"
                self.problems.at(
                    self.at("labels", i, "category"),
                    f"{what}: unknown category {label.category!r} (categories of {self.what}: {known})",
                )

    def attributes(self) -> None:
        for i, attribute in enumerate(self.layer.attributes):
            what = f"attribute {attribute.id!r}"
            for j, label_id in enumerate(attribute.applies_to):
                if label_id not in self.label_ids:
                    self.problems.at(
                        self.at("attributes", i, "applies_to", j),
                        f"{what}: applies_to names unknown label {label_id!r}",
                    )
            value_ids = [value.id for value in attribute.values]
            choice_default = attribute.default if attribute.kind == "choice" else None
            if choice_default and choice_default not in value_ids:
                self.problems.at(
                    self.at("attributes", i, "default"),
                    f"{what}: default {attribute.default!r} is not one of its values ({', '.join(value_ids)})",
                )

    def migrations(self) -> None:
        """`replaces` and `split_from` must name retired labels of this layer."""
        for i, label in enumerate(self.layer.labels):
            named = [(self.at("labels", i, "replaces", j), "replaces", old) for j, old in enumerate(label.replaces)]
            if label.split_from:
                named.append((self.at("labels", i, "split_from"), "split_from", label.split_from))
            for path, field, old in named:
                if old == label.id:
                    self.problems.at(path, f"label {label.id!r}: {field} names the label itself")
                elif old not in self.label_ids:
                    self.problems.at(
                        path,
                        f"label {label.id!r}: {field} names unknown label {old!r} in {self.what}",
                    )
                elif not self.layer.label(old).retired:
                    self.problems.at(
                        path,
                        f"label {label.id!r}: {field} names {old!r}, which must then be marked 'retired: true'",
                    )

    def scale(self) -> None:
        """Exactly one active label means "no stance"; the others are distinct integer points."""
        values = [
            (i, label)
            for i, label in enumerate(self.layer.labels)
            if not label.retired and not self.problems.reported(self.at("labels", i, "value"))
        ]
        unreadable = len(values) < len(self.layer.active_labels)
        nulls = [i for i, label in values if label.value is None]
        if len(nulls) != 1 and not unreadable:
            path = self.at("labels", nulls[1]) if len(nulls) > 1 else self.at("labels")
            self.problems.at(
                path,
                f"{self.what}: a target_ordinal layer needs exactly one label with 'value: null' "
                f"(no stance expressed); found {len(nulls)}",
            )
        seen: dict[int, str] = {}
        duplicated = False
        for i, label in values:
            if label.value is None:
                continue
            if label.value in seen:
                duplicated = True
                self.problems.at(
                    self.at("labels", i, "value"),
                    f"label {label.id!r}: value {label.value} is already the value of label {seen[label.value]!r}",
                )
            else:
                seen[label.value] = label.id
        if len(seen) < 2 and not unreadable and not duplicated:
            self.problems.at(self.at("labels"), f"{self.what}: the scale needs at least two points")

    def targets(self) -> None:
        layer = self.layer
        if layer.target_layer:
            try:
                kind = self.codebook.layer(layer.target_layer).kind
            except KeyError:
                self.problems.at(
                    self.at("target_layer"),
                    f"{self.what}: target_layer {layer.target_layer!r} is not a layer of this codebook",
                )
            else:
                if kind != "span":
                    self.problems.at(
                        self.at("target_layer"),
                        f"{self.what}: target_layer {layer.target_layer!r} must be a span layer (it is {kind})",
                    )
        target_ids = [target.id for target in self.codebook.targets]
        for j, target_id in enumerate(layer.targets):
            if target_id not in target_ids:
                self.problems.at(
                    self.at("targets", j),
                    f"{self.what}: unknown target {target_id!r} (codebook targets: {', '.join(target_ids) or 'none'})",
                )
        if not layer.target_layer and not target_ids:
            self.problems.at(
                self.path,
                f"{self.what}: no stance targets; list codebook 'targets' or set a 'target_layer'",
            )

    def collapse(self) -> None:
        """Each label falls in exactly one coarse class, once any class is given."""
        if not self.layer.collapse:
            return
        placed: dict[str, str] = {}
        for i, collapsed_class in enumerate(self.layer.collapse):
            for j, label_id in enumerate(collapsed_class.labels):
                path = self.at("collapse", i, "labels", j)
                if label_id not in self.label_ids:
                    self.problems.at(path, f"collapse class {collapsed_class.id!r}: unknown label {label_id!r}")
                elif label_id in placed:
                    self.problems.at(
                        path,
                        f"collapse class {collapsed_class.id!r}: label {label_id!r} is already in "
                        f"class {placed[label_id]!r}",
                    )
                else:
                    placed[label_id] = collapsed_class.id
        missing = [label.id for label in self.layer.labels if label.id and label.id not in placed]
        if missing:
            self.problems.at(
                self.at("collapse"),
                f"{self.what}: collapse leaves out label{'s' if len(missing) > 1 else ''} "
                + ", ".join(repr(label_id) for label_id in missing),
            )
