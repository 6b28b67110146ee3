"""Field values: from what people type (or Excel holds) to what is stored, and back.

Stored forms: text as text; money as REAL in 万元 (or 万美元); dates as ISO ``YYYY-MM-DD``;
enums as their canonical (simplified) name; multi-choice as names joined by ``、``;
booleans as 0/1; references as item ids.
"""

from __future__ import annotations

import difflib
import math
from datetime import date, datetime
from typing import Any

from .definitions import FieldDef
from .errors import ParseError, ZsError
from .parse import (
    format_money,
    normalize_key,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
)

MULTI_SEPARATORS = "、,，;；/|"


def is_blank(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and raw.strip() == ""


def match_enum(field: FieldDef, raw: str) -> str:
    """The canonical value of an enum field for what was typed (any alias, simplified or
    traditional, any case); an error listing the allowed values otherwise."""
    wanted = normalize_key(raw)
    for v in field.values:
        if wanted in {normalize_key(x) for x in (v.name, *v.aliases)}:
            return v.name
    names = field.value_names()
    close = difflib.get_close_matches(raw.strip(), names, n=1, cutoff=0.4)
    hint = f"是不是「{close[0]}」？" if close else ""
    raise ParseError(f"「{raw.strip()}」不是可选值。{hint}可选：{'、'.join(names)}")


#: the longest text a field may hold: Excel's limit for one cell, so that whatever is stored can
#: be exported to every format and imported back (decided once, enforced on every way in)
MAX_TEXT = 32_767


def check_length(text: str) -> str:
    if len(text) > MAX_TEXT:
        raise ParseError(
            f"文字过长：{len(text):,} 个字符，一个字段最多 {MAX_TEXT:,} 个字符（Excel 单元格的上限）。"
            "更长的材料请存为文件，在字段里写文件名或链接"
        )
    return text


def to_storage(field: FieldDef, raw: object, *, default_unit: str = "万") -> Any:
    """Parse a value for ``field``; blank gives None.  Raises :class:`ParseError` whose
    message names the value (callers add the field, row and file)."""
    if is_blank(raw):
        return None
    t = field.type
    if t == "money":
        return parse_money(raw, currency=field.currency, default_unit=default_unit)
    if t == "date":
        return parse_date(raw).isoformat()
    if t == "integer" or t == "ref":
        return parse_int(raw)
    if t == "number":
        if isinstance(raw, bool):
            raise ParseError(f"「{raw}」不是数字")
        if isinstance(raw, int | float):
            if not math.isfinite(raw):
                raise ParseError(f"「{raw}」不是有效数字")
            return float(raw)
        try:
            return _number(raw)
        except ValueError:
            raise ParseError(f"「{raw}」不是数字") from None
    if t == "bool":
        return 1 if parse_bool(raw) else 0
    if t == "enum":
        return match_enum(field, _text(raw))
    if t == "multi":
        text = _text(raw)
        for sep in MULTI_SEPARATORS[1:]:
            text = text.replace(sep, MULTI_SEPARATORS[0])
        parts = [p for p in (x.strip() for x in text.split(MULTI_SEPARATORS[0])) if p]
        return "、".join(dict.fromkeys(match_enum(field, p) for p in parts)) or None
    if t == "phone":
        return check_length(_text(raw).strip()) or None
    text = check_length(_text(raw))
    return text if text.strip() else None


def _number(raw: object) -> float:
    from .parse import to_halfwidth

    text = to_halfwidth(str(raw)).replace(",", "").strip()
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _text(raw: object) -> str:
    """Text as typed.  Numbers read from Excel keep their digits (13800138000.0 → 13800138000)."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ", timespec="minutes")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def to_json(field: FieldDef, stored: Any) -> Any:
    """The JSON value of a stored value (numbers as numbers, dates as ISO strings)."""
    if stored is None:
        return None
    if field.type == "bool":
        return bool(stored)
    if field.type in ("integer", "ref"):
        return int(stored)
    if field.type in ("money", "number"):
        f = float(stored)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return stored


def to_display(field: FieldDef, stored: Any) -> str:
    """How a stored value reads in a table."""
    if stored is None or stored == "":
        return ""
    if field.type == "bool":
        return "是" if stored else "否"
    if field.type in ("money", "number"):
        return format_money(float(stored))
    return str(stored)


def field_error(field: FieldDef, exc: ZsError, *, where: str = "") -> ZsError:
    """Prefix a value error with the field (and where it happened)."""
    prefix = f"{where}" if where else ""
    return ZsError(f"{prefix}字段「{field.label}」：{exc.message}")
