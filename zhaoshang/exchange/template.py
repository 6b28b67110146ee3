"""``zs template``: a blank workbook a county fills in and sends back.

The sheets are the export's list sheets (same headers, same drop-downs for statuses, enum
values, chains and units), without rows, preceded by a 填写说明 sheet explaining each column:
required or not, type, unit, allowed values.  A hidden ``_meta`` sheet marks it as a template
of this database, so import treats the filled-in rows as new items (no 编号) of this office.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..db import Database
from ..errors import ZsError
from ..files import writing
from . import layout
from .export import _meta, _names, add_validations
from .layout import Col, SheetSpec
from .source import ExportFilter, select

if TYPE_CHECKING:
    from .xlsx import Book

#: hints for the fixed columns of the other sheets (a YAML field's hint is its type's)
_TYPE_TEXT = {
    "id": "数字",
    "int": "整数",
    "ref": "条目编号（数字）",
    "money": "金额（数字，可带单位，如 3.56亿）",
    "number": "数字",
    "date": "日期，如 2026-03-15、2026/3/15、2026年3月15日",
    "datetime": "日期时间",
    "month": "月份，如 2026-03",
    "bool": "是 / 否",
    "phone": "电话（按文本填写）",
    "text": "文字",
    "enum": "从下拉列表选择",
    "multi": "可填多个，用顿号（、）分隔",
}

GENERAL = [
    "每张清单一个工作表，第一行是表头，请从第二行起逐行填写，一行一个条目。",
    "「编号」列：新条目请留空；修改本单位已导出的条目时保留原编号。",
    "带下拉箭头的列请从列表中选择；也可以填写繁体字或别名，导入时会自动识别。",
    "金额默认单位为万元（外资为万美元）；可直接写「3.56亿」「35600万」等，或在表头注明单位，如「投资额（亿元）」。",
    "日期可写 2026-03-15、2026/3/15、2026.3.15 或 2026年3月15日；不要写 3/15/26 这类有歧义的形式。",
    "可以在表格上方加标题行、填报单位行，在末尾加合计行、填报人行；导入时会自动跳过。",
    "填好后，用 zs import 文件名.xlsx --dry-run 先预演检查，确认无误后再去掉 --dry-run 正式导入。",
]


@dataclass
class TemplateResult:
    path: Path
    sheets: list[str] = field(default_factory=list)


def _fill_cols(spec: SheetSpec) -> list[Col]:
    return [c for c in spec.cols if not c.readonly]


def _requirement(c: Col) -> str:
    if c.key in ("title", "chain") or (c.field is not None and c.field.required):
        return "必填"
    if c.key == "id":
        return "新条目留空"
    return ""


def _allowed(c: Col) -> str:
    if c.choices:
        return "、".join(c.choices)
    if c.source == "chains":
        return "已有的产业链（见下拉列表）"
    if c.source == "units":
        return "已有的招商主体（见下拉列表）"
    return ""


def write_template(
    db: Database, path: str | os.PathLike[str], *, kind: str | None = None, user: str = ""
) -> TemplateResult:
    from .xlsx import Book

    target = Path(path).expanduser()
    if target.suffix.lower() != ".xlsx":
        raise ZsError(f"模板只能生成 .xlsx 文件：请把「{target.name}」改为以 .xlsx 结尾")
    if not target.parent.exists():
        raise ZsError(f"目录「{target.parent}」不存在：请先创建它，或换一个位置")
    sel = select(db, ExportFilter(kind=kind))
    meta = _meta(db, sel, mask=False, user=user, type_="template")
    specs = [layout.item_sheet(db.defs, k) for k in sel.kinds]
    result = TemplateResult(target)
    with writing(target) as tmp:
        book = Book(tmp)
        try:
            _instructions(book, specs)
            lists = {"chains": _names(db, "chains"), "units": _names(db, "units")}
            for spec in specs:
                cols = _fill_cols(spec)
                sheet = book.sheet(spec.name, cols, rows=1000, freeze=spec.freeze)
                add_validations(sheet, cols, lists)
                sheet.finish()
                result.sheets.append(spec.name)
            book.write_lists_sheet()
            from .export import write_meta_sheet

            write_meta_sheet(book, meta, [])
        except BaseException:
            with contextlib.suppress(Exception):  # already failing; the temporary file goes anyway
                book.close()
            raise
        book.close()
    return result


def _instructions(book: Book, specs: list[SheetSpec]) -> None:
    f_title, f_bold, f_header, f_wrap = book.f_title, book.f_bold, book.f_header, book.f_wrap
    ws = book.wb.add_worksheet(layout.INSTRUCTIONS)
    ws.write_string(0, 0, "招商引资清单填报说明", f_title)
    row = 2
    for i, text in enumerate(GENERAL, start=1):
        ws.write_string(row, 0, f"{i}. {text}")
        row += 1
    for spec in specs:
        row += 1
        ws.write_string(row, 0, f"工作表「{spec.name}」", f_bold)
        if spec.kind is not None and spec.kind.description:
            ws.write_string(row, 1, spec.kind.description)
        row += 1
        ws.write_row(row, 0, ["列名", "是否必填", "填写要求", "可选值 / 说明"], f_header)
        for c in _fill_cols(spec):
            row += 1
            kind_text = c.field.ftype.hint if c.field is not None else _TYPE_TEXT.get(c.type, "文字")
            if c.unit:
                kind_text = f"金额，单位{c.unit}（可写 3.56亿 等）"
            if c.key == "status" and spec.kind is not None:
                kind_text = f"从下拉列表选择；留空为「{spec.kind.default_status}」"
            allowed = _allowed(c)
            extra = c.field.help if (c.field is not None and c.field.help) else ""
            ws.write_row(
                row, 0, [c.header, _requirement(c), kind_text, "；".join(x for x in (allowed, extra) if x)], f_wrap
            )
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 12)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 3, 60)
