"""Adjudication: a lead turns several annotators' labels on a passage into the gold layer.

Gold labels are ordinary label revisions with origin "adjudication", written under the
deciding lead's id (a later decision revises them like any label). Every decision also
inserts an `adjudications` row per layer: who decided and when, how (one annotator's version,
the majority, or the lead's own pick of items: `edit`), from which label revisions, which gold
revisions resulted, the labels in dispute, and an optional rationale.

A passage is up for review once at least two people finished it (status done or flagged).
"The same label", the majority and item agreement are `annotator.core.identity`'s, shared
with the export: an item is a label's identity fields (label and offsets, label, or target
and label), each item's attributes go by majority among the annotators who gave it.
Disagreement of a passage: one minus the mean, over the layers anybody labelled, of the item
agreement: 0 when everyone agrees, 1 when no two annotators share an item. The labels in
dispute in a layer are the label ids of the items not everyone gave; earlier decisions on
other passages with the same layer and the same labels in dispute are precedent. Every gold
label passes the same rule check as an annotator's (`annotator.core.rules`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from annotator.codebook.model import Codebook, Layer
from annotator.codebook.store import ActiveCodebook, active_codebook
from annotator.core.enums import FINISHED_STATUSES, Origin
from annotator.core.identity import Item as CoreItem
from annotator.core.identity import ItemKey, LayerTally, item_key, tally
from annotator.core.kinds import rules_of
from annotator.core.rules import PassageText, RuleViolation, check_label
from annotator.db.engine import read_session, write_session
from annotator.db.models import Adjudication, Annotation, Annotator, Article, Assignment, Passage
from annotator.errors import AnnotatorError
from annotator.labels import LabelContent, add_label, current_labels_query, delete_label

GOLD_ORIGIN = Origin.ADJUDICATION


@dataclass(frozen=True)
class Item:
    """One distinct item given in a layer, and the revision each annotator who gave it wrote."""

    key: ItemKey
    content: LabelContent
    """The item with its attributes by majority among its holders (or one annotator's own)."""
    revisions: tuple[tuple[int, int], ...]
    """(annotator id, label revision id) for everyone who gave this label."""

    @property
    def holders(self) -> frozenset[int]:
        """The annotators who gave this label."""
        return frozenset(annotator_id for annotator_id, _ in self.revisions)


def _fields(row: Annotation) -> tuple[str, int | None, int | None, str | None]:
    return row.label, row.span_start, row.span_end, row.target


def _attributes(row: Annotation) -> dict:
    return row.attributes or {}


def tally_layer(layer: Layer, coders: Sequence[int], labels: Mapping[int, Sequence[Annotation]]) -> LayerTally:
    """The core tally of one layer of a passage: `coders` (who finished it) and everyone with
    labels in `labels` are the coders, as in the export."""
    rows = {coder: [row for row in labels.get(coder, ()) if row.layer == layer.id] for coder in {*coders, *labels}}
    return tally(layer, coders, rows, _fields, _attributes)


def _item(layer: Layer, tallied: LayerTally, item: CoreItem, own: int | None = None) -> Item:
    """An adjudication item: the majority attributes, or with `own` that annotator's label."""
    if own is not None:
        content = LabelContent.of(item.rows[own])
    else:
        content = LabelContent(
            layer.id, item.label, item.span_start, item.span_end, item.target, tallied.merged_attributes(item)
        )
    return Item(item.key, content, tuple((coder, row.id) for coder, row in sorted(item.rows.items())))


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
    codebook: Codebook
    """The active codebook, which says what "the same label" is per layer."""
    end: int = 0
    """The passage's end offset in the article."""

    @property
    def window(self) -> PassageText:
        """The passage's text and offsets, to convert label offsets for display."""
        return PassageText(self.passage_id, self.start, self.end, self.text)

    def layer(self, layer_id: str) -> Layer:
        """The codebook layer with this id."""
        return self.codebook.layer(layer_id)

    def tally(self, layer_id: str) -> LayerTally:
        """The annotators' labels of the layer, item by item."""
        return tally_layer(self.layer(layer_id), [coder.id for coder in self.coders], self.labels)

    def items(self, layer_id: str) -> list[Item]:
        """Every distinct item given in the layer, in text order."""
        tallied = self.tally(layer_id)
        return [_item(tallied.layer, tallied, item) for item in tallied.items]

    def gold_keys(self, layer_id: str) -> set[ItemKey]:
        """The gold labels of the layer, as item keys."""
        rules = rules_of(self.layer(layer_id))
        return {item_key(rules, *_fields(row)) for row in self.gold if row.layer == layer_id}

    def agreement(self, layer_id: str) -> float | None:
        """The item agreement of the layer; None when nobody labelled it."""
        tallied = self.tally(layer_id)
        return tallied.agreement() if tallied.items else None

    def dispute(self, layer_id: str) -> tuple[str, ...]:
        """The label ids in dispute in the layer (empty when everyone agrees)."""
        return self.tally(layer_id).disputed_labels()


def disagreement(
    codebook: Codebook, labels: Mapping[int, Sequence[Annotation]], coders: Sequence[int], layers: Sequence[str]
) -> float:
    """One minus the mean, over the layers anybody labelled, of the item agreement."""
    values = []
    for layer_id in layers:
        tallied = tally_layer(codebook.layer(layer_id), coders, labels)
        value = tallied.agreement() if tallied.items else None
        if value is not None:
            values.append(value)
    return 1.0 - sum(values) / len(values) if values else 0.0


def majority(review: PassageReview, layer: str) -> list[Item]:
    """The items more than half of the annotators gave (with two annotators: those both gave)."""
    tallied = review.tally(layer)
    return [_item(tallied.layer, tallied, item) for item in tallied.majority()]


def version(review: PassageReview, layer: str, annotator_id: int) -> list[Item]:
    """One annotator's labels in the layer, exactly as they gave them."""
    tallied = review.tally(layer)
    return [_item(tallied.layer, tallied, item, own=annotator_id) for item in tallied.of_coder(annotator_id)]


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
        codebook = active_codebook(session).codebook
    summaries = [
        ReviewSummary(
            passage_id,
            title or "(untitled)",
            index,
            len(coders[passage_id]),
            disagreement(codebook, labels[passage_id], coders[passage_id], layers),
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
    article = session.get_one(Article, passage.article_id)
    finished = _finished_by(session, [passage_id]).get(passage_id, [])
    labels: dict[int, list[Annotation]] = defaultdict(list)
    gold: list[Annotation] = []
    for row in session.scalars(current_labels_query(passage_ids=[passage_id])):
        if row.origin == GOLD_ORIGIN:
            gold.append(row)
        elif finished:
            labels[row.annotator_id].append(row)
    # The coders, as in the export: everyone who finished, and everyone with a label on it.
    coder_ids = sorted({*finished, *labels})
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
        codebook=active_codebook(session).codebook,
        end=passage.end,
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
        active = active_codebook(session)
        decisions = []
        for layer in layers:
            chosen = choose(review, layer)
            layer_gold = [row for row in review.gold if row.layer == layer]
            other_gold = [LabelContent.of(row) for row in review.gold if row.layer != layer]
            _check_gold(active.codebook, review, other_gold, chosen)
            gold_ids = _write_gold(session, active, lead_id, passage_id, layer_gold, chosen)
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


def _check_gold(codebook: Codebook, review: PassageReview, other_gold: list[LabelContent], chosen: list[Item]) -> None:
    """Run the rule check on the gold labels a decision would leave: gold obeys the codebook
    like anybody's labels (stance targets may be any annotator's span on the passage)."""
    passage = review.window
    targets = {
        passage.slice(row.span_start, row.span_end)
        for rows in review.labels.values()
        for row in rows
        if row.span_start is not None and row.span_end is not None
    }
    held = list(other_gold)
    for item in chosen:
        try:
            check_label(codebook, passage, item.content, held=held, targets=targets)
        except RuleViolation as error:
            raise AnnotatorError(f"passage {review.passage_id}: cannot make that gold: {error}") from None
        held.append(item.content)


def _write_gold(
    session: Session, active: ActiveCodebook, lead_id: int, passage_id: int, gold: list[Annotation], chosen: list[Item]
) -> list[int]:
    """Revise the layer's gold labels into `chosen`: keep equal ones, delete the rest, add the new."""
    wanted = {(item.key, _frozen(item.content.attributes)): item for item in chosen}
    kept: dict[tuple, int] = {}
    for row in gold:
        key = (item_key(rules_of(active.codebook.layer(row.layer)), *_fields(row)), _frozen(row.attributes or {}))
        if key in wanted and key not in kept:
            kept[key] = row.id
        else:
            delete_label(session, revision=row, annotator_id=lead_id, codebook_version_id=active.version_id)
    for key, item in wanted.items():
        if key not in kept:
            kept[key] = add_label(
                session,
                passage_id=passage_id,
                annotator_id=lead_id,
                codebook_version_id=active.version_id,
                content=item.content,
                origin=GOLD_ORIGIN,
            ).id
    return sorted(kept.values())


def _frozen(attributes: Mapping) -> tuple:
    return tuple(sorted(attributes.items()))
