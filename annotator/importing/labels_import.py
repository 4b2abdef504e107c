"""Import labels made elsewhere: our JSONL format, or SemEval-2020 Task 11 (PTC) span files.

A file is all or nothing: every line is checked first and each bad one is reported as
`file:line: reason`; nothing is written if any line is bad, unless `skip_bad` (then the good
lines are written). Labels are written with `add_label` and `origin="import"`.

Span offsets, in both formats, are code points into the original article file, end exclusive,
decoded with nothing removed: `open(path, encoding="utf-8", newline="").read()` (a BOM and the
\\r of each \\r\\n count; for a JSONL or CSV article, offsets into its `text` value). Before
anything else they are mapped onto the stored text through the article's `source_gaps`
(`annotator.core.source_map`); a span whose first or last character is one the stored text
dropped cannot be placed exactly and is refused, never moved. A span that crosses passages
or lies in a title or heading passage is refused with the `annotator import` options that
would let it in.

Coverage (`coverage`): the passages an imported annotator covered are marked done for them
(an `assignments` row with status "done", created or updated), so agreement and review count
passages where they found nothing: "articles" (default) every annotatable passage of each
article they have imported labels in, "labelled" only the passages with one of their
imported labels, "none" nothing.

JSONL, one object per line:
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

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from annotator.assignment import load_mode
from annotator.codebook import Codebook, Layer
from annotator.codebook.store import load_active_codebook
from annotator.core.enums import Origin
from annotator.core.kinds import rules_of
from annotator.core.rules import PassageText, RuleViolation, check_label
from annotator.core.source_map import SourceMap, SpanNotPlaced
from annotator.db.engine import write_session
from annotator.db.models import Annotator, Article, Assignment, Passage, utcnow
from annotator.errors import AnnotatorError, InputError
from annotator.importing.readers import NUL_IN_TEXT, is_offset, parse_json_line, read_nonblank_lines, unstorable
from annotator.labels import LabelContent, add_label, current_labels_query

FORMATS = ("jsonl", "ptc")
COVERAGE = ("articles", "labelled", "none")
_LOOKUP_CHUNK = 500
_HEADING_KINDS = ("title", "heading", "byline")
_CROSSING_HINT = (
    "re-import the articles (into a new database) with --passages lines --keep-spans FILE or --passages article"
)

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
    covered: int = 0
    """(annotator, passage) pairs marked done by `coverage`."""


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
    given: tuple[int, int] | None = None
    """The span offsets as the file gave them (source offsets), once start and end are stored ones."""

    @property
    def span(self) -> str:
        """The span as the file gave it, for messages."""
        start, end = self.given or (self.start, self.end)
        return f"{start}-{end}"


@dataclass(frozen=True)
class _ArticleInfo:
    text: str
    passages: tuple[Passage, ...]
    """By start offset."""
    source: SourceMap = field(default_factory=SourceMap)


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
    coverage: str = "articles",
) -> LabelImportReport:
    """Check every line of `path`, then write all of them (or, with `skip_bad`, the good ones),
    and mark the passages the file's annotators covered done for them (see `coverage`)."""
    if fmt not in FORMATS:
        raise AnnotatorError(f"unknown label format {fmt!r} (choose from {', '.join(FORMATS)})")
    if coverage not in COVERAGE:
        raise AnnotatorError(f"unknown coverage {coverage!r} (choose from {', '.join(COVERAGE)})")
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
        errors: dict[int, str] = {}
        # Spans first, so that a stance line may name an actor span given on a later line.
        for number in sorted(range(len(parsed)), key=lambda index: _needs_target(active.codebook, parsed[index])):
            item = parsed[number]
            try:
                if isinstance(item, InputError):
                    errors[number] = str(item)
                else:
                    good.append(checker.check(_to_stored(item, checker.articles)))
            except InputError as error:
                errors[number] = str(error)
        report.errors.extend(errors[number] for number in sorted(errors))
        if report.errors and not skip_bad:
            return report
        now = utcnow()  # before the labels, so a release of them counts this coverage
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
        report.covered = _mark_covered(session, good, checker.articles, coverage, now)
    return report


def _to_stored(line: _Line, articles: dict[str, _ArticleInfo | str]) -> _Line:
    """`line` with its span (source offsets into the article's file) placed on the stored text."""
    if line.start is None or line.end is None:
        return line
    article = articles.get(line.article)
    if not isinstance(article, _ArticleInfo):
        return line  # the checker says what is wrong with the article
    length = article.source.source_length(len(article.text))
    if not 0 <= line.start < line.end <= length:
        raise InputError(line.where, f"span {line.span} is out of range (article has {length} characters)")
    try:
        start, end = article.source.span_to_stored(line.start, line.end)
    except SpanNotPlaced as error:
        raise InputError(line.where, f"span {line.span} {error.what}") from None
    return replace(line, start=start, end=end, given=(line.start, line.end))


