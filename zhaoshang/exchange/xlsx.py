"""Writing workbooks: XlsxWriter in constant-memory mode, with a fast path for data rows.

Why this shape (measured on 100,000 rows × 20 columns, see benchmarks/bench_exchange.py):
XlsxWriter's ``constant_memory`` mode keeps memory flat (~25 MB at any size) and writes files
Excel opens without complaint, but spends ~10 µs per cell in generic Python (argument
checks, cell tuples, attribute lists).  Data rows are therefore serialised here directly
into the worksheet's row file — the same XML XlsxWriter writes for an inline-string, number
or styled number cell — while XlsxWriter still writes everything else (styles, column
widths, frozen panes, autofilter, data validation, hidden sheets, the package itself).  That
roughly halves the export time.  The fast path relies on four internals of XlsxWriter's
constant-memory mode (``row_data_fh``, ``previous_row``, ``dim_rowmax``/``dim_colmax``,
``_write_single_row``); when they are missing (another XlsxWriter version) rows go through the
public ``write_string``/``write_number`` API instead, which gives the same file, slower.

Text is always written as text (inline strings): a value beginning with ``=``, ``+``, ``-`` or
``@`` can never become a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .layout import NUMERIC, Col

EXCEL_MAX_ROWS = 1_048_576
_EPOCH = dt.date(1899, 12, 30)
_EPOCH_DT = dt.datetime(1899, 12, 30)
#: rows whose widths are measured to size the columns
_MEASURE_ROWS = 1000
_MAX_WIDTH = 50

# Text that needs more than copying into <t>…</t>: XML specials, control characters (Excel's
# _xHHHH_ escape), a literal _xHHHH_ (escaped as _x005F_xHHHH_), leading/trailing space.
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
# The same test over the texts of a whole row joined by _SEP (a private-use character), plus
# leading/trailing space of any of them.
_SEP = "\ue000"
_ROW_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|(?:^|\ue000)\s|\s(?:\ue000|$)")
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


def _escape_text(text: str) -> tuple[str, str]:
    """(escaped text, attribute for <t>) as XlsxWriter writes an inline string."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    preserve = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return text, preserve


def display_width(text: str) -> int:
    """Approximate Excel width: CJK and full-width characters count two."""
    n = len(text)
    if text.isascii():
        return n
    return n + sum(1 for ch in text if ord(ch) >= 0x2E80)


def excel_serial(value: dt.date) -> float:
    if isinstance(value, dt.datetime):
        delta = value - _EPOCH_DT
        return delta.days + delta.seconds / 86400
    return float((value - _EPOCH).days)


def _letter(i: int) -> str:
    letters = ""
    n = i + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


class Book:
    """One workbook being written.  Sheets are written one after another, top to bottom."""

    def __init__(self, path: Path, *, fast: bool = True) -> None:
        import xlsxwriter

        self.path = path
        self.fast = fast
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        wb = self.wb
        self.f_header = wb.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.f_header_ro = wb.add_format(
            {
                "bold": True,
                "bg_color": "#EDEDED",
                "font_color": "#7F7F7F",
                "border": 1,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
            }
        )
        self.f_date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.f_datetime = wb.add_format({"num_format": "yyyy-mm-dd hh:mm", "font_color": "#7F7F7F"})
        self.f_money = wb.add_format({"num_format": "#,##0.00"})
        self.f_int = wb.add_format({"num_format": "0"})
        self.f_text = wb.add_format({"num_format": "@"})
        self.f_title = wb.add_format({"bold": True, "font_size": 14})
        self.f_bold = wb.add_format({"bold": True})
        self.f_wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self._lists: dict[tuple[str, ...], str] = {}
        self._list_columns: list[tuple[str, ...]] = []

    # -- formats -----------------------------------------------------------------------
    def cell_format(self, col: Col) -> Any:
        if col.type == "date":
            return self.f_date
        if col.type == "datetime":
            return self.f_datetime
        if col.type in ("money", "number"):
            return self.f_money
        if col.type in ("id", "int", "ref"):
            return self.f_int
        if col.type in ("phone", "month"):
            return self.f_text
        return None

    # -- drop-down lists ---------------------------------------------------------------
    def list_source(self, values: Sequence[str]) -> str | list[str]:
        """A data-validation source: the values inline when short (Excel's limit is 255
        characters), else a range of the hidden lists sheet."""
        values = tuple(values)
        if sum(len(v) + 1 for v in values) <= 250 and not any("," in v for v in values):
            return list(values)
        ref = self._lists.get(values)
        if ref is None:
            col = _letter(len(self._list_columns))
            self._list_columns.append(values)
            ref = f"={_quote_sheet('_lists')}!${col}$1:${col}${len(values)}"
            self._lists[values] = ref
        return ref

    def write_lists_sheet(self) -> None:
        """The hidden sheet holding long drop-down lists (call after every data sheet)."""
        if not self._list_columns:
            return
        ws = self.wb.add_worksheet("_lists")
        depth = max(len(v) for v in self._list_columns)
        for r in range(depth):
            for c, values in enumerate(self._list_columns):
                if r < len(values):
                    ws.write_string(r, c, values[r])
        ws.hide()

    # -- sheets ------------------------------------------------------------------------
    def sheet(self, name: str, cols: Sequence[Col], *, rows: int, freeze: int = 1) -> SheetWriter:
        """A data sheet with a frozen header row, autofilter over ``rows`` data rows and
        drop-downs on columns with choices."""
        ws = self.wb.add_worksheet(name)
        return SheetWriter(self, ws, list(cols), rows=rows, freeze=freeze)

    def close(self) -> None:
        self.wb.close()


