"""Adjudication: a lead turns several annotators' labels on a passage into the gold layer.

Gold labels are ordinary label revisions with origin "adjudication", written under the
deciding lead's id (a later decision revises them like any label). Every decision also
inserts an `adjudications` row per layer: who decided and when, how (one annotator's version,
the majority, the lead's own gold labels: `edit`, or `unanimous`), from which label revisions,
which gold revisions resulted, the labels in dispute, and an optional rationale.

The lead's own gold labels are a pick among the labels given, or the gold labels edited one at
a time (added, re-spanned, relabelled, attributes changed, deleted), each edit a revision of the
gold label and a decision row. `accept_unanimous` decides in one go, all or nothing, every
layer of every passage where all its coders gave the same items with the same attributes,
leaving alone the passages a lead decided by hand.

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
from annotator.core.enums import FINISHED_STATUSES, AdjudicationMethod, Origin
from annotator.core.identity import Item as CoreItem
from annotator.core.identity import ItemKey, LayerTally, attribute_value, item_key, tally
from annotator.core.kinds import rules_of
from annotator.core.rules import PassageText, RuleViolation, check_label, check_removal
from annotator.db.engine import read_session, write_session
from annotator.db.models import Adjudication, Annotation, Annotator, Article, Assignment, Passage
from annotator.errors import AnnotatorError
from annotator.label_keys import filling_place, relabelled
from annotator.labels import LabelContent, add_label, current_labels_query, delete_label, revise_label

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

    def gold_rows(self, layer_id: str) -> list[Annotation]:
        """The current gold labels of the layer, oldest first."""
        return [row for row in self.gold if row.layer == layer_id]

    def gold_row(self, layer_id: str, key: ItemKey) -> Annotation | None:
        """The gold label of the layer that is the item `key`, if there is one."""
        rules = rules_of(self.layer(layer_id))
        return next((row for row in self.gold_rows(layer_id) if item_key(rules, *_fields(row)) == key), None)

    def gold_only(self, layer_id: str) -> list[Item]:
        """The gold labels of the layer no annotator gave (the lead added or changed them)."""
        given = {item.key for item in self.items(layer_id)}
        rules = rules_of(self.layer(layer_id))
        found: dict[ItemKey, Item] = {}
        for row in self.gold_rows(layer_id):
            key = item_key(rules, *_fields(row))
            if key not in given:
                found.setdefault(key, Item(key, LabelContent.of(row), ()))
        return list(found.values())

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
    """Passages at least two people finished: those with a layer undecided first, most
    disagreement first."""
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
    # A passage with a layer still open (e.g. after `accept_unanimous` took the others) comes first.
    return sorted(summaries, key=lambda s: (s.decided_layers >= len(layers), -s.score, s.passage_id))


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
        items = {item.key: item for item in (*review.items(chosen_layer), *review.gold_only(chosen_layer))}
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


# -- the lead's own edits of the gold labels ---------------------------------------------------------


@dataclass(frozen=True)
class GoldChange:
    """What one gold edit did: the gold revision it wrote (a tombstone for a deletion) and the
    content it replaced (None: it added a label), so it can be undone."""

    decision: Adjudication
    head_id: int
    replaced_id: int | None
    """The gold revision the edit replaced (None: it added a label)."""
    before: LabelContent | None
    after: LabelContent | None


Resolve = Callable[[Session, PassageReview], tuple[Annotation | None, LabelContent | None]]
"""Given the writing session and the passage as it is when the write runs: the gold label to replace (None: add) and
its new content (None: delete)."""


def press_gold_label(
    engine: Engine,
    *,
    lead_id: int,
    passage_id: int,
    layer: str,
    label: str,
    span: tuple[int, int] | None = None,
    target: str | None = None,
) -> GoldChange:
    """A label key on the gold layer, as in the annotate screen: add the label, or remove it
    if the same label already fills its place, or relabel what fills the place (the same span,
    the one label of a single-choice layer, the stance on `target`); a multi-choice passage
    label toggles."""

    def resolve(session: Session, review: PassageReview) -> tuple[Annotation | None, LabelContent | None]:
        start, end = span if span is not None else (None, None)
        wanted = LabelContent(layer, label, start, end, target=target)
        existing = filling_place(review.gold_rows(wanted.layer), review.layer(wanted.layer), wanted)
        if existing is None:
            return None, wanted
        if existing.label == label:
            return existing, None
        return existing, relabelled(review.layer(layer), existing, label)

    return _edit_gold(engine, lead_id, passage_id, resolve)


def respan_gold(
    engine: Engine, *, lead_id: int, passage_id: int, revision_id: int, label: str, span: tuple[int, int]
) -> GoldChange:
    """Move a gold span label to `span`, with `label` (the label key pressed)."""

    def resolve(session: Session, review: PassageReview) -> tuple[Annotation | None, LabelContent | None]:
        row = _gold_row(session, review, revision_id)
        content = relabelled(review.layer(row.layer), row, label)
        return row, content.with_changes(span_start=span[0], span_end=span[1])

    return _edit_gold(engine, lead_id, passage_id, resolve)


def press_gold_attribute(
    engine: Engine,
    *,
    lead_id: int,
    passage_id: int,
    revision_id: int,
    attribute: str,
    value: str | None,
) -> GoldChange:
    """An attribute key on a gold label: toggle a flag (`value` None), set a choice, or clear
    it when the label already has that value."""

    def resolve(session: Session, review: PassageReview) -> tuple[Annotation | None, LabelContent | None]:
        row = _gold_row(session, review, revision_id)
        layer = review.layer(row.layer)
        if not layer.attribute(attribute).applies(row.label):
            raise AnnotatorError(f"{layer.attribute(attribute).name} is not asked for {layer.label(row.label).name}")
        attributes = dict(row.attributes or {})
        if value is None:
            attributes[attribute] = not attributes.get(attribute, False)
        elif attributes.get(attribute) == value:
            del attributes[attribute]
        else:
            attributes[attribute] = value
        return row, LabelContent.of(row).with_changes(attributes=attributes)

    return _edit_gold(engine, lead_id, passage_id, resolve)


def delete_gold(engine: Engine, *, lead_id: int, passage_id: int, revision_id: int) -> GoldChange:
    """Delete a gold label."""
    return _edit_gold(
        engine, lead_id, passage_id, lambda session, review: (_gold_row(session, review, revision_id), None)
    )


def restore_gold(
    engine: Engine, *, lead_id: int, passage_id: int, head_id: int, content: LabelContent | None
) -> GoldChange:
    """Undo (or redo) a gold edit: put `content` (None: nothing) where revision `head_id` is,
    provided nobody changed that gold label since."""

    def resolve(session: Session, review: PassageReview) -> tuple[Annotation | None, LabelContent | None]:
        head = next((row for row in review.gold if row.id == head_id), None)
        if head is None and content is None:
            raise AnnotatorError("that gold label was changed meanwhile; nothing was undone")
        if head is None:  # a deletion to undo: restore the tombstone, if it is still the newest
            return _newest_tombstone(session, head_id), content
        return head, content

    return _edit_gold(engine, lead_id, passage_id, resolve)


def _edit_gold(engine: Engine, lead_id: int, passage_id: int, resolve: Resolve) -> GoldChange:
    """Write one gold revision as `resolve` says, after the rule check, and a decision row
    (method `edit`) for its layer."""
    with write_session(engine) as session:
        require_lead(session, lead_id)
        review = _load_review(session, passage_id)
        if len(review.coders) < 2:
            raise AnnotatorError(f"passage {passage_id} needs two finished annotators before adjudication")
        old, new = resolve(session, review)
        if old is None and new is None:
            raise AnnotatorError("nothing to change")
        active = active_codebook(session)
        before = LabelContent.of(old) if old is not None and not old.deleted else None
        _check_edit(active.codebook, review, before, new)
        version = active.version_id
        if old is None:
            assert new is not None
            row = add_label(
                session,
                passage_id=passage_id,
                annotator_id=lead_id,
                codebook_version_id=version,
                content=new,
                origin=GOLD_ORIGIN,
            )
        elif new is None:
            row = delete_label(session, revision=old, annotator_id=lead_id, codebook_version_id=version)
        else:
            row = revise_label(
                session,
                revision=old,
                annotator_id=lead_id,
                codebook_version_id=version,
                content=new,
                origin=GOLD_ORIGIN,
            )
        decision = _record_gold(session, review, lead_id, row.layer, AdjudicationMethod.EDIT)
    return GoldChange(decision, row.id, old.id if old is not None else None, before, new)


def _check_edit(codebook: Codebook, review: PassageReview, old: LabelContent | None, new: LabelContent | None) -> None:
    """The rule check of one gold edit: `new` against the other gold labels, and removing or
    moving `old` (a stance target) against what stays."""
    passage = review.window
    held = [LabelContent.of(row) for row in review.gold]
    try:
        if new is not None:
            check_label(codebook, passage, new, held=held, replacing=old, targets=_targets(review))
        moved = old is not None and (new is None or (new.span_start, new.span_end) != (old.span_start, old.span_end))
        if moved and old is not None:
            remaining = [content for content in held if content != old] + ([new] if new is not None else [])
            check_removal(codebook, passage, old, remaining)
    except RuleViolation as error:
        raise AnnotatorError(f"passage {review.passage_id}: cannot make that gold: {error}") from None


def _targets(review: PassageReview) -> set[str]:
    """Stance targets gold may use: the text of any annotator's span on the passage."""
    return {
        review.window.slice(row.span_start, row.span_end)
        for rows in review.labels.values()
        for row in rows
        if row.span_start is not None and row.span_end is not None
    }


def _record_gold(
    session: Session, review: PassageReview, lead_id: int, layer: str, method: AdjudicationMethod
) -> Adjudication:
    """A decision row for the layer's gold labels as they now are in `session`: the gold
    revisions, and the annotators' revisions of the items the gold labels are."""
    rules = rules_of(review.layer(layer))
    gold = [
        row
        for row in session.scalars(current_labels_query(passage_ids=[review.passage_id], layer=layer))
        if row.origin == GOLD_ORIGIN
    ]
    keys = {item_key(rules, *_fields(row)) for row in gold}
    sources = [revision for item in review.items(layer) if item.key in keys for _, revision in item.revisions]
    decision = Adjudication(
        passage_id=review.passage_id,
        layer=layer,
        lead_id=lead_id,
        method=method,
        dispute_key=_dispute_key(review.dispute(layer)),
        source_revision_ids=sorted(sources),
        gold_revision_ids=sorted(row.id for row in gold),
    )
    session.add(decision)
    session.flush()
    return decision


def _gold_row(session: Session, review: PassageReview, revision_id: int) -> Annotation:
    """The gold label `revision_id` as it is now: its newest revision (a key pressed twice
    before the first write answered acts on the first write's result)."""
    head = revision_id
    while (newer := session.scalar(select(Annotation.id).where(Annotation.supersedes_id == head))) is not None:
        head = newer
    row = next((row for row in review.gold if row.id == head), None)
    if row is None:
        raise AnnotatorError("that gold label was changed meanwhile; nothing was written")
    return row


def _newest_tombstone(session: Session, head_id: int) -> Annotation:
    """The gold deletion `head_id`, if nothing replaced it since (else a one-line error)."""
    row = session.get(Annotation, head_id)
    newer = session.scalar(select(Annotation.id).where(Annotation.supersedes_id == head_id))
    if row is None or not row.deleted or row.origin != GOLD_ORIGIN or newer is not None:
        raise AnnotatorError("that gold label was changed meanwhile; nothing was undone")
    return row


# -- accepting what everybody agrees on ---------------------------------------------------------------


@dataclass(frozen=True)
class UnanimousCount:
    """What `accept_unanimous` did in one layer."""

    layer: str
    accepted: int
    """Passages whose layer became gold."""
    labels: int
    """Gold labels written."""
    left: int
    """Passages still up for review in the layer: the annotators disagree on it."""
    decided: int
    """Passages left alone: a lead decided them by hand (or they were accepted before)."""


def unanimous(tallied: LayerTally) -> bool:
    """Every coder gave the same items, each with the same attributes (defaults filled in)."""
    if tallied.disputed:
        return False
    for item in tallied.items:
        values = {
            tuple(attribute_value(attribute, item.label, _attributes(row)) for attribute in tallied.layer.attributes)
            for row in item.rows.values()
        }
        if len(values) > 1:
            return False
    return True


def accept_unanimous(engine: Engine, *, lead_id: int, layers: Sequence[str]) -> list[UnanimousCount]:
    """Make the labels of every unanimous layer (see `unanimous`) of every passage up for
    review gold, with a `unanimous` decision each; all or nothing. A passage with a decision
    a lead made by hand is left alone, and so is a layer accepted before: a rerun adds nothing."""
    with write_session(engine) as session:
        require_lead(session, lead_id)
        active = active_codebook(session)
        known = [layer.id for layer in active.codebook.layers]
        unknown = [layer for layer in layers if layer not in known]
        if unknown:
            raise AnnotatorError(f"unknown layer {unknown[0]!r} (choose from {', '.join(known)})")
        coders = _finished_by(session)
        made = defaultdict(set)
        by_hand: set[int] = set()
        for passage_id, layer, method in session.execute(
            select(Adjudication.passage_id, Adjudication.layer, Adjudication.method)
        ):
            made[passage_id].add(layer)
            if method != AdjudicationMethod.UNANIMOUS:
                by_hand.add(passage_id)
        counts = {layer: [0, 0, 0, 0] for layer in layers}
        for passage_id in sorted(coders):
            if passage_id in by_hand:
                for layer in layers:
                    counts[layer][3] += 1
                continue
            review = _load_review(session, passage_id)
            for layer in layers:
                if layer in made[passage_id]:
                    counts[layer][3] += 1
                    continue
                tallied = review.tally(layer)
                if not unanimous(tallied):
                    counts[layer][2] += 1
                    continue
                chosen = [_item(tallied.layer, tallied, item) for item in tallied.items]
                others = [LabelContent.of(row) for row in review.gold if row.layer != layer]
                _check_gold(active.codebook, review, others, chosen)
                gold_ids = _write_gold(session, active, lead_id, passage_id, review.gold_rows(layer), chosen)
                session.add(
                    Adjudication(
                        passage_id=passage_id,
                        layer=layer,
                        lead_id=lead_id,
                        method=AdjudicationMethod.UNANIMOUS,
                        dispute_key="",
                        source_revision_ids=sorted(rev for item in chosen for _, rev in item.revisions),
                        gold_revision_ids=gold_ids,
                    )
                )
                counts[layer][0] += 1
                counts[layer][1] += len(chosen)
        session.flush()
    return [UnanimousCount(layer, *counts[layer]) for layer in layers]
