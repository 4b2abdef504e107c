"""Collecting every problem in a codebook file as `file:line: what`, raised together at the end."""

from __future__ import annotations

from annotator.errors import InputError

Path = tuple[str | int, ...]
"""Where a thing sits in the codebook, e.g. ("layers", 0, "labels", 3, "key")."""


class CodebookError(InputError):
    """A codebook file has problems; `messages` lists each as `file:line: what`."""

    def __init__(self, source: str, messages: list[str]) -> None:
        count = len(messages)
        super().__init__(source, f"{count} problem{'s' if count != 1 else ''} in the codebook")
        self.messages = list(messages)

    def __str__(self) -> str:
        return "\n".join(self.messages)


class Problems:
    """The source lines of the codebook's parts, and the problems found so far."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._found: list[tuple[int, str]] = []
        self._lines: dict[Path, int] = {}
        self._reported: set[Path] = set()

    def record(self, path: Path, line: int) -> None:
        """Remember that the part at `path` starts on 1-based `line`."""
        self._lines.setdefault(path, line)

    def line(self, path: Path) -> int:
        """The line of `path`, or of the nearest enclosing part that has one."""
        for end in range(len(path), -1, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return 1

    def at_line(self, line: int, what: str) -> None:
        """Report a problem on a 1-based line."""
        self._found.append((line, what))

    def at(self, path: Path, what: str) -> None:
        """Report a problem with the part at `path`."""
        self._reported.add(path)
        self.at_line(self.line(path), what)

    def reported(self, path: Path) -> bool:
        """Whether a problem was reported at exactly `path` (its value is then a placeholder)."""
        return path in self._reported

    @property
    def messages(self) -> list[str]:
        """Every problem as `file:line: what`, by line (a line's problems in the order found)."""
        found = sorted(self._found, key=lambda item: item[0])
        return [f"{self.source}:{line}: {what}" for line, what in found]

    def raise_if_any(self) -> None:
        """Raise one CodebookError carrying every problem."""
        if self._found:
            raise CodebookError(self.source, self.messages)
