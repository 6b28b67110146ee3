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
import zipfile
from pathlib import Path

from ..errors import ZsError

#: Excel's own limits of a worksheet
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: everything in the archive, uncompressed
MAX_UNCOMPRESSED = 2 * 1024**3
#: a part larger than this ...
LARGE_PART = 64 * 1024**2
#: ... may not expand more than this many times (real sheets compress 5–20×)
MAX_RATIO = 200
#: a used range up to this many cells is always fine
MIN_GRID = 4_000_000
#: beyond MIN_GRID, at most this many cells of the used range per cell present
MAX_SPARSITY = 200

_CHUNK = 1 << 20
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
# a cell reference whose column is beyond CZ (104) or whose row is at least 1,000,000: rare
# enough that normal sheets give no match, and cheap enough to look for (no capture groups)
_FAR = re.compile(rb'r="(?:[A-Z]{3}|[D-Z][A-Z]|[A-Z]{1,3}(?=\d{7}))[0-9]')
_REF = re.compile(rb'r="([A-Z]{1,3})(\d+)"')
_NEAR_COLUMNS = 104


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check(path: Path) -> None:
    """Raise :class:`ZsError` when the workbook at ``path`` is beyond the documented limits."""
    if not zipfile.is_zipfile(path):
        return  # .xls / .xlsb are binary: calamine reads them record by record
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
    except zipfile.BadZipFile as e:
        raise ZsError(f"「{path.name}」不是有效的工作簿文件（{e}）：请用 Excel/WPS 打开后另存为 .xlsx 再导入。") from e


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
