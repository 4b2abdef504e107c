"""Gold selection, majority attributes and per-item agreement on hand-made labels (no database)."""

from __future__ import annotations

import pytest

from annotator.codebook import load_default_codebook
from annotator.export.rows import PassageVotes
from annotator.export.source import LabelRow

CODEBOOK = load_default_codebook()


def label(rid, person, layer, name, start=None, end=None, target=None, origin="manual", **attributes) -> LabelRow:
    return LabelRow(rid, 1, person, layer, name, start, end, target, attributes, origin)


def test_majority_needs_more_than_half_and_merges_attributes():
    votes = PassageVotes.of(
        CODEBOOK,
        [
            label(1, 1, "event_type", "battles", realis="claimed"),
            label(2, 2, "event_type", "battles", realis="actual"),
            label(3, 3, "event_type", "battles"),  # unset: the default, "actual"
            label(4, 1, "event_type", "riots"),
            label(5, 1, "actors", "civilians", 0, 4, role="target", euphemism=True),
            label(6, 2, "actors", "civilians", 0, 4, role="initiator", euphemism=True),
            label(7, 3, "actors", "civilians", 0, 5),
            label(8, 1, "stance", "against", target="government", quoted=True),
            label(9, 2, "stance", "against", target="government"),
        ],
    )
    gold = votes.gold("majority")
    assert [(row.label, row.attributes) for row in gold["event_type"]] == [("battles", {"realis": "actual"})]
    # two of three chose the same span; the roles tie, so codebook order decides
    assert [(row.start, row.end, row.attributes) for row in gold["actors"]] == [
        (0, 4, {"role": "initiator", "euphemism": True})
    ]
    assert [(row.target, row.attributes) for row in gold["stance"]] == [("government", {"quoted": False})]
    assert gold["rhetoric"] == []


def test_adjudication_wins_per_layer_from_the_latest_adjudicator():
    votes = PassageVotes.of(
        CODEBOOK,
        [
            label(1, 1, "event_type", "battles"),
            label(2, 2, "event_type", "battles"),
            label(3, 9, "event_type", "riots", origin="adjudication"),
            label(4, 8, "event_type", "protests", origin="adjudication"),
            label(5, 1, "actors", "civilians", 0, 4),
        ],
    )
    assert votes.annotators == (1, 2)
    for mode in ("majority", "raw"):
        gold = votes.gold(mode)
        assert [row.label for row in gold["event_type"]] == ["protests"]
        assert [row.label for row in gold["actors"]] == (["civilians"] if mode == "raw" else [])
    strict = votes.gold("gold")
    assert [row.label for row in strict["event_type"]] == ["protests"] and strict["actors"] is None
    assert PassageVotes.of(CODEBOOK, [label(1, 1, "event_type", "battles")]).gold("gold") is None


def test_raw_fallback_takes_the_most_central_annotator():
    votes = PassageVotes.of(
        CODEBOOK,
        [
            label(1, 3, "event_type", "battles"),
            label(2, 3, "actors", "civilians", 0, 4),
            label(3, 2, "event_type", "battles"),
            label(4, 1, "event_type", "riots"),
            label(5, 1, "actors", "civilians", 0, 4),
        ],
    )
    # 1 vs 2: 0, 1 vs 3: 1/3, 2 vs 3: 1/2 -> annotator 3 is the most central
    assert votes.agreement == pytest.approx((0 + 1 / 3 + 1 / 2) / 3)
    gold = votes.gold("raw")
    assert {row.annotator_id for rows in gold.values() for row in rows} == {3}
    assert PassageVotes.of(CODEBOOK, [label(1, 1, "event_type", "battles")]).agreement is None


def test_votes_and_layer_agreement_tell_a_dispute_from_nothing():
    codebook = load_default_codebook()

    def row(n, person, layer, label, start=None, end=None, target=None):
        return LabelRow(n, 1, person, layer, label, start, end, target, {}, "manual")

    labels = [
        row(1, 1, "actors", "rebel_group", 104, 110),
        row(2, 2, "actors", "rebel_group", 104, 110),
        row(3, 3, "actors", "civilians", 104, 110),
        row(4, 1, "event_type", "battles"),
        row(5, 2, "event_type", "battles"),
        row(6, 3, "event_type", "battles"),
    ]
    votes = PassageVotes.of(codebook, labels, finished=(1, 2, 3))
    by_layer = {entry["layer"]: entry["agreement"] for entry in votes.layer_agreement()}
    assert by_layer["event_type"] == 1.0
    assert by_layer["actors"] == pytest.approx(1 / 3)  # one pair of three agrees
    assert by_layer["stance"] == 1.0  # all three gave nothing: agreeing on "none"
    assert votes.votes(100) == [
        {"layer": "actors", "label": "civilians", "start": 4, "end": 10, "target": None, "votes": 1},
        {"layer": "actors", "label": "rebel_group", "start": 4, "end": 10, "target": None, "votes": 2},
        {"layer": "event_type", "label": "battles", "start": None, "end": None, "target": None, "votes": 3},
    ]
