"""The codebook: the label scheme as typed, immutable data, loaded and validated from YAML."""

from annotator.codebook.diff import (
    CodebookDiff,
    LayerDiff,
    Merge,
    Rename,
    Split,
    diff_codebooks,
)
from annotator.codebook.guidelines import guideline_section
from annotator.codebook.keys import UI_RESERVED_KEYS, is_reserved_key
from annotator.codebook.loader import (
    load_codebook,
    load_codebook_text,
    load_default_codebook,
)
from annotator.codebook.model import (
    ATTRIBUTE_KINDS,
    LAYER_KINDS,
    Attribute,
    AttributeValue,
    Category,
    Codebook,
    CollapsedClass,
    Label,
    Layer,
    Subtype,
    Target,
)
from annotator.codebook.paths import default_codebook_path, guidelines_dir
from annotator.codebook.problems import CodebookError

__all__ = [
    "ATTRIBUTE_KINDS",
    "LAYER_KINDS",
    "UI_RESERVED_KEYS",
    "Attribute",
    "AttributeValue",
    "Category",
    "Codebook",
    "CodebookDiff",
    "CodebookError",
    "CollapsedClass",
    "Label",
    "Layer",
    "LayerDiff",
    "Merge",
    "Rename",
    "Split",
    "Subtype",
    "Target",
    "default_codebook_path",
    "diff_codebooks",
    "guideline_section",
    "guidelines_dir",
    "is_reserved_key",
    "load_codebook",
    "load_codebook_text",
    "load_default_codebook",
]
