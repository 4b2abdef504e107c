"""Show text as the characters it is: invisible characters become visible symbols, one for one.

Passage text is data. A raw escape character would let an article restyle or move the
terminal, and a raw bidirectional control would let it reorder what the annotator reads. Here
each such character maps to a single visible, single-width, direction-neutral stand-in, so
display offsets equal text offsets:

- C0 control characters (except newline and tab) show as their Unicode control pictures
  (ESC as ␛, NUL as ␀, ...), DEL as ␡ and C1 controls (U+0080–U+009F) as �.
- The line and paragraph separators U+2028 and U+2029 show as ↵ and ¶ and stay on one line.
- Bidirectional controls, with arrows for the direction they ask for:

  ========  =====================================  =====
  code      name                                   shown
  ========  =====================================  =====
  U+200E    left-to-right mark                     ⇢
  U+200F    right-to-left mark                     ⇠
  U+061C    Arabic letter mark                     ↜
  U+202A    left-to-right embedding                ⇾
  U+202B    right-to-left embedding                ⇽
  U+202D    left-to-right override                 ⇛
  U+202E    right-to-left override                 ⇚
  U+202C    pop directional formatting             ⇓
  U+2066    left-to-right isolate                  ⇥
  U+2067    right-to-left isolate                  ⇤
  U+2068    first strong isolate                   ⇹
  U+2069    pop directional isolate                ↧
  ========  =====================================  =====

- Invisible characters that make two different texts look the same: zero width space U+200B
  shows as ¦, word joiner U+2060 and zero width no-break space / byte order mark U+FEFF as ⁀,
  soft hyphen U+00AD as ¬ (terminals disagree on whether it takes a cell).

Combining marks, variation selectors, the zero width joiner U+200D and the zero width
non-joiner U+200C are left alone: emoji sequences and several scripts need them.
"""

from __future__ import annotations

_BIDI_CONTROLS = {
    0x200E: "⇢",
    0x200F: "⇠",
    0x061C: "↜",
    0x202A: "⇾",
    0x202B: "⇽",
    0x202D: "⇛",
    0x202E: "⇚",
    0x202C: "⇓",
    0x2066: "⇥",
    0x2067: "⇤",
    0x2068: "⇹",
    0x2069: "↧",
}
_INVISIBLE_FORMAT = {0x200B: "¦", 0x2060: "⁀", 0xFEFF: "⁀", 0x00AD: "¬"}

_REPLACEMENTS = {code: 0x2400 + code for code in range(0x20) if chr(code) not in "\n\t"}
_REPLACEMENTS[0x7F] = 0x2421  # DEL -> ␡
_REPLACEMENTS.update({code: 0xFFFD for code in range(0x80, 0xA0)})  # C1 controls -> �
_REPLACEMENTS.update({0x2028: 0x21B5, 0x2029: 0xB6})  # line/paragraph separators stay on one line
_REPLACEMENTS.update({code: ord(shown) for code, shown in {**_BIDI_CONTROLS, **_INVISIBLE_FORMAT}.items()})


def visible(text: str) -> str:
    """`text` with every control or misleading invisible character replaced by one visible
    character (see the module docstring for the mapping)."""
    return text.translate(_REPLACEMENTS)
