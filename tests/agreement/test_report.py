"""The report a lead reads: what the annotators confused, where, with n and interval-based verdicts.

The fixture is a 3-annotator project with the disagreements found on a real one: neutral vs
"no stance", political vs identity militia, and spans with and without the article "the".
"""

from __future__ import annotations

import csv
import json
import math

import pytest
from sqlalchemy import select

from annotator.agreement.corpus import corpus_agreement
from annotator.agreement.html_report import render_html
from annotator.agreement.results import DISAGREEMENT_COLUMNS, MIN_UNITS, Measure
from annotator.cli.main import main
from annotator.codebook.store import load_active_codebook
from annotator.db.engine import read_session
from annotator.db.models import Article, Passage
from annotator.labels import LabelContent
from tests.agreement.test_corpus import Corpus
from tests.workflow.team import team_project

NEUTRAL_VS_NONE = 12
"""Passages where bob says no_stance and alice and carol neutral (two confusions each)."""
FRONT = "Ostrel Liberation Front"


@pytest.fixture
def known(db_url, tmp_path):
    """16 passages in 4 articles, 3 annotators, the known disagreements; returns the corpus
    and passage id -> (article title, § number, text)."""
    project, people = team_project(db_url, tmp_path, articles=4, paragraphs=4)
    with read_session(project.engine) as session:
        rows = session.execute(
            select(Passage.id, Passage.start, Passage.end, Passage.index, Article.title, Article.text)
            .join(Article, Article.id == Passage.article_id)
            .where(Passage.annotatable.is_(True))
            .order_by(Passage.id)
        ).all()
    corpus = Corpus(project.engine, load_active_codebook(project.engine).version_id, [r[:3] for r in rows], people)
    where = {row.id: (row.title, row.index, row.text[row.start : row.end]) for row in rows}
    labels = []
    for index, row in enumerate(rows):
        text = where[row.id][2]
        for person in ("alice", "bob", "carol"):
            if index < NEUTRAL_VS_NONE:
                stance = "no_stance" if person == "bob" else "neutral"
            else:
                stance = ["against", "favour", "strongly_against", "strongly_favour"][index % 4]
            labels.append((person, index, LabelContent("stance", stance, target="government")))
            if FRONT in text:  # political vs identity militia; carol leaves out "The"
                end = text.index(FRONT) + len(FRONT)
                start = text.index(FRONT) - (0 if person == "carol" else len("The "))
                militia = "identity_militia" if person == "bob" else "political_militia"
                labels.append((person, index, corpus.span("actors", militia, index, start, end)))
            if "the army" in text:  # the same actor, with and without "the"
                end = text.index("the army") + len("the army")
                start = end - len("army" if person == "carol" else "the army")
                labels.append((person, index, corpus.span("actors", "state_forces", index, start, end)))
            corpus.done(person, index)
    corpus.label(labels)
    return corpus, where


def test_the_top_stance_confusion_is_neutral_vs_no_stance_with_examples(known):
    corpus, where = known
    report = corpus_agreement(corpus.engine, n_boot=50)
    top = report.layer("stance").top_confusions[0]
    assert top.labels == ("neutral", "no_stance")
    assert top.count == 2 * NEUTRAL_VS_NONE  # alice-bob and bob-carol on each passage
    assert len(top.examples) == 5
    for example in top.examples:
        title, number, _ = where[example.passage_id]
        assert example.article == title and title.startswith("Report number")
        assert example.number == number
        assert example.coders == {
            "alice": "government: neutral",
            "bob": "government: no_stance",
            "carol": "government: neutral",
        }


def test_the_militia_pair_is_listed_with_the_span_texts(known):
    corpus, _ = known
    actors = corpus_agreement(corpus.engine, n_boot=50, layers=["actors"]).layer("actors")
    pairs = {pair.labels: pair for pair in actors.top_confusions}
    militia = pairs[("identity_militia", "political_militia")]
    assert militia.count == 2 * 4  # bob against alice and carol, on the 4 passages naming the Front
    said = militia.examples[0].coders
    assert said["bob"].startswith(f'identity_militia "The {FRONT}"')
    assert said["carol"].startswith(f'political_militia "{FRONT}"')
    assert '"army"' in said["carol"] and '"the army"' in said["alice"]
    f1_exact, f1_overlap = actors.find("f1_exact"), actors.find("f1_overlap")
    assert f1_exact.coefficient < f1_overlap.coefficient  # "the" costs exact matches only


