"""Read any supported file into raw sheets: rows of cell values, nothing interpreted yet.

Supported: Excel/ODF workbooks (``.xlsx`` ``.xlsm`` ``.xlsb`` ``.xls`` ``.ods``, read with
python-calamine), delimited text (``.csv`` ``.tsv`` ``.txt``), ``.json`` and ``.yaml``/``.yml``.

Cell values are ``str``, ``int``, ``float``, ``bool``, ``datetime.date``/``datetime.datetime``
or ``None`` for an empty cell.  Text is kept exactly as typed (leading zeros, a leading ``=``,
surrounding spaces); only the empty string becomes ``None``.  Trailing empty cells of a row are
dropped, so a blank row is ``[]``.  Row ``i`` (0-based) of :attr:`RawSheet.rows` is file row
``i + 1`` — for delimited text a "row" is a CSV record, which may span several physical lines.

Rows are read lazily: :attr:`RawSheet.rows` re-reads its source each time it is iterated, so a
100,000-row sheet is never held as Python objects at once.  Workbooks are parsed by calamine one
sheet at a time, on first iteration of that sheet.

Heavy libraries (python_calamine, yaml) are imported inside functions only.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from zhaoshang.errors import ZsError
from zhaoshang.hints import option
from zhaoshang.limits import (
    MAX_COLUMNS,
    MAX_CSV_FIELD,
    MAX_CSV_RECORD,
    MAX_NUMBER_DIGITS,
    MAX_SPARSITY,
    MIN_GRID,
    check_regular,
    load_yaml,
    why,
    yaml_reason,
)

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

__all__ = [
    "ACCEPTED",
    "RawSheet",
    "merged_ranges",
    "read_file",
]

#: What the messages tell the user can be imported.
ACCEPTED = ".xlsx、.xls、.ods、.csv、.tsv、.json、.yaml"

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
JSON_SUFFIXES = frozenset({".json"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})

_SNIFF_CHARS = 64 * 1024
_CHUNK = 256 * 1024
_MAX_EXACT_INT = 2**53


@dataclass
class RawSheet:
    """One sheet of a file, as typed: no header detection, no conversion."""

    name: str
    """Sheet name; for csv/json/yaml files with one table, the file stem."""
    rows: Iterable[list[object]]
    """Cell values row by row in file order, starting at file row 1 (lazy, re-iterable)."""


class _LazyRows:
    """A re-iterable view of rows: every ``iter()`` starts a fresh pass over the source."""

    __slots__ = ("_factory",)

    def __init__(self, factory: Callable[[], Iterator[list[object]]]) -> None:
        self._factory = factory

    def __iter__(self) -> Iterator[list[object]]:
        return self._factory()

    def __repr__(self) -> str:
        return "<lazy rows>"


# ---------------------------------------------------------------------------------------------
# entry points


def read_file(path: Path | str, *, sheet: str | None = None) -> list[RawSheet]:
    """Read ``path`` into raw sheets.

    Workbooks give their visible worksheets in workbook order (hidden and very hidden sheets,
    chart sheets and macro sheets are skipped).  ``sheet`` selects one sheet by exact name, or
    failing that by case-insensitive name; a hidden sheet is returned when named.  An unknown
    name raises :class:`ZsError` listing the sheets present.

    Raises :class:`ZsError` for a missing file, a directory, an unknown extension, and a file
    that cannot be opened or parsed.  Errors found only while iterating rows (a corrupt sheet
    part, an undecodable byte deep in a CSV) are raised as :class:`ZsError` by the iteration.
    """
    path = Path(path)
    suffix = _check_path(path)
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path, sheet)
    if suffix in TEXT_SUFFIXES:
        sheets = _read_delimited(path, suffix)
    elif suffix in JSON_SUFFIXES:
        sheets = _sheets_from_data(_load_json(path), path)
    else:
        sheets = _sheets_from_data(_load_yaml(path), path)
    if sheet is None:
        return sheets
    chosen = _pick_sheet([s.name for s in sheets], sheet, path)
    return [s for s in sheets if s.name == chosen]


def merged_ranges(path: Path | str, sheet_name: str) -> list[tuple[int, int, int, int]]:
    """Merged cell regions of one worksheet as ``(first_row, first_col, last_row, last_col)``.

    Indices are 0-based and inclusive, the same indices as :attr:`RawSheet.rows` and its rows
    (A1:H1 is ``(0, 0, 0, 7)``).  calamine reports merges for .xlsx/.xlsm/.xls only; other
    formats (and csv/json/yaml, which cannot merge) give ``[]``.
    """
    path = Path(path)
    suffix = _check_path(path)
    if suffix not in WORKBOOK_SUFFIXES:
        return []
    wb = _open_workbook(path)
    name = _pick_sheet(list(wb.sheet_names), sheet_name, path)
    sheet = _load_sheet(wb, path, name)
    with calamine_guard(path):
        ranges = sheet.merged_cell_ranges
    return [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges or []]


# ---------------------------------------------------------------------------------------------
# common checks


def _check_path(path: Path) -> str:
    """The lower-case suffix of an existing, readable regular file of a supported type.

    A pipe (FIFO), device or socket is refused from its stat, before anything opens it:
    opening a FIFO waits for a writer forever."""
    try:
        if not path.exists():
            raise ZsError(f"找不到文件「{path}」。请检查路径和文件名是否正确。")
        if path.is_dir():
            raise ZsError(f"「{path}」是一个文件夹，不是文件。请指定要导入的文件（{ACCEPTED}）。")
    except OSError as e:
        raise ZsError(f"无法访问「{path}」：{why(e)}。") from e
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES | TEXT_SUFFIXES | JSON_SUFFIXES | YAML_SUFFIXES:
        kind = f"「{path.suffix}」" if path.suffix else "（没有扩展名）"
        raise ZsError(
            f"不支持的文件类型{kind}：{path.name}。可导入的文件类型：{ACCEPTED}。"
            "请在 Excel/WPS 中另存为 .xlsx 或 .csv 后再导入。"
        )
    check_regular(path, f"「{path.name}」")
    try:
        with path.open("rb"):
            pass
    except OSError as e:
        raise ZsError(f"无法读取文件「{path.name}」：{why(e)}。请检查文件权限。") from e
    return suffix


def _pick_sheet(names: list[str], wanted: str, path: Path) -> str:
    """The sheet named ``wanted``: exact match first, then a unique case-insensitive match."""
    if wanted in names:
        return wanted
    folded = [n for n in names if n.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    present = "、".join(f"「{n}」" for n in names) if names else "（没有工作表）"
    raise ZsError(
        f"「{path.name}」中没有名为「{wanted}」的工作表。现有工作表：{present}。请检查 {option('sheet')} 的写法。"
    )


# ---------------------------------------------------------------------------------------------
# workbooks (python-calamine)


@contextlib.contextmanager
def calamine_guard(path: Path) -> Iterator[None]:
    """calamine (Rust) panics on some damaged files instead of raising (a truncated .xls:
    ``range end index 64 out of range``): a PanicException, a BaseException that no
    ``except Exception`` catches — said here like any damaged file."""
    try:
        yield
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise ZsError(
            f"无法读取「{path.name}」：文件已损坏（读取时结构不完整，可能只传了一部分）。"
            "请用 Excel/WPS 打开后另存为 .xlsx 再导入，或请报送单位重新发送。"
        ) from None


def _open_workbook(path: Path) -> CalamineWorkbook:
    with calamine_guard(path), _rust_quiet():
        return _open_calamine(path)


@contextlib.contextmanager
def _rust_quiet() -> Iterator[None]:
    """While calamine opens a workbook (where a damaged .xls makes it panic): Rust writes its
    panic message straight to the process's stderr, past Python — sent to the null device
    here, since :func:`calamine_guard` says what happened in Chinese.  Nothing else writes
    then: the file is opened before any row is read or progress shown."""
    import os
    import sys

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr: nothing to keep quiet
        yield
        return
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _open_calamine(path: Path) -> CalamineWorkbook:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    from .bombs import check

    try:
        check(path)
    except OSError as e:
        raise ZsError(f"无法读取文件「{path.name}」：{why(e)}。") from e
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError as e:
        raise ZsError(f"「{path.name}」设置了打开密码，无法读取。请在 Excel/WPS 中取消密码后再导入。") from e
    except CalamineError as first:
        if _CELL_LIMIT in str(first):
            raise ZsError(_too_many_cells(path, str(first))) from first
        # from_path trusts the extension; people rename .xlsx to .xls and back.  from_filelike
        # detects the format from the content instead.
        try:
            return CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
        except (CalamineError, OSError):
            pass
        raise ZsError(
            f"无法读取「{path.name}」：它不是有效的 {path.suffix.lower()} 工作簿，"
            f"可能已损坏或扩展名与内容不符（{_calamine_reason(first)}）。"
            "请用 Excel/WPS 打开后另存为 .xlsx 再导入。"
        ) from first
    except OSError as e:
        raise ZsError(f"无法读取文件「{path.name}」：{why(e)}。") from e


#: how python-calamine words its own cell cap (an .ods whose repeats ask for too many cells)
_CELL_LIMIT = "Cell limit exceeded"
_CALAMINE_REASONS = (
    ("invalid Zip archive", "压缩包结构无效"),
    ("Zip", "压缩包读取失败"),
    ("Xml", "XML 内容无效"),
    ("Cfb", "文件结构无效"),
    ("Password", "文件有密码"),
    ("not supported", "格式不受支持"),
    ("Unrecognized", "无法识别的格式"),
)


def _calamine_reason(exc: BaseException) -> str:
    """calamine's English error, said in a few Chinese words (never shown as it is)."""
    text = str(exc)
    return next((zh for en, zh in _CALAMINE_REASONS if en.lower() in text.lower()), "无法解析文件内容")


