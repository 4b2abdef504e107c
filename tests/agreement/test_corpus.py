"""Corpus agreement from the database: known small corpora with independently computed values.

The builders here (`Corpus`, `build_corpus`) are shared with the CLI and HTML tests.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import select, update

from annotator.agreement import krippendorff_alpha, masi_distance, span_f1, unitizing_alpha
from annotator.agreement.corpus import corpus_agreement
from annotator.agreement.results import CSV_COLUMNS, GOLD
from annotator.agreement.span_match import exact_match_counts, one_to_one, overlap_candidates
from annotator.agreement.spans import _overlap_matches
from annotator.agreement.unitizing import _expected_disagreement, _observed_disagreement, _study
from annotator.agreement.unitizing_corpus import corpus_unitizing_alpha
from annotator.annotators import add_annotator
from annotator.cli.annotate_commands import sample_corpus_dir
from annotator.codebook import load_codebook_text
from annotator.codebook.paths import default_codebook_path
from annotator.codebook.store import load_active_codebook, store_codebook
from annotator.db.engine import read_session, write_session
from annotator.db.models import Annotation, Assignment, Passage
from annotator.errors import AnnotatorError
from annotator.export.pseudonyms import pseudonyms
from annotator.importing.importer import import_paths
from annotator.labels import LabelContent, add_label, delete_label, revise_label
from tests.agreement.data import KRIPPENDORFF_2011, UNITIZING_CONTINUUM, UNITIZING_SPANS

TONE_LAYER = """
  - id: tone
    name: Tone
    kind: passage_single
    labels:
      - {id: calm, name: Calm, key: c, color: "#2b74da", definition: Quiet., examples: [a], near_misses: [b]}
      - {id: angry, name: Angry, key: a, color: "#db3636", definition: Loud., examples: [c], near_misses: [d]}
      - {id: sad, name: Sad, key: d, color: "#508238", definition: Low., examples: [e], near_misses: [f]}
"""


@dataclass
class Corpus:
    """The sample corpus in a project, with people and a way to label it."""

    engine: object
    version_id: int
    passages: list[tuple[int, int, int]]
    """(id, start, end) of the annotatable passages, by id."""
    people: dict[str, int] = field(default_factory=dict)

    def label(self, rows) -> list[Annotation]:
        """Add labels: rows of (person, passage index, LabelContent[, origin])."""
        with write_session(self.engine) as session:
            return [
                add_label(
                    session,
                    passage_id=self.passages[index][0],
                    annotator_id=self.people[person],
                    codebook_version_id=self.version_id,
                    content=content,
                    origin=origin[0] if origin else "manual",
                )
                for person, index, content, *origin in rows
            ]

    def span(self, layer: str, label: str, index: int, start: int, end: int) -> LabelContent:
        """A span label at offsets relative to the start of passage `index`."""
        base = self.passages[index][1]
        return LabelContent(layer, label, base + start, base + end)

    def done(self, person: str, index: int) -> None:
        """Mark passage `index` done for `person`."""
        with write_session(self.engine) as session:
            session.add(
                Assignment(
                    passage_id=self.passages[index][0],
                    annotator_id=self.people[person],
                    status="done",
                    active_seconds=0.0,
                    rejected_suggestions=[],
                )
            )


def build_corpus(project, names, lead: str | None = None, with_tone: bool = False) -> Corpus:
    """Import the sample corpus and add annotators (and a lead) to an initialised project."""
    engine = project.engine
    if with_tone:
        text = default_codebook_path().read_text(encoding="utf-8").rstrip() + "\n" + TONE_LAYER
        with write_session(engine) as session:
            store_codebook(session, load_codebook_text(text, "tone.yaml"), text)
    with write_session(engine) as session:
        people = {name: add_annotator(session, name).id for name in names}
        if lead:
            people[lead] = add_annotator(session, lead, "lead").id
    import_paths(engine, [sample_corpus_dir()])
    with read_session(engine) as session:
        passages = [
            tuple(row)
            for row in session.execute(
                select(Passage.id, Passage.start, Passage.end).where(Passage.annotatable.is_(True)).order_by(Passage.id)
            )
        ]
    return Corpus(engine, load_active_codebook(engine).version_id, passages, people)


def measure(report, layer, name, scope="overall", item=""):
    found = report.layer(layer).find(name, scope, item)
    assert found is not None, (layer, name, scope, item)
    return found


def stance_label(value: float) -> str:
    """Krippendorff's values 1..5 as the default stance scale, lowest first."""
    return ["strongly_against", "against", "neutral", "favour", "strongly_favour"][int(value) - 1]


