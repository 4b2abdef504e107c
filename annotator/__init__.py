"""annotator: a keyboard-first terminal tool for labelling a corpus of conflict text."""

__version__ = "0.1.0"
