"""The agreement report as one self-contained HTML file: inline CSS and SVG, no scripts, no links out.

Per layer: the overall coefficients, the per-label (or per-target) measures side by side
with their intervals, n and verdicts, the pairwise heatmap, each annotator's agreement with
the others over time, the most confused label pairs with example passages, the confusion
matrices and every passage with disagreement (the first `PASSAGES_OPEN` open, the rest in
collapsed pages). Every number shown is in the report's JSON. All text is escaped.
"""

from __future__ import annotations

import math
import os
import tempfile
from html import escape
from pathlib import Path

import numpy as np

from annotator.agreement.results import (
    GOLD,
    MIN_UNITS,
    RELIABLE,
    TENTATIVE,
    AgreementReport,
    Disagreement,
    LayerAgreement,
    Measure,
)
from annotator.agreement.svg import heatmap, interval_chart, line_chart
from annotator.errors import AnnotatorError

PASSAGES_OPEN = 10
PASSAGES_PER_PAGE = 100
CONFUSIONS_OPEN = 10

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
.undefined, .too-few-data, .no-interval { background: #e6e6e6; }
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
        f"(seed {report.seed}). Verdicts come from the interval: lower bound &ge; {RELIABLE:.3f} reliable, "
        f"&ge; {TENTATIVE:.3f} tentative, else unreliable; too few data under {MIN_UNITS} pairable units. "
        "n = units compared / values in them.</p>"
        f"<nav>{nav}</nav></header>"
    )
    return head + "".join(_layer(layer, report.articles) for layer in report.layers) + "</body></html>\n"


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


def _layer(layer: LayerAgreement, titles: dict[str, str]) -> str:
    parts = [
        f'<section class="layer" id="layer-{escape(layer.layer)}">',
        f"<h2>{escape(layer.name)} <small>({escape(layer.layer)}, {escape(layer.kind)})</small></h2>",
        *(f'<p class="muted">{escape(note)}</p>' for note in layer.notes),
        "<h3>Overall</h3>",
        _measure_table([m for m in layer.measures if m.scope == "overall"]),
        _side_by_side(layer),
        _pairwise(layer),
        _over_time(layer),
        _articles(layer, titles),
        _top_confusions(layer),
        _feedback(layer),
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
        f'<td class="num">{_interval(m)}</td>'
        f'<td class="num">{m.n_units}</td><td class="num">{m.n_pairable}</td>'
        f"<td>{_badge(m.verdict)}</td></tr>"
        for m in measures
    )
    return (
        '<div class="scroll"><table><tr><th>measure</th><th>scope</th><th>item</th><th>value</th>'
        "<th>interval</th><th>n units</th><th>n pairable</th><th>verdict</th></tr>"
        f"{rows}</table></div>"
    )


def _side_by_side(layer: LayerAgreement) -> str:
    scope, names, rows = layer.side_by_side()
    if not rows:
        return ""
    title = f"{' and '.join(names)} per {scope}"
    header = "".join(f"<th>{escape(name)}</th><th>interval</th><th>n</th><th>verdict</th>" for name in names)
    body = "".join(
        f"<tr><td>{escape(item)}</td>" + "".join(_cells(found) for found in measures) + "</tr>"
        for item, measures in rows
    )
    chart = [
        (f"{item} · {found.measure}", found.coefficient, found.low, found.high, f"n={_n(found)} {found.verdict}")
        for item, measures in rows
        for found in measures
        if found is not None and not math.isnan(found.coefficient)
    ]
    return (
        f"<h3>{escape(title)}</h3>"
        f'<div class="scroll"><table><tr><th>{escape(scope)}</th>{header}</tr>{body}</table></div>'
        + interval_chart(chart, f"{layer.name}: {title}")
    )


def _cells(measure: Measure | None) -> str:
    if measure is None:
        return "<td>&ndash;</td><td></td><td></td><td></td>"
    return (
        f'<td class="num">{_number(measure.coefficient)}</td><td class="num">{_interval(measure)}</td>'
        f'<td class="num">{_n(measure)}</td><td>{_badge(measure.verdict)}</td>'
    )


def _pairwise(layer: LayerAgreement) -> str:
    if layer.pairwise is None or len(layer.pairwise.coders) < 2:
        return ""
    title = f"Pairwise {layer.pairwise.measure}"
    matrix = layer.pairwise
    return f"<h3>{escape(title)}</h3>" + heatmap(matrix.coders, matrix.values, matrix.n_units, f"{layer.name}: {title}")


def _over_time(layer: LayerAgreement) -> str:
    if not layer.over_time:
        return ""
    periods = sorted({point.period for point in layer.over_time})
    series: dict[str, list[tuple[str, float, int]]] = {}
    for point in layer.over_time:
        series.setdefault(point.coder, []).append((point.period, point.coefficient, point.n_units))
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


