"""Label colours: parsing `#rrggbb` and checking it reads on both dark and light terminals."""

from __future__ import annotations

import re

_HEX = re.compile(r"#[0-9a-fA-F]{6}")

MIN_CONTRAST = 3.0
"""WCAG's minimum contrast for large text and UI parts, asked against pure black and pure white."""


def is_hex_color(color: str) -> bool:
    """True for `#rrggbb`."""
    return _HEX.fullmatch(color) is not None


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a `#rrggbb` colour (0 black .. 1 white)."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(color_a: str, color_b: str) -> float:
    """WCAG 2 contrast ratio between two `#rrggbb` colours (1 .. 21)."""
    lighter, darker = sorted((relative_luminance(color_a), relative_luminance(color_b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def color_problem(color: str) -> str | None:
    """Why `color` is not a usable label colour, or None when it is."""
    if not is_hex_color(color):
        return f"color {color!r} is not a hex colour '#rrggbb'"
    on_dark = contrast_ratio(color, "#000000")
    on_light = contrast_ratio(color, "#ffffff")
    if on_dark < MIN_CONTRAST:
        return (
            f"color {color} is too dark to read on a dark terminal "
            f"(contrast {on_dark:.1f}:1 against black, needs {MIN_CONTRAST:.0f}:1)"
        )
    if on_light < MIN_CONTRAST:
        return (
            f"color {color} is too light to read on a light terminal "
            f"(contrast {on_light:.1f}:1 against white, needs {MIN_CONTRAST:.0f}:1)"
        )
    return None
