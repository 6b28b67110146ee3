"""Small Excel exports of the pipeline's lists (会办清单, 问题台账): a title row, a frozen
header with autofilter, sensible widths.  Text is always written as text, so a value that
starts with = + - @ never becomes a formula."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import writing

if TYPE_CHECKING:
    from ..render import Column


def write_tables(path: Path, sheets: Sequence[tuple[str, str, Sequence[Column], Sequence[dict[str, Any]]]]) -> None:
    """Write one sheet per (sheet name, title, columns, rows) to ``path`` (.xlsx)."""
    import xlsxwriter

    with writing(path) as tmp:
        _write(xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False}), sheets)


def _write(book: Any, sheets: Sequence[tuple[str, str, Sequence[Column], Sequence[dict[str, Any]]]]) -> None:
    from ..render import width

    title_fmt = book.add_format({"bold": True, "font_size": 14})
    head_fmt = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    text_fmt = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    num_fmt = book.add_format({"valign": "top", "border": 1})
    for name, title, cols, rows in sheets:
        ws = book.add_worksheet(name[:31])
        ws.write_string(0, 0, title, title_fmt)
        for c, col in enumerate(cols):
            ws.write_string(1, c, col.header, head_fmt)
            longest = max([width(col.header), *(width(_text(r.get(col.key))) for r in rows)])
            ws.set_column(c, c, min(max(6, longest + 2), 40))
        for r, rec in enumerate(rows, start=2):
            for c, col in enumerate(cols):
                value = rec.get(col.key)
                if value is None:
                    ws.write_blank(r, c, None, text_fmt)
                elif isinstance(value, bool):
                    ws.write_string(r, c, "是" if value else "否", text_fmt)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value, num_fmt)
                else:
                    ws.write_string(r, c, str(value), text_fmt)
        ws.freeze_panes(2, 0)
        if cols:
            ws.autofilter(1, 0, max(1, len(rows) + 1), len(cols) - 1)
    book.close()


def _text(value: Any) -> str:
    return "" if value is None else str(value)
