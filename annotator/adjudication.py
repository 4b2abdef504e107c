"""Adjudication: a lead turns several annotators' labels on a passage into the gold layer.

Gold labels are ordinary label revisions with origin "adjudication", written under the
deciding lead's id (a later decision revises them like any label). Every decision also
inserts an `adjudications` row per layer: who decided and when, how (one annotator's version,
the majority, or the lead's own pick of items: `edit`), from which label revisions, which gold
revisions resulted, the labels in dispute, and an optional rationale.

A passage is up for review once at least two people finished it (status done or flagged).
Two labels are the same when label, span, target and attributes are equal. Disagreement of a
passage: for every layer somebody labelled, the mean over pairs of annotators of the Jaccard
agreement of their label sets (shared labels / labels either has); the score is one minus the
mean over those layers: 0 when everyone agrees, 1 when no two annotators share a label.
The labels in dispute in a layer are the label ids of the labels not everyone gave; earlier
decisions on other passages with the same layer and the same labels in dispute are precedent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from annotator.assignment import FINISHED_STATUSES
from annotator.db.engine import read_session, write_session
from annotator.db.models import Adjudication, Annotation, Annotator, Article, Assignment, CodebookVersion, Passage
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent, add_label, current_labels_query, delete_label

GOLD_ORIGIN = "adjudication"

ItemKey = tuple
"""What makes two labels the same: (label, span_start, span_end, target, sorted attributes)."""


def item_key(row: Annotation) -> ItemKey:
    """The identity of a label revision's content, for comparing annotators."""
    return (row.label, row.span_start, row.span_end, row.target, tuple(sorted((row.attributes or {}).items())))


@dataclass(frozen=True)
class Item:
    """One distinct label given in a layer, and the revision each annotator who gave it wrote."""

    key: ItemKey
    content: LabelContent
    revisions: tuple[tuple[int, int], ...]
    """(annotator id, label revision id) for everyone who gave this label."""

    @property
    def holders(self) -> frozenset[int]:
        """The annotators who gave this label."""
        return frozenset(annotator_id for annotator_id, _ in self.revisions)


@dataclass(frozen=True)
class Coder:
    """An annotator whose finished work is being adjudicated."""

    id: int
    name: str


@dataclass(frozen=True)
class ReviewSummary:
    """One line of the review list."""

    passage_id: int
    article_title: str
    index: int
    coders: int
    score: float
    decided_layers: int


@dataclass(frozen=True)
class Precedent:
    """An earlier decision on the same dispute, on another passage."""

    passage_id: int
    method: str
    lead: str
    chosen: str | None
    rationale: str | None
    decided_at: datetime
    gold_labels: tuple[str, ...]


@dataclass(frozen=True)
class PassageReview:
    """Everything the review screen shows for one passage."""

    passage_id: int
    article_title: str
    index: int
    start: int
    text: str
    coders: tuple[Coder, ...]
    labels: Mapping[int, tuple[Annotation, ...]]
    """Annotator id -> their current labels (not gold), oldest first."""
    gold: tuple[Annotation, ...]
    decisions: Mapping[str, Adjudication]
    """Layer -> the decision in force."""
    names: Mapping[int, str]
    """Annotator id -> name, for the annotators and the leads who decided."""

    def items(self, layer: str) -> list[Item]:
        """Every distinct label given in the layer, in text order."""
        return _items(self.labels, layer)

    def gold_keys(self, layer: str) -> set[ItemKey]:
        """The gold labels of the layer, as item keys."""
        return {item_key(row) for row in self.gold if row.layer == layer}

    def agreement(self, layer: str) -> float | None:
        """Mean pairwise Jaccard agreement in the layer; None when nobody labelled it."""
        return _layer_agreement(self.labels, [coder.id for coder in self.coders], layer)

    def dispute(self, layer: str) -> tuple[str, ...]:
        """The label ids in dispute in the layer (empty when everyone agrees)."""
        return _dispute(self.items(layer), len(self.coders))


