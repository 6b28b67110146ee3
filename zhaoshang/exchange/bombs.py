"""Refuse a workbook whose reading would take more memory or time than what it really holds.

python-calamine loads a whole sheet as a dense grid before the first row can be read: a 5 KB
.xlsx whose only cells are A1 and XFD1048576 asks for 17 billion cells (the process aborts in
Rust, no Python exception to catch), and a small zip can expand to gigabytes.  So before calamine
sees a workbook this module checks, from the file alone (the limits are in :mod:`zhaoshang.limits`):

* zip-based workbooks (.xlsx/.xlsm/.ods): the uncompressed size of everything in it
  (:data:`MAX_UNCOMPRESSED`), and the expansion ratio of any large part (:data:`MAX_RATIO`);
* for each worksheet of an .xlsx, the grid calamine would allocate -- rows × columns of its used
  range, found by scanning the sheet's XML -- against Excel's own limits (1,048,576 × 16,384) and
  against the cells the sheet really has: a grid of more than ``MIN_GRID`` cells may hold at
  most ``MAX_SPARSITY`` grid cells per real cell, so memory stays proportional to the file's
  real contents.  (Columns up to CZ are counted as 104: a sheet of that width is never refused
  for sparsity below 104 ÷ MAX_SPARSITY filled cells per row.)
* for each table of an .ods, the same grid rule, and the cells with content that
  number-rows-repeated / number-columns-repeated make: at most ``MAX_REPEAT_RATIO`` per cell
  written out past ``MIN_REPEATED`` (an 878-byte file asked for a million rows);
* for each sheet of an .xls (BIFF in an OLE2 container, read with olefile): the cells its
  DIMENSIONS record makes calamine reserve, against the format's 65,536 × 256, and the grid
  spanned by its cell records, by the same rule.

The scans read in chunks with byte-level searches: they never build the sheet.  Nothing here is
a reader of its own -- python-calamine does the reading; why not another library: openpyxl's
read-only mode streams but is 8× slower, and no maintained package checks these limits.  Cost
(CPU, a 65,000 × 20 sheet): .xlsx 0.3 s beside calamine's 1.0 s; .ods 1.4 s beside 0.85 s (its
XML is 175 MB); .xls 0.6 s beside 0.35 s.
"""

from __future__ import annotations

import heapq
import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import ZsError
from ..limits import (
    MAX_COLUMNS,
    MAX_REPEAT_RATIO,
    MAX_ROWS,
    MAX_SPARSITY,
    MIN_GRID,
    MIN_REPEATED,
    XLS_MAX_COLUMNS,
    XLS_MAX_ROWS,
)

#: everything in the archive, uncompressed
MAX_UNCOMPRESSED = 2 * 1024**3
#: a part larger than this ...
LARGE_PART = 64 * 1024**2
#: ... may not expand more than this many times (real sheets compress 5–20×)
MAX_RATIO = 200