def test_nominal_and_ordinal_alpha_side_by_side_with_n_in_text_output(known, db_url, capsys):
    corpus, _ = known
    report = corpus_agreement(corpus.engine, n_boot=50)
    stance = report.layer("stance")
    nominal = stance.find("alpha_nominal", "target", "government")
    ordinal = stance.find("alpha_ordinal", "target", "government")
    assert nominal.coefficient < 0.5 < ordinal.coefficient  # the problem the ordinal chart hid
    assert main(["agreement", "--db", db_url, "--boot", "50", "--layer", "stance"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("per target"))
    assert header.index("alpha_nominal") < header.index("alpha_ordinal")
    line = next(line for line in out.splitlines() if line.startswith("government "))
    for found in (nominal, ordinal):
        assert f"{found.coefficient:.3f}" in line and f"{found.n_units}/{found.n_pairable}" in line
    assert f"  {2 * NEUTRAL_VS_NONE}  neutral / no_stance" in out


def test_span_layers_show_f1_and_unitizing_alpha_per_label(known):
    corpus, _ = known
    actors = corpus_agreement(corpus.engine, n_boot=50, layers=["actors"]).layer("actors")
    scope, names, rows = actors.side_by_side()
    assert (scope, names) == ("label", ["f1_overlap", "alpha_unitizing"])
    items = {item: found for item, found in rows}
    assert {"state_forces", "political_militia", "identity_militia"} <= set(items)
    assert all(found is not None for found in items["state_forces"])


def test_verdicts_come_from_the_interval_and_n():
    wide = Measure("alpha_nominal", "overall", "", 0.95, 0.0, 1.0, n_units=50, n_pairable=150)
    assert wide.interpretation == "reliable" and wide.verdict == "unreliable"
    assert Measure("alpha_nominal", "overall", "", 0.9, 0.81, 0.97, 50, 150).verdict == "reliable"
    assert Measure("alpha_nominal", "overall", "", 0.9, 0.70, 0.97, 50, 150).verdict == "tentative"
    assert Measure("alpha_nominal", "overall", "", 1.0, 1.0, 1.0, MIN_UNITS - 1, 27).verdict == "too few data"
    assert Measure("alpha_nominal", "overall", "", math.nan, n_units=0).verdict == "undefined"
    assert Measure("f1_overlap", "overall", "", 0.9, n_units=50).verdict == ""


def test_a_wide_interval_never_says_reliable(known):
    corpus, _ = known
    report = corpus_agreement(corpus.engine, n_boot=50)
    verdicts = [(m, m.verdict) for layer in report.layers for m in layer.measures]
    assert any(verdict == "too few data" for _, verdict in verdicts)  # e.g. each pair's 4 militia spans
    for measure, verdict in verdicts:
        if verdict == "reliable":
            assert measure.low >= 0.8 and measure.n_units >= MIN_UNITS
    data = report.to_json_dict()
    for layer in data["layers"]:
        for measure in layer["measures"]:
            if measure["low"] is not None and measure["low"] < 0.8:
                assert measure["verdict"] != "reliable"
    assert data["thresholds"] == {"reliable": 0.8, "tentative": 0.667, "min_units": MIN_UNITS}


def test_the_whole_disagreement_list_names_titles_and_passages(known, db_url, capsys):
    corpus, where = known
    report = corpus_agreement(corpus.engine, n_boot=50)
    stance = report.layer("stance")
    assert len(stance.disagreements) == NEUTRAL_VS_NONE > 10
    for passage in stance.disagreements:
        title, number, text = where[passage.passage_id]
        assert (passage.article, passage.number) == (title, number)
        assert text.startswith(passage.excerpt.removesuffix("..."))
    data = json.loads(json.dumps(report.to_json_dict(), allow_nan=False))
    rows = data["layers"][[layer.layer for layer in report.layers].index("stance")]["disagreements"]
    assert len(rows) == NEUTRAL_VS_NONE and all(row["article"].startswith("Report number") for row in rows)
    page = render_html(report)
    assert "<details><summary>Passages 11&ndash;12</summary>" in page
    for passage in stance.disagreements:
        assert f"{passage.article}, &sect;{passage.number}" in page
    assert main(["agreement", "--db", db_url, "--boot", "20", "--layer", "stance"]) == 0
    out = capsys.readouterr().out
    assert f"most disagreement: passages by score ({NEUTRAL_VS_NONE} in all)" in out
    assert f"{stance.disagreements[0].article}, passage {stance.disagreements[0].number}:" in out
    assert f"passage {stance.disagreements[0].passage_id} (" not in out  # no internal ids
    assert f"... and {NEUTRAL_VS_NONE - 10} more passages" in out


def test_every_number_of_the_confusions_in_the_html_is_in_the_json(known):
    corpus, _ = known
    report = corpus_agreement(corpus.engine, n_boot=50, layers=["actors"])
    page = render_html(report)
    data = report.to_json_dict()["layers"][0]
    assert "Most confused labels" in page
    for pair in data["top_confusions"]:
        assert f'<td class="num">{pair["count"]}</td>' in page
        for example in pair["examples"]:
            assert f"{example['article']}, &sect;{example['passage_number']}" in page
    assert "<script" not in page and "http" not in page


def test_each_annotator_sees_their_own_top_confusions(known, db_url, capsys):
    corpus, where = known
    report = corpus_agreement(corpus.engine, n_boot=20)
    feedback = report.layer("stance").annotator_confusions
    assert [(pair.labels, pair.count) for pair in feedback["bob"]] == [(("no_stance", "neutral"), 24)]
    assert [(pair.labels, pair.count) for pair in feedback["alice"]] == [(("neutral", "no_stance"), 12)]
    militia = report.layer("actors").annotator_confusions["carol"][0]
    assert (militia.labels, militia.count) == (("political_militia", "identity_militia"), 4)
    example = feedback["bob"][0].examples[0]
    assert (example.article, example.number) == where[example.passage_id][:2]
    assert main(["agreement", "--db", db_url, "--boot", "20", "--layer", "stance"]) == 0
    out = capsys.readouterr().out
    assert f"  bob:   24  no_stance / neutral  e.g. {example.where}" in out
    assert "<summary>bob: 24 &times; no_stance where another chose neutral</summary>" in render_html(report)


def test_the_whole_disagreement_list_as_csv(known, db_url, tmp_path, capsys):
    _, where = known
    target = tmp_path / "disagreements.csv"
    assert main(["agreement", "--db", db_url, "--boot", "20", "--disagreements-csv", str(target)]) == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert tuple(rows[0]) == DISAGREEMENT_COLUMNS
    stance = [row for row in rows if row["layer"] == "stance"]
    assert len({row["passage_id"] for row in stance}) == NEUTRAL_VS_NONE
    for row in stance:
        title, number, _ = where[int(row["passage_id"])]
        assert (row["article"], int(row["passage_number"])) == (title, number)
    assert {row["chose"] for row in stance if row["coder"] == "bob"} == {"government: no_stance"}
    assert f"wrote {target}" in capsys.readouterr().err


def test_agreement_per_article_lowest_first_by_title(known, db_url, capsys):
    corpus, where = known
    report = corpus_agreement(corpus.engine, n_boot=20)
    stance = report.layer("stance").per_article("alpha_nominal")
    assert [report.articles[m.item] for m in stance][-1] == "Report number 3"  # no neutral/no_stance there
    assert stance[0].coefficient < 0.5 < stance[-1].coefficient == 1.0
    assert all(m.n_units == 4 and m.verdict == "too few data" for m in stance)  # 4 passages an article
    actors = {report.articles[m.item]: m for m in report.layer("actors").per_article()}
    assert set(actors) == {title for title, _, _ in where.values()}
    assert main(["agreement", "--db", db_url, "--boot", "20", "--layer", "stance"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("alpha_nominal  Report number 0"))
    nominal = next(m for m in stance if report.articles[m.item] == "Report number 0")
    assert f"{nominal.coefficient:.3f}" in line and "4/12" in line and "too few data" in line
    assert "Agreement per article (8 rows, lowest first)" in render_html(report)  # ordinal and nominal