def _too_many_cells(path: Path, text: str) -> str:
    found = re.search(r"(\d+) cells requested, max (\d+)", text)
    size = f"（要 {int(found.group(1)):,} 个单元格，上限 {int(found.group(2)):,}）" if found else ""
    return (
        f"「{path.name}」的工作表展开后单元格太多{size}，读取它会占用大量内存，已拒绝。"
        "请删除数据下方和右侧的空白行列后另存为 .xlsx 再导入。"
    )


def _read_workbook(path: Path, sheet: str | None) -> list[RawSheet]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    wb = _open_workbook(path)
    metas = list(wb.sheets_metadata)
    if sheet is not None:
        chosen = _pick_sheet([m.name for m in metas], sheet, path)
        return [RawSheet(chosen, _workbook_rows(wb, path, chosen))]
    sheets = [
        RawSheet(m.name, _workbook_rows(wb, path, m.name))
        for m in metas
        if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet
    ]
    if not sheets:
        hidden = "、".join(f"「{m.name}」" for m in metas) or "（没有工作表）"
        raise ZsError(
            f"「{path.name}」中没有可见的工作表（现有：{hidden}）。"
            f"如确需导入隐藏的工作表，请用 {option('sheet')} 指定其名称。"
        )
    return sheets


def _workbook_rows(wb: CalamineWorkbook, path: Path, name: str) -> _LazyRows:
    return _LazyRows(lambda: _iter_workbook_sheet(wb, path, name))


