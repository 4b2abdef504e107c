"""Import labels made elsewhere: our JSONL format, or SemEval-2020 Task 11 (PTC) span files.

A file is all or nothing: every line is checked first and each bad one is reported as
`file:line: reason`; nothing is written if any line is bad, unless `skip_bad` (then the good
lines are written). Labels are written with `add_label` and `origin="import"`.

JSONL, one object per line (offsets are code points into the article text, end exclusive):
    {"article": ID, "annotator": NAME, "layer": L, "label": X, "start": N, "end": N}   span layers
    {"article": ID, "passage": INDEX, "annotator": NAME, "layer": L, "label": X}      passage layers
plus "target" (and optionally "value", checked against the label) for stance-like layers and
an optional "attributes" object. ID is the article's external id or its sha256.

PTC: `article_id<TAB>technique<TAB>start<TAB>end`; the article is found by external id, by
"article" + id (the stem of PTC's `article<id>.txt` files) or by sha256. Techniques become
labels through `DEFAULT_PTC_MAPPING` (with `--mapping` entries replacing it technique by
technique); each label goes to the codebook's span layer that has it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from annotator.codebook import Codebook, Layer
from annotator.codebook.store import load_active_codebook
from annotator.db.engine import write_session
from annotator.db.models import Annotator, Article, Passage
from annotator.errors import AnnotatorError, InputError
from annotator.label_rules import check_label
from annotator.labels import LabelContent, add_label, current_labels_query

FORMATS = ("jsonl", "ptc")
_LOOKUP_CHUNK = 500

# PTC technique -> default codebook rhetoric label (SemEval-2020 Task 11 names, both the 14
# merged classes and the 18 classes before merging). The two merged classes that join
# techniques of different 2023 labels cannot be split without re-reading the text: they go to
# `other_unsure`, for review (or map them with `--mapping`).
DEFAULT_PTC_MAPPING: dict[str, str | None] = {
    "Appeal_to_Authority": "appeal_to_authority",
    "Appeal_to_fear-prejudice": "appeal_to_fear_prejudice",
    "Bandwagon,Reductio_ad_hitlerum": "other_unsure",
    "Bandwagon": "appeal_to_popularity",
    "Reductio_ad_hitlerum": "guilt_by_association",
    "Black-and-White_Fallacy": "false_dilemma_no_choice",
    "Causal_Oversimplification": "causal_oversimplification",
    "Doubt": "doubt",
    "Exaggeration,Minimisation": "exaggeration_minimisation",
    "Flag-Waving": "flag_waving",
    "Loaded_Language": "loaded_language",
    "Name_Calling,Labeling": "name_calling_labeling",
    "Obfuscation,Intentional_Vagueness,Confusion": "obfuscation_vagueness_confusion",
    "Repetition": "repetition",
    "Slogans": "slogans",
    "Thought-terminating_Cliches": "conversation_killer",
    "Whataboutism,Straw_Men,Red_Herring": "other_unsure",
    "Whataboutism": "whataboutism",
    "Straw_Men": "straw_man",
    "Red_Herring": "red_herring",
}


@dataclass
class LabelImportReport:
    """What an import did: labels written, and every bad line as `file:line: reason`."""

    imported: int = 0
    lines: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Line:
    """One parsed line, before it is checked against the database."""

    where: str
    article: str
    annotator: str | None
    layer: str
    label: str
    start: int | None = None
    end: int | None = None
    passage: int | None = None
    target: str | None = None
    value: Any = None
    has_value: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _ArticleInfo:
    text: str
    passages: tuple[Passage, ...]
    """By start offset."""


@dataclass(frozen=True)
class _Good:
    passage: Passage
    annotator_id: int
    content: LabelContent


def import_labels(
    engine: Engine,
    path: Path,
    *,
    fmt: str = "jsonl",
    annotator: str | None = None,
    skip_bad: bool = False,
    mapping_path: Path | None = None,
) -> LabelImportReport:
    """Check every line of `path`, then write all of them (or, with `skip_bad`, the good ones)."""
    if fmt not in FORMATS:
        raise AnnotatorError(f"unknown label format {fmt!r} (choose from {', '.join(FORMATS)})")
    active = load_active_codebook(engine)
    report = LabelImportReport()
    if fmt == "jsonl":
        parsed = list(_parse_jsonl(path))
    else:
        if annotator is None:
            raise AnnotatorError("PTC files name no annotator: give --annotator NAME")
        parsed = list(_parse_ptc(path, active.codebook, _ptc_mapping(mapping_path)))
    report.lines = len(parsed)
    with write_session(engine) as session:
        lines = [item for item in parsed if isinstance(item, _Line)]
        checker = _Checker(session, active.codebook, annotator, _articles(session, lines, ptc=fmt == "ptc"))
        good: list[_Good] = []
        for item in parsed:
            try:
                if isinstance(item, InputError):
                    report.errors.append(str(item))
                else:
                    good.append(checker.check(item))
            except InputError as error:
                report.errors.append(str(error))
        if report.errors and not skip_bad:
            return report
        for label in good:
            add_label(
                session,
                passage_id=label.passage.id,
                annotator_id=label.annotator_id,
                codebook_version_id=active.version_id,
                content=label.content,
                origin="import",
            )
        report.imported = len(good)
    return report


def _read_lines(path: Path) -> Iterator[tuple[str, str]]:
    """`(file:line, text)` for every non-blank line; a file that is not UTF-8 is one error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except (UnicodeDecodeError, IsADirectoryError) as error:
        raise InputError(str(path), f"cannot read as UTF-8 text ({error.__class__.__name__})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{path}:{number}", line


def _parse_jsonl(path: Path) -> Iterator[_Line | InputError]:
    for where, line in _read_lines(path):
        try:
            yield _jsonl_line(where, line)
        except InputError as error:
            yield error


def _jsonl_line(where: str, line: str) -> _Line:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(where, f"not JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise InputError(where, "expected a JSON object")
    for name in ("article", "layer", "label"):
        if name not in data:
            raise InputError(where, f"missing {name!r}")
    for name in ("start", "end", "passage"):
        if name in data and (not isinstance(data[name], int) or isinstance(data[name], bool)):
            raise InputError(where, f"{name!r} must be an integer")
    for name in ("annotator", "layer", "label", "target"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise InputError(where, f"{name!r} must be a string")
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise InputError(where, "'attributes' must be an object")
    return _Line(
        where=where,
        article=str(data["article"]),
        annotator=data.get("annotator"),
        layer=data["layer"],
        label=data["label"],
        start=data.get("start"),
        end=data.get("end"),
        passage=data.get("passage"),
        target=data.get("target"),
        value=data.get("value"),
        has_value="value" in data,
        attributes=attributes,
    )


def _ptc_mapping(path: Path | None) -> dict[str, str | None]:
    """The default technique mapping with the entries of the YAML file at `path` replacing it."""
    mapping = dict(DEFAULT_PTC_MAPPING)
    if path is None:
        return mapping
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        reason = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        raise InputError(str(path), f"cannot read mapping ({reason})") from None
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and (value is None or isinstance(value, str)) for key, value in data.items()
    ):
        raise InputError(str(path), "expected a mapping of technique names to label ids (or null)")
    mapping.update(data)
    return mapping


def _parse_ptc(path: Path, codebook: Codebook, mapping: dict[str, str | None]) -> Iterator[_Line | InputError]:
    span_layers = [layer for layer in codebook.layers if layer.kind == "span"]
    for where, line in _read_lines(path):
        fields = line.split("\t")
        if len(fields) != 4:
            yield InputError(where, "expected article_id<TAB>technique<TAB>start<TAB>end")
            continue
        article, technique, start, end = (value.strip() for value in fields)
        if not (start.isdigit() and end.isdigit()):
            yield InputError(where, "start and end must be integers")
            continue
        if technique not in mapping:
            yield InputError(where, f"unknown technique {technique!r} (not in the mapping)")
            continue
        label = mapping[technique]
        if label is None:
            yield InputError(where, f"technique {technique!r} is mapped to nothing")
            continue
        layer = next((layer for layer in span_layers if _has_label(layer, label)), None)
        if layer is None:
            yield InputError(where, f"label {label!r} (technique {technique!r}) is in no span layer of the codebook")
            continue
        yield _Line(where, article, None, layer.id, label, int(start), int(end))


def _has_label(layer: Layer, label_id: str) -> bool:
    return any(label.id == label_id for label in layer.labels)


class _Checker:
    """Checks lines against the codebook, the corpus and the labels already there."""

    def __init__(
        self, session: Session, codebook: Codebook, annotator: str | None, articles: dict[str, _ArticleInfo | str]
    ) -> None:
        self.codebook = codebook
        self.annotator_override = annotator
        active = select(Annotator.name, Annotator.id).where(Annotator.active.is_(True))
        self.people = dict(session.execute(active).all())
        self.articles = articles
        passage_ids = [p.id for info in articles.values() if isinstance(info, _ArticleInfo) for p in info.passages]
        self.taken: dict[tuple, str] = {}
        self.spans: dict[tuple, list[tuple[int, int, str]]] = defaultdict(list)
        for offset in range(0, len(passage_ids), _LOOKUP_CHUNK):
            query = current_labels_query(passage_ids=passage_ids[offset : offset + _LOOKUP_CHUNK])
            for row in session.scalars(query):
                self._remember(row.passage_id, row.annotator_id, LabelContent.of(row), "already present")

    def check(self, line: _Line) -> _Good:
        """The label to write for `line`, or an `InputError` saying what is wrong with it."""
        annotator_id = self._annotator(line)
        article = self.articles.get(line.article)
        if article is None:
            raise InputError(line.where, f"unknown article {line.article!r}")
        if isinstance(article, str):
            raise InputError(line.where, article)
        try:
            layer = self.codebook.layer(line.layer)
        except KeyError:
            raise InputError(line.where, f"unknown layer {line.layer!r}") from None
        passage = self._passage(line, layer, article)
        if not passage.annotatable:
            raise InputError(line.where, f"passage {passage.index} is not annotatable ({passage.kind})")
        content = LabelContent(line.layer, line.label, line.start, line.end, line.target, line.attributes)
        try:
            check_label(self.codebook, passage, content)
        except AnnotatorError as error:
            raise InputError(line.where, str(error)) from None
        self._check_target(line, layer, article.text[passage.start : passage.end])
        self._check_conflicts(line, layer, passage.id, annotator_id, content)
        self._remember(passage.id, annotator_id, content, f"repeats line {line.where.rsplit(':', 1)[1]}")
        return _Good(passage, annotator_id, content)

    def _annotator(self, line: _Line) -> int:
        name = self.annotator_override or line.annotator
        if not name:
            raise InputError(line.where, 'no annotator: give --annotator or an "annotator" field')
        if name not in self.people:
            raise InputError(line.where, f"unknown annotator {name!r} (add people first: `annotator annotators add`)")
        return self.people[name]

    def _passage(self, line: _Line, layer: Layer, article: _ArticleInfo) -> Passage:
        if layer.kind != "span":
            if line.passage is None:
                raise InputError(line.where, f'layer {layer.id!r} labels passages: give "passage" (an index)')
            passage = next((p for p in article.passages if p.index == line.passage), None)
            if passage is None:
                raise InputError(line.where, f"article {line.article!r} has no passage {line.passage}")
            return passage
        if line.start is None or line.end is None:
            raise InputError(line.where, f"layer {layer.id!r} labels spans: give start and end")
        if not 0 <= line.start < line.end <= len(article.text):
            raise InputError(
                line.where, f"span {line.start}-{line.end} is out of range (article has {len(article.text)} characters)"
            )
        touched = [p for p in article.passages if p.start < line.end and line.start < p.end]
        if len(touched) == 1 and touched[0].start <= line.start and line.end <= touched[0].end:
            return touched[0]
        if len(touched) > 1:
            indexes = ", ".join(str(p.index) for p in touched)
            raise InputError(line.where, f"span {line.start}-{line.end} crosses passages ({indexes})")
        raise InputError(line.where, f"span {line.start}-{line.end} is not inside a passage")

    def _check_target(self, line: _Line, layer: Layer, passage_text: str) -> None:
        if layer.kind != "target_ordinal":
            if line.target is not None or line.has_value:
                raise InputError(line.where, f"layer {layer.id!r} takes no target or value")
            return
        known = {target.id for target in self.codebook.targets_for(layer.id)}
        if line.target not in known and not (layer.target_layer and line.target in passage_text):
            raise InputError(
                line.where, f"unknown target {line.target!r}: not a codebook target nor text of the passage"
            )
        expected = layer.label(line.label).value
        if line.has_value and (line.value != expected or isinstance(line.value, bool)):
            raise InputError(line.where, f"value {line.value!r} does not match label {line.label!r} ({expected})")

    def _check_conflicts(
        self, line: _Line, layer: Layer, passage_id: int, annotator_id: int, content: LabelContent
    ) -> None:
        for key, problem in _keys(layer, passage_id, annotator_id, content):
            if key in self.taken:
                raise InputError(line.where, f"{problem} ({self.taken[key]})")
        if layer.kind == "span" and not layer.allow_overlap:
            for start, end, why in self.spans[(passage_id, annotator_id, layer.id)]:
                if start < content.span_end and content.span_start < end:
                    raise InputError(
                        line.where, f"span overlaps span {start}-{end} ({why}); layer {layer.id!r} allows no overlaps"
                    )

    def _remember(self, passage_id: int, annotator_id: int, content: LabelContent, why: str) -> None:
        try:
            layer = self.codebook.layer(content.layer)
        except KeyError:
            return
        for key, _problem in _keys(layer, passage_id, annotator_id, content):
            self.taken.setdefault(key, why)
        if layer.kind == "span":
            self.spans[(passage_id, annotator_id, layer.id)].append((content.span_start, content.span_end, why))


def _keys(layer: Layer, passage_id: int, annotator_id: int, content: LabelContent) -> list[tuple[tuple, str]]:
    """What one annotator may hold only once on a passage, with the complaint when it is taken:
    the label itself, and for single-choice layers the slot (the layer, or layer and target)."""
    same = (passage_id, annotator_id, layer.id, content.label, content.span_start, content.span_end, content.target)
    keys = [(same, "duplicate label")]
    if layer.kind == "passage_single":
        keys.append(((passage_id, annotator_id, layer.id), f"the annotator already has a {layer.id!r} label here"))
    elif layer.kind == "target_ordinal":
        slot = (passage_id, annotator_id, layer.id, content.target)
        keys.append((slot, f"the annotator already has a {layer.id!r} label for this target"))
    return keys


def _articles(session: Session, lines: list[_Line], *, ptc: bool) -> dict[str, _ArticleInfo | str]:
    """Articles by reference (external id or sha256; PTC also "article" + id), with their passages.

    An ambiguous reference maps to the reason instead.
    """
    references = {line.article for line in lines}
    aliases = {ref: [ref, f"article{ref}"] if ptc else [ref] for ref in references}
    names = sorted({name for names in aliases.values() for name in names})
    found: dict[str, dict[int, str]] = defaultdict(dict)
    for offset in range(0, len(names), _LOOKUP_CHUNK):
        chunk = names[offset : offset + _LOOKUP_CHUNK]
        query = select(Article.id, Article.external_id, Article.sha256, Article.text).where(
            Article.external_id.in_(chunk) | Article.sha256.in_(chunk)
        )
        for row in session.execute(query):
            for name in {row.external_id, row.sha256}:
                found[name][row.id] = row.text
    passages: dict[int, list[Passage]] = defaultdict(list)
    article_ids = sorted({article_id for texts in found.values() for article_id in texts})
    for offset in range(0, len(article_ids), _LOOKUP_CHUNK):
        query = select(Passage).where(Passage.article_id.in_(article_ids[offset : offset + _LOOKUP_CHUNK]))
        for passage in session.scalars(query.order_by(Passage.start)):
            passages[passage.article_id].append(passage)
    result: dict[str, _ArticleInfo | str] = {}
    for ref, names in aliases.items():
        texts = next((found[name] for name in names if found.get(name)), {})
        if len(texts) > 1:
            result[ref] = f"article id {ref!r} is ambiguous ({len(texts)} articles): use its sha256"
        elif texts:
            ((article_id, text),) = texts.items()
            result[ref] = _ArticleInfo(text, tuple(passages[article_id]))
    return result
