"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Left-aligned columns separated by two spaces, numbers right-aligned."""
    cells = [[str(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(value))
    numeric = [
        all(isinstance(row[index], int | float) for row in rows) if rows else False for index in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(widths[index]) if numeric[index] else value.ljust(widths[index])
            for index, value in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    return [line(list(headers)), line(["-" * width for width in widths])] + [line(row) for row in cells]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print `format_table` to stdout."""
    for text in format_table(headers, rows):
        print(text)
