"""`annotator export --format spacy`: a spaCy `DocBin` of the gold config per split.

Optional: needs spaCy (`pip install spacy`; a blank `Vocab`, no model is loaded or
downloaded); without it the command stops with a one-line error. One `<split>.spacy` file per
split holds a `Doc` per gold passage: its words are the export's `tokens` plus the whitespace
between them (as spaCy's trailing spaces and whitespace tokens), so `doc.text` is the passage
`text` (less the markers with `--drop-markup`). `doc.spans[<layer>]` holds each span layer's
gold spans, overlaps kept, labelled by label id and token-aligned as the BIO tags are (a span
covers every token it overlaps); `doc.user_data` has `article_id`, `passage_index` and
`passage_id`. For NER training: `doc.ents = spacy.util.filter_spans(doc.spans["actors"])`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from annotator.codebook import Codebook
from annotator.core.rules import MARKUP
from annotator.errors import AnnotatorError
from annotator.export.converted import gold_rows, span_layers
from annotator.export.tokens import Tokens


def require_spacy() -> None:
    """Refuse with a one-line error when spaCy is not installed."""
    if importlib.util.find_spec("spacy") is None:
        raise AnnotatorError("--format spacy needs spaCy, which is not installed (pip install spacy)")


def spacy_file(split: str) -> str:
    """The file name of a split."""
    return f"{split}.spacy"


def write_spacy(dataset: Path, codebook: Codebook, split: str, out: Path) -> None:
    """Write `out/<split>.spacy` from the gold config of the export in `dataset`."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    layers = span_layers(codebook)
    labels = {layer.id: [label.id for label in layer.labels] for layer in layers}
    docs = DocBin(store_user_data=True)
    for row in gold_rows(dataset, split, [layer.id for layer in layers]):
        docs.add(_doc(vocab, row, labels))
    (out / spacy_file(split)).write_bytes(docs.to_bytes())  # strings sorted, no timestamps


def _doc(vocab: Any, row: dict[str, Any], labels: dict[str, list[str]]) -> Any:
    """The passage as a `Doc`: its tokens, the whitespace between them, its spans per layer."""
    from spacy.tokens import Doc, Span

    text = row["text"]
    words: list[str] = []
    spaces: list[bool] = []
    index_of: list[int] = []  # token index -> its index among the words
    end = 0
    for word, start, token_end in zip(row["tokens"], row["token_starts"], row["token_ends"]):
        _add_gap(MARKUP.sub("", text[end:start]), words, spaces)
        index_of.append(len(words))
        words.append(word)
        spaces.append(False)
        end = token_end
    _add_gap(MARKUP.sub("", text[end:]), words, spaces)
    doc = Doc(vocab, words=words, spaces=spaces)
    tokens = Tokens(row["tokens"], row["token_starts"], row["token_ends"], [False] * len(row["tokens"]))
    for layer, names in labels.items():
        group = []
        for span in row[layer] or []:
            covered = tokens.covering(span["start"], span["end"])
            if covered:
                first, last = index_of[covered.start], index_of[covered.stop - 1]
                group.append(Span(doc, first, last + 1, label=names[span["label"]]))
        doc.spans[layer] = group
    doc.user_data.update({key: row[key] for key in ("article_id", "passage_index", "passage_id")})
    return doc


def _add_gap(gap: str, words: list[str], spaces: list[bool]) -> None:
    """Add the whitespace between two tokens: one space after a token, else a whitespace token."""
    if gap == " " and words:
        spaces[-1] = True
    elif gap:
        words.append(gap)
        spaces.append(False)
