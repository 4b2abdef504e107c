"""Every problem in a codebook file is reported as `file:line: what`, all of them at once."""

from __future__ import annotations

import pytest

from annotator.codebook import CodebookError, load_codebook, load_codebook_text
from annotator.errors import InputError

# Line numbers are part of the assertions: keep these texts exactly as they are.
PASSAGE = """\
name: T
layers:
  - id: tone
    name: Tone
    kind: passage_single
    labels:
      - id: calm
        name: Calm
        key: c
        color: "#2b74da"
        definition: Quiet.
        examples: [a]
        near_misses: [b]
      - id: angry
        name: Angry
        key: a
        color: "#db3636"
        definition: Loud.
        examples: [c]
        near_misses: [d]
"""

ORDINAL = """\
name: T
targets:
  - {id: army, name: The army}
layers:
  - id: who
    name: Who
    kind: span
    labels:
      - {id: person, name: Person, key: p, color: "#2b74da", definition: d, examples: [e], near_misses: [n]}
  - id: stance
    name: Stance
    kind: target_ordinal
    target_layer: who
    targets: [army]
    attributes:
      - {id: quoted, name: Quoted, kind: flag, key: q}
    labels:
      - {id: con, name: Against, key: "1", color: "#bf1b29", value: -1, definition: d, examples: [e], near_misses: [n]}
      - {id: pro, name: For, key: "2", color: "#1b5fbd", value: 1, definition: d, examples: [e], near_misses: [n]}
      - {id: none, name: No stance, key: n, color: "#8465a3", value: null, definition: d, examples: [e], near_misses: [n]}
    collapse:
      - {id: against, name: Against, labels: [con]}
      - {id: favour, name: Favour, labels: [pro]}
      - {id: other, name: Other, labels: [none]}
"""

