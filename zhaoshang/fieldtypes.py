"""The field types of the YAML definitions, each described once.

A field's ``type:`` names one of :data:`TYPES`.  Everything that differs by type is read from
here — the SQL column type, how a value is parsed and kept (:mod:`zhaoshang.values` dispatches
on :attr:`FieldType.parse`), how it reads in a table and in JSON, the Excel cell it becomes, its
width there, the hint a template gives, and the name ``zs kinds`` shows — instead of an
``if type == …`` ladder in each module.  Adding a type is adding one entry (and its parser).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldType:
    name: str
    """The YAML ``type:``."""
    label: str
    """What people call it (``zs kinds``)."""
    sql: str
    """SQLite column type."""
    cell: str
    """The Excel cell type (see :data:`zhaoshang.exchange.layout.CELL_TYPES`)."""
    hint: str
    """How to fill it in, for templates."""
    parse: str
    """Which parser of :mod:`zhaoshang.values` reads it."""
    json: str = "str"
    """How it is given in JSON: ``str``, ``int``, ``number`` or ``bool``."""
    display: str = "str"
    """How it reads in a table: ``str``, ``money`` (plain digits) or ``bool`` (是/否)."""
    verbatim: bool = False
    """Text kept exactly as typed (stripped), with no parsing."""
    numeric: bool = False
    """Right-aligned in tables."""
    searchable: bool = False
    """Included in the full-text index."""
    width: float = 0
    """A fixed Excel column width; 0: from the label."""


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("text", "文本", "TEXT", "text", "文字", "text", verbatim=True, searchable=True),
        FieldType("integer", "整数", "INTEGER", "int", "整数", "integer", json="int", numeric=True),
        FieldType("number", "数字", "REAL", "number", "数字", "number", json="number", display="money", numeric=True),
        FieldType(
            "money",
            "金额",
            "REAL",
            "money",
            "金额（数字，可带单位，如 3.56亿）",
            "money",
            json="number",
            display="money",
            numeric=True,
        ),
        FieldType("date", "日期", "TEXT", "date", "日期，如 2026-03-15、2026/3/15、2026年3月15日", "date", width=12),
        FieldType("enum", "单选", "TEXT", "enum", "从下拉列表选择", "enum", searchable=True),
        FieldType("multi", "多选", "TEXT", "multi", "可填多个，用顿号（、）分隔", "multi", searchable=True),
        FieldType("phone", "电话", "TEXT", "phone", "电话（按文本填写）", "phone", verbatim=True, width=15),
        FieldType("bool", "是/否", "INTEGER", "bool", "是 / 否", "bool", json="bool", display="bool"),
        FieldType("ref", "关联编号", "INTEGER", "ref", "条目编号（数字）", "integer", json="int", numeric=True),
        FieldType(
            "credit_code",
            "统一社会信用代码",
            "TEXT",
            "phone",
            "18 位统一社会信用代码（按文本填写，校验位会检查）",
            "credit_code",
            width=22,
        ),
    )
}
