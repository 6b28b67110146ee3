"""Masking for wide distribution (``--mask``): structured contact fields are hidden whole
(:func:`mask`), and phone numbers, 身份证号 and e-mail addresses typed into free text -- a note
of a visit, a problem's 进展 -- are masked where they stand (:func:`mask_text`), so a report or
an export sent to the whole city carries no one's number."""

from __future__ import annotations

import re
from typing import Any

_PATTERNS = re.compile(
    r"(?<![\d])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"  # mobile 138 0013 8000
    r"|(?<![\d])0\d{2,3}[- ]?\d{7,8}(?!\d)"  # landline 0456-8123456
    r"|(?<![\d])\d{17}[\dXx](?![\dXx])"  # 身份证号
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail
)


def mask(value: str) -> str:
    """A sensitive value for wide distribution: 13800138000 → 138****8000; other text → ***."""
    digits = [c for c in value if c.isdigit()]
    if len(digits) >= 7:
        head, tail = value[:3], value[-4:]
        return f"{head}****{tail}"
    return "***" if value else value


def _hide(m: re.Match[str]) -> str:
    text = m.group()
    if "@" in text:
        name, _, host = text.partition("@")
        return f"{name[:1]}***@{host}"
    return f"{text[:3]}****{text[-4:]}" if len(text) > 7 else "****"


def mask_text(text: str) -> str:
    """``text`` with every phone number, 身份证号 and e-mail address in it masked."""
    if not text or not any(c.isdigit() or c == "@" for c in text):
        return text
    return _PATTERNS.sub(_hide, text)


def mask_value(value: Any) -> Any:
    """:func:`mask_text` on text; any other value as it is."""
    return mask_text(value) if isinstance(value, str) else value
