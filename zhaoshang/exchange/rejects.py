"""``--errors FILE.xlsx``: a copy of the rejected rows with the reasons, to fix and re-import.

Each sheet of the source with a rejected row gets a sheet of the same name: the original
header row, then every rejected row with its cells in their original columns, followed by
two columns — 错误说明 (all the reasons of that row) and 原行号 (its row number in the source
file).  Import ignores those two columns, and the hidden ``_meta`` sheet of the source is
copied, so the corrected file is understood exactly like the original (its 编号 still mean
what they meant).  Written as the rows are found (constant memory).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from ..errors import ZsError
from ..files import put_in_place
from .meta import FileMeta
from .tables import HeaderCell

ERROR_HEADER = "错误说明"
ROW_HEADER = "原行号"


class Rejects:
    def __init__(self, path: Path, meta: FileMeta | None) -> None:
        if path.suffix.lower() != ".xlsx":
            raise ZsError(f"--errors 的文件应以 .xlsx 结尾：{path.name}")
        if not path.parent.exists():
            raise ZsError(f"--errors：目录「{path.parent}」不存在")
        self.path = path
        self.meta = meta
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.book: Any = None
        self.sheets: dict[str, tuple[Any, int, int]] = {}  # name -> (worksheet, next row, width)
        self.rows = 0

    def _open(self) -> Any:
        if self.book is None:
            import xlsxwriter

            self.book = xlsxwriter.Workbook(
                str(self.tmp),
                {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False},
            )
            self.f_header = self.book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
            self.f_error = self.book.add_format({"font_color": "#C00000", "bold": True, "bg_color": "#FDE9E9"})
            self.f_date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        return self.book

    def add(
        self, sheet: str, header: list[HeaderCell], number: int, cells: dict[int, object], reasons: list[str]
    ) -> None:
        book = self._open()
        entry = self.sheets.get(sheet)
        if entry is None:
            ws = book.add_worksheet(sheet[:31])
            width = max((h.column for h in header), default=-1) + 1
            width = max(width, max(cells, default=-1) + 1)
            for h in header:
                ws.write_string(0, h.column, h.text, self.f_header)
            ws.write_string(0, width, ERROR_HEADER, self.f_header)
            ws.write_string(0, width + 1, ROW_HEADER, self.f_header)
            ws.set_column(width, width, 60)
            ws.freeze_panes(1, 0)
            entry = (ws, 1, width)
        ws, r, width = entry
        for c, v in cells.items():
            if c >= width:
                continue
            self._write(ws, r, c, v)
        ws.write_string(r, width, "；".join(reasons), self.f_error)
        ws.write_number(r, width + 1, number)
        self.sheets[sheet] = (ws, r + 1, width)
        self.rows += 1

    def _write(self, ws: Any, r: int, c: int, v: object) -> None:
        if isinstance(v, bool):
            ws.write_boolean(r, c, v)
        elif isinstance(v, int | float):
            ws.write_number(r, c, v)
        elif isinstance(v, dt.datetime | dt.date):
            ws.write_datetime(
                r, c, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day), self.f_date
            )
        elif v is not None:
            ws.write_string(r, c, str(v))

    def close(self, *, keep: bool) -> bool:
        """Finish the file (when anything was rejected and ``keep``); True if written."""
        if self.book is None:
            return False
        if self.meta is not None:
            ws = self.book.add_worksheet("_meta")
            ws.write_row(0, 0, ["键", "值", "说明"])
            for r, (k, v, label) in enumerate(self.meta.rows(), start=1):
                ws.write_row(r, 0, [k, v, label])
            ws.hide()
        self.book.close()
        self.book = None
        if keep and self.rows:
            put_in_place(self.tmp, self.path)
            return True
        self.tmp.unlink(missing_ok=True)
        return False