def _load_sheet(wb: CalamineWorkbook, path: Path, name: str) -> Any:
    from python_calamine import CalamineError

    try:
        with calamine_guard(path):
            return wb.get_sheet_by_name(name)
    except CalamineError as e:
        if _CELL_LIMIT in str(e):
            raise ZsError(_too_many_cells(path, str(e))) from e
        raise ZsError(
            f"读取「{path.name}」的工作表「{name}」失败，文件可能已损坏（{_calamine_reason(e)}）。"
            "请用 Excel/WPS 打开后另存为 .xlsx 再导入。"
        ) from e


def _iter_workbook_sheet(wb: CalamineWorkbook, path: Path, name: str) -> Iterator[list[object]]:
    sh = _load_sheet(wb, path, name)
    start = sh.start
    if start is None:  # an empty sheet
        return
    top, left = start
    pad: list[object] = [None] * left
    first = True
    with calamine_guard(path):
        for raw in sh.iter_rows():
            row = _convert_row(raw)
            if first:
                first = False
                # calamine 0.9 iter_rows() starts at row 0 but at the first used column
                # (python-calamine#177).  Should a later version start at the first used row, its
                # first row is non-empty: put back the blank rows above so row numbers stay true.
                if top and row:
                    for _ in range(top):
                        yield []
            if row and left:
                row = pad + row
            yield row


_PLAIN = frozenset({int, bool, dt.date, dt.datetime})


