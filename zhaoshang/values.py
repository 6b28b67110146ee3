"""Field values: from what people type (or Excel holds) to what is stored, and back.

Stored forms: text as text; money as REAL in 万元 (or 万美元); dates as ISO ``YYYY-MM-DD``;
enums as their canonical (simplified) name; multi-choice as names joined by ``、``;
booleans as 0/1; references as item ids.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from .definitions import FieldDef
from .errors import ParseError, ZsError
from .names import check_name
from .parse import (
    format_money,
    normalize_key,
    parse_bool,
    parse_credit_code,
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
    word = raw.strip()
    teach = f"。若是本地的叫法，可用 zs synonym add 清单 {field.label} {close[0] if close else '值'} {word} 教给系统"
    raise ParseError(f"「{word}」不是可选值。{hint}可选：{'、'.join(names)}{teach}")


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
    return _PARSERS[field.ftype.parse](field, raw, default_unit)


def _money(field: FieldDef, raw: object, default_unit: str) -> Any:
    return check_money(parse_money(raw, currency=field.currency, default_unit=default_unit), field.currency, raw)


def _number_value(field: FieldDef, raw: object, default_unit: str) -> Any:
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


def _multi(field: FieldDef, raw: object, default_unit: str) -> Any:
    text = text_of(raw)
    for sep in MULTI_SEPARATORS[1:]:
        text = text.replace(sep, MULTI_SEPARATORS[0])
    parts = [p for p in (x.strip() for x in text.split(MULTI_SEPARATORS[0])) if p]
    return "、".join(dict.fromkeys(match_enum(field, p) for p in parts)) or None


#: the common fields that hold a name: one line of visible text (:func:`~zhaoshang.names.check_name`)
NAME_FIELDS = frozenset({"title", "owner"})


def _plain_text(field: FieldDef, raw: object, default_unit: str) -> Any:
    text = check_length(text_of(raw))
    if field.common and field.key in NAME_FIELDS:
        return check_name(text)
    return text if text.strip() else None


#: one parser per :attr:`~zhaoshang.fieldtypes.FieldType.parse`
_PARSERS: dict[str, Callable[[FieldDef, object, str], Any]] = {
    "money": _money,
    "date": lambda f, raw, u: parse_date(raw).isoformat(),
    "integer": lambda f, raw, u: parse_int(raw),
    "number": _number_value,
    "bool": lambda f, raw, u: 1 if parse_bool(raw) else 0,
    "enum": lambda f, raw, u: match_enum(f, text_of(raw)),
    "multi": _multi,
    "phone": lambda f, raw, u: check_length(text_of(raw).strip()) or None,
    "credit_code": lambda f, raw, u: parse_credit_code(raw),
    "text": _plain_text,
}


#: The largest amount one project (or one month's funds of one project) may hold, by currency,
#: in 万元 / 万美元: 5000亿元 and 1000亿美元.  The biggest investment-promotion contracts signed
#: by Chinese cities are in the hundreds of 亿元 (a few reach 1000–2000亿元); ten times the usual
#: ceiling catches a 亿/万 slip (35000 in a 亿元 column = 3.5万亿元) without refusing a real one.
MONEY_MAX = {"CNY": 50_000_000.0, "USD": 10_000_000.0}


def check_money(amount: float, currency: str, raw: object = None) -> float:
    """``amount`` (万元 or 万美元) if it is plausible for one project; a :class:`ParseError`
    for a negative amount or one beyond :data:`MONEY_MAX`."""
    unit = "万美元" if currency == "USD" else "万元"
    shown = raw if raw is not None else format_money(amount)
    if amount < 0:
        raise ParseError(f"金额「{shown}」是负数：投资额和到位资金不能为负，请检查是否多了负号")
    if amount > MONEY_MAX[currency]:
        limit = "5000亿元" if currency == "CNY" else "1000亿美元"
        raise ParseError(
            f"金额「{shown}」即 {format_money(amount)}{unit}，超过单个项目的合理上限 {limit}："
            "请检查单位（表头的亿元/万元）和数字是否多了几位"
        )
    return amount


def _number(raw: object) -> float:
    from .parse import to_halfwidth

    text = to_halfwidth(str(raw)).replace(",", "").strip()
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def text_of(raw: object) -> str:
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
    how = field.ftype.json
    if how == "bool":
        return bool(stored)
    if how == "int":
        return int(stored)
    if how == "number":
        f = float(stored)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return stored


def to_display(field: FieldDef, stored: Any) -> str:
    """How a stored value reads in a table."""
    if stored is None or stored == "":
        return ""
    how = field.ftype.display
    if how == "bool":
        return "是" if stored else "否"
    if how == "money":
        return format_money(float(stored))
    return str(stored)


def field_error(field: FieldDef, exc: ZsError, *, where: str = "") -> ZsError:
    """Prefix a value error with the field (and where it happened)."""
    prefix = f"{where}" if where else ""
    return ZsError(f"{prefix}字段「{field.label}」：{exc.message}")
