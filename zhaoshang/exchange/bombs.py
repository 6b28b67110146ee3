"""Refuse a workbook whose reading would take more memory than what it really holds.

python-calamine loads a whole sheet as a dense grid before the first row can be read: a 5 KB
.xlsx whose only cells are A1 and XFD1048576 asks for 17 billion cells (the process aborts in
Rust, no Python exception to catch), and a small zip can expand to gigabytes.  So before calamine
sees a zip-based workbook (.xlsx/.xlsm/.ods) this module checks, from the archive alone:

* the uncompressed size of everything in it (:data:`MAX_UNCOMPRESSED`), and the expansion ratio
  of any large part (:data:`MAX_RATIO`);
* for each worksheet of an .xlsx, the grid calamine would allocate -- rows × columns of its used
  range, found by scanning the sheet's XML -- against Excel's own limits (1,048,576 × 16,384) and
  against the cells the sheet really has: a grid of more than :data:`MIN_GRID` cells may hold at
  most :data:`MAX_SPARSITY` grid cells per real cell, so memory stays proportional to the file's
  real contents.  (Columns up to CZ are counted as 104: a sheet of that width is never refused
  for sparsity below 104 ÷ MAX_SPARSITY filled cells per row.)

The scan reads the XML in chunks with byte-level regular expressions: it never builds the sheet.
Nothing here is a parser of its own -- python-calamine does the reading; why not another
library: openpyxl's read-only mode streams but is 8× slower, and no maintained package checks
these limits.
"""

from __future__ import annotations

import re
import struct
import zipfile
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
            for info in infos:
                ratio = info.file_size // max(1, info.compress_size)
                if info.file_size > LARGE_PART and ratio > MAX_RATIO:
                    raise ZsError(
                        f"「{path.name}」中的「{info.filename}」压缩了 {ratio} 倍"
                        "（正常的工作簿不超过几十倍），疑似压缩炸弹，已拒绝：请用 Excel/WPS 打开后另存再导入。"
                    )
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet(path, zf, info)
                elif info.filename == "content.xml":
                    _check_ods(path, zf, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
        raise ZsError(f"「{path.name}」不是有效的工作簿文件（压缩包已损坏或不完整）：{_RESAVE}") from e


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
        f"「{path.name}」的工作表 {sheet} 的数据区域有 {rows:,} 行、{columns:,} 列，却只有 {cells:,} "
        "个单元格有内容：读取它要为空白单元格占用大量内存，已拒绝。"
        "请删除数据下方和右侧的空白行列（或把数据复制到新工作表）后另存再导入。"
    )


# ---------------------------------------------------------------------------------------------
# .ods: content.xml, with its repeated rows and cells

# the tags calamine acts on, spelled with the prefixes it matches (it compares names literally)
_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)\b([^>]*)>|</table:(table)>")
_ROWS_REPEATED = re.compile(rb"""table:number-rows-repeated\s*=\s*["']\s*(\d+)""")
_COLUMNS_REPEATED = re.compile(rb"""table:number-columns-repeated\s*=\s*["']\s*(\d+)""")
_TABLE_NAME = re.compile(rb"""table:name\s*=\s*["']([^"']*)""")


class _OdsTable:
    """What calamine will make of one table: counted, never built."""

    __slots__ = ("cells", "col_max", "col_min", "expanded", "first_row", "last_row", "name", "rows")

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0  # rows so far, repeats included (capped at MAX_ROWS, as calamine does)
        self.cells = 0  # cells with content written in the file
        self.expanded = 0  # cells with content once repeats are applied
        self.first_row = -1
        self.last_row = -1
        self.col_min = MAX_COLUMNS
        self.col_max = -1