# -- target_ordinal ---------------------------------------------------------------------------


def build_krippendorff_stance(project, extra_null: bool = False) -> Corpus:
    """Stance on 12 (passage, government) units by 4 coders = Krippendorff (2011)'s data."""
    coders = ["c1", "c2", "c3", "c4"] + (["erin"] if extra_null else [])
    corpus = build_corpus(project, coders)
    rows = [
        (coders[column], unit, LabelContent("stance", stance_label(value), target="government"))
        for unit, line in enumerate(KRIPPENDORFF_2011)
        for column, value in enumerate(line)
        if not math.isnan(value)
    ]
    if extra_null:
        rows += [("erin", unit, LabelContent("stance", "no_stance", target="government")) for unit in range(3)]
    corpus.label(rows)
    return corpus


def test_stance_ordinal_alpha_is_krippendorff_2011(project):
    corpus = build_krippendorff_stance(project)
    report = corpus_agreement(corpus.engine, n_boot=300)
    ordinal = measure(report, "stance", "alpha_ordinal")
    assert round(ordinal.coefficient, 3) == 0.815  # published
    assert (ordinal.n_units, ordinal.n_pairable) == (11, 40)  # unit 12 has one value; n.. = 40
    assert ordinal.interpretation == "reliable"
    assert ordinal.low < ordinal.coefficient < ordinal.high <= 1.0
    assert round(measure(report, "stance", "alpha_nominal").coefficient, 3) == 0.743  # published
    per_target = measure(report, "stance", "alpha_ordinal", "target", "government")
    assert per_target.coefficient == pytest.approx(ordinal.coefficient)


def test_no_stance_is_missing_on_the_ordinal_scale_and_a_category_in_nominal(project):
    corpus = build_krippendorff_stance(project, extra_null=True)
    report = corpus_agreement(corpus.engine, n_boot=50)
    assert round(measure(report, "stance", "alpha_ordinal").coefficient, 3) == 0.815
    table = np.column_stack([KRIPPENDORFF_2011, np.full(12, np.nan)])
    table[:3, 4] = 0  # erin's "no stance": a sixth nominal category
    expected = krippendorff.alpha(reliability_data=table.T, level_of_measurement="nominal")
    assert measure(report, "stance", "alpha_nominal").coefficient == pytest.approx(expected, abs=1e-12)
    # Collapsed: against (1, 2), neutral or none (3, no stance), favour (4, 5).
    classes = {0: 1.0, 1: 0.0, 2: 0.0, 3: 1.0, 4: 2.0, 5: 2.0}
    collapsed = np.vectorize(lambda v: np.nan if math.isnan(v) else classes[v], otypes=[float])(table)
    expected = krippendorff.alpha(reliability_data=collapsed.T, level_of_measurement="nominal")
    assert measure(report, "stance", "alpha_collapsed").coefficient == pytest.approx(expected, abs=1e-12)


def test_stance_pairwise_weighted_kappa_and_annotator_scores(project):
    corpus = build_krippendorff_stance(project)
    report = corpus_agreement(corpus.engine, n_boot=100)
    for first, second in combinations(range(4), 2):
        both = ~np.isnan(KRIPPENDORFF_2011[:, [first, second]]).any(axis=1)
        expected = cohen_kappa_score(KRIPPENDORFF_2011[both, first], KRIPPENDORFF_2011[both, second], weights="linear")
        kappa = measure(report, "stance", "kappa_linear", "pair", f"c{first + 1}|c{second + 1}")
        assert kappa.coefficient == pytest.approx(expected, abs=1e-12)
        assert kappa.n_units == both.sum()
        pair = measure(report, "stance", "alpha_ordinal", "pair", f"c{first + 1}|c{second + 1}")
        expected = krippendorff.alpha(
            reliability_data=KRIPPENDORFF_2011[:, [first, second]].T, level_of_measurement="ordinal"
        )
        assert pair.coefficient == pytest.approx(expected, abs=1e-12)
    # c1 against the rest: c1's values paired with each other coder's, pooled.
    pooled = [
        (row[0], row[other])
        for row in KRIPPENDORFF_2011
        for other in (1, 2, 3)
        if not math.isnan(row[0]) and not math.isnan(row[other])
    ]
    expected = krippendorff.alpha(reliability_data=np.array(pooled).T, level_of_measurement="ordinal")
    assert measure(report, "stance", "alpha_ordinal", "annotator", "c1").coefficient == pytest.approx(expected)
    matrix = report.layer("stance").pairwise
    assert matrix.coders == ["c1", "c2", "c3", "c4"] and math.isnan(matrix.values[0][0])
    assert matrix.values[0][1] == matrix.values[1][0]
    # Unit 6 (values 1, 2, 3, 4) disagrees most.
    assert report.layer("stance").disagreements[0].passage_id == corpus.passages[5][0]


