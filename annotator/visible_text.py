"""Show text as the characters it is: control characters become visible symbols, one for one.

Passage text is data. A raw escape character would let an article restyle or move the
terminal; here each C0/C1 control character (except newline and tab) maps to a single visible
stand-in, so display offsets equal text offsets.
"""

from __future__ import annotations

_REPLACEMENTS = {code: 0x2400 + code for code in range(0x20) if chr(code) not in "\n\t"}
_REPLACEMENTS[0x7F] = 0x2421  # DEL -> ␡
_REPLACEMENTS.update({code: 0xFFFD for code in range(0x80, 0xA0)})  # C1 controls -> �
_REPLACEMENTS.update({0x2028: 0x21B5, 0x2029: 0xB6})  # line/paragraph separators stay on one line


def visible(text: str) -> str:
    """`text` with every control character replaced by one visible character."""
    return text.translate(_REPLACEMENTS)
