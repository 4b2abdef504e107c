"""One rule check for every writer: each rule on its own, then every rule against every writer
(the annotate screen's workbench, `import-labels`, adjudication, codebook migrations)."""

from __future__ import annotations

import dataclasses
import json
import unicodedata

import pytest
from sqlalchemy import func, select

from annotator.adjudication import accept_items, load_review
from annotator.annotators import add_annotator
from annotator.cli.db_commands import initialise
from annotator.codebook import load_default_codebook
from annotator.codebook.model import LayerKind
from annotator.codebook.store import load_active_codebook
from annotator.core.rules import PassageText, RuleViolation, check_label, check_removal
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Passage
from annotator.errors import AnnotatorError
from annotator.importing.importer import import_paths
from annotator.importing.labels_import import import_labels
from annotator.labels import LabelContent
from annotator.project import open_project
from annotator.workbench import Workbench

CODEBOOK = load_default_codebook()
RENE = unicodedata.normalize("NFD", "René")
TEXT = (
    f"The Ostrel Liberation Front attacked the bridge.[[3]] {RENE} Vask said [[2], [19]] "
    "the army fled, see [INTERNAL_LINK:kesh-marra]."
)
START = 100
PASSAGE = PassageText(7, START, START + len(TEXT), TEXT)


def span(fragment: str, occurrence: int = 0) -> tuple[int, int]:
    """Article offsets of `fragment` in TEXT."""
    index = -1
    for _ in range(occurrence + 1):
        index = TEXT.index(fragment, index + 1)
    return START + index, START + index + len(fragment)


def actor(fragment: str, label: str = "rebel_group", **attributes) -> LabelContent:
    return LabelContent("actors", label, *span(fragment), attributes=attributes)


def stance(target: str, label: str = "against") -> LabelContent:
    return LabelContent("stance", label, target=target)


FRONT = actor("Ostrel Liberation Front")
NO_REALIS = next(
    label.id
    for label in CODEBOOK.layer("event_type").active_labels
    if not CODEBOOK.layer("event_type").attribute("realis").applies(label.id)
)
IMPORT_REASONS = {"outside the passage": "crosses passages"}
"""Where `import-labels` refuses a case earlier, for a reason of its own format."""
SINGLE_EVENT = dataclasses.replace(
    CODEBOOK,
    layers=tuple(
        dataclasses.replace(layer, kind=LayerKind.PASSAGE_SINGLE) if layer.id == "event_type" else layer
        for layer in CODEBOOK.layers
    ),
)

# (case, content, the labels the writer already holds, what the refusal says)
REFUSED = [
    ("unknown layer", LabelContent("weather", "rain"), [], "unknown layer 'weather'"),
    ("unknown label", LabelContent("actors", "aliens", *span("army")), [], "unknown label 'aliens'"),
    ("span on a passage layer", LabelContent("event_type", "battles", *span("army")), [], "whole passages"),
    ("span layer without span", LabelContent("actors", "state_forces"), [], "labels spans"),
    ("outside the passage", LabelContent("actors", "state_forces", START - 5, START + 3), [], "outside passage"),
    ("leading whitespace", LabelContent("actors", "state_forces", span(" army")[0], span("army")[1]), [], "whitespace"),
    ("trailing punctuation", actor("bridge."), [], "punctuation"),
    ("inside a citation marker", actor("3"), [], "citation marker"),
    ("ends in a citation marker", actor("bridge.[[3]]"), [], "citation marker"),
    ("starts in a citation marker", actor("[2], [19]] the army"), [], "citation marker"),
    ("a placeholder", actor("INTERNAL_LINK"), [], "placeholder"),
    (
        "cuts a grapheme",
        LabelContent("actors", "civilians", span(RENE)[0], span(RENE)[0] + 4),  # "Rene" without its accent
        [],
        "cuts a character",
    ),
    ("unknown attribute", actor("army", "state_forces", colour="red"), [], "unknown attribute 'colour'"),
    ("flag not a boolean", actor("army", "state_forces", euphemism="yes"), [], "is a flag"),
    ("unknown choice", actor("army", "state_forces", role="bystander"), [], "has no value 'bystander'"),
    (
        "attribute of another label",
        LabelContent("event_type", NO_REALIS, attributes={"realis": "actual"}),
        [],
        "does not apply",
    ),
    ("stance without a target", LabelContent("stance", "against"), [], "needs a target"),
    ("target on a span layer", LabelContent("actors", "state_forces", *span("army"), target="x"), [], "no target"),
    ("unknown stance target", stance("the moon"), [], "unknown target 'the moon'"),
    ("stance on an actor not tagged", stance("Ostrel Liberation Front"), [], "unknown target"),
    ("duplicate span", FRONT, [FRONT], "duplicate label"),
    ("overlapping actors", actor("Liberation Front", "political_militia"), [FRONT], "allows no overlaps"),
    (
        "duplicate event type",
        LabelContent("event_type", "battles"),
        [LabelContent("event_type", "battles")],
        "duplicate label",
    ),
    ("two stances on a target", stance("government"), [stance("government", "favour")], "one label for target"),
]