# -- identical annotators -----------------------------------------------------------------------


def build_identical(project, people=("alice", "bob")) -> Corpus:
    corpus = build_corpus(project, people)
    label_identically(corpus, people)
    return corpus


def label_identically(corpus: Corpus, people) -> None:
    """The same varied labels in every layer on 12 passages, from each of `people`."""
    events = ["battles", "protests", "riots", "no_event"]
    stances = ["against", "favour", "neutral", "no_stance", "strongly_favour"]
    actors = ["state_forces", "civilians", "rebel_group"]
    techniques = ["doubt", "flag_waving", "name_calling_labeling"]
    rows = []
    for index in range(12):
        labels = [
            LabelContent("event_type", events[index % 4], attributes={"realis": ["actual", "claimed"][index % 2]}),
            LabelContent("stance", stances[index % 5], target="government"),
            corpus.span("actors", actors[index % 3], index, 0, 4 + index % 3),
            corpus.span("actors", actors[(index + 1) % 3], index, 10, 14),
            corpus.span("rhetoric", techniques[index % 3], index, 2, 12),
        ]
        if index % 3 == 0:
            labels.append(LabelContent("event_type", "battles"))
        rows += [(person, index, label) for person in people for label in labels]
    corpus.label(rows)


def test_identical_annotators_agree_perfectly_in_every_layer(project):
    corpus = build_identical(project)
    report = corpus_agreement(corpus.engine, n_boot=50)
    for layer, name in [
        ("stance", "alpha_ordinal"),
        ("stance", "alpha_nominal"),
        ("stance", "alpha_collapsed"),
        ("event_type", "alpha_masi"),
        ("actors", "f1_exact"),
        ("actors", "f1_overlap"),
        ("actors", "alpha_unitizing"),
        ("actors", "percent_matched"),
        ("actors", "alpha_matched"),
        ("rhetoric", "f1_exact"),
        ("rhetoric", "alpha_unitizing"),
        ("rhetoric", "percent_matched_category"),
    ]:
        result = measure(report, layer, name)
        assert result.coefficient == pytest.approx(1.0), (layer, name)
        if not math.isnan(result.low):
            assert result.low == result.high == pytest.approx(1.0), (layer, name)
    assert measure(report, "stance", "kappa_linear", "pair", "alice|bob").coefficient == pytest.approx(1.0)
    assert measure(report, "event_type", "alpha_binary", "label", "battles").coefficient == pytest.approx(1.0)
    assert measure(report, "event_type", "alpha_nominal", "attribute", "realis").coefficient == pytest.approx(1.0)
    assert measure(report, "rhetoric", "f1_overlap", "category", "justification").coefficient == pytest.approx(1.0)
    for layer in report.layers:
        assert layer.disagreements == []
        assert layer.pairwise.coders == ["alice", "bob"]
        assert all(point.coefficient == pytest.approx(1.0) for point in layer.over_time)
        assert {point.coder for point in layer.over_time} == {"alice", "bob"}


# -- span layers ---------------------------------------------------------------------------------