def _check_ods(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Count, from the XML alone, the rows and cells calamine would build for each table.

    number-rows-repeated / number-columns-repeated on cells that hold content are the cost: an
    878-byte file can ask for a million rows.  Repeats of *empty* cells and rows (LibreOffice
    ends every sheet with them) cost nothing unless content follows them, and are counted as
    calamine counts them (capped at Excel's grid)."""
    table: _OdsTable | None = None
    row_repeat = 1
    col = 0
    row_has_content = False
    rest = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = rest + chunk
            # a tag never holds a '<': everything before the last one is whole tags
            cut = len(data) if not chunk else data.rfind(b"<")
            if cut < 0:
                cut = 0
            for m in _ODS_TAG.finditer(data, 0, cut):
                tag = m.group(1)
                if tag is None:  # </table:table>
                    if table is not None:
                        if row_has_content:
                            table.last_row = table.rows - 1
                        _finish_ods(path, table)
                    table = None
                    row_has_content = False
                    continue
                attrs = m.group(2)
                if tag == b"table":
                    name = _TABLE_NAME.search(attrs)
                    table = _OdsTable(name.group(1).decode("utf-8", "replace") if name else "?")
                    row_repeat, col, row_has_content = 1, 0, False
                    continue
                if table is None:
                    continue
                if tag == b"table-row":
                    if row_has_content:
                        table.last_row = table.rows - 1
                    rep = _ROWS_REPEATED.search(attrs)
                    row_repeat = min(int(rep.group(1)) if rep else 1, max(0, MAX_ROWS - table.rows))
                    table.rows += row_repeat
                    col = 0
                    row_has_content = False
                    continue
                rep = _COLUMNS_REPEATED.search(attrs)
                repeat = min(int(rep.group(1)) if rep else 1, max(0, MAX_COLUMNS - col))
                if b"office:value-type" in attrs or b"table:formula" in attrs:
                    table.cells += 1
                    table.expanded += repeat * row_repeat
                    if not row_has_content:
                        row_has_content = True
                        if table.first_row < 0:
                            table.first_row = table.rows - row_repeat
                    table.col_min = min(table.col_min, col)
                    table.col_max = max(table.col_max, col + repeat - 1)
                    _check_repeats(path, table)
                col += repeat
            rest = data[cut:]
            if not chunk:
                break
    if table is not None:  # a table cut short: calamine refuses the file, but count it anyway
        if row_has_content:
            table.last_row = table.rows - 1
        _finish_ods(path, table)


def _check_repeats(path: Path, table: _OdsTable) -> None:
    allowed = max(MIN_REPEATED, MAX_REPEAT_RATIO * table.cells)
    if table.expanded > allowed:
        raise ZsError(
            f"「{path.name}」的工作表「{table.name}」用“重复行/列”把 {table.cells:,} 个有内容的单元格扩展成了 "
            f"{table.expanded:,} 个以上（上限 {allowed:,}），已拒绝：文件疑似被改动过。"
            "请用 Excel/WPS/LibreOffice 打开检查后另存为 .xlsx 再导入。"
        )


def _finish_ods(path: Path, table: _OdsTable) -> None:
    if table.first_row < 0:
        return
    rows = table.last_row - table.first_row + 1
    columns = table.col_max - table.col_min + 1
    grid = rows * columns
    if grid > MIN_GRID and grid > MAX_SPARSITY * table.cells:
        raise _grid_error(path, f"「{table.name}」", rows, columns, table.cells)


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
_CELL = struct.Struct("<HH")


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
            sheets.append((int.from_bytes(data[pos + 4 : pos + 8], "little"), f"第{len(sheets) + 1}张工作表"))
        elif typ == _EOF:
            break
        pos += 4 + size
    for start, name in sheets:
        if start > n:
            raise ZsError(broken)
        _check_xls_sheet(path, data, start, name)


def _check_xls_sheet(path: Path, data: bytes, pos: int, name: str) -> None:
    n = len(data)
    depth = 0
    seen_bof = False
    cells = 0
    r_min = c_min = 1 << 20
    r_max = c_max = -1
    unpack = _HEADER.unpack_from
    cell = _CELL.unpack_from
    kinds = _XLS_CELLS
    while pos + 4 <= n:
        typ, size = unpack(data, pos)
        body = pos + 4
        pos = body + size
        if depth:
            if typ == _BOF:
                depth += 1
            elif typ == _EOF:
                depth -= 1
            continue
        if typ in kinds:
            if size >= 4:
                r, c = cell(data, body)
                cells += 1
                if r > r_max:
                    r_max = r
                if r < r_min:
                    r_min = r
                if c > c_max:
                    c_max = c
                if c < c_min:
                    c_min = c
        elif typ == _MULRK:
            if size >= 6:
                r, first = cell(data, body)
                last = _U16.unpack_from(data, body + size - 2)[0]
                if last >= first:
                    cells += last - first + 1
                    r_min, r_max = min(r_min, r), max(r_max, r)
                    c_min, c_max = min(c_min, first), max(c_max, last)
        elif typ == _DIMENSIONS:
            _check_dimensions(path, data[body:pos], name)
        elif typ == _BOF:
            if seen_bof:
                depth += 1
            seen_bof = True
        elif typ == _EOF:
            break
    if r_max >= 0:
        rows, columns = r_max - r_min + 1, c_max - c_min + 1
        grid = rows * columns
        if grid > MIN_GRID and grid > MAX_SPARSITY * cells:
            raise _grid_error(path, name, rows, columns, cells)


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
