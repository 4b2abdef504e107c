"""Errors a user can cause. The CLI catches `AnnotatorError` once and prints it as one line."""


class AnnotatorError(Exception):
    """A problem with the user's input or environment, reported as one line without a traceback."""


class InputError(AnnotatorError):
    """Bad input at a known place: `where` is `path:line` (or just `path`)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped (`\\n`, `\\x1b`), so that a
    message quoting the user's input stays one line and cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