ALLOWED = [
    ("a clean actor span", FRONT, []),
    ("a name with its combining accent", actor(RENE, "civilians"), []),
    ("a span with a marker inside", LabelContent("rhetoric", "loaded_language", *span("bridge.[[3]] René"[:6])), []),
    (
        "overlapping rhetoric",
        LabelContent("rhetoric", "loaded_language", *span("army fled")),
        [LabelContent("rhetoric", "doubt", *span("the army"))],
    ),
    ("stance on a codebook target", stance("government"), []),
    ("stance on a tagged actor", stance("Ostrel Liberation Front"), [FRONT]),
    ("two different event types", LabelContent("event_type", "battles"), [LabelContent("event_type", "riots")]),
]


@pytest.mark.parametrize(("case", "content", "held", "reason"), REFUSED, ids=[case[0] for case in REFUSED])
def test_each_rule_refuses_with_its_reason(case, content, held, reason):
    with pytest.raises(RuleViolation, match=None) as refused:
        check_label(CODEBOOK, PASSAGE, content, held=held)
    assert reason in str(refused.value)


@pytest.mark.parametrize(("case", "content", "held"), ALLOWED, ids=[case[0] for case in ALLOWED])
def test_clean_labels_pass(case, content, held):
    check_label(CODEBOOK, PASSAGE, content, held=held)


def test_single_choice_layer_takes_one_label_per_passage():
    with pytest.raises(RuleViolation, match="one label for this passage"):
        check_label(
            SINGLE_EVENT, PASSAGE, LabelContent("event_type", "battles"), held=[LabelContent("event_type", "riots")]
        )
    # an edit that replaces the one label is fine
    check_label(
        SINGLE_EVENT,
        PASSAGE,
        LabelContent("event_type", "battles"),
        held=[LabelContent("event_type", "riots")],
        replacing=LabelContent("event_type", "riots"),
    )


def test_retired_label_is_refused_except_when_an_edit_keeps_it():
    retired = dataclasses.replace(
        CODEBOOK,
        layers=tuple(
            dataclasses.replace(
                layer,
                labels=tuple(
                    dataclasses.replace(label, retired=True) if label.id == "riots" else label for label in layer.labels
                ),
            )
            for layer in CODEBOOK.layers
        ),
    )
    with pytest.raises(RuleViolation, match="retired"):
        check_label(retired, PASSAGE, LabelContent("event_type", "riots"))
    check_label(
        retired,
        PASSAGE,
        LabelContent("event_type", "riots", attributes={"realis": "claimed"}),
        held=[LabelContent("event_type", "riots")],
        replacing=LabelContent("event_type", "riots"),
    )


def test_removing_a_stance_target_span_is_refused_until_the_stance_goes():
    held = [FRONT, stance("Ostrel Liberation Front")]
    with pytest.raises(RuleViolation, match="targets 'Ostrel Liberation Front'"):
        check_removal(CODEBOOK, PASSAGE, FRONT, held)
    check_removal(CODEBOOK, PASSAGE, FRONT, [FRONT])  # no stance on it
    # another span with the same text still carries the target
    check_removal(CODEBOOK, PASSAGE, FRONT, [*held, dataclasses.replace(FRONT, label="political_militia")])


# -- every rule against every writer ------------------------------------------------------------------

WRITER_CASES = [case for case in REFUSED if case[1].layer in {"actors", "event_type", "stance", "rhetoric"}]


@pytest.fixture
def corpus(db_url, tmp_path):
    """One article whose only body passage is TEXT; annotators alice and bob, lead lee."""
    initialise(db_url, None)
    project = open_project(db_url)
    path = tmp_path / "kesh.txt"
    path.write_text(f"Kesh Marra report\n\n{TEXT}\n", encoding="utf-8")
    assert import_paths(project.engine, [path]).ok
    with write_session(project.engine) as session:
        people = {name: add_annotator(session, name).id for name in ("alice", "bob")}
        people["lee"] = add_annotator(session, "lee", "lead").id
        passage = session.scalar(select(Passage).where(Passage.annotatable.is_(True)))
        offset = passage.start
    yield project, people, passage.id, passage.index, offset
    project.engine.dispose()


