"""Reading one cell for the import: the parsers that are the same for every sheet.

Item sheets and the other sheets (对接记录, 到位资金 …) share these: a positive 编号, money in
the unit its column's header says (with a fast path for the plain numbers of Excel cells), and
text that an export protected from spreadsheets (``'=…``) given back as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import ParseError
from ..parse import parse_int, parse_money

__all__ = ["money_parser", "positive_id", "same_value", "unformula"]

_FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def money_parser(currency: str, unit: str) -> Callable[[object], float]:
    """parse_money for one column, with a fast path for the plain numbers of Excel cells
    (already in 万 with at most 6 decimals: exactly what parse_money would return)."""

    from ..values import MONEY_MAX, check_money

    top = MONEY_MAX[currency]

    def money(raw: object) -> float:
        if unit == "万":
            if isinstance(raw, str):
                if PLAIN_NUMBER(raw):
                    value = float(raw) + 0.0
                    return value if 0 <= value <= top else check_money(value, currency, raw)
            elif isinstance(raw, int | float) and not isinstance(raw, bool) and 0 <= raw <= top:
                value = float(raw)
                if isinstance(raw, int) or round(value, 6) == value:
                    return value + 0.0
        return check_money(parse_money(raw, currency=currency, default_unit=unit), currency, raw)

    return money


#: "35600", "-12.5", "1200.000001": what float() reads exactly as parse_money would
PLAIN_NUMBER = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,6})?").fullmatch


def positive_id(raw: object) -> int:
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        if len(raw) > 19:  # past 2**63; and int() refuses more than 4,300 digits
            raise ParseError(f"编号「{raw[:20]}…」有 {len(raw):,} 位数字，不是有效的编号：应是正整数，如 1024")
        raw = int(raw)
    value = raw if raw.__class__ is int else parse_int(raw)
    assert isinstance(value, int)
    if not 0 < value < 2**63:
        raise ParseError(f"编号「{raw}」应是正整数")
    return value


def unformula(text: str) -> str:
    """Undo the ``'`` that export puts before text a spreadsheet would take for a formula."""
    if len(text) > 1 and text[0] == "'" and text[1:].lstrip("'").startswith(_FORMULA_CHARS):
        return text[1:]
    return text


def same_value(a: Any, b: Any) -> bool:
    """Whether a cell's value equals the stored one (blank is blank, numbers to 1e-9)."""
    if a is None or a == "":
        return b is None or b == ""
    if b is None or b == "":
        return False
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return bool(a == b)
