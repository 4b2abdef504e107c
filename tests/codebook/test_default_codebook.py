"""The shipped codebooks load, and the default one holds the established label sets."""

from __future__ import annotations

import pathlib
import re

import pytest

from annotator.codebook import (
    LAYER_KINDS,
    Codebook,
    default_codebook_path,
    guidelines_dir,
    is_reserved_key,
    load_codebook,
    load_default_codebook,
)
from annotator.codebook.model import SUBTYPE_ATTRIBUTE

TINY = guidelines_dir() / "examples" / "tiny-codebook.yaml"


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_default_codebook()


def test_default_codebook_is_the_shipped_file(codebook):
    assert load_codebook(default_codebook_path()) == codebook
    assert (guidelines_dir() / "codebook.yaml").is_file()


def test_four_layers_and_with_the_tiny_codebook_every_kind(codebook):
    assert [layer.id for layer in codebook.layers] == ["actors", "event_type", "stance", "rhetoric"]
    assert [layer.kind for layer in codebook.layers] == [
        "span",
        "passage_multi",
        "target_ordinal",
        "span",
    ]
    tiny_kinds = {layer.kind for layer in load_codebook(TINY).layers}
    assert {layer.kind for layer in codebook.layers} | tiny_kinds == set(LAYER_KINDS)
    assert codebook.layer("rhetoric").allow_overlap
    assert not codebook.layer("actors").allow_overlap


def test_actors_are_acled_types_plus_non_armed_and_unidentified(codebook):
    actors = codebook.layer("actors")
    assert [label.name for label in actors.labels] == [
        "State forces",
        "Rebel groups",
        "Political militias",
        "Identity militias",
        "Rioters",
        "Protesters",
        "Civilians",
        "External / other forces",
        "Non-armed organisations",
        "Unidentified actors",
    ]
    role = actors.attribute("role")
    assert role.kind == "choice"
    assert [value.id for value in role.values] == ["initiator", "target", "associated"]
    assert actors.attribute("euphemism").kind == "flag"


def test_event_types_are_acled_with_25_subtypes(codebook):
    events = codebook.layer("event_type")
    assert events.kind == "passage_multi"
    subtypes = {label.name: [s.name for s in label.subtypes] for label in events.labels}
    assert list(subtypes) == [
        "Battles",
        "Explosions / remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
        "No event / commentary",
    ]
    assert [len(names) for names in subtypes.values()] == [3, 6, 3, 3, 2, 8, 0]
    assert "Remote explosive/landmine/IED" in subtypes["Explosions / remote violence"]
    assert "Disrupted weapons use" in subtypes["Strategic developments"]
    realis = events.attribute("realis")
    assert [value.id for value in realis.values] == ["actual", "claimed", "hypothetical", "generic"]
    assert not realis.applies("no_event") and realis.applies("battles")


def test_stance_is_a_five_point_scale_with_a_separate_no_stance(codebook):
    stance = codebook.layer("stance")
    assert stance.target_layer == "actors"
    assert [label.value for label in stance.scale] == [-2, -1, 0, 1, 2]
    assert stance.null_label is not None and stance.null_label.id == "no_stance"
    assert [c.id for c in stance.collapse] == ["against", "neutral_or_none", "favour"]
    assert stance.collapsed("no_stance").id == stance.collapsed("neutral").id == "neutral_or_none"
    assert stance.collapsed("strongly_favour").id == "favour"
    assert stance.attribute("quoted").kind == "flag"
    assert len(codebook.targets_for("stance")) >= 4


def test_rhetoric_has_23_techniques_in_6_categories_plus_other(codebook):
    rhetoric = codebook.layer("rhetoric")
    assert len(rhetoric.categories) == 6
    per_category = {
        c.id: [label.id for label in rhetoric.labels if label.category == c.id] for c in rhetoric.categories
    }
    assert [len(ids) for ids in per_category.values()] == [5, 5, 3, 3, 3, 4]
    assert sum(len(ids) for ids in per_category.values()) == 23
    uncategorised = [label.id for label in rhetoric.labels if label.category is None]
    assert uncategorised == ["other_unsure"]
    assert "false_dilemma_no_choice" in per_category["simplification"]
    assert "whataboutism" in per_category["distraction"]


def test_keys_are_single_unreserved_and_unique_per_layer(codebook):
    for layer in codebook.layers:
        keys = [label.key for label in layer.active_labels]
        for attribute in layer.attributes:
            if attribute.id == SUBTYPE_ATTRIBUTE:
                continue  # sub-types are chosen from a list, not by key
            keys += [attribute.key] if attribute.kind == "flag" else [v.key for v in attribute.values]
        assert len(keys) == len(set(keys)), layer.id
        assert all(len(key) == 1 and key.isalnum() and not is_reserved_key(key) for key in keys)


def test_every_label_is_documented(codebook):
    for layer in codebook.layers:
        for label in layer.labels:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", label.id)
            assert re.fullmatch(r"#[0-9a-f]{6}", label.color)
            assert label.definition.count(". ") <= 2, label.id  # one to three sentences
            assert label.examples and label.near_misses
            assert all(miss.startswith("Not this") for miss in label.near_misses), label.id


def test_tiny_codebook_loads_with_its_own_ids():
    tiny = load_codebook(TINY)
    assert [(layer.id, layer.kind) for layer in tiny.layers] == [
        ("sentiment", "passage_single"),
        ("entity", "span"),
    ]
    assert [label.id for label in tiny.layer("sentiment").labels] == [
        "positive",
        "mixed",
        "negative",
    ]
    default_ids = {label.id for layer in load_default_codebook().layers for label in layer.labels}
    assert not default_ids & {label.id for layer in tiny.layers for label in layer.labels}


def test_codebook_code_names_no_default_label():
    """Nothing in annotator/codebook may depend on the default labels."""
    ids = {label.id for layer in load_default_codebook().layers for label in layer.labels}
    source = pathlib.Path(__file__).resolve().parents[2] / "annotator" / "codebook"
    for module in source.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        named = {i for i in ids if re.search(rf"[\"']{i}[\"']", text)}
        assert not named, f"{module.name} names default labels {sorted(named)}"


def test_sub_event_types_are_a_choice_attribute_of_their_labels(codebook):
    layer = codebook.layer("event_type")
    subtype = layer.attribute(SUBTYPE_ATTRIBUTE)
    assert len(subtype.values) == 25 and "no_event" not in subtype.applies_to
    assert subtype.applies("battles") and "armed_clash" in {value.id for value in subtype.values}
