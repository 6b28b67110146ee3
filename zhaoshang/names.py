"""What a name *is*, apart from how it was typed: the Unicode clean-up every comparison of
names starts from, and the characters a name may not hold.

Two titles that look the same on screen must be one name: 「铜箔」 typed with a left-to-right
mark, a soft hyphen, a zero-width space, U+180E, a Kangxi radical (⼯ for 工), full-width
digits or decomposed (NFD) characters.  :func:`fold` is that clean-up — NFKC, then every
invisible formatting character removed, whitespace runs made one space — and
:func:`zhaoshang.parse.normalize_key` (the key every name, label and value is compared by)
and the search index (:func:`zhaoshang.db.search_text`) are built on it.  What was typed is
kept for display.

:func:`control_character` finds what may not be typed into a name at all (a C0/C1 control
character: NUL, ESC …), for the checks at input.

Pure ``unicodedata`` and ``re`` (and :class:`~zhaoshang.errors.ParseError`).
"""

from __future__ import annotations

import re

from .errors import ParseError

__all__ = ["BIDI_CONTROLS", "INVISIBLE", "check_name", "control_character", "fold", "is_blank_name"]

#: Invisible characters dropped from names: every format character (Unicode category Cf —
#: soft hyphen, ZWSP, ZWNJ/ZWJ, LRM/RLM, LRE…RLO/PDF, LRI…PDI, word joiner, U+180E, BOM, tags …)
#: as of Unicode 15, plus the other default-ignorable ones people paste: the combining
#: grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other variation
#: selectors.  (tests/test_names.py checks it holds every Cf of the running Python.)
INVISIBLE = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff"
)
_INVISIBLE = re.compile(f"[{INVISIBLE}]+")
# those of them str.isprintable() accepts (combining, Hangul fillers, variation selectors)
_PRINTABLE_INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)

#: The bidirectional controls: they reorder the text shown after them (an RLO prints the
#: rest of a line backwards), so a terminal must never receive them raw.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_SPACES = re.compile(r"\s+")
# C0 and C1 control characters and DEL (what is never text); line breaks and tabs separately
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")


def fold(s: str) -> str:
    """``s`` as names are compared: NFKC (full-width to half-width, ⼯ to 工, composed
    characters, the ideographic space to a space), invisible characters (:data:`INVISIBLE`)
    removed, each run of whitespace one space, no space at either end.

    ``fold("\\u200e铜\\u00ad箔 ５万吨") == "铜箔 5万吨"``; idempotent."""
    if s.isascii():
        return " ".join(s.split()) if _needs_space_fold(s) else s
    import unicodedata  # (not at start-up: most commands never compare a name)

    # printable and none of the few printable invisibles: no invisible character and no
    # whitespace but U+0020 (the usual case, checked in C)
    if s.isprintable() and _PRINTABLE_INVISIBLE.search(s) is None and unicodedata.is_normalized("NFKC", s):
        return " ".join(s.split()) if s != s.strip() or "  " in s else s
    s = _INVISIBLE.sub("", s)
    if not unicodedata.is_normalized("NFKC", s):
        # NFKC may compose what removing an invisible character left adjacent, and may
        # itself produce nothing invisible: one pass of each is enough
        s = _INVISIBLE.sub("", unicodedata.normalize("NFKC", s))
    return _SPACES.sub(" ", s).strip()


def _needs_space_fold(s: str) -> bool:
    return s != s.strip() or "  " in s or any(c in s for c in "\t\n\r\x0b\x0c")


def is_blank_name(s: str) -> bool:
    """Whether nothing visible is left of ``s`` once folded (only spaces and invisible
    characters: a name of zero-width spaces is no name)."""
    return not fold(s)


def control_character(s: str, *, multiline: bool = False) -> str | None:
    """The first control character in ``s`` (C0, DEL, C1 — NUL, ESC, BEL …), or None.

    Tabs count as control characters in a one-line value (a name, unit, office); in a
    ``multiline`` text (notes, a text field) tabs and line breaks are allowed."""
    if s.isprintable():
        return None
    m = (_CONTROL if multiline else _CONTROL_LINE).search(s)
    return m.group() if m else None


#: the control characters people meet, by their usual short names
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "退格",
    0x09: "制表符",
    0x0A: "换行",
    0x0D: "回车",
    0x1B: "ESC",
    0x7F: "DEL",
}


def check_name(text: str, *, what: str = "") -> str:
    """``text`` if it may be stored as a name (a title, chain, unit, owner, office: one line);
    a :class:`ParseError` naming ``what`` and the character (as U+XXXX) when it holds a
    control character (NUL, ESC, a line break …), or when nothing visible is left of it once
    folded (only spaces and zero-width characters)."""
    bad = control_character(text)
    if bad is not None:
        code = ord(bad)
        name = _CONTROL_NAMES.get(code)
        shown = f"U+{code:04X}（{name}）" if name else f"U+{code:04X}"
        raise ParseError(f"{what}含有控制字符 {shown}：这里只能填一行可见的文字，请删去它再填")
    if is_blank_name(text):
        raise ParseError(f"{what}只有空格或看不见的字符（如零宽空格），没有文字：请填写名称")
    return text