def _mark_covered(
    session: Session, good: list[_Good], articles: dict[str, _ArticleInfo | str], coverage: str, now
) -> int:
    """Mark done, for each annotator, the passages they covered; returns how many (annotator, passage) pairs."""
    if coverage == "none" or not good:
        return 0
    wanted: set[tuple[int, int]] = set()
    if coverage == "labelled":
        wanted = {(label.annotator_id, label.passage.id) for label in good}
    else:
        annotatable: dict[int, list[int]] = {}
        for info in articles.values():
            if isinstance(info, _ArticleInfo) and info.passages:
                annotatable[info.passages[0].article_id] = [p.id for p in info.passages if p.annotatable]
        for person, article_id in {(label.annotator_id, label.passage.article_id) for label in good}:
            wanted.update((person, passage_id) for passage_id in annotatable[article_id])
    by_person: dict[int, list[int]] = defaultdict(list)
    for person, passage_id in sorted(wanted):
        by_person[person].append(passage_id)
    assigned_at = now if load_mode(session).assigned else None
    for person, passage_ids in by_person.items():
        existing: set[int] = set()
        for offset in range(0, len(passage_ids), _LOOKUP_CHUNK):
            chunk = passage_ids[offset : offset + _LOOKUP_CHUNK]
            mine = (Assignment.annotator_id == person) & Assignment.passage_id.in_(chunk)
            existing.update(session.scalars(select(Assignment.passage_id).where(mine)))
            session.execute(update(Assignment).where(mine).values(status="done", updated_at=now))
        fresh = [
            {
                "passage_id": passage_id,
                "annotator_id": person,
                "status": "done",
                "active_seconds": 0.0,
                "rejected_suggestions": [],
                "assigned_at": assigned_at,
                "created_at": now,
                "updated_at": now,
            }
            for passage_id in passage_ids
            if passage_id not in existing
        ]
        if fresh:
            session.execute(insert(Assignment), fresh)
    return len(wanted)


def _needs_target(codebook: Codebook, item: _Line | InputError) -> bool:
    """Whether a parsed line is a stance label (checked after every span)."""
    if isinstance(item, InputError):
        return False
    try:
        return rules_of(codebook.layer(item.layer)).needs_target
    except KeyError:
        return False


def _parse_jsonl(path: Path) -> Iterator[_Line | InputError]:
    for where, line in read_nonblank_lines(path):
        if "\x00" in line:
            yield InputError(where, NUL_IN_TEXT)
            continue
        try:
            yield _jsonl_line(where, line)
        except InputError as error:
            yield error


def _jsonl_line(where: str, line: str) -> _Line:
    data = parse_json_line(where, line)
    if not isinstance(data, dict):
        raise InputError(where, "expected a JSON object")
    problem = unstorable(data)
    if problem is not None:
        raise InputError(where, problem)
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
    except (OSError, ValueError, yaml.YAMLError) as error:  # ValueError: also a bad YAML timestamp
        reason = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        raise InputError(str(path), f"cannot read mapping ({reason})") from None
    except RecursionError:
        raise InputError(str(path), "cannot read mapping (YAML nested too deeply)") from None
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and (value is None or isinstance(value, str)) for key, value in data.items()
    ):
        raise InputError(str(path), "expected a mapping of technique names to label ids (or null)")
    mapping.update(data)
    return mapping


