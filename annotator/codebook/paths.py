"""Where the shipped guidelines and default codebook are, installed or in a checkout."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

DEFAULT_CODEBOOK_FILE = "codebook.yaml"


def guidelines_dir() -> Traversable:
    """The guidelines directory: the `annotator._guidelines` package, else the checkout's copy."""
    try:
        return files("annotator._guidelines")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "guidelines"


def default_codebook_path() -> Traversable:
    """The codebook the tool ships with."""
    return guidelines_dir() / DEFAULT_CODEBOOK_FILE