def test_span_f1_unitizing_and_matched_labels_on_a_hand_made_case(project):
    corpus = build_corpus(project, ["ann", "ben"])
    spans = {
        "ann": [(0, 0, 5, "state_forces"), (0, 10, 20, "civilians"), (1, 3, 8, "rebel_group")],
        "ben": [
            (0, 0, 5, "state_forces"),
            (0, 12, 20, "civilians"),
            (1, 3, 8, "civilians"),
            (1, 30, 35, "rioters"),
        ],
    }
    corpus.label(
        [
            (person, index, corpus.span("actors", label, index, start, end))
            for person, rows in spans.items()
            for index, start, end, label in rows
        ]
    )
    report = corpus_agreement(corpus.engine, layers=["actors"], n_boot=50)
    # By hand: 1 exact match, 2 overlap matches, out of 3 + 4 spans.
    assert measure(report, "actors", "f1_exact").coefficient == pytest.approx(2 / 7)
    assert measure(report, "actors", "f1_overlap").coefficient == pytest.approx(4 / 7)
    assert measure(report, "actors", "f1_overlap", "label", "civilians").coefficient == pytest.approx(2 / 3)
    assert measure(report, "actors", "f1_exact", "label", "civilians").coefficient == 0.0
    assert measure(report, "actors", "f1_overlap", "pair", "ann|ben").n_pairable == 7
    # The same through span_f1, with passages laid end to end.
    as_tuples = {
        person: [(index * 10_000 + start, index * 10_000 + end, label) for index, start, end, label in rows]
        for person, rows in spans.items()
    }
    for match in ("exact", "overlap"):
        expected = span_f1(as_tuples["ann"], as_tuples["ben"], match)
        assert measure(report, "actors", f"f1_{match}").coefficient == pytest.approx(expected.micro.f1)
    # Matched pairs: (state_forces, state_forces), (civilians, civilians), then (rebel_group, civilians).
    assert measure(report, "actors", "percent_matched").coefficient == pytest.approx(2 / 3)
    assert measure(report, "actors", "percent_matched").n_units == 3
    expected = krippendorff_alpha(
        [["state_forces", "state_forces"], ["civilians", "civilians"], ["rebel_group", "civilians"]],
        "nominal",
    )
    assert measure(report, "actors", "alpha_matched").coefficient == pytest.approx(expected)
    confusion = report.layer("actors").confusions[0]
    counts = pd.DataFrame(confusion.counts, index=confusion.labels, columns=confusion.labels)
    assert counts.loc["state_forces", "state_forces"] == 1 and counts.loc["civilians", "civilians"] == 1
    assert counts.loc["rebel_group", "civilians"] == 1 and counts.loc["(none)", "rioters"] == 1
    assert int(counts.to_numpy().sum()) == 4
    # u-alpha of the two passages joined into one continuum.
    lengths = [end - start for _, start, end in corpus.passages[:2]]
    joined = [
        (person, index * lengths[0] + start, index * lengths[0] + end, label)
        for person, rows in spans.items()
        for index, start, end, label in rows
    ]
    expected = unitizing_alpha(joined, (0, sum(lengths)), "civilians")
    assert measure(report, "actors", "alpha_unitizing", "label", "civilians").coefficient == pytest.approx(expected)
    assert report.layer("actors").disagreements[0].passage_id == corpus.passages[1][0]


def test_a_done_passage_without_spans_counts_as_all_gap(project):
    corpus = build_corpus(project, ["ann", "ben"])
    corpus.label(
        [
            ("ann", 0, corpus.span("actors", "civilians", 0, 0, 5)),
            ("ben", 0, corpus.span("actors", "civilians", 0, 0, 5)),
            ("ann", 1, corpus.span("actors", "civilians", 1, 0, 5)),
        ]
    )
    before = corpus_agreement(corpus.engine, layers=["actors"], n_boot=10)
    assert measure(before, "actors", "f1_exact").coefficient == 1.0  # ben never saw passage 1
    corpus.done("ben", 1)
    after = corpus_agreement(corpus.engine, layers=["actors"], n_boot=10)
    assert measure(after, "actors", "f1_exact").coefficient == pytest.approx(2 * 1 / 3)
    assert measure(after, "actors", "f1_exact").n_units == 2


# -- passage_multi and passage_single ------------------------------------------------------------