def disagreement(labels: Mapping[int, Sequence[Annotation]], coders: Sequence[int], layers: Sequence[str]) -> float:
    """One minus the mean, over the layers anybody labelled, of the mean pairwise agreement."""
    values = [value for layer in layers if (value := _layer_agreement(labels, coders, layer)) is not None]
    return 1.0 - sum(values) / len(values) if values else 0.0


def _layer_agreement(labels: Mapping[int, Sequence[Annotation]], coders: Sequence[int], layer: str) -> float | None:
    sets = {coder: {item_key(row) for row in labels.get(coder, ()) if row.layer == layer} for coder in coders}
    if not any(sets.values()) or len(coders) < 2:
        return None
    pairs = [
        len(sets[a] & sets[b]) / len(sets[a] | sets[b]) if sets[a] | sets[b] else 1.0
        for a, b in combinations(coders, 2)
    ]
    return sum(pairs) / len(pairs)


def _items(labels: Mapping[int, Sequence[Annotation]], layer: str) -> list[Item]:
    grouped: dict[ItemKey, list[Annotation]] = defaultdict(list)
    for rows in labels.values():
        for row in rows:
            if row.layer == layer:
                grouped[item_key(row)].append(row)
    items = [
        Item(key, LabelContent.of(rows[0]), tuple((row.annotator_id, row.id) for row in rows))
        for key, rows in grouped.items()
    ]
    return sorted(items, key=_reading_order)


def _reading_order(item: Item) -> tuple:
    """Passage labels first, then spans by position; then by label and target."""
    label, start, end, target, _ = item.key
    return (start is not None, start or 0, end or 0, label, str(target))


def _dispute(items: Sequence[Item], coders: int) -> tuple[str, ...]:
    return tuple(sorted({item.content.label for item in items if len(item.holders) < coders}))


def majority(review: PassageReview, layer: str) -> list[Item]:
    """The labels more than half of the annotators gave (with two annotators: those both gave)."""
    return [item for item in review.items(layer) if 2 * len(item.holders) > len(review.coders)]


def version(review: PassageReview, layer: str, annotator_id: int) -> list[Item]:
    """One annotator's labels in the layer."""
    return [item for item in review.items(layer) if annotator_id in item.holders]


# -- reading ---------------------------------------------------------------------------------------


def _finished_by(session: Session, passage_ids=None) -> dict[int, list[int]]:
    """Passage id -> the annotators who finished it, for passages at least two finished."""
    query = select(Assignment.passage_id, Assignment.annotator_id).where(Assignment.status.in_(FINISHED_STATUSES))
    if passage_ids is not None:
        query = query.where(Assignment.passage_id.in_(passage_ids))
    coders: dict[int, list[int]] = defaultdict(list)
    for passage_id, annotator_id in session.execute(query.order_by(Assignment.annotator_id)):
        coders[passage_id].append(annotator_id)
    return {passage_id: ids for passage_id, ids in coders.items() if len(ids) >= 2}


def review_list(engine: Engine, layers: Sequence[str]) -> list[ReviewSummary]:
    """Passages at least two people finished: undecided first, most disagreement first."""
    with read_session(engine) as session:
        coders = _finished_by(session)
        twice = (
            select(Assignment.passage_id)
            .where(Assignment.status.in_(FINISHED_STATUSES))
            .group_by(Assignment.passage_id)
            .having(func.count() >= 2)
        )
        labels: dict[int, dict[int, list[Annotation]]] = defaultdict(lambda: defaultdict(list))
        query = current_labels_query().where(Annotation.passage_id.in_(twice), Annotation.origin != GOLD_ORIGIN)
        for row in session.scalars(query):
            labels[row.passage_id][row.annotator_id].append(row)
        decided = dict(
            session.execute(
                select(Adjudication.passage_id, func.count(func.distinct(Adjudication.layer)))
                .where(Adjudication.passage_id.in_(twice))
                .group_by(Adjudication.passage_id)
            ).all()
        )
        places = session.execute(
            select(Passage.id, Article.title, Passage.index)
            .join(Article, Article.id == Passage.article_id)
            .where(Passage.id.in_(twice))
        ).all()
    summaries = [
        ReviewSummary(
            passage_id,
            title or "(untitled)",
            index,
            len(coders[passage_id]),
            disagreement(labels[passage_id], coders[passage_id], layers),
            decided.get(passage_id, 0),
        )
        for passage_id, title, index in places
        if passage_id in coders
    ]
    return sorted(summaries, key=lambda s: (s.decided_layers > 0, -s.score, s.passage_id))