_CHUNK = 1 << 20
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
# a cell reference whose column is beyond CZ (104) or whose row is at least 1,000,000: rare
# enough that normal sheets give no match, and cheap enough to look for (no capture groups)
_FAR = re.compile(rb'r="(?:[A-Z]{3}|[D-Z][A-Z]|[A-Z]{1,3}(?=\d{7}))[0-9]')
_REF = re.compile(rb'r="([A-Z]{1,3})(\d+)"')
_NEAR_COLUMNS = 104
_RESAVE = "请用 Excel/WPS 打开后另存为 .xlsx 再导入。"


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check(path: Path) -> None:
    """Raise :class:`ZsError` when the workbook at ``path`` is beyond the documented limits."""
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic == _OLE_MAGIC:
        _check_xls(path)
        return
    if not zipfile.is_zipfile(path):
        return  # not a workbook calamine can open: it says so
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise ZsError(
                    f"「{path.name}」解压后有 {total / 1024**3:.1f} GB，超过导入上限 "
                    f"{MAX_UNCOMPRESSED // 1024**3} GB：请拆成几个文件，或另存为 CSV 再导入。"
                )
            _check_ratio(path, infos, what="工作簿", fix="请用 Excel/WPS 打开后另存再导入。")
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet(path, zf, info)
                elif info.filename == "content.xml":
                    _check_ods(path, zf, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
        raise ZsError(f"「{path.name}」不是有效的工作簿文件（压缩包已损坏或不完整）：{_RESAVE}") from e


def _check_ratio(path: Path, infos: list[zipfile.ZipInfo], *, what: str, fix: str, large: int = LARGE_PART) -> None:
    for info in infos:
        ratio = info.file_size // max(1, info.compress_size)
        if info.file_size > large and ratio > MAX_RATIO:
            raise ZsError(
                f"「{path.name}」中的「{info.filename}」压缩了 {ratio} 倍"
                f"（正常的{what}不超过几十倍），疑似压缩炸弹，已拒绝：{fix}"
            )


def check_archive(path: Path, zf: zipfile.ZipFile, *, max_total: int, what: str, fix: str) -> None:
    """The checks of :func:`check` on any zip-based document (a Word template ...): everything
    in it, uncompressed, at most ``max_total`` bytes, and no large part expanding more than
    :data:`MAX_RATIO` times; ``what`` names the kind of file, ``fix`` says what to do."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > max_total:
        raise ZsError(
            f"{what}「{path.name}」解压后有 {total / 1024**2:,.0f} MB，超过上限 {max_total // 1024**2:,} MB：{fix}"
        )
    _check_ratio(path, infos, what=what, fix=fix, large=min(LARGE_PART, max_total // 4))


def _check_sheet(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    max_row = max_col = cells = 0
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            cells += chunk.count(b"<c ") + chunk.count(b"<c>")
            data = tail + chunk
            rows = _ROW.findall(data)
            if rows:
                max_row = max(max_row, max(int(r) for r in rows))
            for m in _FAR.finditer(data):
                ref = _REF.match(data, m.start())
                if ref is not None:
                    max_col = max(max_col, _column_number(ref.group(1)))
                    max_row = max(max_row, int(ref.group(2)))
            tail = data[-256:]  # a tag cut by the chunk boundary is seen again
    columns = max(max_col, _NEAR_COLUMNS if max_row else 0)
    name = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    if max_row > MAX_ROWS or max_col > MAX_COLUMNS:
        raise ZsError(
            f"「{path.name}」的工作表 {name} 超出 Excel 的范围（{max_row:,} 行、{max_col:,} 列；上限 "
            f"{MAX_ROWS:,} 行 × {MAX_COLUMNS:,} 列）：文件已损坏或被改动过，已拒绝。"
        )
    grid = max_row * columns
    if grid > MIN_GRID and grid > MAX_SPARSITY * cells:
        raise ZsError(
            f"「{path.name}」的工作表 {name} 的数据区域有 {max_row:,} 行、约 {columns:,} 列，却只有 {cells:,} "
            "个单元格有内容：读取它要为空白单元格占用大量内存，已拒绝。"
            "请删除数据下方和右侧的空白行列（或把数据复制到新工作表）后另存再导入。"
        )


def _grid_error(path: Path, sheet: str, rows: int, columns: int, cells: int) -> ZsError:
    return ZsError(
        f"「{path.name}」的{sheet}的数据区域有 {rows:,} 行、{columns:,} 列，却只有 {cells:,} "
        "个单元格有内容：读取它要为空白单元格占用大量内存，已拒绝。"
        "请删除数据下方和右侧的空白行列（或把数据复制到新工作表）后另存再导入。"
    )


# ---------------------------------------------------------------------------------------------
# .ods: content.xml, with its repeated rows and cells

# what the scan of content.xml looks for, each a plain byte string (found at memchr speed):
# rows, the ends and starts of tables, and repeat attributes -- the cells between them are only
# counted.  Names are spelled with the prefixes calamine matches (it compares them literally).
_ODS_OPEN = re.compile(rb"<table:table(?:-row(?=[\s>/])| )")
_ODS_REPEAT = re.compile(rb"number-columns-repeated")
_ODS_END = re.compile(rb"</table:table>")


def _ods_events(data: bytes, cut: int) -> Iterator[tuple[int, bytes]]:
    """(position, what) in ``data[:cut]``: three plain searches, merged in file order."""
    return heapq.merge(
        ((m.start(), m.group()) for m in _ODS_OPEN.finditer(data, 0, cut)),
        ((m.start(), m.group()) for m in _ODS_REPEAT.finditer(data, 0, cut)),
        ((m.start(), m.group()) for m in _ODS_END.finditer(data, 0, cut)),
    )


_ROWS_REPEATED = re.compile(rb"""table:number-rows-repeated\s*=\s*["']\s*(\d+)""")
_COLUMNS_REPEATED = re.compile(rb"""table:number-columns-repeated\s*=\s*["']\s*(\d+)""")
_TABLE_NAME = re.compile(rb"""table:name\s*=\s*["']([^"']*)""")


class _OdsTable:
    """What calamine will make of one table: counted, never built."""

    __slots__ = (
        "cells", "col", "col_max", "col_min", "expanded", "first_row", "last_row", "name", "row_content",
        "row_repeat", "rows",
    )  # fmt: skip

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0  # rows so far, repeats included (capped at MAX_ROWS, as calamine does)
        self.cells = 0  # cells with content written in the file
        self.expanded = 0  # cells with content once repeats are applied
        self.first_row = -1
        self.last_row = -1
        self.col_min = MAX_COLUMNS
        self.col_max = -1
        self.row_repeat = 1  # of the current row
        self.col = 0  # next column of the current row
        self.row_content = False

    def start_row(self, attrs: bytes) -> None:
        self.end_row()
        rep = _ROWS_REPEATED.search(attrs)
        self.row_repeat = min(int(rep.group(1)) if rep else 1, max(0, MAX_ROWS - self.rows))
        self.rows += self.row_repeat
        self.col = 0

    def end_row(self) -> None:
        if self.row_content:
            self.last_row = self.rows - 1
            self.row_content = False

    def add(self, cells: int, content: int, repeat: int) -> None:
        """``cells`` cells (each repeated ``repeat`` times), ``content`` of them with content;
        where in the run they are is not known, so the run counts as wide as it is."""
        width = min(cells * repeat, MAX_COLUMNS - self.col)
        if content and width > 0:
            self.cells += content
            self.expanded += min(content * repeat, width) * self.row_repeat
            if not self.row_content:
                self.row_content = True
                if self.first_row < 0:
                    self.first_row = self.rows - self.row_repeat
            self.col_min = min(self.col_min, self.col)
            self.col_max = max(self.col_max, self.col + width - 1)
        self.col += max(0, width)


def _plain_cells(data: bytes, start: int, end: int) -> tuple[int, int]:
    """Cells written out one by one in ``data[start:end]``, and how many hold content."""
    if end <= start:
        return 0, 0
    cells = data.count(b"<table:table-cell", start, end) + data.count(b"<table:covered-table-cell", start, end)
    if not cells:
        return 0, 0
    content = data.count(b"office:value-type", start, end) + data.count(b"table:formula", start, end)
    return cells, min(cells, content)


def _check_ods(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Count, from the XML alone, the rows and cells calamine would build for each table.

    number-rows-repeated / number-columns-repeated on cells that hold content are the cost: an
    878-byte file can ask for a million rows.  Repeats of *empty* cells and rows (LibreOffice
    ends every sheet with them) cost nothing unless content follows them, and are counted as
    calamine counts them (capped at Excel's grid).  Only rows, tables and repeat attributes
    are looked at one by one; the cells between them are counted with ``bytes.count``."""
    table: _OdsTable | None = None
    rest = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = rest + chunk
            # a tag never holds a '<': everything before the last one is whole tags
            cut = len(data) if not chunk else max(0, data.rfind(b"<"))
            pos = 0
            for start, token in _ods_events(data, cut):
                if start < pos:
                    continue  # inside a tag already read
                if token == b"number-columns-repeated":
                    start = data.rfind(b"<", pos, start)
                    if start < 0 or not data.startswith((b"<table:table-cell", b"<table:covered-table-cell"), start):
                        continue  # a column definition, or text
                end = data.find(b">", start, cut)
                if end < 0:
                    end = cut
                if table is None:
                    table = _OdsTable("?")
                table.add(*_plain_cells(data, pos, start), 1)
                tag = data[start:end]
                pos = end + 1
                if token == b"number-columns-repeated":
                    rep = _COLUMNS_REPEATED.search(tag)
                    content = int(b"office:value-type" in tag or b"table:formula" in tag)
                    table.add(1, content, int(rep.group(1)) if rep else 1)
                elif token == b"<table:table-row":
                    table.start_row(tag)
                elif token == b"<table:table ":
                    table.end_row()
                    _finish_ods(path, table)
                    name = _TABLE_NAME.search(tag)
                    table = _OdsTable(name.group(1).decode("utf-8", "replace") if name else "?")
                else:  # </table:table>
                    table.end_row()
                    _finish_ods(path, table)
                    table = None
                    pos = start + len(token)
                if table is not None:
                    _check_repeats(path, table)
            if table is not None:
                table.add(*_plain_cells(data, pos, cut), 1)
                _check_repeats(path, table)
            rest = data[max(pos, cut) :] if pos > cut else data[cut:]
            if not chunk:
                break
    if table is not None:  # a table cut short: calamine refuses the file, but count it anyway
        table.end_row()
        _finish_ods(path, table)


def _check_repeats(path: Path, table: _OdsTable) -> None:
    allowed = max(MIN_REPEATED, MAX_REPEAT_RATIO * table.cells)
    if table.expanded > allowed:
        raise ZsError(
            f"「{path.name}」的工作表「{table.name}」用“重复行/列”把 {table.cells:,} 个有内容的单元格扩展成了至少 "
            f"{table.expanded:,} 个（上限 {allowed:,}），已拒绝：文件疑似被改动过。"
            "请用 Excel/WPS/LibreOffice 打开检查后另存为 .xlsx 再导入。"
        )


def _finish_ods(path: Path, table: _OdsTable) -> None:
    _check_repeats(path, table)
    if table.first_row < 0:
        return
    rows = table.last_row - table.first_row + 1
    columns = table.col_max - table.col_min + 1
    grid = rows * columns
    if grid > MIN_GRID and grid > MAX_SPARSITY * table.cells:
        raise _grid_error(path, f"工作表「{table.name}」", rows, columns, table.cells)


# ---------------------------------------------------------------------------------------------
# .xls: BIFF records in an OLE2 (CFB) container

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: cell records calamine keeps (Number, Label, RString, BoolErr, RK, LabelSst, Formula): row
#: and column are the first two u16 of each
_XLS_CELLS = frozenset({0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006})
_MULRK = 0x00BD
_DIMENSIONS = 0x0200
_BOF, _EOF, _BOUNDSHEET = 0x0809, 0x000A, 0x0085
_U16 = struct.Struct("<H")
_HEADER = struct.Struct("<HH")
#: a record's type and size, and (for a cell) its row and column
_RECORD = struct.Struct("<HHHH")


def _check_xls(path: Path) -> None:
    """The grids calamine would reserve and fill for each sheet of an .xls, from its records.

    calamine reads every sheet when the workbook is opened, and reserves the cells its
    DIMENSIONS record claims (2³¹ rows: a 257 GB request, and the process aborts in Rust,
    which no Python code can catch), then a dense grid spanning the cells present.  Both are
    checked here first: the claim against the .xls format's own 65,536 × 256, the span as for
    .xlsx (:data:`MIN_GRID`, :data:`MAX_SPARSITY`).  The container is read with olefile."""
    import olefile

    broken = f"「{path.name}」不是有效的 .xls 工作簿（文件结构已损坏）：{_RESAVE}"
    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if stream is None:
                return  # not a workbook: calamine says so
            data = ole.openstream(stream).read()
    except (OSError, ValueError, IndexError, KeyError, struct.error) as e:
        raise ZsError(broken) from e
    sheets: list[tuple[int, str]] = []
    n = len(data)
    pos = 0
    while pos + 4 <= n:
        typ, size = _HEADER.unpack_from(data, pos)
        if typ == _BOUNDSHEET and size >= 4:
            sheets.append(
                (
                    int.from_bytes(data[pos + 4 : pos + 8], "little"),
                    _sheet_name(data[pos + 4 : pos + 4 + size], len(sheets)),
                )
            )
        elif typ == _EOF:
            break
        pos += 4 + size
    for start, name in sheets:
        if start > n:
            raise ZsError(broken)
        _check_xls_sheet(path, data, start, name)


def _sheet_name(body: bytes, index: int) -> str:
    """「name」 of a BIFF8 BoundSheet8 record (lbPlyPos, state, type, cch, flags, chars), or
    「第N张」 when it cannot be read."""
    if len(body) >= 8:
        count, flags = body[6], body[7]
        raw = body[8 : 8 + count * (2 if flags & 1 else 1)]
        name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
        if len(name) == count and name.isprintable():
            return f"工作表「{name}」"
    return f"第{index + 1}张工作表"


def _check_xls_sheet(path: Path, data: bytes, pos: int, name: str) -> None:
    n = len(data)
    depth = 0
    seen_bof = False
    rows: list[int] = []
    cols: list[int] = []
    extra = 0  # cells of MulRk records beyond their first
    unpack = _RECORD.unpack_from
    kinds = _XLS_CELLS
    add_row, add_col = rows.append, cols.append
    while pos <= n - 8:  # the last record (EOF, 4 bytes) is read below
        typ, size, r, c = unpack(data, pos)
        body = pos + 4
        pos = body + size
        if depth:
            if typ == _BOF:
                depth += 1
            elif typ == _EOF:
                depth -= 1
        elif typ in kinds:
            if size >= 4:
                add_row(r)
                add_col(c)
        elif typ == _MULRK:
            if size >= 6:
                last = _U16.unpack_from(data, body + size - 2)[0] if pos <= n else c
                if last >= c:
                    add_row(r)
                    add_col(c)
                    add_col(last)
                    extra += last - c
        elif typ == _DIMENSIONS:
            _check_dimensions(path, data[body:pos], name)
        elif typ == _BOF:
            if seen_bof:
                depth += 1
            seen_bof = True
        elif typ == _EOF:
            break
    if rows:
        cells = len(rows) + extra
        height, width = max(rows) - min(rows) + 1, max(cols) - min(cols) + 1
        grid = height * width
        if grid > MIN_GRID and grid > MAX_SPARSITY * cells:
            raise _grid_error(path, name, height, width, cells)


def _check_dimensions(path: Path, body: bytes, name: str) -> None:
    """The cells calamine reserves for a DIMENSIONS record, computed as it does (u32 wrap)."""
    if len(body) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", body)
    elif len(body) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", body)
    else:
        return  # calamine refuses the record itself
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl < 1 or cl < 1:
        return
    rows = (rl - 1 - rf + 1) & 0xFFFFFFFF
    columns = (cl - 1 - cf + 1) & 0xFFFFFFFF
    if rows > XLS_MAX_ROWS or columns > MAX_COLUMNS or rows * columns > XLS_MAX_ROWS * XLS_MAX_COLUMNS:
        raise ZsError(
            f"「{path.name}」的{name}声称有 {rows:,} 行、{columns:,} 列，超出 .xls 格式的范围（{XLS_MAX_ROWS:,} 行 × "
            f"{XLS_MAX_COLUMNS} 列）：文件已损坏或被改动过，已拒绝。{_RESAVE}"
        )
