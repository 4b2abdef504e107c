"""Errors a user can cause. The CLI catches `AnnotatorError` once and prints it as one line."""


class AnnotatorError(Exception):
    """A problem with the user's input or environment, reported as one line without a traceback."""


class InputError(AnnotatorError):
    """Bad input at a known place: `where` is `path:line` (or just `path`)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason
