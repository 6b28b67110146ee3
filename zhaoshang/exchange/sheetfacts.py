"""What a workbook shows besides its values: hidden rows, and formulas without a result.

python-calamine reads values only: it cannot say that a row is hidden, and a formula whose
result was never computed (a file written by a program, not saved by Excel, WPS or
LibreOffice) reads as an empty cell.  Both matter to an import — a hidden row is still a
project the county typed, and an empty formula cell is a value that is missing, not a blank —
so they are read here from the file itself:

* ``.xlsx``: the worksheet's XML, scanned as bytes in chunks (``<row … hidden="1">``, and
  ``<c r="B7"><f>…</f></c>`` with no ``<v>``) — no XML tree is built, memory stays flat;
* ``.ods``: ``content.xml`` (``table:visibility="collapse|filter"`` rows; formula cells
  without an ``office:value``), parsed incrementally.

* ``.xls``: its binary records, read by xlrd (the reader made for the format; calamine gives
  the values and merged areas, not the formats, hidden rows and columns or comments).

For text files, and an .xls that xlrd cannot read, :func:`sheet_facts` answers
``checked=False`` and the report says so.
Why not openpyxl: it loads every cell of the sheet into objects (tens of seconds and gigabytes
at a province's size); the scan below reads the same facts at disk speed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

__all__ = ["SheetFacts", "hidden_sheets", "month_format", "sheet_facts", "year_format"]

_CHUNK = 1 << 20


@dataclass
class SheetFacts:
    checked: bool = True
    """False when the format cannot tell (csv; an .xls that xlrd cannot read)."""
    hidden_rows: list[int] = field(default_factory=list)
    """1-based numbers of hidden rows."""
    empty_formulas: list[tuple[int, int]] = field(default_factory=list)
    """(row, 0-based column) of formula cells without a computed value."""
    hidden_columns: list[int] = field(default_factory=list)
    """0-based indices of hidden columns."""
    comments: list[tuple[int, int, str]] = field(default_factory=list)
    """(row, 0-based column, text) of cell comments (批注): a note on a cell, not its value."""
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    """Merged areas as (first_row, first_col, last_row, last_col), 0-based and inclusive (the
    indices of :attr:`RawSheet.rows`): read for .xlsx, .ods and .xls alike."""
    month_cells: set[tuple[int, int]] = field(default_factory=set)
    """(row, 0-based column) of cells formatted to show a date without its day (「2026年10月」,
    Oct-26): what the clerk typed and sees is a month, the file holds the 1st."""
    error_cells: list[tuple[int, int, str]] = field(default_factory=list)
    """(row, 0-based column, error) of cells whose value is a formula error (#N/A, #DIV/0! …):
    the readers give them as empty cells."""
    unit_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    """(row, 0-based column) → the money unit a number cell's format shows after it (0.00"亿元"
    shows 3.5 as 「3.50亿元」): a unit the clerk sees that the value does not hold."""
    year_cells: set[tuple[int, int]] = field(default_factory=set)
    """Those of :attr:`month_cells` whose format shows the year alone (「2026年」): the clerk sees
    neither month nor day."""


def sheet_facts(path: Path, sheet: str) -> SheetFacts:
    try:
        # by what the file holds, as the reader opens it (an .xlsx renamed .xls is an .xlsx)
        readers = {"xlsx": _xlsx, "ods": _ods, "xls": _xls}
        format_ = _format_of(path)
        if format_ is not None:
            return _months_over_merges(readers[format_](path, sheet))
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError, ValueError):
        pass  # the reader reports a damaged file; here there is nothing more to learn
    return SheetFacts(checked=False)


def _format_of(path: Path) -> str | None:
    """xlsx, ods or xls by the file's first bytes (None: another kind of file)."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # an OLE compound file: BIFF
        return "xls"
    if head.startswith(b"PK"):
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                with z.open("mimetype") as m:
                    if m.read(64).startswith(b"application/vnd.oasis.opendocument"):
                        return "ods"
            return "xlsx" if "xl/workbook.xml" in names else None
    return None


#: cells a merged month may give its format to, in all (a file's merged areas are its own
#: claims: bounded before they cost memory)
_MONTH_SPREAD = 200_000


