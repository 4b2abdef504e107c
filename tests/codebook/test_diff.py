"""diff_codebooks: what changed between two codebook versions, and how it reads."""

from __future__ import annotations

from dataclasses import replace

from annotator.codebook import (
    Codebook,
    Label,
    Layer,
    Merge,
    Rename,
    Split,
    diff_codebooks,
    guidelines_dir,
    load_codebook,
    load_default_codebook,
)


def label(label_id: str, **changes) -> Label:
    base = Label(
        id=label_id,
        name=label_id.upper(),
        key=label_id[0],
        color="#2b74da",
        definition=f"Definition of {label_id}.",
        examples=("e",),
        near_misses=("n",),
    )
    return replace(base, **changes)


def codebook(*labels: Label, extra_layers: tuple[Layer, ...] = ()) -> Codebook:
    layer = Layer(id="tone", name="Tone", kind="passage_single", labels=labels)
    return Codebook(name="T", layers=(layer, *extra_layers))


OLD = codebook(label("a"), label("b"), label("c"))


def test_identical_codebooks_have_an_empty_diff():
    diff = diff_codebooks(OLD, OLD)
    assert diff.is_empty
    assert diff.lines({("tone", "a"): 3}) == []


def test_added_label():
    diff = diff_codebooks(OLD, codebook(label("a"), label("b"), label("c"), label("d")))
    (layer,) = diff.layers
    assert layer.added == ("d",)
    assert diff.lines() == ["layer tone:", "  added: d"]


def test_renamed_label_keeps_its_id():
    diff = diff_codebooks(OLD, codebook(label("a", name="Alpha"), label("b"), label("c")))
    assert diff.layers[0].renamed == (Rename("a", "A", "Alpha"),)
    assert diff.lines() == ["layer tone:", "  renamed: a 'A' -> 'Alpha'"]


def test_retired_by_flag_or_by_absence():
    diff = diff_codebooks(OLD, codebook(label("a", retired=True), label("b")))
    assert diff.layers[0].retired == ("a", "c")
    assert diff.lines({("tone", "a"): 1, ("tone", "c"): 4}) == [
        "layer tone:",
        "  retired: a (1 label affected)",
        "  retired: c (4 labels affected)",
    ]


def test_merge_into_an_existing_label():
    new = codebook(label("a", retired=True), label("b", replaces=("a",)), label("c"))
    layer = diff_codebooks(OLD, new).layers[0]
    assert layer.merged == (Merge("b", ("a",), into_is_new=False),)
    assert layer.retired == () and layer.added == ()
    usage = {("tone", "a"): 12, ("tone", "b"): 30}
    assert diff_codebooks(OLD, new).lines(usage) == [
        "layer tone:",
        "  merged: a + b -> b (12 labels affected)",
    ]


def test_merge_into_a_new_label():
    new = codebook(
        label("a", retired=True),
        label("b", retired=True),
        label("c"),
        label("d", replaces=("a", "b")),
    )
    layer = diff_codebooks(OLD, new).layers[0]
    assert layer.merged == (Merge("d", ("a", "b"), into_is_new=True),)
    assert layer.added == () and layer.retired == ()
    assert layer.lines({("tone", "a"): 2, ("tone", "b"): 3}) == ["merged: a + b -> d (5 labels affected)"]


def test_split_flags_for_review_and_adds_nothing():
    new = codebook(
        label("a", retired=True),
        label("b"),
        label("c"),
        label("x", split_from="a"),
        label("y", split_from="a"),
    )
    layer = diff_codebooks(OLD, new).layers[0]
    assert layer.split == (Split("a", ("x", "y")),)
    assert layer.added == () and layer.retired == ()
    assert layer.lines({("tone", "a"): 7}) == ["split: a -> x, y (7 labels flagged for review)"]


def test_definition_change():
    diff = diff_codebooks(OLD, codebook(label("a"), label("b", definition="New."), label("c")))
    assert diff.layers[0].redefined == ("b",)
    assert diff.lines() == ["layer tone:", "  definition changed: b"]


def test_an_old_migration_is_not_reported_again():
    migrated = codebook(label("a", retired=True), label("b", replaces=("a",)), label("c"))
    assert diff_codebooks(migrated, migrated).is_empty


def test_layers_added_and_removed():
    extra = Layer(id="who", name="Who", kind="span", labels=(label("p"),))
    added = diff_codebooks(OLD, codebook(label("a"), label("b"), label("c"), extra_layers=(extra,)))
    assert added.layers_added == ("who",) and added.layers == ()
    assert added.lines() == ["layer added: who"]
    removed = diff_codebooks(codebook(label("a"), label("b"), label("c"), extra_layers=(extra,)), OLD)
    assert removed.layers_removed == ("who",)
    assert removed.lines({("who", "p"): 9, ("tone", "a"): 1}) == ["layer removed: who (9 labels affected)"]
    assert not removed.is_empty


def test_diff_of_the_shipped_codebooks_is_pure():
    default = load_default_codebook()
    tiny = load_codebook(guidelines_dir() / "examples" / "tiny-codebook.yaml")
    diff = diff_codebooks(default, tiny)
    assert diff.layers_added == ("sentiment", "entity")
    assert diff.layers_removed == ("actors", "event_type", "stance", "rhetoric")
    assert diff_codebooks(default, tiny) == diff