def test_event_type_masi_alpha_per_label_and_attributes(project):
    corpus = build_corpus(project, ["ann", "ben", "cat"])
    sets = {  # passage -> person -> [(label, realis)]
        0: {"ann": [("battles", "actual")], "ben": [("battles", "actual")], "cat": [("battles", "claimed")]},
        1: {
            "ann": [("protests", "actual"), ("riots", "actual")],
            "ben": [("protests", "actual")],
            "cat": [("riots", "claimed")],
        },
        2: {"ann": [("no_event", None)], "ben": [("no_event", None)]},
        3: {
            "ann": [("battles", "claimed")],
            "ben": [("battles", "claimed"), ("riots", "actual")],
            "cat": [("battles", "claimed")],
        },
        4: {"ann": [("protests", "actual")], "cat": [("protests", "generic")]},
    }
    rows = []
    for index, people in sets.items():
        for person, labels in people.items():
            rows += [
                (
                    person,
                    index,
                    LabelContent("event_type", label, attributes={"realis": realis} if realis else {}),
                )
                for label, realis in labels
            ]
    corpus.label(rows)
    corpus.done("cat", 2)  # cat finished passage 2 without an event label: the empty set
    report = corpus_agreement(corpus.engine, layers=["event_type"], n_boot=100)
    people = ["ann", "ben", "cat"]

    def label_set(index, person):
        if person in sets[index]:
            return frozenset(label for label, _ in sets[index][person])
        return frozenset() if (index, person) == (2, "cat") else None

    table = [[label_set(index, person) for person in people] for index in sets]
    masi = measure(report, "event_type", "alpha_masi")
    assert masi.coefficient == pytest.approx(krippendorff_alpha(table, masi_distance), abs=1e-12)
    assert masi.n_units == 5
    for label in ("battles", "riots", "protests"):
        binary = np.array([[np.nan if s is None else float(label in s) for s in row] for row in table])
        expected = krippendorff.alpha(reliability_data=binary.T, level_of_measurement="nominal")
        assert measure(report, "event_type", "alpha_binary", "label", label).coefficient == pytest.approx(expected)
    # Realis of battles on the passages where two or more coders chose battles: 0 and 3.
    realis = [["actual", "actual", "claimed"], ["claimed", "claimed", "claimed"]]
    expected = krippendorff_alpha(realis, "nominal")
    assert measure(report, "event_type", "alpha_nominal", "attribute", "battles.realis").coefficient == pytest.approx(
        expected
    )
    assert measure(report, "event_type", "alpha_nominal", "attribute", "battles.realis").n_units == 2
    confusion = next(c for c in report.layer("event_type").confusions if (c.first, c.second) == ("ann", "ben"))
    counts = pd.DataFrame(confusion.counts, index=confusion.labels, columns=confusion.labels)
    assert counts.loc["battles", "battles"] == 2 and counts.loc["riots", "protests"] == 1


def test_passage_single_nominal_alpha_and_gold(project):
    corpus = build_corpus(project, ["ann", "ben"], lead="lead", with_tone=True)
    ann = ["calm", "angry", "sad", "calm", "calm", "angry", "sad", "sad"]
    ben = ["calm", "angry", "calm", "calm", "sad", "angry", "sad", "angry"]
    gold = {0: "calm", 2: "sad", 4: "calm"}
    corpus.label(
        [("ann", i, LabelContent("tone", label)) for i, label in enumerate(ann)]
        + [("ben", i, LabelContent("tone", label)) for i, label in enumerate(ben)]
        + [("lead", i, LabelContent("tone", label), "adjudication") for i, label in gold.items()]
        + [("lead", 7, LabelContent("tone", "sad"))]
    )  # the lead also annotates, as herself
    report = corpus_agreement(corpus.engine, layers=["tone"], n_boot=100)
    layer = report.layer("tone")
    assert layer.pairwise.coders == ["ann", "ben", "lead", GOLD]
    expected = krippendorff_alpha([[a, b, "sad" if i == 7 else None] for i, (a, b) in enumerate(zip(ann, ben))])
    assert measure(report, "tone", "alpha_nominal").coefficient == pytest.approx(expected)
    with_gold = krippendorff_alpha([[ann[i], gold[i]] for i in gold])
    assert measure(report, "tone", "alpha_nominal", "pair", f"ann|{GOLD}").coefficient == pytest.approx(with_gold)
    assert measure(report, "tone", "alpha_nominal", "pair", f"ann|{GOLD}").n_units == 3
    assert report.layer("tone").find("alpha_nominal", "annotator", GOLD) is None
    binary = np.array([[float(a == "sad"), float(b == "sad"), np.nan] for a, b in zip(ann, ben)])
    binary[7, 2] = 1.0
    expected = krippendorff.alpha(reliability_data=binary.T, level_of_measurement="nominal")
    assert measure(report, "tone", "alpha_binary", "label", "sad").coefficient == pytest.approx(expected)


