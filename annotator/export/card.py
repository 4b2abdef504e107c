"""The dataset card (`README.md`): YAML front matter that `datasets` reads, and the documentation.

The front matter declares both configs with their data files per split and their features
(`dataset_info`), so `load_dataset(path)` and `load_dataset(path, "raw")` get the ClassLabel
names offline. The body quotes the codebook and states every export rule.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasets import DatasetInfo, Features
from datasets.info import DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from annotator.agreement.results import GOLD, Measure
from annotator.codebook import Codebook, Layer
from annotator.core.kinds import rules_of
from annotator.export.features import data_file
from annotator.releases import CHANGE_KINDS

if TYPE_CHECKING:
    from annotator.export.exporter import ExportResult

_GOLD_RULES = {
    "gold": "adjudicated labels only: passages without any adjudication are left out, and layers "
    "without one on a passage are null",
    "majority": "for layers without one, the items chosen by more than half of the passage's coders "
    "(its annotators who finished it or labelled it; an item is the label and its exact offsets for "
    "spans, the label for passage layers, the target and label for stance); each attribute takes the "
    "most common value among them (ties: codebook order)",
    "raw": "for layers without one, the labels of the passage's most central annotator: the one with "
    "the highest mean pairwise agreement with the others (ties: the lowest internal id)",
}


_SIZE_STEPS = ("1K", "10K", "100K", "1M", "10M", "100M", "1B", "10B", "100B", "1T")
SIZE_CATEGORIES = tuple(
    (10 ** (3 + i), f"{_SIZE_STEPS[i - 1]}<n<{step}" if i else f"n<{step}") for i, step in enumerate(_SIZE_STEPS)
)
"""(limit, the Hub's `size_categories` value below it), the `datasets` vocabulary."""
ANNOTATIONS_CREATORS = ["expert-generated"]
LANGUAGE_CREATORS = ["found"]
_TASKS = {
    "span": ("token-classification", "named-entity-recognition"),
    "passage_multi": ("text-classification", "multi-label-classification"),
    "passage_single": ("text-classification", "multi-class-classification"),
}
_TARGET_TASK = ("text-classification", "sentiment-classification")
"""Stance towards targets: the Hub has no stance task id; sentiment classification is the nearest."""


def write_card(path: Path, result: ExportResult, features: dict[str, Features]) -> None:
    """Write the card of `result` to `path` (in the export directory, after the data files)."""
    codebook = result.snapshot.codebook
    categories, task_ids = _tasks(codebook)
    data = DatasetCardData(
        license=card_license(result),
        language=[codebook.language],
        pretty_name=codebook.name,
        annotations_creators=ANNOTATIONS_CREATORS,
        language_creators=LANGUAGE_CREATORS,
        size_categories=[size_category(sum(result.rows.get("gold", {}).values()))],
        task_categories=categories,
        task_ids=task_ids,
    )
    configs = {
        config: {
            "data_files": [{"split": split, "path": data_file(config, split)} for split in splits],
            **({"default": True} if config == "gold" else {}),
        }
        for config, splits in result.rows.items()
    }
    MetadataConfigs(configs).to_dataset_card_data(data)
    infos = {config: _info(path.parent, config, splits, features[config]) for config, splits in result.rows.items()}
    DatasetInfosDict(infos).to_dataset_card_data(data)
    body = "\n\n".join(section for section in _sections(result) if section)
    DatasetCard(f"---\n{data.to_yaml()}\n---\n\n{body}\n").save(path)


def card_license(result: ExportResult) -> str:
    """The release's licence, else the codebook's, else `unknown` (Hub licence ids are lower case)."""
    release = result.snapshot.release
    chosen = (release.license if release is not None else None) or result.snapshot.codebook.license
    return (chosen or "unknown").lower()


def size_category(passages: int) -> str:
    """The Hub's `size_categories` value for `passages` examples."""
    return next((name for limit, name in SIZE_CATEGORIES if passages < limit), "n>1T")


def _info(directory: Path, config: str, splits: dict[str, int], features: Features) -> DatasetInfo:
    """A config's features and splits, with each split's row count and its parquet file's size."""
    sizes = {split: (directory / data_file(config, split)).stat().st_size for split in splits}
    return DatasetInfo(
        config_name=config,
        features=features,
        splits=SplitDict(
            {split: SplitInfo(split, num_bytes=sizes[split], num_examples=rows) for split, rows in splits.items()}
        ),
        download_size=sum(sizes.values()),
    )


def _tasks(codebook: Codebook) -> tuple[list[str], list[str]]:
    """The Hub's task categories and task ids of the codebook's layers, in codebook order."""
    pairs = [_TARGET_TASK if rules_of(layer).needs_target else _TASKS.get(layer.kind) for layer in codebook.layers]
    known = [pair for pair in pairs if pair is not None]
    return list(dict.fromkeys(c for c, _ in known)), list(dict.fromkeys(t for _, t in known))


def _sections(result: ExportResult) -> Iterable[str]:
    codebook = result.snapshot.codebook
    yield f"# {_cell(codebook.name)}"
    yield _summary(result)
    yield _configs(result)
    yield _columns(codebook)
    yield f"## Languages\n\n`{codebook.language}` (the codebook's language)."
    yield _codebook(codebook)
    yield _procedure(result)
    yield _agreement(result)
    yield _label_counts(result)
    yield _release(result)
    yield _limitations(result)
    yield _license(result)


def _license(result: ExportResult) -> str:
    release, chosen = result.snapshot.release, card_license(result)
    if chosen == "unknown":
        text = "Unknown: no licence was given (`annotator release create TAG --license ID`, or `license:` in the codebook)."
    elif release is not None and release.license:
        text = f"`{_cell(chosen)}`, as release `{_cell(release.tag)}` states."
    else:
        text = f"`{_cell(chosen)}`, as the codebook states."
    rights = release.text_rights if release is not None else None
    about = f"Rights in the texts: {_cell(rights)}" if rights else "No statement of the rights in the texts was given."
    return f"## License\n\n{text}\n\n{about}"


def _summary(result: ExportResult) -> str:
    codebook, snapshot = result.snapshot.codebook, result.snapshot
    passages = sum(result.rows.get("gold", {}).values())
    lines = [_cell(codebook.description) if codebook.description else "", ""]
    lines.append(
        f"{passages} passages from {sum(result.articles.values())} articles, labelled by "
        f"{result.annotators} annotators with the codebook *{_cell(codebook.name)}* "
        f"(version {snapshot.codebook_version}), exported by `annotator export`."
    )
    if snapshot.release is None:
        lines.append(
            f"\n**This is not a release**: it is the current state of the labels (up to revision "
            f"{snapshot.watermark}). Exporting again later can give different data; export a release "
            "(`annotator release create TAG`, then `annotator export --release TAG`) for a fixed dataset."
        )
    else:
        lines.append(f"\nRelease **`{_cell(snapshot.release.tag)}`** (labels up to revision {snapshot.watermark}).")
    return "\n".join(lines).strip()


def _configs(result: ExportResult) -> str:
    split_names = list(result.fractions)
    lines = [
        "## Configurations and splits",
        "",
        "- `gold` (default): one row per passage. Adjudicated labels (made in adjudication) where a "
        f"layer has them; otherwise, with `--labels {result.mode}`: {_GOLD_RULES[result.mode]}. "
        "`adjudicated_layers` lists the layers a lead decided, also where the decision was that the layer "
        "has no labels (then its gold is an empty list); `disputed_layers` lists the layers where the "
        "coders did not all give the same items; `undecided_layers` the layers where the majority tied "
        "(an item chosen by exactly half of the coders, or a single-choice slot most coders filled "
        'without a majority for one label), so an empty fallback there is not "nothing here". '
        "`layer_agreement` gives the item agreement per layer (null with fewer than two coders), and "
        "`votes` every item any coder gave (layer, label, span offsets into `text`, target) with how "
        "many of the `num_annotators` coders gave it: soft labels, and what a tie looked like.",
        "- `raw`: one row per passage and annotator, with that annotator's own labels. Annotators are "
        "pseudonymised as `annotator_01`, `annotator_02`, ... by order of joining the project; the "
        "pseudonyms are stable across exports.",
        "- `documents`: one row per article of the configs above, in the same split: its stored `text`, "
        "`title`, `author`, `source`, `url`, `published`, `metadata` (every other field the import kept, "
        "as a JSON object with sorted keys), all its passages, labelled or not (`passages`: index, start, "
        "end, kind, annotatable, and `gold_layers`, the layers the gold config gives there), and every "
        "label in article offsets: `gold` (per layer, the labels of the article's `gold` rows) and "
        "`annotations` (per annotator, pseudonymised as in `raw`, with the indexes of the `passages` "
        "they coded). Each label has its `passage_index`; spans have `start`/`end` into `text` (the "
        "`article_start`/`article_end` of the passage configs), their `text` and `source_start`/`source_end`.",
        "",
        "Only annotatable passages with at least one current label at the snapshot are exported. "
        f"Splits are grouped by article (no article is in two splits), requested as "
        f"{', '.join(f'{name}={share:g}' for name, share in result.fractions.items())} with seed "
        f"{result.seed}, and stratified on every layer's labels at once by iterative stratification "
        "over articles (Sechidis et al. 2011; a span label counts by its category where it has one).",
        "",
        _table(
            ["config", *split_names],
            [[config, *(result.rows.get(config, {}).get(name, 0) for name in split_names)] for config in result.rows]
            + [["articles", *(result.articles.get(name, 0) for name in split_names)]],
        ),
    ]
    return "\n".join(lines)


def _columns(codebook: Codebook) -> str:
    lines = [
        "## Columns",
        "",
        "- `article_id` (the article's external id, else its sha256), `article_title`, `passage_index`, "
        "`passage_id`, `passage_start` (where `text` starts in the article text), `annotator` (raw only), "
        "`source`, `url`, `published`, `codebook_version`.",
        "- `num_annotators`: people with at least one label of their own on the passage.",
        "- `agreement` (per item): the mean, over pairs of the passage's annotators, of the Jaccard "
        "similarity |A ∩ B| / |A ∪ B| of their label items (layer, label, span offsets, target; all "
        "layers pooled, spans matched exactly); null with fewer than two annotators.",
        "- `text`, and `tokens`: documented rules on the `regex` module (annotator/export/tokens.py): "
        "times, numbers, abbreviations, URLs, e-mail addresses and hyphenated words stay whole; each "
        "citation marker or placeholder (`[[3]]`, `[INTERNAL_LINK:slug]`) is one token; "
        "`token_starts`/`token_ends` are code-point offsets into `text` and `token_is_markup` marks "
        "the markers (left out of `tokens` and every `*_tags` when exported with `--drop-markup`).",
        "",
        "Per layer, in codebook order (labels are ClassLabels named by label id, retired labels "
        "included; offsets are code points into `text`, end exclusive; a choice attribute the "
        "annotator left unset takes its codebook default; one that does not apply is null):",
        "",
    ]
    for layer in codebook.layers:
        lines.append(f"- `{layer.id}` ({layer.kind}): {_layer_columns(layer)}")
    if any(rules_of(layer).spans for layer in codebook.layers):
        lines += [
            "",
            "Span offsets: `start`/`end` are into `text` (the passage); `article_start`/`article_end` into "
            "the article text as stored (`article_start = passage_start + start`); `source_start`/`source_end` "
            "into the article's original file decoded with nothing removed "
            "(`open(path, encoding='utf-8', newline='').read()`; a JSONL/CSV article: its `text` value). The stored text drops a leading byte-order mark and "
            "the \\r of each \\r\\n (a lone \\r becomes \\n), so source offsets differ from article "
            "offsets by the characters dropped before them; the slice of the source is the span text.",
            "",
            "BIO tags: a span covers every token it overlaps. Overlapping spans cannot all be tagged: "
            "spans are placed longest first (ties: codebook order of the label, then the earlier start) "
            "and a span that would share a token with one already placed is left out of the tags; the "
            "spans column always has every span.",
        ]
    return "\n".join(lines)


def _layer_columns(layer: Layer) -> str:
    attributes = ", ".join(f"`{a.id}`" for a in layer.attributes)
    with_attributes = f" with {attributes}" if attributes else ""
    if rules_of(layer).spans:
        return (
            f"`{layer.id}` = list of {{start, end, text, label, article_start, article_end, source_start, "
            f"source_end{', ' + attributes if attributes else ''}}}; `{layer.id}_tags` = BIO tags over `tokens`."
        )
    if layer.kind == "passage_single":
        extra = ", ".join(f"`{layer.id}_{a.id}`" for a in layer.attributes)
        return f"`{layer.id}` = one label (null: none)" + (f"; {extra}." if extra else ".")
    if layer.kind == "passage_multi":
        extra = ", ".join(f"`{layer.id}_{a.id}`" for a in layer.attributes)
        return f"`{layer.id}` = list of labels" + (f"; {extra} = parallel lists of their values." if extra else ".")
    collapsed = ", collapsed" if layer.collapse else ""
    return f"`{layer.id}` = list of {{target, value, label{collapsed}}}{with_attributes}, one per target."


def _codebook(codebook: Codebook) -> str:
    lines = ["## Codebook", ""]
    if codebook.description:
        lines += [f"> {_cell(codebook.description)}", ""]
    for layer in codebook.layers:
        lines += [f"### {_cell(layer.name)} (`{layer.id}`, {layer.kind})", ""]
        if layer.description:
            lines += [f"> {_cell(layer.description)}", ""]
        rows = []
        for label in layer.labels:
            name = label.name + (" (retired)" if label.retired else "")
            value = ["none" if label.value is None else label.value] if rules_of(layer).needs_target else []
            rows.append([f"`{label.id}`", name, *value, label.definition])
        headers = ["id", "name", *(["value"] if rules_of(layer).needs_target else []), "definition"]
        lines += [_table(headers, rows), ""]
        for attribute in layer.attributes:
            values = ", ".join(f"`{value.id}` ({_cell(value.name)})" for value in attribute.values) or "true/false"
            about = f"{values}. {_cell(attribute.description)}"
            lines.append(f"- attribute `{attribute.id}` ({_cell(attribute.name)}): {about}")
        for collapsed in layer.collapse:
            members = ", ".join(collapsed.labels)
            lines.append(f"- collapsed class `{collapsed.id}` ({_cell(collapsed.name)}): {members}")
        if rules_of(layer).needs_target:
            targets = ", ".join(f"`{t.id}` ({_cell(t.name)})" for t in codebook.targets_for(layer.id)) or "none"
            if layer.target_layer:
                targets += f"; also any mention labelled in `{layer.target_layer}` (the target is its text)"
            lines.append(f"- targets: {targets}")
        lines.append("")
    return "\n".join(lines).strip()


def _procedure(result: ExportResult) -> str:
    return "\n".join(
        [
            "## Annotation procedure",
            "",
            "Annotators labelled passages in a keyboard-driven terminal tool, one passage at a time, "
            "with the codebook's definitions, examples and near misses at hand. Every change is kept as "
            "a revision; this export holds the labels current at the snapshot. Leads may adjudicate "
            "disagreements; adjudicated labels feed the `gold` config only. Labels imported from other "
            'sources (origin "import") are treated like the others.',
        ]
    )


def _agreement(result: ExportResult) -> str:
    report = result.agreement
    if report is None:
        raise ValueError("the dataset card is written after the agreement report")
    rows = [
        [
            f"`{layer.layer}`",
            measure.measure,
            _number(measure.coefficient),
            _interval(measure),
            measure.n_units,
            measure.interpretation,
        ]
        for layer in report.layers
        for measure in layer.measures
        if measure.scope == "overall"
    ]
    lines = [
        "## Agreement",
        "",
        f"Overall agreement per layer and measure at revision {report.as_of}, as `annotator agreement` "
        "reports it. The full report (per label, target, pair and annotator, confusion matrices, "
        "agreement over time and the passages with most disagreement) is in `agreement.html`, "
        "`agreement.json` and `agreement.csv`, with annotators named as in the `raw` config and "
        f"adjudicated labels as the pseudo-coder `{GOLD}`. Intervals: {report.ci:.0%} from "
        f"{report.n_boot} bootstrap resamples (seed {report.seed}). Krippendorff's alpha >= 0.800 "
        "is reliable, 0.667 to 0.800 tentative.",
        "",
    ]
    if not rows:
        return "\n".join(lines + ["No agreement figures: no layer has labels of two coders."])
    return "\n".join(lines + [_table(["layer", "measure", "coefficient", "interval", "units", "reading"], rows)])


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _interval(measure: Measure) -> str:
    return "" if math.isnan(measure.low) else f"{measure.low:.3f} to {measure.high:.3f}"


def _label_counts(result: ExportResult) -> str:
    split_names = [name for name in result.fractions if name in result.rows.get("gold", {})]
    lines = [
        "## Label counts (gold config)",
        "",
        "The splits are stratified on every layer's labels at once (a span label counts by its category "
        "where it has one), by iterative stratification over articles (annotator/export/splits.py), so "
        "each split's share of a label is close to its share of the corpus.",
        "",
    ]
    for layer in result.snapshot.codebook.layers:
        rows = [
            [f"`{label.id}`", *(result.label_counts[(layer.id, label.id, name)] for name in split_names)]
            for label in layer.labels
        ]
        lines += [f"### `{layer.id}`", "", _table(["label", *split_names], rows), ""]
    return "\n".join(lines).strip()


def _release(result: ExportResult) -> str:
    snapshot = result.snapshot
    lines = ["## Release and changelog", ""]
    if snapshot.release is not None:
        release = snapshot.release
        lines.append(
            f"Release `{_cell(release.tag)}`, created {release.created_at:%Y-%m-%d %H:%M} UTC"
            + (f": {_cell(release.note)}" if release.note else ".")
        )
    else:
        lines.append(f"Not a release: the current labels, up to revision {snapshot.watermark}.")
    if snapshot.previous is None or result.changelog is None:
        lines += ["", "No earlier release to compare with."]
        return "\n".join(lines)
    lines += ["", f"Changes since release `{_cell(snapshot.previous.tag)}` (labels matched by revision lineage):", ""]
    if not result.changelog.layers:
        return "\n".join(lines + ["No labels in either snapshot."])
    lines.append(
        _table(
            ["layer", *CHANGE_KINDS, "unchanged"],
            [[c.layer, *(c.counts[kind] for kind in CHANGE_KINDS), c.unchanged] for c in result.changelog.layers],
        )
    )
    return "\n".join(lines)


def _limitations(result: ExportResult) -> str:
    lines = [
        "## Known limitations",
        "",
        "- Passages nobody labelled are not exported, so a layer's absence of labels on an exported "
        'passage can mean "nothing to label" or "not looked at for this layer".',
        "- Majority labels need more than half of the passage's annotators: items without a majority "
        "are left out, so gold spans are sparser than any one annotator's.",
    ]
    codebook = result.snapshot.codebook
    if any(rules_of(layer).spans and layer.allow_overlap for layer in codebook.layers):
        lines.append("- BIO tags cannot hold overlapping spans (see Columns); use the spans column for those.")
    with_subtypes = [f"`{layer.id}`" for layer in codebook.layers if any(label.subtypes for label in layer.labels)]
    if with_subtypes:
        lines.append(
            f"- Sub-types ({', '.join(f'{name[:-1]}_subtype`' for name in with_subtypes)}) are optional: "
            "annotators leave them empty when the text does not say how an event happened."
        )
    empty = [name for name in result.fractions if not any(name in splits for splits in result.rows.values())]
    if empty:
        lines.append(f"- Too few articles to fill every split: {', '.join(empty)} is empty and left out.")
    if card_license(result) == "unknown":
        lines.append(
            "- The licence is unknown: the texts and labels may not be reusable; ask the publisher before use."
        )
    if result.skipped_labels:
        lines.append(
            f"- {result.skipped_labels} labels were left out: their layer or label is not in codebook "
            f"version {result.snapshot.codebook_version}."
        )
    return "\n".join(lines)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(str(value)) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or heading: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")