def _parse_ptc(path: Path, codebook: Codebook, mapping: dict[str, str | None]) -> Iterator[_Line | InputError]:
    span_layers = [layer for layer in codebook.layers if rules_of(layer).spans]
    for where, line in read_nonblank_lines(path):
        if "\x00" in line:
            yield InputError(where, NUL_IN_TEXT)
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            yield InputError(where, "expected article_id<TAB>technique<TAB>start<TAB>end")
            continue
        article, technique, start, end = (value.strip() for value in fields)
        if not (is_offset(start) and is_offset(end)):
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
        self.held: dict[tuple[int, int], list[LabelContent]] = defaultdict(list)
        """(passage id, annotator id) -> their current labels (not gold), then the lines checked."""
        self.came_from: dict[int, str] = {}
        """id() of a held label -> where it came from, for messages about a clash with it."""
        for offset in range(0, len(passage_ids), _LOOKUP_CHUNK):
            query = current_labels_query(passage_ids=passage_ids[offset : offset + _LOOKUP_CHUNK])
            for row in session.scalars(query):
                if row.origin != Origin.ADJUDICATION:
                    held = LabelContent.of(row)
                    self.held[(row.passage_id, row.annotator_id)].append(held)
                    self.came_from[id(held)] = "already in the database"

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
            hint = "--annotate-headings" if passage.kind in _HEADING_KINDS else "--passages article"
            raise InputError(
                line.where,
                f"passage {passage.index} is not annotatable ({passage.kind}); "
                f"re-import the articles (into a new database) with {hint} to label it",
            )
        content = LabelContent(line.layer, line.label, line.start, line.end, line.target, line.attributes)
        self._check_value(line, layer)
        held = self.held[(passage.id, annotator_id)]
        text = PassageText(passage.id, passage.start, passage.end, article.text[passage.start : passage.end])
        try:
            check_label(self.codebook, text, content, held=held)
        except RuleViolation as error:
            where = self.came_from.get(id(error.conflict)) if error.conflict is not None else None
            raise InputError(line.where, f"{error} ({where})" if where else str(error)) from None
        held.append(content)
        self.came_from[id(content)] = f"line {line.where.rsplit(':', 1)[1]}"
        return _Good(passage, annotator_id, content)

    def _annotator(self, line: _Line) -> int:
        name = self.annotator_override or line.annotator
        if not name:
            raise InputError(line.where, 'no annotator: give --annotator or an "annotator" field')
        if name not in self.people:
            raise InputError(line.where, f"unknown annotator {name!r} (add people first: `annotator annotators add`)")
        return self.people[name]

    def _passage(self, line: _Line, layer: Layer, article: _ArticleInfo) -> Passage:
        if not rules_of(layer).spans:
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
                line.where, f"span {line.span} is out of range (article has {len(article.text)} characters)"
            )
        touched = [p for p in article.passages if p.start < line.end and line.start < p.end]
        if len(touched) == 1 and touched[0].start <= line.start and line.end <= touched[0].end:
            return touched[0]
        if len(touched) > 1:
            indexes = ", ".join(str(p.index) for p in touched)
            raise InputError(line.where, f"span {line.span} crosses passages {indexes}; {_CROSSING_HINT}")
        hint = f"; {_CROSSING_HINT}" if touched else ""
        raise InputError(line.where, f"span {line.span} is not inside a passage{hint}")

    def _check_value(self, line: _Line, layer: Layer) -> None:
        """A stance line's optional "value" must be its label's scale value."""
        if not rules_of(layer).needs_target:
            if line.has_value:
                raise InputError(line.where, f"layer {layer.id!r} takes no value")
            return
        try:
            expected = layer.label(line.label).value
        except KeyError:
            return  # the rule check names the unknown label
        if line.has_value and (line.value != expected or isinstance(line.value, bool)):
            raise InputError(line.where, f"value {line.value!r} does not match label {line.label!r} ({expected})")


def _articles(session: Session, lines: list[_Line], *, ptc: bool) -> dict[str, _ArticleInfo | str]:
    """Articles by reference (external id or sha256; PTC also "article" + id), with their passages.

    An ambiguous reference maps to the reason instead.
    """
    references = {line.article for line in lines}
    aliases = {ref: [ref, f"article{ref}"] if ptc else [ref] for ref in references}
    names = sorted({name for names in aliases.values() for name in names})
    found: dict[str, dict[int, tuple[str, Sequence[int]]]] = defaultdict(dict)
    for offset in range(0, len(names), _LOOKUP_CHUNK):
        chunk = names[offset : offset + _LOOKUP_CHUNK]
        query = select(Article.id, Article.external_id, Article.sha256, Article.text, Article.source_gaps).where(
            Article.external_id.in_(chunk) | Article.sha256.in_(chunk)
        )
        for row in session.execute(query):
            for name in {row.external_id, row.sha256}:
                found[name][row.id] = (row.text, row.source_gaps or ())
    passages: dict[int, list[Passage]] = defaultdict(list)
    article_ids = sorted({article_id for texts in found.values() for article_id in texts})
    for offset in range(0, len(article_ids), _LOOKUP_CHUNK):
        passage_query = select(Passage).where(Passage.article_id.in_(article_ids[offset : offset + _LOOKUP_CHUNK]))
        for passage in session.scalars(passage_query.order_by(Passage.start)):
            passages[passage.article_id].append(passage)
    result: dict[str, _ArticleInfo | str] = {}
    for ref, names in aliases.items():
        texts = next((found[name] for name in names if found.get(name)), {})
        if len(texts) > 1:
            result[ref] = f"article id {ref!r} is ambiguous ({len(texts)} articles): use its sha256"
        elif texts:
            ((article_id, (text, gaps)),) = texts.items()
            result[ref] = _ArticleInfo(text, tuple(passages[article_id]), SourceMap(gaps, text))
    return result