# -- selection: watermark, revisions, annotators, layers --------------------------------------------


def test_watermark_revisions_and_annotator_selection(project):
    corpus = build_krippendorff_stance(project)
    with read_session(corpus.engine) as session:
        watermark = session.scalar(select(Annotation.id).order_by(Annotation.id.desc()).limit(1))
    first = corpus.label(
        [
            ("c1", 0, LabelContent("stance", "strongly_favour", target="peace_talks")),
            ("c2", 0, LabelContent("stance", "strongly_against", target="peace_talks")),
        ]
    )
    with write_session(corpus.engine) as session:
        row = session.get(Annotation, first[0].id)
        edited = revise_label(
            session,
            revision=row,
            annotator_id=row.annotator_id,
            codebook_version_id=corpus.version_id,
            content=LabelContent.of(row).with_changes(label="strongly_against"),
        )
    now = corpus_agreement(corpus.engine, n_boot=10)
    peace = measure(now, "stance", "alpha_ordinal", "target", "peace_talks")
    assert math.isnan(peace.coefficient) and peace.n_units == 1  # both now say strongly_against
    assert peace.interpretation == "undefined"
    then = corpus_agreement(corpus.engine, as_of=watermark, n_boot=10)
    assert then.as_of == watermark
    assert then.layer("stance").find("alpha_ordinal", "target", "peace_talks") is None
    assert round(measure(then, "stance", "alpha_ordinal").coefficient, 3) == 0.815
    with write_session(corpus.engine) as session:
        delete_label(
            session,
            revision=session.get(Annotation, edited.id),
            annotator_id=edited.annotator_id,
            codebook_version_id=corpus.version_id,
        )
    after_delete = corpus_agreement(corpus.engine, n_boot=10)
    assert measure(after_delete, "stance", "alpha_ordinal", "target", "peace_talks").n_units == 0
    two = corpus_agreement(corpus.engine, annotators=["c1", "c2"], layers=["stance"], n_boot=10)
    assert [layer.layer for layer in two.layers] == ["stance"] and two.coders == ["c1", "c2"]
    expected = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011[:, :2].T, level_of_measurement="ordinal")
    assert measure(two, "stance", "alpha_ordinal").coefficient == pytest.approx(expected)


def test_unknown_layer_annotator_and_bad_settings_are_one_line_errors(project):
    corpus = build_corpus(project, ["ann"])
    for kwargs, message in [
        ({"layers": ["nope"]}, "unknown layer 'nope'"),
        ({"annotators": ["ann", "zed"]}, "unknown annotator 'zed'"),
        ({"n_boot": 0}, "at least 1"),
        ({"as_of": -1}, ">= 0"),
    ]:
        with pytest.raises(AnnotatorError, match=message) as error:
            corpus_agreement(corpus.engine, **kwargs)
        assert "\n" not in str(error.value)


def test_empty_project_and_json_csv_shapes(project):
    corpus = build_corpus(project, ["ann", "ben"])
    empty = corpus_agreement(corpus.engine, n_boot=10)
    assert [layer.layer for layer in empty.layers] == ["actors", "event_type", "stance", "rhetoric"]
    json.dumps(empty.to_json_dict(), allow_nan=False)
    label_identically(corpus, ("ann", "ben"))
    report = corpus_agreement(corpus.engine, n_boot=20, seed=3)
    data = json.loads(json.dumps(report.to_json_dict(), allow_nan=False))
    assert set(data) == {
        "as_of_revision",
        "codebook",
        "coders",
        "gold",
        "bootstrap",
        "thresholds",
        "layers",
        "articles",
    }
    assert set(data["layers"][0]) == {
        "layer",
        "name",
        "kind",
        "main_measure",
        "measures",
        "pairwise",
        "confusions",
        "disagreements",
        "top_confusions",
        "annotator_confusions",
        "over_time",
        "notes",
    }
    rows = report.to_csv_rows()
    assert rows and all(tuple(row) == CSV_COLUMNS for row in rows)
    assert {row["scope"] for row in rows} >= {"overall", "label", "target", "pair", "annotator", "category"}
    again = corpus_agreement(corpus.engine, n_boot=20, seed=3)
    assert again.to_json_dict() == report.to_json_dict()