def _articles(layer: LayerAgreement, titles: dict[str, str]) -> str:
    articles = layer.per_article()
    if not articles:
        return ""
    rows = "".join(
        f"<tr><td>{escape(m.measure)}</td><td>{escape(titles.get(m.item) or f'(untitled {m.item})')}</td>"
        f'<td class="num">{_number(m.coefficient)}</td><td class="num">{_interval(m)}</td>'
        f'<td class="num">{_n(m)}</td><td>{_badge(m.verdict)}</td></tr>'
        for m in articles
    )
    return (
        f"<details><summary>Agreement per article ({len(articles)} rows, lowest first)</summary>"
        '<div class="scroll"><table><tr><th>measure</th><th>article</th><th>value</th><th>interval</th><th>n</th>'
        "<th>verdict</th></tr>"
        f"{rows}</table></div></details>"
    )


def _top_confusions(layer: LayerAgreement) -> str:
    if not layer.top_confusions:
        return ""
    rows = []
    for rank, pair in enumerate(layer.top_confusions, 1):
        examples = "".join(f"<li>{_where(example)}: {_said(example)}</li>" for example in pair.examples)
        rows.append(
            f'<tr><td class="num">{rank}</td><td>{escape(pair.labels[0])} / {escape(pair.labels[1])}</td>'
            f'<td class="num">{pair.count}</td><td><ul>{examples}</ul></td></tr>'
        )
    header = "<tr><th>rank</th><th>labels</th><th>count</th><th>examples</th></tr>"
    parts = [
        "<h3>Most confused labels</h3>",
        '<p class="muted">Count = units on which two annotators chose these two labels, over all annotator '
        'pairs; "(none)" = a span the other annotator has nothing matched with.</p>',
        f'<div class="scroll"><table>{header}{"".join(rows[:CONFUSIONS_OPEN])}</table></div>',
    ]
    if len(rows) > CONFUSIONS_OPEN:
        parts.append(
            f"<details><summary>{len(rows) - CONFUSIONS_OPEN} more pairs</summary>"
            f'<div class="scroll"><table>{header}{"".join(rows[CONFUSIONS_OPEN:])}</table></div></details>'
        )
    return "".join(parts)


def _feedback(layer: LayerAgreement) -> str:
    feedback = {name: pairs for name, pairs in layer.annotator_confusions.items() if pairs}
    if not feedback:
        return ""
    parts = ["<h3>Each annotator against the others</h3>"]
    for name, pairs in feedback.items():
        rows = "".join(
            f"<tr><td>{escape(pair.labels[0])}</td><td>{escape(pair.labels[1])}</td>"
            f'<td class="num">{pair.count}</td>'
            f"<td>{'; '.join(_where(example) for example in pair.examples)}</td></tr>"
            for pair in pairs
        )
        parts.append(
            f"<details><summary>{escape(name)}: {pairs[0].count} &times; {escape(pairs[0].labels[0])} where "
            f"another chose {escape(pairs[0].labels[1])}</summary>"
            f'<div class="scroll"><table><tr><th>{escape(name)} chose</th><th>another chose</th><th>count</th>'
            f"<th>examples</th></tr>{rows}</table></div></details>"
        )
    return "".join(parts)


def _disagreements(layer: LayerAgreement) -> str:
    if not layer.disagreements:
        return ""
    rows = [
        f'<tr><td class="num">{rank}</td><td>{_where(passage)}</td><td class="num">{passage.score:.2f}</td>'
        f"<td>{_said(passage, '<br>')}</td><td><blockquote>{escape(passage.excerpt)}</blockquote></td></tr>"
        for rank, passage in enumerate(layer.disagreements, 1)
    ]
    header = "<tr><th>rank</th><th>passage</th><th>score</th><th>coders</th><th>text</th></tr>"
    parts = [
        f"<h3>Passages with most disagreement <small>({len(rows)} in all)</small></h3>",
        f'<div class="scroll"><table>{header}{"".join(rows[:PASSAGES_OPEN])}</table></div>',
    ]
    for first in range(PASSAGES_OPEN, len(rows), PASSAGES_PER_PAGE):
        page = rows[first : first + PASSAGES_PER_PAGE]
        parts.append(
            f"<details><summary>Passages {first + 1}&ndash;{first + len(page)}</summary>"
            f'<div class="scroll"><table>{header}{"".join(page)}</table></div></details>'
        )
    return "".join(parts)


def _where(passage: Disagreement) -> str:
    return f"{escape(passage.article or '(untitled)')}, &sect;{passage.number}"


def _said(passage: Disagreement, separator: str = "; ") -> str:
    return separator.join(f"<b>{escape(who)}</b>: {escape(said)}" for who, said in passage.coders.items())


def _badge(verdict: str) -> str:
    if not verdict:
        return ""
    return f'<span class="badge {escape(verdict.replace(" ", "-"))}">{escape(verdict)}</span>'


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _interval(measure: Measure) -> str:
    return "" if math.isnan(measure.low) else f"{_number(measure.low)} &ndash; {_number(measure.high)}"


def _n(measure: Measure) -> str:
    return f"{measure.n_units}/{measure.n_pairable}"