def _convert_row(raw: list[Any]) -> list[object]:
    row: list[object] = [
        (v or None) if v.__class__ is str else (v if v.__class__ in _PLAIN else _convert_cell(v)) for v in raw
    ]
    while row and row[-1] is None:
        row.pop()
    return row


def _convert_cell(v: object) -> object:
    """Numbers, times and durations from calamine; text and plain values never get here."""
    if isinstance(v, float):
        # Excel stores every number as a float: give whole numbers back as int.
        if v.is_integer() and -_MAX_EXACT_INT <= v <= _MAX_EXACT_INT:
            return int(v)
        return v
    if isinstance(v, dt.time | dt.timedelta):
        return _convert_duration(v)
    return v


def _convert_duration(v: dt.time | dt.timedelta) -> str:
    """Time-of-day and duration cells (rare in lists) become text as Excel shows them."""
    if isinstance(v, dt.time):
        return v.isoformat(timespec="minutes" if not (v.second or v.microsecond) else "seconds")
    total = int(v.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    return f"{sign}{hours}:{rest // 60:02d}:{rest % 60:02d}"


# ---------------------------------------------------------------------------------------------
# delimited text


def _read_delimited(path: Path, suffix: str) -> list[RawSheet]:
    encoding = detect_encoding(path)
    delimiter = _sniff_delimiter(path, encoding, suffix)
    return [RawSheet(path.stem, _LazyRows(lambda: _iter_delimited(path, encoding, delimiter)))]


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-16`` (BOM, Excel's "Unicode text"), ``utf-8`` or ``gb18030``.

    UTF-8 is chosen only if the whole file decodes as UTF-8 (checked in a streaming pass);
    anything else is taken as GB18030, what Excel and WPS write for "CSV" on Chinese Windows.
    A file whose Chinese text is UTF-8 up to some line and not after it (a GBK row pasted into
    a UTF-8 file) is neither: it is refused naming that line.
    """
    try:
        with path.open("rb") as f:
            head = f.read(4)
            if head.startswith(codecs.BOM_UTF8):
                return "utf-8-sig"
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16"
            f.seek(0)
            decoder = codecs.getincrementaldecoder("utf-8")()
            lines = 0  # newlines in the chunks decoded whole
            chinese = False  # Chinese characters in UTF-8 seen before the failure
            chunk = b""
            try:
                while chunk := f.read(_CHUNK):
                    text = decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                    chinese = chinese or _CJK.search(text) is not None
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as e:
                done = chunk[: max(0, e.start)]
                chinese = chinese or _CJK.search(done.decode("utf-8", "ignore")) is not None
                if chinese and not _decodes(path, "gb18030"):
                    line = lines + done.count(b"\n") + 1
                    raise ZsError(
                        f"「{path.name}」前{line - 1}行是 UTF-8 编码，第{line}行却不是"
                        "（可能是从 GBK 编码的文件里粘贴进来的）：一个文件只能有一种编码。"
                        f"请在 Excel/WPS 中打开，检查第{line}行的文字，再另存为“CSV UTF-8（逗号分隔）”后导入。"
                    ) from None
                return "gb18030"
    except OSError as e:
        raise ZsError(f"无法读取文件「{path.name}」：{why(e)}。") from e
    return "utf-8"


_CJK = re.compile("[\u4e00-\u9fff]")


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes in ``encoding`` (a streaming pass)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


_DELIMITERS = {
    ".csv": (",", ";", "\t"),
    ".tsv": ("\t", ",", ";"),
    ".txt": ("\t", ",", ";"),
}


def _sniff_delimiter(path: Path, encoding: str, suffix: str) -> str:
    """Pick among ``,`` ``\\t`` ``;`` the delimiter that splits the first KB most consistently.

    Each candidate parses the sample; the winner gives more than one column in its most common
    row width and the largest share of rows of that width.  Ties, and samples no candidate
    splits, go to the extension's delimiter (``,`` for .csv, tab for .tsv/.txt).
    """
    candidates = _DELIMITERS[suffix]
    with path.open(encoding=encoding, errors="replace", newline="") as f:
        sample = f.read(_SNIFF_CHARS)
    truncated = len(sample) == _SNIFF_CHARS
    best, best_share = candidates[0], 0.0
    for delim in candidates:
        try:
            records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delim))
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records.pop()  # the last record is probably cut short
        widths = [len(r) for r in records if any(c.strip() for c in r)]
        if not widths:
            continue
        mode = max(set(widths), key=lambda w: (widths.count(w), w))
        share = widths.count(mode) / len(widths)
        if mode > 1 and share > best_share:
            best, best_share = delim, share
    return best


_ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "gb18030": "GB18030/GBK",
}


def _bounded_lines(f: io.TextIOBase, path: Path, state: list[int]) -> Iterator[str]:
    """The physical lines of ``f`` for the csv module, never more than MAX_CSV_RECORD
    characters for one record (``state[0]``, reset by the reader after each record) -- a 200 MB
    line is refused after reading 8 M characters of it, not after holding all of it."""
    while line := f.readline(MAX_CSV_RECORD + 1):
        state[0] += len(line)
        if state[0] > MAX_CSV_RECORD:
            raise ZsError(
                f"「{path.name}」第{state[1] + 1}行（一条记录）超过 {MAX_CSV_RECORD:,} 个字符，已拒绝："
                "可能是引号没有配对，或不是 CSV 文件。请检查该行，或在 Excel/WPS 中另存为 .xlsx 再导入。"
            )
        yield line


def _iter_delimited(path: Path, encoding: str, delimiter: str) -> Iterator[list[object]]:
    number = 0
    # [characters of the current record so far, records read]
    state = [0, 0]
    if csv.field_size_limit() < MAX_CSV_FIELD:
        csv.field_size_limit(MAX_CSV_FIELD)
    try:
        with path.open(encoding=encoding, newline="") as f:
            for record in csv.reader(_bounded_lines(f, path, state), delimiter=delimiter):
                number += 1
                state[0], state[1] = 0, number
                if len(record) > MAX_COLUMNS:
                    raise ZsError(
                        f"「{path.name}」第{number}行有 {len(record):,} 列，"
                        f"超过 {MAX_COLUMNS:,} 列的上限（Excel 的列数），已拒绝："
                        "请检查分隔符是否正确，或删除多余的列后再导入。"
                    )
                row: list[object] = [c or None for c in record]
                while row and row[-1] is None:
                    row.pop()
                yield row
    except UnicodeDecodeError as e:
        line = _undecodable_line(path, encoding)
        where = f"第{line}行" if line is not None else f"第{number + 1}条记录附近"
        raise ZsError(
            f"「{path.name}」{where}有无法识别的字符"
            f"（按 {_ENCODING_NAMES.get(encoding, encoding)} 编码读取失败）。"
            "请用 Excel/WPS 打开后另存为“CSV UTF-8（逗号分隔）”再导入。"
        ) from e
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise ZsError(
                f"「{path.name}」第{number + 1}行有一个单元格超过 {MAX_CSV_FIELD:,} 个字符，已拒绝："
                "可能是引号没有配对（一个引号把后面的内容都包了进去）。请检查该行后再导入。"
            ) from e
        raise ZsError(
            f"「{path.name}」第{number + 1}行不是有效的 CSV 内容（{_csv_reason(e)}）。"
            "请检查该行的引号是否成对，或另存为 .xlsx 再导入。"
        ) from e
    except OSError as e:
        raise ZsError(f"读取「{path.name}」时出错：{why(e)}。") from e


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "NUL" in text or "null byte" in text:
        return "含有空字符 NUL，可能不是文本文件"
    if "new-line character seen in unquoted field" in text:
        return "未加引号的单元格里有换行"
    if "expected" in text and "after" in text:
        return "引号后面应是分隔符"
    if "unexpected end of data" in text or "EOF" in text:
        return "文件在引号中间结束"
    return "格式错误"


def _undecodable_line(path: Path, encoding: str) -> int | None:
    """The 1-based physical line holding the first byte ``encoding`` cannot decode."""
    if encoding not in ("utf-8", "utf-8-sig", "gb18030"):
        return None  # in UTF-16 a newline byte may sit inside a character
    try:
        with path.open("rb") as f:
            for number, line in enumerate(f, start=1):
                try:
                    line.decode(encoding)
                except UnicodeDecodeError:
                    return number
    except OSError:
        return None
    return None


# ---------------------------------------------------------------------------------------------
# JSON and YAML


_TOO_DEEP = (
    "「{name}」的 {what} 嵌套层数过深，无法导入：清单文件应是记录列表 [{{…}}, {{…}}]，每条记录的值是文字、数字或日期。"
)
# a lone surrogate (\\ud800 in JSON) is no character: SQLite cannot store it as text
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(value: str, where: str) -> str:
    if not value.isascii() and _SURROGATE.search(value):
        bad = _SURROGATE.search(value)
        code = f"\\u{ord(bad.group()):04x}" if bad else ""
        raise ZsError(f"{where}含有无效的字符（孤立的代理项 {code}），不是有效的文字：请在源文件中改正或删除它。")
    return value


class _DuplicateKey(Exception):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) < len(pairs):
        raise _DuplicateKey
    return out


def _json_int(text: str) -> int | str:
    """A JSON integer; one too long for any field stays text (Python refuses int() past 4,300
    digits), and the field that receives it says what is wrong with it."""
    return int(text) if len(text) <= MAX_NUMBER_DIGITS else text


def _load_json(path: Path) -> object:
    try:
        with path.open(encoding="utf-8-sig") as f:
            text = f.read()
        return json.loads(text, object_pairs_hook=_unique, parse_int=_json_int)
    except UnicodeDecodeError as e:
        raise ZsError(f"「{path.name}」不是 UTF-8 编码的 JSON 文件。请以 UTF-8 编码保存后再导入。") from e
    except json.JSONDecodeError as e:
        raise ZsError(
            f"「{path.name}」不是有效的 JSON：第{e.lineno}行第{e.colno}列，{_json_reason(e.msg)}。请修正该处后再导入。"
        ) from e
    except _DuplicateKey:
        raise ZsError(_duplicate_json_key(path, text)) from None
    except RecursionError:
        raise ZsError(_TOO_DEEP.format(name=path.name, what="JSON")) from None
    except OSError as e:
        raise ZsError(f"无法读取文件「{path.name}」：{why(e)}。") from e


_JSON_REASONS = {
    "Expecting value": "这里应是一个值",
    "Expecting property name enclosed in double quotes": "键应写在英文双引号里",
    "Expecting ':' delimiter": "键后面应是冒号 :",
    "Expecting ',' delimiter": "缺少逗号 ,",
    "Unterminated string starting at": "引号没有配对",
    "Invalid control character at": "文字中有控制字符（如换行，应写成 \\n）",
    "Invalid \\escape": "无效的转义（\\ 要写成 \\\\）",
    "Invalid \\uXXXX escape": "无效的 \\u 转义",
    "Extra data": "结尾处有多余的内容",
    "Illegal trailing comma before end of object": "对象末尾多了逗号",
    "Illegal trailing comma before end of array": "列表末尾多了逗号",
}


def _json_reason(msg: str) -> str:
    return _JSON_REASONS.get(msg, "格式错误")


def _duplicate_json_key(path: Path, text: str) -> str:
    """Where the first object with a repeated key is: found again, on this rare path only, by
    the pure-Python decoder, which knows positions."""
    import contextlib
    import json.decoder
    import json.scanner

    found: list[tuple[int, str]] = []
    json_object: Any = getattr(json.decoder, "JSONObject")  # noqa: B009 - not in the stubs

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        obj, end = json_object(s_and_end, *args)
        keys = [k for k, _ in obj]
        dup = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
        if dup is not None and not found:
            found.append((s_and_end[1], dup))
        return dict(obj), end

    decoder: Any = json.JSONDecoder(object_pairs_hook=list, parse_int=_json_int)
    decoder.parse_object = parse_object
    decoder.scan_once = getattr(json.scanner, "py_make_scanner")(decoder)  # noqa: B009
    with contextlib.suppress(ValueError, RecursionError):
        decoder.decode(text)
    if not found:
        return f"「{path.name}」中有一个对象的键重复出现（后一个会悄悄覆盖前一个）：请删除或改名其中一个后再导入。"
    pos, key = found[0]
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1)
    return (
        f"「{path.name}」第{line}行第{column}列开始的对象中，键「{key[:50]}」出现了不止一次"
        "（后一个会悄悄覆盖前一个）：请删除或改名其中一个后再导入。"
    )


def _load_yaml(path: Path) -> object:
    import yaml

    try:
        with path.open(encoding="utf-8-sig") as f:
            text = f.read()
        return load_yaml(text, f"「{path.name}」")
    except UnicodeDecodeError as e:
        raise ZsError(f"「{path.name}」不是 UTF-8 编码的 YAML 文件。请以 UTF-8 编码保存后再导入。") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列，" if mark is not None else ""
        raise ZsError(f"「{path.name}」不是有效的 YAML：{where}{yaml_reason(e)}。请修正该处后再导入。") from e
    except RecursionError:
        raise ZsError(_TOO_DEEP.format(name=path.name, what="YAML")) from None
    except OSError as e:
        raise ZsError(f"无法读取文件「{path.name}」：{why(e)}。") from e


_SHAPES = '应为记录列表 [{…}, {…}]，或 {"工作表名": [{…}, …]}，或 {"sheets": {"工作表名": [{…}, …]}}'


def _sheets_from_data(data: object, path: Path) -> list[RawSheet]:
    """Sheets from parsed JSON/YAML: a list of records, or sheets of records by name."""
    if data is None:
        return [RawSheet(path.stem, [])]
    if isinstance(data, list):
        return [_records_sheet(path.stem, data, path)]
    if isinstance(data, dict):
        by_name: dict[Any, Any] = data
        if len(data) == 1 and isinstance(data.get("sheets"), dict):
            by_name = data["sheets"]
        bad = [str(k) for k, v in by_name.items() if not isinstance(v, list)]
        if not bad:
            return [_records_sheet(str(k), v, path) for k, v in by_name.items()]
        raise ZsError(f"「{path.name}」的结构无法识别：「{bad[0]}」的值不是记录列表。{_SHAPES}。")
    raise ZsError(f"「{path.name}」的结构无法识别：{_SHAPES}。")


_SCALARS = (str, int, float, bool, dt.date)


def _check_record_grid(path: Path, name: str, records: int, columns: int, values: int) -> None:
    """Records with different keys become one table whose every row has every column: bounded
    as a workbook's grid is (a 100 KB file of records each with a new key would otherwise make
    a table of hundreds of millions of cells)."""
    if columns > MAX_COLUMNS:
        raise ZsError(
            f"「{path.name}」「{name}」的记录共有 {columns:,} 个不同的键（列），超过 {MAX_COLUMNS:,} 列的上限，"
            "已拒绝：请检查文件是否为清单记录。"
        )
    grid = records * columns
    if grid > MIN_GRID and grid > MAX_SPARSITY * values:
        raise ZsError(
            f"「{path.name}」「{name}」的 {records:,} 条记录共有 {columns:,} 个不同的键，拼成表格有 {grid:,} 格，"
            f"却只有 {values:,} 个值，已拒绝：请让各条记录使用相同的键。"
        )


def _records_sheet(name: str, records: list[Any], path: Path) -> RawSheet:
    """A header row of all keys (first-seen order) followed by one row per record."""
    keys: dict[str, None] = {}
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            raise ZsError(f'「{path.name}」「{name}」的第{i}条记录不是 {{"列名": 值}} 形式的对象。{_SHAPES}。')
        for k in rec:
            keys.setdefault(_check_text(str(k), f"「{path.name}」「{name}」第{i}条记录的列名「{k!a}」"), None)
    header = list(keys)
    _check_record_grid(path, name, len(records), len(header), sum(len(rec) for rec in records))
    rows: list[list[object]] = [list(header)] if header else []
    for i, rec in enumerate(records, start=1):
        values = {str(k): v for k, v in rec.items()}
        row: list[object] = []
        for k in header:
            v = values.get(k)
            if isinstance(v, str):
                _check_text(v, f"「{path.name}」「{name}」第{i}条记录的「{k}」")
            elif isinstance(v, dt.time):
                v = _convert_duration(v)
            elif v is not None and not isinstance(v, _SCALARS):
                what = "列表" if isinstance(v, list) else "对象" if isinstance(v, dict) else "值"
                raise ZsError(
                    f"「{path.name}」「{name}」第{i}条记录的「{k}」是嵌套的{what}，"
                    "只能是文字、数字或日期。请把它拆成单独的列。"
                )
            row.append(None if v == "" else v)
        while row and row[-1] is None:
            row.pop()
        rows.append(row)
    return RawSheet(name, rows)
