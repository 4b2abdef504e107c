"""The agreement report as one self-contained HTML file: inline CSS and SVG, no scripts, no links out.

Per layer: the overall coefficients, per-label (or per-target) coefficients with their
intervals, the pairwise heatmap, each annotator's agreement with the others over time, the
confusion matrices and the passages with most disagreement. All text is escaped.
"""

from __future__ import annotations

import math
import os
import tempfile
from html import escape
from pathlib import Path

import numpy as np

from annotator.agreement.results import GOLD, AgreementReport, LayerAgreement, Measure
from annotator.agreement.svg import heatmap, interval_chart, line_chart
from annotator.errors import AnnotatorError

PER_ITEM_MEASURE = {
    "passage_single": ("alpha_binary", "label"),
    "passage_multi": ("alpha_binary", "label"),
    "target_ordinal": ("alpha_ordinal", "target"),
    "span": ("alpha_unitizing", "label"),
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1150px; color: #222; background: #fff; }
h1 { margin-bottom: 4px; } h2 { border-bottom: 2px solid #333; padding-bottom: 4px; margin-top: 40px; }
h3 { margin-top: 24px; color: #333; } small, .muted { color: #666; }
nav a { margin-right: 14px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.scroll { overflow-x: auto; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 8px; font-size: 12px; }
.reliable { background: #c8ecc8; } .tentative { background: #f6e7a8; } .unreliable { background: #f5c6c0; }
.undefined { background: #e6e6e6; }
table.confusion td { text-align: right; min-width: 22px; }
table.confusion th { font-weight: normal; font-size: 12px; }
details { margin: 6px 0; } summary { cursor: pointer; }
blockquote { margin: 0; color: #444; font-size: 13px; }
"""


def render_html(report: AgreementReport) -> str:
    """The report as an HTML document (a string)."""
    coders = ", ".join(escape(coder) for coder in report.coders) or "none"
    nav = " ".join(f'<a href="#layer-{escape(layer.layer)}">{escape(layer.name)}</a>' for layer in report.layers)
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Inter-annotator agreement</title>"
        f"<style>{STYLE}</style></head><body>"
        "<header><h1>Inter-annotator agreement</h1>"
        f'<p class="muted">Codebook {escape(report.codebook)}, labels as of revision {report.as_of}. '
        f"Coders: {coders}. Intervals: {report.ci:.0%} from {report.n_boot} bootstrap resamples "
        f"(seed {report.seed}). Alpha &ge; 0.800 reliable, &ge; 0.667 tentative.</p>"
        f"<nav>{nav}</nav></header>"
    )
    return head + "".join(_layer(layer) for layer in report.layers) + "</body></html>\n"


def write_html_report(report: AgreementReport, path: str | os.PathLike[str]) -> None:
    """Write `render_html(report)` to `path` atomically (a temporary file, then a rename)."""
    target = Path(path)
    if not target.parent.is_dir():
        raise AnnotatorError(f"{target}: no such directory {str(target.parent)!r}")
    text = render_html(report)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _layer(layer: LayerAgreement) -> str:
    parts = [
        f'<section class="layer" id="layer-{escape(layer.layer)}">',
        f"<h2>{escape(layer.name)} <small>({escape(layer.layer)}, {escape(layer.kind)})</small></h2>",
        *(f'<p class="muted">{escape(note)}</p>' for note in layer.notes),
        "<h3>Overall</h3>",
        _measure_table([m for m in layer.measures if m.scope == "overall"]),
        _per_item(layer),
        _pairwise(layer),
        _over_time(layer),
        _confusions(layer),
        _disagreements(layer),
        "<details><summary>All measures</summary>",
        _measure_table(layer.measures),
        "</details></section>",
    ]
    return "".join(parts)


def _measure_table(measures: list[Measure]) -> str:
    if not measures:
        return '<p class="muted">No labels to compare.</p>'
    rows = "".join(
        "<tr>"
        f"<td>{escape(m.measure)}</td><td>{escape(m.scope)}</td><td>{escape(m.item) or '&ndash;'}</td>"
        f'<td class="num">{_number(m.coefficient)}</td>'
        f'<td class="num">{"" if math.isnan(m.low) else f"{_number(m.low)} &ndash; {_number(m.high)}"}</td>'
        f'<td class="num">{m.n_units}</td><td class="num">{m.n_pairable}</td>'
        f"<td>{_badge(m.interpretation)}</td></tr>"
        for m in measures
    )
    return (
        '<div class="scroll"><table><tr><th>measure</th><th>scope</th><th>item</th><th>value</th>'
        "<th>interval</th><th>n units</th><th>n pairable</th><th>reading</th></tr>"
        f"{rows}</table></div>"
    )


def _per_item(layer: LayerAgreement) -> str:
    name, scope = PER_ITEM_MEASURE.get(layer.kind, ("", ""))
    rows = [
        (m.item, m.coefficient, m.low, m.high)
        for m in layer.measures
        if m.measure == name and m.scope == scope and not math.isnan(m.coefficient)
    ]
    if not rows:
        return ""
    title = f"{name} per {scope}"
    return f"<h3>{escape(title)}</h3>" + interval_chart(rows, f"{layer.name}: {title}")


def _pairwise(layer: LayerAgreement) -> str:
    if layer.pairwise is None or len(layer.pairwise.coders) < 2:
        return ""
    title = f"Pairwise {layer.pairwise.measure}"
    return f"<h3>{escape(title)}</h3>" + heatmap(layer.pairwise.coders, layer.pairwise.values, f"{layer.name}: {title}")


def _over_time(layer: LayerAgreement) -> str:
    if not layer.over_time:
        return ""
    periods = sorted({point.period for point in layer.over_time})
    series: dict[str, list[tuple[str, float]]] = {}
    for point in layer.over_time:
        series.setdefault(point.coder, []).append((point.period, point.coefficient))
    title = f"{layer.main_measure} of each annotator against the others, per {layer.period}"
    return f"<h3>{escape(title)}</h3>" + line_chart(series, periods, f"{layer.name}: {title}")


def _confusions(layer: LayerAgreement) -> str:
    if not layer.confusions:
        return ""
    labels = layer.confusions[0].labels
    pooled = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for confusion in (c for c in layer.confusions if GOLD not in (c.first, c.second)):
        counts = np.array(confusion.counts, dtype=np.int64)
        pooled += counts + counts.T
    parts = [
        "<h3>Confusion matrices</h3>",
        '<p class="muted">All annotator pairs pooled, both directions (rows: one coder, columns: the other).</p>',
        _confusion_table(labels, pooled.tolist()),
    ]
    for confusion in layer.confusions:
        parts.append(
            f"<details><summary>{escape(confusion.first)} (rows) vs {escape(confusion.second)} (columns)</summary>"
            f"{_confusion_table(confusion.labels, confusion.counts)}</details>"
        )
    return "".join(parts)


def _confusion_table(labels: list[str], counts: list[list[int]]) -> str:
    used = [i for i in range(len(labels)) if any(counts[i]) or any(row[i] for row in counts)]
    if not used:
        return '<p class="muted">No units labelled by both.</p>'
    largest = max(counts[i][j] for i in used for j in used) or 1
    header = "".join(f"<th>{escape(labels[j])}</th>" for j in used)
    rows = []
    for i in used:
        cells = []
        for j in used:
            share = counts[i][j] / largest
            color = f"rgba(31, 119, 180, {share * 0.8:.2f})" if i != j else f"rgba(44, 160, 44, {share * 0.8:.2f})"
            cells.append(f'<td style="background: {color}">{counts[i][j] or ""}</td>')
        rows.append(f"<tr><th>{escape(labels[i])}</th>{''.join(cells)}</tr>")
    return f'<div class="scroll"><table class="confusion"><tr><th></th>{header}</tr>{"".join(rows)}</table></div>'


def _disagreements(layer: LayerAgreement) -> str:
    if not layer.disagreements:
        return ""
    rows = "".join(
        f'<tr><td class="num">{passage.passage_id}</td><td class="num">{passage.score:.2f}</td>'
        f"<td>{'<br>'.join(f'<b>{escape(who)}</b>: {escape(said)}' for who, said in passage.coders.items())}</td>"
        f"<td><blockquote>{escape(passage.excerpt)}</blockquote></td></tr>"
        for passage in layer.disagreements
    )
    return (
        "<h3>Passages with most disagreement</h3>"
        '<div class="scroll"><table><tr><th>passage</th><th>score</th><th>coders</th><th>text</th></tr>'
        f"{rows}</table></div>"
    )


def _badge(interpretation: str) -> str:
    if not interpretation:
        return ""
    return f'<span class="badge {escape(interpretation)}">{escape(interpretation)}</span>'


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"