CHOICE = """\
name: T
layers:
  - id: events
    name: Events
    kind: passage_multi
    attributes:
      - id: realis
        name: Realis
        kind: choice
        applies_to: [fight]
        default: actual
        values:
          - {id: actual, name: Actual, key: a}
          - {id: claimed, name: Claimed, key: c}
    labels:
      - {id: fight, name: Fight, key: f, color: "#da2d2d", definition: d, examples: [e], near_misses: [n]}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(CodebookError) as caught:
        load_codebook_text(text, "t.yaml")
    return caught.value.messages


def broken(base: str, old: str, new: str) -> list[str]:
    assert base.count(old) == 1, old
    return problems(base.replace(old, new))


@pytest.mark.parametrize("base", [PASSAGE, ORDINAL, CHOICE])
def test_the_bases_are_valid(base):
    assert load_codebook_text(base, "t.yaml").layers


@pytest.mark.parametrize(
    ("base", "old", "new", "expected"),
    [
        pytest.param(
            PASSAGE,
            "definition: Quiet.",
            "defintion: Quiet.",
            [
                "t.yaml:7: label 'calm': 'definition' is missing",
                "t.yaml:11: label 'calm': unknown field 'defintion'; did you mean 'definition'?",
            ],
            id="typo-is-unknown-field",
        ),
        pytest.param(
            PASSAGE,
            "examples: [a]",
            "examples: []",
            [
                "t.yaml:12: label 'calm': 'examples' needs at least one entry",
            ],
            id="no-example",
        ),
        pytest.param(
            PASSAGE,
            "        near_misses: [b]\n",
            "",
            [
                "t.yaml:7: label 'calm': 'near_misses' is missing",
            ],
            id="no-near-miss",
        ),
        pytest.param(
            PASSAGE,
            "definition: Loud.",
            "definition: '  '",
            [
                "t.yaml:18: label 'angry': 'definition' is empty",
            ],
            id="blank-definition",
        ),
        pytest.param(
            PASSAGE,
            "examples: [a]",
            "examples: a",
            [
                "t.yaml:12: label 'calm': 'examples' must be a list ('- ...' lines)",
            ],
            id="wrong-type-list",
        ),
        pytest.param(
            PASSAGE,
            "near_misses: [d]",
            "near_misses: [d]\n        retired: maybe",
            [
                "t.yaml:21: label 'angry': 'retired' must be true or false",
            ],
            id="wrong-type-bool",
        ),
        pytest.param(
            PASSAGE,
            "name: Calm",
            "name: [Calm, Quiet]",
            [
                "t.yaml:8: label 'calm': 'name' must be text",
            ],
            id="wrong-type-text",
        ),
        pytest.param(
            PASSAGE,
            "name: Calm",
            "name: Calm\n        name: Still",
            [
                "t.yaml:9: label 'calm': duplicate field 'name'",
            ],
            id="duplicate-field",
        ),
        pytest.param(
            PASSAGE,
            "id: calm",
            "id: Calm",
            [
                "t.yaml:7: label 'Calm': id 'Calm' must be snake_case (a-z, 0-9 and _, starting with a letter)",
            ],
            id="id-not-snake-case",
        ),
        pytest.param(
            PASSAGE,
            "kind: passage_single",
            "kind: paragraph",
            [
                "t.yaml:5: layer 'tone': unknown layer kind 'paragraph' "
                "(expected one of: span, passage_single, passage_multi, target_ordinal)",
            ],
            id="unknown-layer-kind",
        ),
        pytest.param(
            PASSAGE,
            "id: angry",
            "id: calm",
            [
                "t.yaml:14: duplicate label id 'calm' (first on line 7)",
            ],
            id="duplicate-label-id",
        ),
        pytest.param(
            PASSAGE,
            "key: a",
            "key: c",
            [
                "t.yaml:16: label 'angry': key 'c' is already used in layer 'tone' by label 'calm' (line 9)",
            ],
            id="duplicate-key",
        ),
        pytest.param(
            PASSAGE,
            "key: a",
            'key: "?"',
            [
                "t.yaml:16: label 'angry': key '?' is reserved by the UI (labels may use letters and digits)",
            ],
            id="reserved-printable-key",
        ),
        pytest.param(
            PASSAGE,
            "key: a",
            "key: ctrl+a",
            [
                "t.yaml:16: label 'angry': key 'ctrl+a' is reserved by the UI (labels may use letters and digits)",
            ],
            id="reserved-modifier-key",
        ),
        pytest.param(
            PASSAGE,
            "key: a",
            "key: tab",
            [
                "t.yaml:16: label 'angry': key 'tab' is reserved by the UI (labels may use letters and digits)",
            ],
            id="reserved-named-key",
        ),
        pytest.param(
            PASSAGE,
            "key: a",
            "key: ab",
            [
                "t.yaml:16: label 'angry': key 'ab' must be exactly one character (a letter or a digit)",
            ],
            id="long-key",
        ),
        pytest.param(
            PASSAGE,
            "key: a",
            "key: é",
            [
                "t.yaml:16: label 'angry': key 'é' must be an ASCII letter or digit",
            ],
            id="non-ascii-key",
        ),
        pytest.param(
            PASSAGE,
            'color: "#2b74da"',
            'color: "#2b74d"',
            [
                "t.yaml:10: label 'calm': color '#2b74d' is not a hex colour '#rrggbb'",
            ],
            id="bad-colour",
        ),
        pytest.param(
            PASSAGE,
            'color: "#2b74da"',
            "color: #2b74da",
            [
                "t.yaml:10: label 'calm': 'color' is empty (write it quoted: color: \"#rrggbb\")",
            ],
            id="unquoted-colour-is-a-comment",
        ),
        pytest.param(
            PASSAGE,
            'color: "#2b74da"',
            'color: "#ffff66"',
            [
                "t.yaml:10: label 'calm': color #ffff66 is too light to read on a light terminal "
                "(contrast 1.1:1 against white, needs 3:1)",
            ],
            id="unreadable-light-colour",
        ),
        pytest.param(
            PASSAGE,
            'color: "#2b74da"',
            'color: "#101040"',
            [
                "t.yaml:10: label 'calm': color #101040 is too dark to read on a dark terminal "
                "(contrast 1.2:1 against black, needs 3:1)",
            ],
            id="unreadable-dark-colour",
        ),
        pytest.param(
            PASSAGE,
            "near_misses: [d]",
            "near_misses: [d]\n        replaces: [sad]",
            [
                "t.yaml:21: label 'angry': replaces names unknown label 'sad' in layer 'tone'",
            ],
            id="replaces-unknown",
        ),
        pytest.param(
            PASSAGE,
            "near_misses: [d]",
            "near_misses: [d]\n        split_from: glad",
            [
                "t.yaml:21: label 'angry': split_from names unknown label 'glad' in layer 'tone'",
            ],
            id="split-from-unknown",
        ),
        pytest.param(
            PASSAGE,
            "near_misses: [d]",
            "near_misses: [d]\n        replaces: [calm]",
            [
                "t.yaml:21: label 'angry': replaces names 'calm', which must then be marked 'retired: true'",
            ],
            id="replaces-active-label",
        ),
        pytest.param(
            PASSAGE,
            "near_misses: [d]",
            "near_misses: [d]\n        category: mood",
            [
                "t.yaml:21: label 'angry': unknown category 'mood' (categories of layer 'tone': none)",
            ],
            id="unknown-category",
        ),
        pytest.param(
            PASSAGE,
            "kind: passage_single",
            "kind: passage_single\n    allow_overlap: true",
            [
                "t.yaml:6: layer 'tone': 'allow_overlap' is only for span layers",
            ],
            id="overlap-on-passage-layer",
        ),
        pytest.param(
            PASSAGE,
            "name: Calm",
            "name: [Calm",
            [
                "t.yaml:9: YAML syntax error: expected ',' or ']', but got ':'",
            ],
            id="yaml-syntax",
        ),
        pytest.param(
            ORDINAL,
            "value: null",
            "value: 0",
            [
                "t.yaml:17: layer 'stance': a target_ordinal layer needs exactly one label with "
                "'value: null' (no stance expressed); found 0",
            ],
            id="ordinal-without-null-label",
        ),
        pytest.param(
            ORDINAL,
            "value: -1",
            "value: null",
            [
                "t.yaml:17: layer 'stance': the scale needs at least two points",
                "t.yaml:20: layer 'stance': a target_ordinal layer needs exactly one label with "
                "'value: null' (no stance expressed); found 2",
            ],
            id="ordinal-two-null-labels",
        ),
        pytest.param(
            ORDINAL,
            "value: 1,",
            "value: -1,",
            [
                "t.yaml:19: label 'pro': value -1 is already the value of label 'con'",
            ],
            id="ordinal-duplicate-value",
        ),
        pytest.param(
            ORDINAL,
            "value: 1,",
            "value: 1.5,",
            [
                "t.yaml:19: label 'pro': 'value' must be an integer or null",
            ],
            id="ordinal-non-integer",
        ),
        pytest.param(
            ORDINAL,
            "value: 1,",
            "value: '1',",
            [
                "t.yaml:19: label 'pro': 'value' must be an integer or null",
            ],
            id="ordinal-quoted-integer",
        ),
        pytest.param(
            ORDINAL,
            "value: 1, ",
            "",
            [
                "t.yaml:19: label 'pro': 'value' is missing (an integer scale point, or null for the "
                "one label meaning no stance)",
            ],
            id="ordinal-missing-value",
        ),
        pytest.param(
            ORDINAL,
            "key: p,",
            "key: p, value: 1,",
            [
                "t.yaml:9: label 'person': 'value' is only for target_ordinal layers",
            ],
            id="value-outside-ordinal",
        ),
        pytest.param(
            ORDINAL,
            "target_layer: who",
            "target_layer: what",
            [
                "t.yaml:13: layer 'stance': target_layer 'what' is not a layer of this codebook",
            ],
            id="unknown-target-layer",
        ),
        pytest.param(
            ORDINAL,
            "target_layer: who",
            "target_layer: stance",
            [
                "t.yaml:13: layer 'stance': target_layer 'stance' must be a span layer (it is target_ordinal)",
            ],
            id="target-layer-not-span",
        ),
        pytest.param(
            ORDINAL,
            "targets: [army]",
            "targets: [navy]",
            [
                "t.yaml:14: layer 'stance': unknown target 'navy' (codebook targets: army)",
            ],
            id="unknown-target",
        ),
        pytest.param(
            ORDINAL,
            "  - {id: army, name: The army}",
            "  - {id: army, name: The army}\n  - {id: army, name: Again}",
            [
                "t.yaml:4: duplicate target id 'army' (first on line 3)",
            ],
            id="duplicate-target",
        ),
        pytest.param(
            ORDINAL,
            "labels: [pro]",
            "labels: [con]",
            [
                "t.yaml:21: layer 'stance': collapse leaves out label 'pro'",
                "t.yaml:23: collapse class 'favour': label 'con' is already in class 'against'",
            ],
            id="collapse-overlap-and-gap",
        ),
        pytest.param(
            ORDINAL,
            "labels: [none]",
            "labels: [nil]",
            [
                "t.yaml:21: layer 'stance': collapse leaves out label 'none'",
                "t.yaml:24: collapse class 'other': unknown label 'nil'",
            ],
            id="collapse-unknown-label",
        ),
        pytest.param(
            ORDINAL,
            "kind: flag, key: q",
            "kind: flag, key: n",
            [
                "t.yaml:16: flag 'quoted': key 'n' is already used in layer 'stance' by label 'none' (line 20)",
            ],
            id="flag-key-clash",
        ),
        pytest.param(
            ORDINAL,
            "kind: span\n",
            "kind: span\n    collapse: []\n",
            [
                "t.yaml:8: layer 'who': 'collapse' is only for target_ordinal layers",
            ],
            id="collapse-outside-ordinal",
        ),
        pytest.param(
            CHOICE,
            "key: c}",
            "key: f}",
            [
                "t.yaml:14: value 'claimed' of attribute 'realis': key 'f' is already used in layer "
                "'events' by label 'fight' (line 16)",
            ],
            id="attribute-value-key-clash",
        ),
        pytest.param(
            CHOICE,
            "applies_to: [fight]",
            "applies_to: [flight]",
            [
                "t.yaml:10: attribute 'realis': applies_to names unknown label 'flight'",
            ],
            id="applies-to-unknown",
        ),
        pytest.param(
            CHOICE,
            "default: actual",
            "default: real",
            [
                "t.yaml:11: attribute 'realis': default 'real' is not one of its values (actual, claimed)",
            ],
            id="default-not-a-value",
        ),
        pytest.param(
            CHOICE,
            "kind: choice",
            "kind: toggle",
            [
                "t.yaml:9: attribute 'realis': unknown attribute kind 'toggle' (expected one of: choice, flag)",
            ],
            id="unknown-attribute-kind",
        ),
        pytest.param(
            CHOICE,
            "kind: choice",
            "kind: choice\n        key: r",
            [
                "t.yaml:10: attribute 'realis': 'key' is only for flag attributes",
            ],
            id="key-on-choice",
        ),
    ],
)
def test_each_problem_is_reported_at_its_line(base, old, new, expected):
    assert broken(base, old, new) == expected


def test_every_problem_is_reported_at_once():
    text = PASSAGE.replace("key: a", "key: c").replace("definition: Quiet.", "defintion: Quiet.")
    assert problems(text) == [
        "t.yaml:7: label 'calm': 'definition' is missing",
        "t.yaml:11: label 'calm': unknown field 'defintion'; did you mean 'definition'?",
        "t.yaml:16: label 'angry': key 'c' is already used in layer 'tone' by label 'calm' (line 9)",
    ]


def test_the_error_is_an_input_error_printing_one_message_per_line():
    with pytest.raises(CodebookError) as caught:
        load_codebook_text(PASSAGE.replace("key: a", "key: c").replace("examples: [a]", "examples: []"), "t.yaml")
    error = caught.value
    assert isinstance(error, InputError)
    assert error.where == "t.yaml"
    assert str(error) == "\n".join(error.messages) and len(error.messages) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "t.yaml:1: the codebook is empty"),
        ("- a\n- b\n", "t.yaml:1: a codebook must be a mapping of 'field: value' lines"),
        ("name: T\nlayers: tone\n", "t.yaml:2: codebook: 'layers' must be a list ('- ...' lines)"),
        ("name: T\n", "t.yaml:1: codebook: 'layers' is missing"),
        (
            "name: T\nlayers:\n  - tone\n",
            "t.yaml:3: a layer must be a mapping of 'field: value' lines",
        ),
        ("name: T\nlayer: []\n", "t.yaml:1: codebook: 'layers' is missing"),
    ],
)
def test_top_level_problems(text, expected):
    assert expected in problems(text)


def test_unreadable_character_is_a_syntax_error_on_its_line():
    assert problems("name: T\nlayers:\n  - \x00\n") == [
        "t.yaml:3: YAML syntax error: character U+0000 is not allowed in YAML"
    ]


def test_lines_stay_right_after_an_unreadable_item():
    text = PASSAGE.replace("layers:\n", "layers:\n  - not a layer\n").replace("key: a", "key: c")
    assert problems(text) == [
        "t.yaml:3: a layer must be a mapping of 'field: value' lines",
        "t.yaml:17: label 'angry': key 'c' is already used in layer 'tone' by label 'calm' (line 10)",
    ]


def test_retired_labels_free_their_key_and_may_be_replaced():
    text = (
        PASSAGE.replace("near_misses: [b]", "near_misses: [b]\n        retired: true")
        .replace("key: a", "key: c")
        .replace("near_misses: [d]", "near_misses: [d]\n        replaces: [calm]")
    )
    layer = load_codebook_text(text, "t.yaml").layer("tone")
    assert [label.id for label in layer.active_labels] == ["angry"]
    assert layer.label("angry").replaces == ("calm",)


def test_numeric_keys_keep_their_text():
    codebook = load_codebook_text(PASSAGE.replace("key: a", "key: 7"), "t.yaml")
    assert codebook.layer("tone").label("angry").key == "7"


def test_unreadable_files_are_input_errors(tmp_path):
    with pytest.raises(InputError, match=r"nothing\.yaml: no such file or directory"):
        load_codebook(tmp_path / "nothing.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.yaml: not UTF-8 text \(byte 9\)"):
        load_codebook(latin1)
