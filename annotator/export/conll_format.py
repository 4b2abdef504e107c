"""`annotator export --format conll`: CoNLL-2003 style text files of the gold config.

One UTF-8 file per split, `<split>.conll`: a header comment naming the columns
(`# columns: token <layer>_tags ...`), then per article a `-DOCSTART-` line and a blank line,
then its passages, one token per line and a blank line after each passage. Columns are
separated by one space: the token, then one BIO tag column per span layer in codebook order
(the gold config's `<layer>_tags`, tags named `B-<label>` / `I-<label>` / `O`; `_` where the
gold config does not give the layer on that passage). Tokens are the export's `tokens`; the
whitespace a citation marker may hold (`[[2], [19]]`) is written as `_` (`[[2],_[19]]`).
"""

from __future__ import annotations

from pathlib import Path

from annotator.codebook import Codebook
from annotator.export.converted import gold_rows, span_layers
from annotator.export.tokens import bio_names

DOCSTART = "-DOCSTART-"
MISSING = "_"


def conll_file(split: str) -> str:
    """The file name of a split."""
    return f"{split}.conll"


def write_conll(dataset: Path, codebook: Codebook, split: str, out: Path) -> None:
    """Write `out/<split>.conll` from the gold config of the export in `dataset`."""
    layers = span_layers(codebook)
    columns = [f"{layer.id}_tags" for layer in layers]
    names = [bio_names([label.id for label in layer.labels]) for layer in layers]
    with open(out / conll_file(split), "w", encoding="utf-8", newline="\n") as file:
        file.write(f"# columns: token {' '.join(columns)}\n")
        article = None
        for row in gold_rows(dataset, split, columns):
            if row["article_id"] != article:
                article = row["article_id"]
                file.write(" ".join([DOCSTART] + ["O"] * len(columns)) + "\n\n")
            tags = [
                [MISSING] * len(row["tokens"]) if row[column] is None else [layer_names[code] for code in row[column]]
                for column, layer_names in zip(columns, names)
            ]
            for index, token in enumerate(row["tokens"]):
                file.write(" ".join(["_".join(token.split()), *(layer_tags[index] for layer_tags in tags)]) + "\n")
            file.write("\n")