class SheetWriter:
    def __init__(self, book: Book, ws: Any, cols: list[Col], *, rows: int, freeze: int) -> None:
        self.book = book
        self.ws = ws
        self.cols = cols
        self.row = 1  # next data row (0-based); row 0 is the header
        self.widths = [display_width(c.header) + 2 for c in cols]
        self.widths = [max(w, min(int(c.width), _MAX_WIDTH)) for w, c in zip(self.widths, cols, strict=True)]
        self.formats = [book.cell_format(c) for c in cols]
        last_col = max(len(cols) - 1, 0)
        for c, col in enumerate(cols):
            fmt = book.f_header_ro if col.readonly else book.f_header
            ws.write_string(0, c, col.header, fmt)
        ws.set_row(0, 30)
        ws.freeze_panes(1, freeze)
        ws.autofilter(0, 0, max(rows, 1), last_col)
        ws.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
        self._fast = book.fast and _fast_path_available(ws)
        if self._fast:
            self._styles = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in self.formats]
            self._letters = [_letter(i) for i in range(len(cols))]
            ws._write_single_row(1)  # flush the header into the row file
            self._fh = ws.row_data_fh

    def validate(self, c: int, values: Sequence[str], *, last_row: int = EXCEL_MAX_ROWS - 1) -> None:
        """A drop-down on column ``c`` below the header (warning style: other values can be
        typed after a warning, as import also accepts aliases)."""
        if not values:
            return
        source = self.book.list_source(values)
        shown = "、".join(values[:12]) + ("…" if len(values) > 12 else "")
        self.ws.data_validation(
            1,
            c,
            last_row,
            c,
            {
                "validate": "list",
                "source": source,
                "ignore_blank": True,
                "error_type": "warning",
                "error_title": "不在可选值中",
                "error_message": f"请从下拉列表中选择：{shown}"[:255],
            },
        )

    def write(self, values: Sequence[object]) -> None:
        """Append one data row (values in column order: None, str, int, float, date)."""
        r = self.row
        self.row += 1
        if r <= _MEASURE_ROWS:
            self._measure(values)
        if self._fast:
            self._fh.write(self._xml(r, values))
        else:
            self._write_api(r, values)

    def write_many(self, rows: Iterable[Sequence[object]]) -> None:
        """Append many rows (the fast path: one escape check per row, buffered writes)."""
        it = iter(rows)
        while self.row <= _MEASURE_ROWS:
            values = next(it, None)
            if values is None:
                return
            self.write(values)
        if not self._fast:
            for values in it:
                self.write(values)
            return
        letters, styles = self._letters, self._styles
        s_mid = [f'"{st} t="inlineStr"><is><t>' for st in styles]
        n_mid = [f'"{st}><v>' for st in styles]
        opens = [f'<c r="{x}' for x in letters]
        fh = self._fh
        buf: list[str] = []
        r = self.row
        bad = _ROW_NEEDS_ESCAPE.search
        sep = _SEP
        for values in it:
            rr = str(r + 1)
            parts = [f'<row r="{rr}">']
            app = parts.append
            texts: list[str] = []
            for i, v in enumerate(values):
                if v is None:
                    continue
                cls = v.__class__
                if cls is str:
                    if v:
                        texts.append(v)  # type: ignore[arg-type]
                        app(f"{opens[i]}{rr}{s_mid[i]}{v}</t></is></c>")
                elif cls is int or cls is float:
                    app(f"{opens[i]}{rr}{n_mid[i]}{v!r}</v></c>")
                else:
                    parts = []
                    break
            if not parts or (texts and bad(sep.join(texts))):
                buf.append(self._xml(r, values))  # escaping needed, or an unusual value: the careful way
            else:
                app("</row>")
                buf.append("".join(parts))
            r += 1
            if len(buf) >= 256:
                fh.write("".join(buf))
                buf.clear()
        if buf:
            fh.write("".join(buf))
        self.row = r

    def _measure(self, values: Sequence[object]) -> None:
        widths = self.widths
        for i, v in enumerate(values):
            if v is None:
                continue
            w = display_width(v) if isinstance(v, str) else 12 if isinstance(v, dt.date) else len(str(v)) + 2
            if w + 2 > widths[i]:
                widths[i] = min(w + 2, _MAX_WIDTH)

    def _xml(self, r: int, values: Sequence[object]) -> str:
        rr = str(r + 1)
        letters, styles = self._letters, self._styles
        parts = [f'<row r="{rr}">']
        for i, v in enumerate(values):
            if v is None:
                continue
            if isinstance(v, str):
                if not v:
                    continue
                pre = ""
                if _NEEDS_ESCAPE.search(v):
                    v, pre = _escape_text(v)
                parts.append(f'<c r="{letters[i]}{rr}"{styles[i]} t="inlineStr"><is><t{pre}>{v}</t></is></c>')
            elif isinstance(v, bool):
                parts.append(f'<c r="{letters[i]}{rr}" t="inlineStr"><is><t>{"是" if v else "否"}</t></is></c>')
            elif isinstance(v, int | float):
                parts.append(f'<c r="{letters[i]}{rr}"{styles[i]}><v>{v!r}</v></c>')
            elif isinstance(v, dt.date):
                parts.append(f'<c r="{letters[i]}{rr}"{styles[i]}><v>{excel_serial(v)!r}</v></c>')
            else:
                text, pre = _escape_text(str(v))
                parts.append(f'<c r="{letters[i]}{rr}"{styles[i]} t="inlineStr"><is><t{pre}>{text}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)

    def _write_api(self, r: int, values: Sequence[object]) -> None:
        ws = self.ws
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            fmt = self.formats[c]
            if isinstance(v, bool):
                ws.write_string(r, c, "是" if v else "否")
            elif isinstance(v, int | float):
                ws.write_number(r, c, v, fmt)
            elif isinstance(v, dt.date):
                ws.write_number(r, c, excel_serial(v), fmt)
            else:
                ws.write_string(r, c, str(v), fmt)

    def finish(self) -> int:
        """Set the column widths and the sheet's dimensions; returns the data rows written."""
        ws = self.ws
        for c, col in enumerate(self.cols):
            ws.set_column(c, c, self.widths[c], self.formats[c] if col.type in NUMERIC | {"date", "phone"} else None)
        written = self.row - 1
        if self._fast and written:
            last = self.row - 1
            ws.dim_rowmax = max(ws.dim_rowmax or 0, last)
            ws.dim_colmax = max(ws.dim_colmax or 0, len(self.cols) - 1)
            ws.previous_row = last + 1
        return written


def _fast_path_available(ws: Any) -> bool:
    return (
        getattr(ws, "constant_memory", False)
        and hasattr(ws, "row_data_fh")
        and hasattr(ws, "_write_single_row")
        and hasattr(ws, "previous_row")
        and hasattr(ws, "dim_rowmax")
        and hasattr(ws, "dim_colmax")
    )