def _months_over_merges(facts: SheetFacts) -> SheetFacts:
    """A merged cell shown as a month is a month on every row it covers: the import gives its
    value to the rows below in its column (:func:`.merged.fill_merged`), and its format too."""
    left = _MONTH_SPREAD
    for r0, c0, r1, _c1 in facts.merges:
        if r1 > r0 and (r0 + 1, c0) in facts.month_cells and left > 0:
            last = min(r1, r0 + left)
            facts.month_cells.update((r + 1, c0) for r in range(r0 + 1, last + 1))
            if (r0 + 1, c0) in facts.year_cells:
                facts.year_cells.update((r + 1, c0) for r in range(r0 + 1, last + 1))
            left -= last - r0
    return facts


def hidden_sheets(path: Path) -> list[str]:
    """Names of the hidden worksheets of a workbook (none for other files)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    from .readers import calamine_guard

    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        return []
    try:
        with calamine_guard(path):
            try:
                wb = CalamineWorkbook.from_path(str(path))
            except Exception:  # (renamed: by its content, as the reader opens it)
                import io

                wb = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
            try:
                return [
                    m.name
                    for m in wb.sheets_metadata
                    if m.visible != SheetVisibleEnum.Visible
                    and m.typ == SheetTypeEnum.WorkSheet
                    and not m.name.startswith("_")
                ]
            finally:
                wb.close()
    except Exception:  # the reader has said why already
        return []


# -- xlsx ----------------------------------------------------------------------------------

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="\$?([A-Z]{1,3})\$?([0-9]+):\$?([A-Z]{1,3})\$?([0-9]+)"')
_COL_HIDDEN = re.compile(rb'<(?:\w+:)?col\b[^>]*\bhidden="(?:1|true)"[^>]*>')
#: a comments part larger than this is not read (a sheet's notes are a few KB)
_COMMENTS_MAX = 16 << 20
_ROW_HIDDEN = re.compile(rb'<(?:\w+:)?row\b[^>]*\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]+)")
# a formula cell: <c r="B7" …><f …>…</f></c> or <f …/> — with or without a <v>value</v> after it
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]{1,40})</(?:\w+:)?v>")
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>.*?</(?:\w+:)?f>)(.*?)</(?:\w+:)?c>',
    re.S,
)


def _xlsx_part(z: zipfile.ZipFile, sheet: str) -> str:
    book = z.read("xl/workbook.xml")
    rid = None
    for m in _SHEET.finditer(book):
        attrs = dict(_ATTR.findall(m.group(0)))
        name = attrs.get(b"name", b"").decode("utf-8")
        name = name.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        if name == sheet:
            rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
            break
    if rid is None:
        raise KeyError(sheet)
    for m in _REL.finditer(z.read("xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(m.group(0)))
        if attrs.get(b"Id") == rid:
            target = attrs[b"Target"].decode("utf-8")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(sheet)


def _xlsx_comments(z: zipfile.ZipFile, part: str) -> list[tuple[int, int, str]]:
    """The comments of the worksheet ``part``: its relationships name the comments part."""
    from .tables import column_index

    folder, name = part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in z.namelist():
        return []
    out: list[tuple[int, int, str]] = []
    for m in _REL.finditer(z.read(rels)):
        attrs = dict(_ATTR.findall(m.group(0)))
        if not attrs.get(b"Type", b"").endswith(b"/comments"):
            continue
        target = attrs.get(b"Target", b"").decode("utf-8")
        path = target.lstrip("/") if target.startswith("/") else _join(folder, target)
        info = z.getinfo(path)
        if info.file_size > _COMMENTS_MAX:
            continue
        root = ET.fromstring(z.read(path))
        for c in root.iter():
            if c.tag.endswith("}comment") and c.get("ref"):
                m2 = re.fullmatch(r"\$?([A-Z]{1,3})\$?([0-9]+)", c.get("ref", ""))
                if m2 is None:
                    continue
                text = "".join(t.text or "" for t in c.iter() if t.tag.endswith("}t")).strip()
                if text:
                    out.append((int(m2.group(2)), column_index(m2.group(1)), text))
    return out


def _join(folder: str, target: str) -> str:
    parts = folder.split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


#: built-in number formats (written by number, without their text) that show a date without
#: its day: 17 is mmm-yy; in a Chinese Excel 27, 36, 50, 52 and 57 are yyyy"年"m"月" (31 is
#: yyyy"年"m"月"d"日", a day); custom ones are read
_BUILTIN_MONTH_FORMATS = frozenset({17, 27, 36, 50, 52, 57})
_NUM_FMT = re.compile(rb"<(?:\w+:)?numFmt\b[^>]*>")
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b[^>]*>")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")


def month_format(code: str) -> bool:
    """Whether an Excel number format shows a date without its day: 「yyyy"年"m"月"」, mmm-yy,
    yyyy/mm, [$-804]yyyy年m月 — a year or month code and no day (d), hour or second code."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", code).lower()
    bare = bare.split(";")[0]
    return ("y" in bare or "m" in bare) and not any(c in bare for c in "dhs0#?@")


