"""The guidelines section to show next to a layer or a label, read from the shipped markdown.

Each layer has a file `<layer.guidelines>.md`; a label's section is the `## ` heading that ends
with its id in backticks, e.g. ``## Rebel groups (`rebel_group`)``, up to the next `## ` heading.
"""

from __future__ import annotations

import re

from annotator.codebook.paths import guidelines_dir

INDEX_FILE = "index.md"

_ANCHOR = re.compile(r"^## .*\(`([a-z][a-z0-9_]*)`\)\s*$")
_SECTION_END = re.compile(r"^#{1,2} ")


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
        match = _ANCHOR.match(line)
        if match and match.group(1) == anchor:
            end = next(
                (i for i in range(start + 1, len(lines)) if _SECTION_END.match(lines[i])),
                len(lines),
            )
            return "".join(lines[start:end]).rstrip() + "\n"
    return None