def moved(content: LabelContent, offset: int) -> LabelContent:
    """`content` with its span moved from the test's START to the real passage start."""
    if content.span_start is None:
        return content
    return dataclasses.replace(
        content, span_start=content.span_start - START + offset, span_end=content.span_end - START + offset
    )


def revisions(project) -> int:
    with read_session(project.engine) as session:
        return session.scalar(select(func.count(Annotation.id)))


@pytest.mark.parametrize(("case", "content", "held", "reason"), WRITER_CASES, ids=[case[0] for case in WRITER_CASES])
def test_the_workbench_refuses_what_the_rules_refuse(corpus, case, content, held, reason):
    project, people, passage_id, _index, offset = corpus
    bench = Workbench(project.engine, people["alice"], project.active)
    for label in held:
        bench.add(passage_id, moved(label, offset))
    before = revisions(project)
    with pytest.raises(RuleViolation) as refused:
        bench.add(passage_id, moved(content, offset))
    assert reason in str(refused.value)
    assert revisions(project) == before


@pytest.mark.parametrize(("case", "content", "held", "reason"), WRITER_CASES, ids=[case[0] for case in WRITER_CASES])
def test_label_import_refuses_what_the_rules_refuse(corpus, tmp_path, case, content, held, reason):
    project, _people, _passage_id, index, offset = corpus
    lines = []
    for label in [*held, content]:
        label = moved(label, offset)
        line = {"article": "kesh", "annotator": "alice", "layer": label.layer, "label": label.label}
        if label.span_start is not None:
            line |= {"start": label.span_start, "end": label.span_end}
        if label.layer in {"event_type", "stance"}:
            line["passage"] = index
        if label.target is not None:
            line["target"] = label.target
        if label.attributes:
            line["attributes"] = dict(label.attributes)
        lines.append(json.dumps(line))
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_labels(project.engine, path)
    assert report.imported == 0 and revisions(project) == 0
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{path}:{len(lines)}: ")
    assert IMPORT_REASONS.get(case, reason) in report.errors[0]


def test_adjudication_refuses_gold_that_breaks_a_rule(corpus):
    project, people, passage_id, _index, offset = corpus
    alice = Workbench(project.engine, people["alice"], project.active)
    bob = Workbench(project.engine, people["bob"], project.active)
    alice.add(passage_id, moved(FRONT, offset))
    bob.add(passage_id, moved(actor("Liberation Front", "political_militia"), offset))
    for bench in (alice, bob):
        bench.set_status(passage_id, "done")
    review = load_review(project.engine, passage_id)
    keys = [item.key for item in review.items("actors")]
    assert len(keys) == 2
    before = revisions(project)
    with pytest.raises(AnnotatorError, match="allows no overlaps"):
        accept_items(project.engine, lead_id=people["lee"], passage_id=passage_id, layer="actors", keys=keys)
    assert revisions(project) == before
    accept_items(project.engine, lead_id=people["lee"], passage_id=passage_id, layer="actors", keys=keys[:1])
    assert revisions(project) == before + 1


def test_a_codebook_migration_that_would_break_a_rule_changes_nothing(corpus, tmp_path):
    """Merging an event type with a sub-type chosen into one without sub-types would leave an
    attribute that does not apply: refused, nothing applied."""
    import yaml

    from annotator.codebook.apply import apply_codebook
    from annotator.codebook.paths import default_codebook_path

    project, people, passage_id, _index, _offset = corpus
    bench = Workbench(project.engine, people["alice"], project.active)
    event = CODEBOOK.layer("event_type")
    with_subtypes = next(label for label in event.labels if label.subtypes)
    other = next(label for label in event.labels if not label.subtypes and not label.retired)
    bench.add(
        passage_id,
        LabelContent("event_type", with_subtypes.id, attributes={"subtype": with_subtypes.subtypes[0].id}),
    )
    data = yaml.safe_load(default_codebook_path().read_text(encoding="utf-8"))
    layer = next(layer for layer in data["layers"] if layer["id"] == "event_type")
    target = next(label for label in layer["labels"] if label["id"] == other.id)
    target["replaces"] = [with_subtypes.id]
    next(label for label in layer["labels"] if label["id"] == with_subtypes.id)["retired"] = True
    path = tmp_path / "merged.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    before = revisions(project)
    version = project.active.version_id
    with pytest.raises(AnnotatorError, match="does not apply"):
        apply_codebook(project.engine, path)
    assert revisions(project) == before
    assert load_active_codebook(project.engine).version_id == version
