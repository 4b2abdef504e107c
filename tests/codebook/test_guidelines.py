"""guideline_section finds the right markdown; the manual covers the codebook and quotes the corpus."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

from annotator.codebook import (
    guideline_section,
    guidelines_dir,
    load_default_codebook,
    paths,
)

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_label_section_runs_to_the_next_heading():
    section = guideline_section("actors", "rebel_group")
    assert section.startswith("## Rebel groups (`rebel_group`)\n")
    assert "Armed movements fighting" in section
    assert "Political militias" not in section


def test_nested_sections():
    technique = guideline_section("rhetoric", "straw_man")
    assert technique.startswith("### Straw man (`straw_man`)")
    assert "Red herring" not in technique
    category = guideline_section("rhetoric", "distraction")
    assert category.startswith("## Distraction (`distraction`)")
    assert "### Straw man" in category and "### Whataboutism" in category
    assert "## Call" not in category


def test_layer_file_when_the_label_has_no_section():
    whole = (guidelines_dir() / "stance.md").read_text(encoding="utf-8")
    assert guideline_section("stance") == whole
    assert guideline_section("stance", "no_such_label") == whole


def test_index_when_the_layer_has_no_file():
    assert guideline_section("no_such_layer") == (guidelines_dir() / "index.md").read_text(encoding="utf-8")


def test_shared_pages_have_sections_too():
    assert guideline_section("spans", "clean_edges").startswith("## Clean edges (`clean_edges`)")
    assert guideline_section("index", "flagging").startswith("## Flag instead of guessing")


def test_every_layer_label_and_attribute_of_the_default_codebook_has_a_section():
    for layer in load_default_codebook().layers:
        assert (guidelines_dir() / f"{layer.guidelines}.md").is_file()
        anchors = [label.id for label in layer.labels] + [a.id for a in layer.attributes]
        anchors += [category.id for category in layer.categories]
        for anchor in anchors:
            section = guideline_section(layer.guidelines, anchor)
            assert section.lstrip("#").startswith(" "), (layer.id, anchor)
            assert f"(`{anchor}`)" in section.splitlines()[0], (layer.id, anchor)


def test_section_anchors_are_unique_per_file():
    for page in guidelines_dir().iterdir():
        if page.name.endswith(".md"):
            anchors = re.findall(r"^#{2,6} .*\(`([a-z0-9_]+)`\)\s*$", page.read_text(encoding="utf-8"), re.M)
            assert len(anchors) == len(set(anchors)), page.name


def _sample_text(name: str) -> str:
    path = REPO / "annotator" / "sample_corpus" / name
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        return "\n".join(json.loads(line)["text"] for line in lines if line.strip())
    return path.read_text(encoding="utf-8")


def test_worked_examples_quote_the_sample_corpus_exactly():
    """A block quote that ends with `— sample corpus: `file`` must be in that file, word for word."""
    quoted = 0
    for page in sorted(guidelines_dir().iterdir(), key=lambda p: p.name):
        if not page.name.endswith(".md"):
            continue
        for block in re.findall(r"(?:^>.*\n)+", page.read_text(encoding="utf-8"), re.M):
            lines = [line[1:].strip() for line in block.splitlines()]
            source = re.fullmatch(r"— sample corpus: `([^`]+)`.*", lines[-1])
            if source is None:
                continue
            quote = " ".join(" ".join(lines[:-1]).split())
            assert quote in " ".join(_sample_text(source.group(1)).split()), (page.name, quote[:60])
            quoted += 1
    assert 3 <= quoted <= 6


def test_guidelines_dir_prefers_the_installed_package(monkeypatch):
    sentinel = object()
    monkeypatch.setattr(paths, "files", lambda package: sentinel)
    assert paths.guidelines_dir() is sentinel


def test_guidelines_dir_falls_back_to_the_checkout(monkeypatch):
    def missing(package):
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(paths, "files", missing)
    assert paths.guidelines_dir() == REPO / "guidelines"
    assert (paths.guidelines_dir() / "codebook.yaml").is_file()


@pytest.mark.parametrize("name", ["index", "spans", "actors", "event_type", "stance", "rhetoric"])
def test_each_page_opens_with_a_title(name):
    assert (guidelines_dir() / f"{name}.md").read_text(encoding="utf-8").startswith("# ")
