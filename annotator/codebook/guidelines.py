"""The guidelines section to show next to a layer or a label, read from the shipped markdown.

Each layer has a file `<layer.guidelines>.md`; a label's section is the heading (`## ` or deeper)
that ends with its id in backticks, e.g. ``## Rebel groups (`rebel_group`)``, up to the next
heading of the same or a higher level, so a category's section includes its labels' sections.
"""

from __future__ import annotations

import re

from annotator.codebook.paths import guidelines_dir

INDEX_FILE = "index.md"

_ANCHORED_HEADING = re.compile(r"^(#{2,6}) .*\(`([a-z][a-z0-9_]*)`\)\s*$")
_HEADING = re.compile(r"^(#{1,6}) ")


def has_guidelines(name: str) -> bool:
    """Whether the shipped manual has a file for this layer (`<name>.md`)."""
    return (guidelines_dir() / f"{name}.md").is_file()


def guideline_section(layer_id: str, label_id: str | None = None) -> str:
    """The label's section if there is one, else the layer's whole file, else the index.

    `layer_id` names the file: pass the layer's `guidelines` value (the layer id by default).
    """
    directory = guidelines_dir()
    layer_file = directory / f"{layer_id}.md"
    if not layer_file.is_file():
        return (directory / INDEX_FILE).read_text(encoding="utf-8")
    text = layer_file.read_text(encoding="utf-8")
    if label_id is not None:
        section = _section(text, label_id)
        if section is not None:
            return section
    return text


def _section(text: str, anchor: str) -> str | None:
    lines = text.splitlines(keepends=True)
    for start, line in enumerate(lines):
        match = _ANCHORED_HEADING.match(line)
        if match and match.group(2) == anchor:
            level = len(match.group(1))
            end = next(
                (i for i in range(start + 1, len(lines)) if _ends_section(lines[i], level)),
                len(lines),
            )
            return "".join(lines[start:end]).rstrip() + "\n"
    return None


def _ends_section(line: str, level: int) -> bool:
    heading = _HEADING.match(line)
    return heading is not None and len(heading.group(1)) <= level