# -- the vectorised building blocks against the reference functions -------------------------------


def random_spans(rng: random.Random, coders: int, passages: int, labels: int):
    rows = []
    for passage in range(passages):
        for coder in range(coders):
            for _ in range(rng.randint(0, 5)):
                start = rng.randint(0, 60)
                rows.append((passage, coder, start, start + rng.randint(1, 25), rng.randrange(labels)))
    return rows


@pytest.mark.parametrize("seed", range(25))
def test_vectorised_matching_equals_span_f1(seed):
    rng = random.Random(seed)
    rows = random_spans(rng, coders=3, passages=6, labels=3)
    passage, coder, start, end, label = (np.array(column) for column in zip(*rows))
    a, b = overlap_candidates(passage, coder, start, end)
    same = label[a] == label[b]
    matched_a, matched_b = one_to_one(a[same], b[same], coder, end, 3)
    assert len(set(zip(matched_a.tolist(), coder[matched_b].tolist()))) == len(matched_a)  # one to one
    assert len(set(zip(matched_b.tolist(), coder[matched_a].tolist()))) == len(matched_b)
    keys = np.unique(np.column_stack([passage, start, end, label]), axis=0, return_inverse=True)[1].ravel()
    counts = exact_match_counts(keys, coder, 3)
    for first, second in combinations(range(3), 2):
        spans_a = [(p * 1000 + s, p * 1000 + e, lab) for p, c, s, e, lab in rows if c == first]
        spans_b = [(p * 1000 + s, p * 1000 + e, lab) for p, c, s, e, lab in rows if c == second]
        pair = (coder[matched_a] == first) & (coder[matched_b] == second)
        assert pair.sum() == span_f1(spans_a, spans_b, "overlap").micro.matched
        exact = np.minimum(counts[:, first], counts[:, second]).sum()
        assert exact == span_f1(spans_a, spans_b, "exact").micro.matched
        by_label = Counter(label[matched_a[pair]].tolist())
        for name in range(3):
            expected = _overlap_matches(
                [s[:2] for s in spans_a if s[2] == name], [s[:2] for s in spans_b if s[2] == name]
            )
            assert by_label[name] == expected


def test_corpus_unitizing_alpha_reproduces_krippendorff_2004():
    spans = pd.DataFrame(
        [
            (1, 0 if coder == "i" else 1, 0 if category == "c" else 1, start, end)
            for coder, start, end, category in UNITIZING_SPANS
        ],
        columns=["passage_id", "coder", "category", "start", "end"],
    )
    extents = pd.DataFrame({"passage_id": [1], "start": [UNITIZING_CONTINUUM[0]], "end": [UNITIZING_CONTINUUM[1]]})
    per_category, pooled = corpus_unitizing_alpha(spans, extents, np.ones((1, 2), bool), np.array([1]), 2)
    assert round(per_category[0].alpha, 4) == 0.7286 and per_category[1].alpha == 1.0  # published
    assert pooled.alpha == pytest.approx(unitizing_alpha(UNITIZING_SPANS, UNITIZING_CONTINUUM))


