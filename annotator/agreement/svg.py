"""Small inline SVG charts for the HTML report, drawn by hand: no scripts, no external assets.

Every text that ends up in the markup goes through `html.escape`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")
THRESHOLDS = ((0.667, "0.667"), (0.800, "0.800"))
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def agreement_color(value: float) -> str:
    """A fill for a coefficient: red (<= 0) through yellow (0.667) to green (1); grey for NaN."""
    if math.isnan(value):
        return "#e0e0e0"
    value = min(max(value, 0.0), 1.0)
    if value < 0.667:
        share = value / 0.667
        red, green, blue = 230, int(90 + 130 * share), 80
    else:
        share = (value - 0.667) / 0.333
        red, green, blue = int(230 - 180 * share), int(220 - 40 * share), int(80 + 10 * share)
    return f"#{red:02x}{green:02x}{blue:02x}"


def heatmap(
    coders: Sequence[str], values: Sequence[Sequence[float]], counts: Sequence[Sequence[int]], title: str
) -> str:
    """A coders x coders grid of coloured cells with the value and its n (`counts`) in each."""
    cell = 56
    longest = max((len(_short(name)) for name in coders), default=4)
    left, top = 16 + 8 * longest, 16 + 5 * longest
    width, height = left + cell * len(coders) + 10, top + cell * len(coders) + 10
    parts = [_open(width, height, title)]
    for index, name in enumerate(coders):
        x, y = left + index * cell + cell / 2, top + index * cell + cell / 2
        turn = f'transform="rotate(-40 {x} {top - 8})"'
        parts.append(f'<text x="{x}" y="{top - 8}" {turn} {FONT}>{escape(_short(name))}</text>')
        parts.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" {FONT}>{escape(_short(name))}</text>')
    for row, line in enumerate(values):
        for column, value in enumerate(line):
            x, y = left + column * cell, top + row * cell
            label = "" if math.isnan(value) else f"{value:.2f}"
            n = f"n={counts[row][column]}" if label and counts else ""
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{agreement_color(value)}">'
                f"<title>{escape(coders[row])} / {escape(coders[column])}: {label or 'n/a'} {n}</title></rect>"
            )
            parts.append(
                f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2}" text-anchor="middle" {FONT}>{label}</text>'
                f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 14}" text-anchor="middle" '
                f'font-family="system-ui, sans-serif" font-size="10">{n}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def interval_chart(rows: Sequence[tuple[str, float, float, float, str]], title: str) -> str:
    """One line per (name, value, low, high, note): a dot at the value and a bar over the
    interval (NaN bounds: no bar), the value and the note (e.g. "n=12/36 tentative") on the
    right, on a 0..1 axis (extended below 0 when needed) with the 0.667 and 0.800 thresholds
    dashed."""
    finite = [v for _, value, low, *_ in rows for v in (value, low) if not math.isnan(v)]
    lowest = min([0.0, *finite])
    label_width = max(120, 7 * max((len(name) for name, *_ in rows), default=0))
    plot, line = 420, 20
    width, height = label_width + plot + 60 + 7 * max((len(row[4]) for row in rows), default=0), 40 + line * len(rows)

    def x(value: float) -> float:
        return label_width + (value - lowest) / (1.0 - lowest) * plot

    parts = [_open(width, height, title)]
    for tick in sorted({lowest, 0.0, 0.5, 1.0}):
        parts.append(f'<line x1="{x(tick):.1f}" y1="14" x2="{x(tick):.1f}" y2="{height - 6}" stroke="#ccc"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="11" text-anchor="middle" {FONT}>{tick:g}</text>')
    for threshold, text in THRESHOLDS:
        parts.append(
            f'<line x1="{x(threshold):.1f}" y1="14" x2="{x(threshold):.1f}" y2="{height - 6}" '
            f'stroke="#888" stroke-dasharray="4 3"><title>{text}</title></line>'
        )
    for index, (name, value, low, high, note) in enumerate(rows):
        y = 28 + index * line
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 4}" text-anchor="end" {FONT}>{escape(_short(name, 40))}</text>'
        )
        if not math.isnan(low):
            parts.append(
                f'<line x1="{x(low):.1f}" y1="{y}" x2="{x(high):.1f}" y2="{y}" stroke="#555" stroke-width="2"/>'
            )
        if not math.isnan(value):
            parts.append(
                f'<circle cx="{x(value):.1f}" cy="{y}" r="5" fill="{agreement_color(value)}" stroke="#333">'
                f"<title>{escape(name)}: {value:.3f} {escape(note)}</title></circle>"
            )
            parts.append(f'<text x="{label_width + plot + 8}" y="{y + 4}" {FONT}>{value:.2f} {escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[str, float, int]]], periods: Sequence[str], title: str) -> str:
    """One coloured line per series of (period, value, n) over the `periods` (x) with values
    on a 0..1 axis (extended below 0 when needed), n beside each point, with a legend."""
    values = [value for points in series.values() for _, value, _ in points if not math.isnan(value)]
    lowest = min([0.0, *values])
    left, top, plot_width, plot_height = 48, 16, max(360, 44 * len(periods)), 220
    width, height = left + plot_width + 160, top + plot_height + 70
    position = {period: index for index, period in enumerate(periods)}

    def x(period: str) -> float:
        return left + (position[period] + 0.5) * plot_width / max(len(periods), 1)

    def y(value: float) -> float:
        return top + (1.0 - (value - lowest) / (1.0 - lowest)) * plot_height

    parts = [_open(width, height, title)]
    for tick in sorted({lowest, 0.0, 0.5, 0.667, 0.8, 1.0}):
        dash = ' stroke-dasharray="4 3"' if tick in (0.667, 0.8) else ""
        parts.append(
            f'<line x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_width}" y2="{y(tick):.1f}" stroke="#ccc"{dash}/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" {FONT}>{tick:g}</text>')
    spacing = plot_width / max(len(periods), 1)
    step = max(1, math.ceil(7.5 * max((len(period) for period in periods), default=1) / spacing))
    for index, period in enumerate(periods):
        if index % step == 0:
            parts.append(
                f'<text x="{x(period):.1f}" y="{top + plot_height + 16}" text-anchor="middle" {FONT}>'
                f"{escape(period)}</text>"
            )
    for number, (name, points) in enumerate(series.items()):
        color = PALETTE[number % len(PALETTE)]
        drawn = [(x(period), y(value), period, value, n) for period, value, n in points if not math.isnan(value)]
        if len(drawn) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, *_ in drawn)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for px, py, period, value, n in drawn:
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}">'
                f"<title>{escape(name)} {escape(period)}: {value:.3f} (n={n})</title></circle>"
                f'<text x="{px + 4:.1f}" y="{py - 4:.1f}" font-family="system-ui, sans-serif" font-size="9" '
                f'fill="{color}">{n}</text>'
            )
        legend_y = top + 14 + number * 18
        parts.append(f'<rect x="{left + plot_width + 16}" y="{legend_y - 9}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{left + plot_width + 34}" y="{legend_y + 1}" {FONT}>{escape(_short(name, 18))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(width: float, height: float, title: str) -> str:
    return (
        f'<svg width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img"><title>{escape(title)}</title>'
    )


def _short(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