def year_format(code: str) -> bool:
    """Whether a :func:`month_format` shows the year alone (「yyyy"年"」, yyyy)."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.', "", code).lower().split(";")[0]
    return month_format(code) and "m" not in bare


_FORMAT_UNIT = re.compile(r"亿美元|万美元|美元|亿元|万元|亿|万|元")


def unit_format(code: str) -> str | None:
    """The money unit a number format writes after the number (「0.00"亿元"」, 「#,##0"万美元"」,
    「0.0亿」), or None."""
    first = re.sub(r"\[[^\]]*\]", "", code).split(";")[0]
    if not any(c in first for c in "0#?"):
        return None  # (a date or text format)
    m = _FORMAT_UNIT.search(first)
    return m.group(0) if m else None


def _month_styles(z: zipfile.ZipFile) -> tuple[set[bytes], set[bytes], dict[bytes, str]]:
    """The cell style indices (s="…") whose number format shows no day, those of them that
    show the year alone, and the styles whose number format writes a money unit (by style)."""
    if "xl/styles.xml" not in z.namelist():
        return set(), set(), {}
    styles = z.read("xl/styles.xml")
    months = set(_BUILTIN_MONTH_FORMATS)
    years: set[int] = set()
    units: dict[int, str] = {}
    for m in _NUM_FMT.finditer(styles):
        attrs = dict(_ATTR.findall(m.group(0)))
        code = attrs.get(b"formatCode", b"").decode("utf-8").replace("&quot;", '"').replace("&amp;", "&")
        number = int(attrs.get(b"numFmtId", b"-1"))
        months.discard(number)  # (a format written out is what it says, a built-in number too)
        if month_format(code):
            months.add(number)
            if year_format(code):
                years.add(number)
        elif (unit := unit_format(code)) is not None:
            units[number] = unit
    xfs = _CELL_XFS.search(styles)
    if xfs is None:
        return set(), set(), {}
    out: set[bytes] = set()
    out_years: set[bytes] = set()
    out_units: dict[bytes, str] = {}
    for i, m in enumerate(_XF.finditer(xfs.group(1))):
        fmt = dict(_ATTR.findall(m.group(0))).get(b"numFmtId", b"0")
        if fmt.isdigit() and int(fmt) in months:
            out.add(str(i).encode())
            if int(fmt) in years:
                out_years.add(str(i).encode())
        elif fmt.isdigit() and int(fmt) in units:
            out_units[str(i).encode()] = units[int(fmt)]
    return out, out_years, out_units


def _xlsx(path: Path, sheet: str) -> SheetFacts:
    from .tables import column_index

    facts = SheetFacts()
    with zipfile.ZipFile(path) as z:
        part_name = _xlsx_part(z, sheet)
        facts.comments = _xlsx_comments(z, part_name)
        month_styles, year_styles, unit_styles = _month_styles(z)
    month_marks = tuple(b's="' + s + b'"' for s in (*month_styles, *unit_styles))
    with zipfile.ZipFile(path) as z, z.open(part_name) as f:
        tail = b""
        while True:
            chunk = f.read(_CHUNK)
            data = tail + chunk
            if not chunk:
                cut = len(data)
            else:  # scan whole rows only: up to the last </row> (or the last cell)
                row_end, cell_end = data.rfind(b"</row>"), data.rfind(b"</c>")
                cut = max(row_end + 6 if row_end >= 0 else 0, cell_end + 4 if cell_end >= 0 else 0)
            part, tail = data[:cut], data[cut:]
            if b't="e"' in part:
                for m in _ERROR_CELL.finditer(part):
                    ref = _CELL_REF.fullmatch(dict(_ATTR.findall(m.group(1))).get(b"r", b""))
                    v = _ERROR_VALUE.search(m.group(2))
                    if ref is not None and len(facts.error_cells) < _ERRORS_KEPT:
                        text = v.group(1).decode("utf-8", "replace") if v else "#错误"
                        facts.error_cells.append((int(ref.group(2)), column_index(ref.group(1).decode()), text))
            if b"hidden=" in part:
                for m in _ROW_HIDDEN.finditer(part):
                    n = _ROW_NUMBER.search(m.group(0))
                    if n is not None:
                        facts.hidden_rows.append(int(n.group(1)))
            if b"<f" in part:
                for m in _FORMULA_CELL.finditer(part):
                    if not _VALUE.search(m.group(3)):
                        facts.empty_formulas.append((int(m.group(2)), column_index(m.group(1).decode())))
            if b"<col " in part or b":col " in part:
                for m in _COL_HIDDEN.finditer(part):
                    attrs = dict(_ATTR.findall(m.group(0)))
                    first, last = int(attrs.get(b"min", b"0")), int(attrs.get(b"max", b"0"))
                    if 0 < first <= last and last - first < 16_384:
                        facts.hidden_columns.extend(range(first - 1, last))
            if month_marks and any(mark in part for mark in month_marks):
                for m in _CELL_TAG.finditer(part):
                    attrs = dict(_ATTR.findall(m.group(1)))
                    style = attrs.get(b"s")
                    if style in month_styles and (ref := _CELL_REF.fullmatch(attrs.get(b"r", b""))):
                        at = (int(ref.group(2)), column_index(ref.group(1).decode()))
                        facts.month_cells.add(at)
                        if style in year_styles:
                            facts.year_cells.add(at)
                    elif (
                        style in unit_styles
                        and len(facts.unit_cells) < _UNIT_CELLS
                        and (ref := _CELL_REF.fullmatch(attrs.get(b"r", b"")))
                    ):
                        at = (int(ref.group(2)), column_index(ref.group(1).decode()))
                        facts.unit_cells[at] = unit_styles[style]
            if b"mergeCell" in part:
                for m in _MERGE.finditer(part):
                    c0, r0, c1, r1 = m.groups()
                    facts.merges.append(
                        (int(r0) - 1, column_index(c0.decode()), int(r1) - 1, column_index(c1.decode()))
                    )
            if not chunk:
                break
    return facts


# -- xls -----------------------------------------------------------------------------------

#: xlrd's type of a cell holding a date (a number whose format is a date's)
_XL_CELL_DATE = b"\x03"
_XL_CELL_ERROR = b"\x05"
_XL_CELL_NUMBER = b"\x02"
#: error cells kept per sheet (each is a refused row; more say nothing new)
_ERRORS_KEPT = 1000
#: cells whose format writes a money unit, kept per sheet (a sheet's column of them is refused
#: row by row; past this many the rest say nothing new)
_UNIT_CELLS = 200_000


def _xls(path: Path, sheet: str) -> SheetFacts:
    """The facts of an .xls sheet.  The file is bounded before this (the reader checked its
    size and the sheet's claimed extent against the format's own 65,536 × 256)."""
    import io

    import xlrd

    try:
        # (xlrd writes its warnings to stdout unless given a log of its own)
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=io.StringIO())
        sh = book.sheet_by_name(sheet)
    except Exception:  # an older BIFF or a damaged file: calamine has read what it could
        from ..errors import ZsError
        from .readers import merged_ranges

        try:
            return SheetFacts(checked=False, merges=merged_ranges(path, sheet))
        except ZsError:
            return SheetFacts(checked=False)
    try:
        facts = SheetFacts(merges=[(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells])
        facts.hidden_rows = sorted(r + 1 for r, info in sh.rowinfo_map.items() if info.hidden)
        facts.hidden_columns = sorted(c for c, info in sh.colinfo_map.items() if info.hidden)
        facts.comments = sorted(
            (r + 1, c, " ".join(note.text.split())) for (r, c), note in sh.cell_note_map.items() if note.text.strip()
        )
        month_xfs = {i for i, xf in enumerate(book.xf_list) if _xls_month(book, xf.format_key)}
        year_xfs = {i for i in month_xfs if _xls_year(book, book.xf_list[i].format_key)}
        unit_xfs = {i: u for i, xf in enumerate(book.xf_list) if (u := _xls_unit(book, xf.format_key)) is not None}
        for r in range(sh.nrows):
            types = bytes(sh.row_types(r))
            c = types.find(_XL_CELL_ERROR)
            while c >= 0 and len(facts.error_cells) < _ERRORS_KEPT:
                facts.error_cells.append((r + 1, c, _xls_error(sh.cell_value(r, c))))
                c = types.find(_XL_CELL_ERROR, c + 1)
            if unit_xfs:
                c = types.find(_XL_CELL_NUMBER)
                while c >= 0 and len(facts.unit_cells) < _UNIT_CELLS:
                    if (unit := unit_xfs.get(sh.cell_xf_index(r, c))) is not None:
                        facts.unit_cells[(r + 1, c)] = unit
                    c = types.find(_XL_CELL_NUMBER, c + 1)
            if not month_xfs:
                continue
            c = types.find(_XL_CELL_DATE)
            while c >= 0:
                if (xf := sh.cell_xf_index(r, c)) in month_xfs:
                    facts.month_cells.add((r + 1, c))
                    if xf in year_xfs:
                        facts.year_cells.add((r + 1, c))
                c = types.find(_XL_CELL_DATE, c + 1)
        return facts
    finally:
        book.release_resources()


def _xls_error(code: Any) -> str:
    import xlrd

    return str(xlrd.error_text_from_code.get(code, "#错误"))


def _xls_month(book: Any, key: int) -> bool:
    """Whether format ``key`` of an .xls shows a date without its day (a built-in one written
    by number has no text: xlrd gives None)."""
    fmt = book.format_map.get(key)
    code = fmt.format_str if fmt is not None else None
    return key in _BUILTIN_MONTH_FORMATS if not code else month_format(code)


def _xls_unit(book: Any, key: int) -> str | None:
    fmt = book.format_map.get(key)
    return unit_format(fmt.format_str) if fmt is not None and fmt.format_str else None


def _xls_year(book: Any, key: int) -> bool:
    fmt = book.format_map.get(key)
    return bool(fmt is not None and fmt.format_str and year_format(fmt.format_str))


# -- ods -----------------------------------------------------------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_S = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_N = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"
#: LibreOffice's own attribute for a formula cell's result type ("error": #DIV/0!, Err:502 …)
_CALC_TYPE = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"


class _OdsStyles:
    """Which cell styles of an .ods show a date without its day: a ``number:date-style`` with a
    month (or year) and no day, hour or second, reached from a cell style's
    ``style:data-style-name`` (or its parent's).  Read from styles.xml and content.xml."""

    def __init__(self) -> None:
        self.month_dates: set[str] = set()
        #: those of them with a year and no month
        self.year_dates: set[str] = set()
        #: number styles that write a money unit after the number (「0.00"亿元"」) → that unit
        self.unit_numbers: dict[str, str] = {}
        #: cell style -> (data style, parent style)
        self.cells: dict[str, tuple[str | None, str | None]] = {}
        self._known: dict[str, str | None] = {}

    def element(self, el: ET.Element) -> None:
        """An element's end: a date style or a cell style, noted."""
        if el.tag == f"{_N}date-style":
            parts = {child.tag for child in el}
            day = {f"{_N}day", f"{_N}hours", f"{_N}seconds", f"{_N}minutes"} & parts
            if not day and {f"{_N}month", f"{_N}year"} & parts:
                self.month_dates.add(el.get(f"{_S}name", ""))
                if f"{_N}month" not in parts:
                    self.year_dates.add(el.get(f"{_S}name", ""))
        elif el.tag == f"{_N}number-style":
            texts = "".join("".join(c.itertext()) for c in el if c.tag == f"{_N}text")
            m = _FORMAT_UNIT.search(texts)
            if m is not None and any(c.tag == f"{_N}number" for c in el):
                self.unit_numbers[el.get(f"{_S}name", "")] = m.group(0)
        elif el.tag == f"{_S}style" and el.get(f"{_S}family") == "table-cell":
            name = el.get(f"{_S}name", "")
            self.cells[name] = (el.get(f"{_S}data-style-name"), el.get(f"{_S}parent-style-name"))

    def read(self, z: zipfile.ZipFile) -> None:
        if "styles.xml" not in z.namelist():
            return
        with z.open("styles.xml") as f:
            for _event, el in ET.iterparse(f, events=("end",)):
                self.element(el)

    def month_only(self, style: str | None) -> bool:
        return bool(self.month_dates) and self._data_style(style) in self.month_dates

    def year_only(self, style: str | None) -> bool:
        return bool(self.year_dates) and self._data_style(style) in self.year_dates

    def unit(self, style: str | None) -> str | None:
        """The money unit the number style of cell style ``style`` writes, or None."""
        data = self._data_style(style) if self.unit_numbers else None
        return None if data is None else self.unit_numbers.get(data)

    def _data_style(self, style: str | None) -> str | None:
        """The data style (date or number) a cell style shows its value with: its own or its
        parent's; None when it has none."""
        if not style:
            return None
        if style not in self._known:
            seen: set[str] = set()
            name: str | None = style
            found = None
            while name and name not in seen:
                seen.add(name)
                data, parent = self.cells.get(name, (None, None))
                if data is not None:
                    found = data
                    break
                name = parent
            self._known[style] = found
        return self._known[style]


#: cells of an .ods shown as months, in all, before the sheet's facts are given up as unreadable
_ODS_MONTH_CELLS = 2_000_000


def _ods(path: Path, sheet: str) -> SheetFacts:
    facts = SheetFacts()
    budget = _ODS_MONTH_CELLS
    styles = _OdsStyles()
    with zipfile.ZipFile(path) as z:
        styles.read(z)
    #: the default cell style of each column: (first, end, style)
    column_styles: list[tuple[int, int, str]] = []
    with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
        inside = False
        row = 0
        columns = 0
        for event, el in ET.iterparse(f, events=("start", "end")):
            if event == "end" and el.tag in (f"{_N}date-style", f"{_N}number-style", f"{_S}style"):
                styles.element(el)
                continue
            if el.tag == f"{_T}table":
                if event == "start":
                    inside = el.get(f"{_T}name") == sheet
                    row = 0
                    columns = 0
                elif inside:
                    break
                continue
            if not inside:
                if event == "end" and el.tag == f"{_T}table-row":
                    el.clear()
                continue
            if el.tag == f"{_T}table-column" and event == "end":
                span = int(el.get(f"{_T}number-columns-repeated", "1"))
                if el.get(f"{_T}visibility") in ("collapse", "filter") and span < 16_384:
                    facts.hidden_columns.extend(range(columns, columns + span))
                default = el.get(f"{_T}default-cell-style-name")
                if default is not None and (styles.month_only(default) or styles.unit(default) is not None):
                    column_styles.append((columns, columns + span, default))
                columns += span
                continue
            if el.tag == f"{_T}table-row" and event == "end":
                repeat = int(el.get(f"{_T}number-rows-repeated", "1"))
                if el.get(f"{_T}visibility") in ("collapse", "filter") and repeat < 100_000:
                    facts.hidden_rows.extend(range(row + 1, row + repeat + 1))
                row += repeat
                col = 0
                for cell in el:
                    if cell.tag not in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                        continue
                    span = int(cell.get(f"{_T}number-columns-repeated", "1"))
                    note = cell.find(f"{_O}annotation")
                    if note is not None:
                        text = "".join("".join(t.itertext()) for t in note if t.tag.endswith("}p")).strip()
                        if text:
                            facts.comments.append((row - repeat + 1, col, text))
                    rows_spanned = int(cell.get(f"{_T}number-rows-spanned", "1"))
                    cols_spanned = int(cell.get(f"{_T}number-columns-spanned", "1"))
                    if rows_spanned > 1 or cols_spanned > 1:
                        top = row - repeat
                        facts.merges.append((top, col, top + rows_spanned - 1, col + cols_spanned - 1))
                    if cell.get(f"{_T}formula") is not None and cell.get(f"{_O}value-type") is None:
                        facts.empty_formulas.append((row, col))
                    if cell.get(_CALC_TYPE) == "error" and len(facts.error_cells) < _ERRORS_KEPT:
                        text = "".join(cell.itertext()).strip()[:40] or "#错误"
                        facts.error_cells.extend(
                            (row - repeat + 1, c, text) for c in range(col, col + min(span, _ERRORS_KEPT))
                        )
                    if cell.get(f"{_O}value-type") == "float" and styles.unit_numbers:
                        style = cell.get(f"{_T}style-name") or next(
                            (st for a, b, st in column_styles if a <= col < b), None
                        )
                        unit = styles.unit(style)
                        if unit is not None and len(facts.unit_cells) < _UNIT_CELLS:
                            for c in range(col, col + min(span, 64)):
                                facts.unit_cells[(row - repeat + 1, c)] = unit
                    if cell.get(f"{_O}value-type") == "date" and span < 16_384 and repeat < 100_000:
                        style = cell.get(f"{_T}style-name")
                        if style is None:
                            style = next((st for a, b, st in column_styles if a <= col < b), None)
                        if styles.month_only(style):
                            budget -= span * repeat
                            if budget < 0:  # a file's repeat counts are its own claims
                                raise ValueError("too many month cells")
                            rows_, cols_ = range(row - repeat + 1, row + 1), range(col, col + span)
                            facts.month_cells.update((r, c) for r in rows_ for c in cols_)
                            if styles.year_only(style):
                                facts.year_cells.update((r, c) for r in rows_ for c in cols_)
                    col += span
                el.clear()
    return facts
