"""``--errors FILE.xlsx``: the whole file back, with the reasons beside the rows to fix.

An import with a problem writes nothing, so what comes back is everything: every sheet of the
source, every row in its place (title, 填报单位 and date lines, header, data, 合计 and 落款
rows), the hidden ``_meta`` sheet of an exported file, and one more column at the right of each
table, 错误说明, filled on the rejected rows (a problem of the table itself — a column not
understood — is a comment on that header cell).  Row numbers stay those of the source, so the
messages still point at the right rows.  Fix the marked rows, import the file again: every row
is imported exactly once, with the sheet's 填报单位 and 填报日期 as before; the import ignores the
错误说明 column.

The file holds the source's cell values only: formulas come back as their last computed values,
and formatting (fonts, colours, widths, merged cells), hidden sheets, comments, data validation
and pictures are not carried over — so it is never written over the source itself (the same
path, a hard link to it, or a symbolic link either way is refused before any work).

报送 → 认定: a row whose project has a report the office returned (and the file does not send
again) gets what was returned and why in the same column, and the file is written for that too
— the unit fixes the row and sends the file back.

While the import runs only the reasons are kept (rejected rows only: constant memory); the file
is written at the end by reading the source a second time.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from ..errors import ZsError
from ..files import writing
from ..hints import option
from .columns import ERROR_HEADER
from .meta import FileMeta
from .tables import HeaderCell

#: what the errors file does not carry over from the source (it holds cell values only)
NOT_CARRIED = "公式（只留计算结果）、格式（字体、颜色、列宽、合并单元格）、隐藏的工作表、批注、数据验证和图片"


def check_errors_path(path: Path, source: Path) -> None:
    """Refuse, before any work, an errors file that cannot be written, or that is the source
    itself: the same path, a hard link to the same file, or a symbolic link either way —
    writing it would replace the county's file by a values-only copy."""
    flag = option("errors_path")
    if path.suffix.lower() != ".xlsx":
        raise ZsError(f"{flag} 的文件应以 .xlsx 结尾：{path.name}")
    if not path.parent.exists():
        raise ZsError(f"{flag}：目录「{path.parent}」不存在")
    if _same_file(path, source):
        raise ZsError(
            f"{flag}「{path}」就是要导入的文件「{source}」（同一路径、硬链接或符号链接）：错误文件只有单元格的值，"
            f"{NOT_CARRIED}都不会保留，写回会覆盖原文件。请另起一个文件名，如 {flag} {source.stem}-错误.xlsx"
        )


def _same_file(path: Path, source: Path) -> bool:
    """Whether ``path`` is, or leads to, the same file as ``source``: the same place once links
    are resolved (also a dangling link's target), or the same device and inode (a hard link)."""
    try:
        if path.resolve() == source.resolve():
            return True
    except (OSError, RuntimeError):
        pass
    try:
        return os.path.samefile(path, source)
    except OSError:
        return False


class Rejects:
    def __init__(self, path: Path, meta: FileMeta | None, source: Path | None = None) -> None:
        if source is not None:
            check_errors_path(path, source)
        self.path = path
        self.meta = meta
        self.source = source
        #: sheet -> row number -> reasons
        self.reasons: dict[str, dict[int, list[str]]] = {}
        #: sheet -> (header row, first column after the table)
        self.tables: dict[str, tuple[int, int]] = {}
        #: sheet -> problems of the table itself
        self.sheet_problems: dict[str, list[str]] = {}
        self.rows = 0
        self.returns = 0

    def table(self, sheet: str, header_row: int, header: list[HeaderCell]) -> None:
        """Where the table of ``sheet`` is: its header row and its columns."""
        width = max((h.column for h in header if h.text != ERROR_HEADER), default=-1) + 1
        self.tables.setdefault(sheet, (header_row, width))

    def add(
        self, sheet: str, header: list[HeaderCell], number: int, cells: dict[int, object], reasons: list[str]
    ) -> None:
        self.reasons.setdefault(sheet, {}).setdefault(number, []).extend(reasons)
        self.rows += 1

    def returned(self, sheet: str, number: int, text: str) -> None:
        """A row whose item has a report the office returned (报送 → 认定): the reason goes
        beside it too, for the unit to fix and send again (the file is written even when the
        import had no problem)."""
        self.reasons.setdefault(sheet, {}).setdefault(number, []).append(text)
        self.returns += 1

    def problem(self, sheet: str, text: str) -> None:
        self.sheet_problems.setdefault(sheet, []).append(text)

    def close(self, *, keep: bool) -> bool:
        """Write the file (when anything was rejected and ``keep``); True if written."""
        if not keep or not (self.rows or self.sheet_problems or self.returns) or self.source is None:
            return False
        with writing(self.path) as tmp:
            self._write(tmp)
        return True

    def _write(self, tmp: Path) -> None:
        import xlsxwriter

        from .readers import read_file

        assert self.source is not None

        book = xlsxwriter.Workbook(
            str(tmp), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
        )
        f_header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        f_error = book.add_format({"font_color": "#C00000", "bold": True, "bg_color": "#FDE9E9"})
        f_date = book.add_format({"num_format": "yyyy-mm-dd"})
        try:
            for sheet in read_file(self.source):
                if sheet.name.startswith("_"):
                    continue
                ws = book.add_worksheet(_sheet_name(sheet.name))
                header_row, width = self.tables.get(sheet.name, (0, 0))
                reasons = self.reasons.get(sheet.name, {})
                for number, row in enumerate(sheet.rows, start=1):
                    r = number - 1
                    for c, v in enumerate(row):
                        if c == width and header_row:
                            continue  # an old 错误说明 column: replaced by this one
                        _write(ws, r, c, v, f_date)
                    if number == header_row:
                        ws.write_string(r, width, ERROR_HEADER, f_header)
                        problems = self.sheet_problems.get(sheet.name)
                        if problems:
                            ws.write_comment(r, width, "\n".join(problems), {"x_scale": 4, "y_scale": 3})
                    elif number in reasons:
                        ws.write_string(r, width, "；".join(reasons[number]), f_error)
                if header_row:
                    ws.set_column(width, width, 60)
                    ws.freeze_panes(header_row, 0)
            if self.meta is not None:
                ws = book.add_worksheet("_meta")
                ws.write_row(0, 0, ["键", "值", "说明"])
                for r, (k, v, label) in enumerate(self.meta.rows(), start=1):
                    ws.write_row(r, 0, [k, v, label])
                ws.hide()
        finally:
            book.close()


def _write(ws: Any, r: int, c: int, v: object, f_date: Any) -> None:
    if isinstance(v, bool):
        ws.write_boolean(r, c, v)
    elif isinstance(v, int | float):
        ws.write_number(r, c, v)
    elif isinstance(v, dt.datetime | dt.date):
        ws.write_datetime(r, c, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day), f_date)
    elif v is not None:
        ws.write_string(r, c, str(v))


def _sheet_name(name: str) -> str:
    """A worksheet name Excel accepts (a CSV file's stem may hold [ ] : * ? / \\ or be long)."""
    return "".join("_" if c in "[]:*?/\\" else c for c in name)[:31].strip("'") or "Sheet1"