@pytest.mark.parametrize("seed", range(8))
def test_corpus_unitizing_alpha_joins_passages_and_pools_groups(seed):
    rng = random.Random(seed)
    extents, rows = [], []
    for passage in range(1, 9):
        start = rng.randint(0, 100)
        extents.append((passage, start, start + rng.randint(30, 90)))
    for passage, start, end in extents:
        for coder in range(3):
            for _ in range(rng.randint(0, 4)):  # overlapping spans of one coder get merged
                offset = rng.randint(0, end - start - 2)
                rows.append(
                    (
                        passage,
                        coder,
                        rng.randrange(2),
                        start + offset,
                        min(end, start + offset + rng.randint(1, 20)),
                    )
                )
    spans = pd.DataFrame(rows, columns=["passage_id", "coder", "category", "start", "end"])
    extents = pd.DataFrame(extents, columns=["passage_id", "start", "end"])
    covered = np.ones((8, 3), dtype=bool)
    covered[4:, 2] = False  # passages 5-8: coder 2 never saw them (and has no spans there)
    spans = spans[~((spans["passage_id"] > 4) & (spans["coder"] == 2))]
    per_category, pooled = corpus_unitizing_alpha(spans, extents, covered, np.arange(1, 9), 2)
    observed = {0: 0.0, 1: 0.0}
    expected = {0: 0.0, 1: 0.0}
    for passages, coders in (((1, 2, 3, 4), (0, 1, 2)), ((5, 6, 7, 8), (0, 1))):
        joined, position = [], 0
        for passage, start, end in extents.itertuples(index=False):
            if passage in passages:
                for _, row in spans[spans["passage_id"] == passage].iterrows():
                    joined.append((row.coder, position + row.start - start, position + row.end - start, row.category))
                position += end - start
        study = _study(merge_overlaps(joined), (0, position), coders)
        for category in (0, 1):
            weight = len(coders) * position
            observed[category] += weight * _observed_disagreement(study, category)
            expected[category] += weight * _expected_disagreement(study, category)
    for category in (0, 1):
        assert per_category[category].alpha == pytest.approx(1 - observed[category] / expected[category])
    assert pooled.alpha == pytest.approx(1 - sum(observed.values()) / sum(expected.values()))


def merge_overlaps(spans):
    """Each coder's overlapping spans of one category merged into one."""
    merged = []
    for key in sorted({(coder, category) for coder, _, _, category in spans}):
        ranges = sorted((start, end) for coder, start, end, category in spans if (coder, category) == key)
        current = list(ranges[0])
        for start, end in ranges[1:]:
            if start < current[1]:
                current[1] = max(current[1], end)
            else:
                merged.append((key[0], *current, key[1]))
                current = [start, end]
        merged.append((key[0], *current, key[1]))
    return merged


def test_agreement_over_time_per_week_of_the_label_dates(project):
    corpus = build_krippendorff_stance(project)
    early = [corpus.passages[unit][0] for unit in range(6)]
    with corpus.engine.begin() as connection:
        connection.execute(update(Annotation).values(created_at=datetime(2025, 4, 22, 9, tzinfo=UTC)))
        connection.execute(
            update(Annotation)
            .where(Annotation.passage_id.in_(early))
            .values(created_at=datetime(2025, 3, 4, 9, tzinfo=UTC))
        )
    layer = corpus_agreement(corpus.engine, layers=["stance"], n_boot=10).layer("stance")
    assert layer.period == "week"
    points = {(point.coder, point.period): point for point in layer.over_time}
    assert {period for _, period in points} == {"2025-W10", "2025-W17"}
    for period, units in (("2025-W10", range(6)), ("2025-W17", range(6, 12))):
        pooled = [
            (KRIPPENDORFF_2011[unit, 0], KRIPPENDORFF_2011[unit, other])
            for unit in units
            for other in (1, 2, 3)
            if not np.isnan(KRIPPENDORFF_2011[unit, [0, other]]).any()
        ]
        expected = krippendorff.alpha(reliability_data=np.array(pooled).T, level_of_measurement="ordinal")
        assert points["c1", period].coefficient == pytest.approx(expected)
        assert points["c1", period].n_units == len(
            {
                unit
                for unit in units
                if not math.isnan(KRIPPENDORFF_2011[unit, 0]) and (~np.isnan(KRIPPENDORFF_2011[unit, 1:])).any()
            }
        )


def test_display_names_replace_annotator_names(project):
    corpus = build_krippendorff_stance(project)
    with read_session(corpus.engine) as session:
        names = pseudonyms(session)
    report = corpus_agreement(corpus.engine, layers=["stance"], n_boot=10, display_names=names)
    assert report.coders == ["annotator_01", "annotator_02", "annotator_03", "annotator_04"]
    assert "c1" not in json.dumps(report.to_json_dict())
    assert round(measure(report, "stance", "alpha_ordinal").coefficient, 3) == 0.815