def load_review(engine: Engine, passage_id: int) -> PassageReview:
    """One passage's annotators, their labels, the gold labels and the decisions in force."""
    with read_session(engine) as session:
        return _load_review(session, passage_id)


def _load_review(session: Session, passage_id: int) -> PassageReview:
    passage = session.get(Passage, passage_id)
    if passage is None:
        raise AnnotatorError(f"passage {passage_id} does not exist")
    article = session.get(Article, passage.article_id)
    coder_ids = _finished_by(session, [passage_id]).get(passage_id, [])
    labels: dict[int, list[Annotation]] = defaultdict(list)
    gold: list[Annotation] = []
    for row in session.scalars(current_labels_query(passage_ids=[passage_id])):
        if row.origin == GOLD_ORIGIN:
            gold.append(row)
        elif row.annotator_id in coder_ids:
            labels[row.annotator_id].append(row)
    decisions: dict[str, Adjudication] = {}
    for decision in session.scalars(
        select(Adjudication).where(Adjudication.passage_id == passage_id).order_by(Adjudication.id)
    ):
        decisions[decision.layer] = decision
    people = {*coder_ids, *(decision.lead_id for decision in decisions.values())}
    names = dict(session.execute(select(Annotator.id, Annotator.name).where(Annotator.id.in_(people))).all())
    return PassageReview(
        passage_id=passage.id,
        article_title=article.title or "(untitled)",
        index=passage.index,
        start=passage.start,
        text=article.text[passage.start : passage.end],
        coders=tuple(Coder(coder_id, names[coder_id]) for coder_id in coder_ids),
        labels={coder_id: tuple(labels[coder_id]) for coder_id in coder_ids},
        gold=tuple(gold),
        decisions=decisions,
        names=names,
    )


def precedents(engine: Engine, layer: str, dispute: Sequence[str], passage_id: int, limit: int = 5) -> list[Precedent]:
    """The newest decisions on other passages whose annotators disputed the same labels in `layer`."""
    if not dispute:
        return []
    with read_session(engine) as session:
        rows = session.scalars(
            select(Adjudication)
            .where(
                Adjudication.layer == layer,
                Adjudication.dispute_key == _dispute_key(dispute),
                Adjudication.passage_id != passage_id,
            )
            .order_by(Adjudication.id.desc())
            .limit(limit * 4)
        ).all()
        latest: dict[int, Adjudication] = {}
        for row in rows:
            latest.setdefault(row.passage_id, row)
        chosen = list(latest.values())[:limit]
        names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
        gold_ids = [revision_id for row in chosen for revision_id in row.gold_revision_ids]
        gold = dict(session.execute(select(Annotation.id, Annotation.label).where(Annotation.id.in_(gold_ids))).all())
    return [
        Precedent(
            passage_id=row.passage_id,
            method=row.method,
            lead=names.get(row.lead_id, str(row.lead_id)),
            chosen=names.get(row.chosen_annotator_id) if row.chosen_annotator_id else None,
            rationale=row.rationale,
            decided_at=row.decided_at,
            gold_labels=tuple(gold[revision_id] for revision_id in row.gold_revision_ids if revision_id in gold),
        )
        for row in chosen
    ]


def _dispute_key(dispute: Sequence[str]) -> str:
    return "|".join(sorted(dispute))


# -- deciding ----------------------------------------------------------------------------------------


def require_lead(session: Session, annotator_id: int) -> Annotator:
    """The annotator, if they are an active lead; else a one-line error."""
    person = session.get(Annotator, annotator_id)
    if person is None or not person.active:
        raise AnnotatorError(f"annotator {annotator_id} does not exist or was removed")
    if person.role != "lead":
        raise AnnotatorError(f"{person.name!r} is not a lead: only leads review and adjudicate")
    return person


def accept_version(
    engine: Engine,
    *,
    lead_id: int,
    passage_id: int,
    annotator_id: int,
    layers: Sequence[str],
    rationale: str | None = None,
) -> list[Adjudication]:
    """Make one annotator's labels the gold labels of `layers`."""

    def choose(review: PassageReview, layer: str) -> list[Item]:
        if annotator_id not in review.labels:
            raise AnnotatorError(f"annotator {annotator_id} did not finish passage {passage_id}")
        return version(review, layer, annotator_id)

    return _decide(engine, lead_id, passage_id, layers, "annotator", choose, rationale, annotator_id)


def accept_majority(
    engine: Engine, *, lead_id: int, passage_id: int, layers: Sequence[str], rationale: str | None = None
) -> list[Adjudication]:
    """Make the labels most annotators gave the gold labels of `layers`."""
    return _decide(engine, lead_id, passage_id, layers, "majority", majority, rationale, None)


def accept_items(
    engine: Engine, *, lead_id: int, passage_id: int, layer: str, keys: Sequence[ItemKey], rationale: str | None = None
) -> list[Adjudication]:
    """Make the lead's own pick among the labels given in `layer` its gold labels."""

    def choose(review: PassageReview, chosen_layer: str) -> list[Item]:
        items = {item.key: item for item in review.items(chosen_layer)}
        missing = [key for key in keys if key not in items]
        if missing:
            raise AnnotatorError("the annotators' labels changed since the passage was loaded; look again")
        return [items[key] for key in dict.fromkeys(keys)]

    return _decide(engine, lead_id, passage_id, [layer], "edit", choose, rationale, None)


def _decide(
    engine: Engine,
    lead_id: int,
    passage_id: int,
    layers: Sequence[str],
    method: str,
    choose: Callable[[PassageReview, str], list[Item]],
    rationale: str | None,
    chosen_annotator_id: int | None,
) -> list[Adjudication]:
    """Write the gold labels `choose` picks for each layer, and a decision row per layer."""
    with write_session(engine) as session:
        require_lead(session, lead_id)
        review = _load_review(session, passage_id)
        if len(review.coders) < 2:
            raise AnnotatorError(f"passage {passage_id} needs two finished annotators before adjudication")
        codebook_version = session.scalar(select(func.max(CodebookVersion.id)))
        decisions = []
        for layer in layers:
            chosen = choose(review, layer)
            layer_gold = [row for row in review.gold if row.layer == layer]
            gold_ids = _write_gold(session, lead_id, codebook_version, passage_id, layer_gold, chosen)
            decision = Adjudication(
                passage_id=passage_id,
                layer=layer,
                lead_id=lead_id,
                method=method,
                chosen_annotator_id=chosen_annotator_id,
                rationale=(rationale or "").strip() or None,
                dispute_key=_dispute_key(review.dispute(layer)),
                source_revision_ids=sorted(revision_id for item in chosen for _, revision_id in item.revisions),
                gold_revision_ids=gold_ids,
            )
            session.add(decision)
            decisions.append(decision)
        session.flush()
    return decisions


def _write_gold(
    session: Session, lead_id: int, codebook_version: int, passage_id: int, gold: list[Annotation], chosen: list[Item]
) -> list[int]:
    """Revise the layer's gold labels into `chosen`: keep equal ones, delete the rest, add the new."""
    wanted = {item.key: item for item in chosen}
    kept: dict[ItemKey, int] = {}
    for row in gold:
        key = item_key(row)
        if key in wanted and key not in kept:
            kept[key] = row.id
        else:
            delete_label(session, revision=row, annotator_id=lead_id, codebook_version_id=codebook_version)
    for key, item in wanted.items():
        if key not in kept:
            kept[key] = add_label(
                session,
                passage_id=passage_id,
                annotator_id=lead_id,
                codebook_version_id=codebook_version,
                content=item.content,
                origin=GOLD_ORIGIN,
            ).id
    return sorted(kept.values())
