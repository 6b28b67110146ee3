"""``zs export``: the lists as an Excel workbook, CSV, JSON or YAML.

* **xlsx** — a summary sheet (汇总), one sheet per kind named by its Chinese name, then 产业链,
  招商主体, 对接记录, 到位资金, 前期手续, 服务专班 and 阶段变更; 编号 first, a frozen bold header with
  autofilter, measured column widths, date cells, numeric money, phone numbers as text,
  drop-downs on enum/status/chain/unit columns (long lists on a hidden ``_lists`` sheet) and a
  hidden ``_meta`` sheet with the database identity, schema version, export time and filter.
* **csv** — one table, UTF-8 with BOM (Chinese Excel opens it correctly): one kind with
  ``--kind``, else every kind with a 清单 column.  Text starting with ``= + - @`` (or a tab or
  carriage return) gets a leading ``'`` so that no spreadsheet runs it as a formula; import
  removes that ``'`` again.
* **json / yaml** — the machine form: ASCII keys (field keys), numbers as numbers, dates as
  ISO strings: ``{"_meta": [...], "chains": [...], "units": [...], "items": [...],
  "activities": [...], ...}``; ``items`` are records like ``zs list --format json``.

Every format is written to a temporary file beside the target and renamed over it at the
end, so the target is never half written.  Rows stream from SQLite: memory stays flat.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .. import lookups
from ..db import Database
from ..errors import ZsError
from ..files import writing
from ..hints import option
from ..privacy import mask, mask_value
from ..render import escape_formula
from . import layout, source
from .layout import Col, SheetSpec
from .meta import FileMeta
from .source import ExportFilter, Selection

Progress = Callable[[str, int], None]
FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
_PROGRESS_EVERY = 5000


@dataclass
class ExportResult:
    path: Path
    format: str
    sheets: list[tuple[str, int]] = field(default_factory=list)
    description: str = "全部"
    masked: bool = False
    items: int = 0


def output_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        shown = path.suffix or "（没有扩展名）"
        raise ZsError(f"不支持导出为「{shown}」：请用 .xlsx、.csv、.json 或 .yaml 作为文件扩展名，如 清单.xlsx")
    return fmt


def export(
    db: Database,
    path: str | os.PathLike[str],
    flt: ExportFilter | None = None,
    *,
    mask: bool = False,
    user: str = "",
    progress: Progress | None = None,
    fast: bool = True,
) -> ExportResult:
    """Write the selected lists to ``path`` (format by extension); returns what was written."""
    target = Path(path).expanduser()
    fmt = output_format(target)
    if target.is_dir():
        raise ZsError(f"「{target}」是一个目录：请给出文件名，如 {target / ('清单' + target.suffix or '.xlsx')}")
    if not target.parent.exists():
        raise ZsError(f"目录「{target.parent}」不存在：请先创建它，或换一个位置")
    sel = source.select(db, flt or ExportFilter())
    result = ExportResult(target, fmt, description=sel.description, masked=mask)
    meta = _meta(db, sel, mask=mask, user=user)
    if flt is not None and flt.unit:
        # the sheet one unit fills in: imported back, it is that unit's report (报送 → 认定)
        row = db.conn.execute("SELECT name FROM units WHERE id = ?", (lookups.unit_id(db, flt.unit),)).fetchone()
        meta.extra["unit"] = str(row[0]) if row else flt.unit.strip()
    with writing(target) as tmp:
        if fmt == "xlsx":
            _write_xlsx(db, sel, tmp, meta, result, progress, fast=fast)
        elif fmt == "csv":
            _write_csv(db, sel, tmp, result, progress, mask=mask)
        else:
            _write_records(db, sel, tmp, meta, result, progress, fmt=fmt, mask=mask)
    return result


def _meta(db: Database, sel: Selection, *, mask: bool, user: str, type_: str = "export") -> FileMeta:
    from .. import __version__

    return FileMeta(
        type=type_,
        db_id=db.identity,
        db_name=db.path.name,
        schema_version=db.version,
        definitions=db.defs.fingerprint,
        # microseconds: two exports in one second must still be ordered (roll-up refuses older ones)
        exported_at=dt.datetime.now().isoformat(timespec="microseconds"),
        exported_by=user,
        version=__version__,
        filter=sel.description,
        masked=mask,
    )


# ---------------------------------------------------------------------------------------
# Cell values per format
# ---------------------------------------------------------------------------------------

Convert = Callable[[Any], Any]


_EPOCH = dt.date(1899, 12, 30).toordinal()


def _cached(fn: Convert) -> Convert:
    """Dates repeat a lot (same days, bulk timestamps): convert each text once."""
    cache: dict[Any, Any] = {}

    def run(v: Any) -> Any:
        try:
            return cache[v]
        except KeyError:
            out = cache[v] = fn(v)
            if len(cache) > 100_000:
                cache.clear()
            return out
        except TypeError:
            return fn(v)

    return run


def _date_serial(v: Any) -> Any:
    """An ISO date as an Excel serial number (the column carries the date format)."""
    if isinstance(v, str):
        try:
            return float(dt.date.fromisoformat(v[:10]).toordinal() - _EPOCH)
        except ValueError:
            return v
    return v


def _datetime_serial(v: Any) -> Any:
    if isinstance(v, str):
        try:
            t = dt.datetime.fromisoformat(v)
        except ValueError:
            return v
        return t.toordinal() - _EPOCH + (t.hour * 3600 + t.minute * 60 + t.second) / 86400
    return v


def _yes_no(v: Any) -> Any:
    return None if v is None else ("是" if v else "否")


def _json_bool(v: Any) -> Any:
    return None if v is None else bool(v)


def _json_number(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _csv_money(v: Any) -> Any:
    from ..parse import format_money

    return format_money(float(v)) if isinstance(v, int | float) else v


def _csv_datetime(v: Any) -> Any:
    return v.replace("T", " ") if isinstance(v, str) else v


def _masked(convert: Convert | None) -> Convert:
    def run(v: Any) -> Any:
        if v is None or v == "":
            return v
        return mask(str(v if convert is None else convert(v)))

    return run


def _masked_text(convert: Convert | None) -> Convert:
    if convert is None:
        return mask_value
    return lambda v: mask_value(convert(v))


def converters(cols: Sequence[Col], fmt: str, *, mask: bool) -> list[tuple[int, Convert]]:
    """(column index, function) for the columns whose stored value needs converting."""
    out: list[tuple[int, Convert]] = []
    for i, c in enumerate(cols):
        fn: Convert | None = None
        if fmt == "xlsx":
            if c.type == "date":
                fn = _cached(_date_serial)
            elif c.type == "datetime":
                fn = _cached(_datetime_serial)
            elif c.type == "bool":
                fn = _yes_no
        elif fmt == "csv":
            if c.type in ("money", "number"):
                fn = _csv_money
            elif c.type == "datetime":
                fn = _csv_datetime
            elif c.type == "bool":
                fn = _yes_no
            elif c.type not in layout.NUMERIC and c.type != "date":
                fn = escape_formula
        else:
            if c.type == "bool":
                fn = _json_bool
            elif c.type in ("money", "number"):
                fn = _json_number
        if mask and c.sensitive:
            fn = _masked(fn)
            if fmt == "csv":
                inner = fn
                fn = lambda v, inner=inner: escape_formula(inner(v))  # noqa: E731
        elif mask and c.type == "text":  # a number typed into a note is masked where it stands
            fn = _masked_text(fn)
        if fn is not None:
            out.append((i, fn))
    return out


def _converted(rows: Iterable[Sequence[Any]], convs: list[tuple[int, Convert]]) -> Iterator[list[Any]]:
    if not convs:
        for r in rows:
            yield list(r)
        return
    for r in rows:
        row = list(r)
        for i, fn in convs:
            v = row[i]
            if v is not None:
                row[i] = fn(v)
        yield row


def _counting(rows: Iterable[list[Any]], name: str, progress: Progress | None) -> Iterator[list[Any]]:
    n = 0
    for r in rows:
        n += 1
        if progress is not None and n % _PROGRESS_EVERY == 0:
            progress(name, n)
        yield r
    if progress is not None and n >= _PROGRESS_EVERY:
        progress(name, n)


def _sheets(db: Database, sel: Selection) -> list[tuple[SheetSpec, KindRows]]:
    """Every sheet of the export with a function giving (count, rows)."""
    out: list[tuple[SheetSpec, KindRows]] = []
    for kind in sel.kinds:
        spec = layout.item_sheet(db.defs, kind)
        out.append((spec, _item_source(db, sel, spec, kind)))
    for spec in layout.detail_sheets(db.defs):
        out.append((spec, _detail_source(db, sel, spec)))
    return out


KindRows = Callable[[], tuple[int, Iterator[tuple[Any, ...]]]]


def _item_source(db: Database, sel: Selection, spec: SheetSpec, kind: Any) -> KindRows:
    return lambda: (source.count_items(db, sel, kind), source.item_rows(db, sel, spec, kind))


def _detail_source(db: Database, sel: Selection, spec: SheetSpec) -> KindRows:
    return lambda: (source.count_detail(db, sel, spec), source.detail_rows(db, sel, spec))


# ---------------------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------------------


def _names(db: Database, table: str) -> list[str]:
    return [r[0] for r in db.conn.execute(f"SELECT name FROM {table} ORDER BY id")]


def _write_xlsx(
    db: Database,
    sel: Selection,
    path: Path,
    meta: FileMeta,
    result: ExportResult,
    progress: Progress | None,
    *,
    fast: bool,
) -> None:
    from .xlsx import EXCEL_MAX_ROWS, Book

    book = Book(path, fast=fast)
    try:
        write_summary(book, db, sel, meta)
        lists = {"chains": _names(db, "chains"), "units": _names(db, "units")}
        for spec, rows_of in _sheets(db, sel):
            count, rows = rows_of()
            if spec.kind is None and sel.single is not None and count == 0 and spec.key not in ("chains", "units"):
                continue
            if count > EXCEL_MAX_ROWS - 1:
                raise ZsError(
                    f"「{spec.name}」有 {count} 行，超过 Excel 每张工作表 {EXCEL_MAX_ROWS - 1} 行的上限："
                    f"请用 {option('kind')}、{option('chain')} 分批导出，或导出为 .csv"
                )
            sheet = book.sheet(spec.name, spec.cols, rows=count, freeze=spec.freeze)
            add_validations(sheet, spec.cols, lists)
            convs = converters(spec.cols, "xlsx", mask=meta.masked)
            sheet.write_many(_counting(_converted(rows, convs), spec.name, progress))
            written = sheet.finish()
            result.sheets.append((spec.name, written))
            if spec.kind is not None:
                result.items += written
        _write_returns(book, db, sel, result)
        book.write_lists_sheet()
        write_meta_sheet(book, meta, result.sheets)
    finally:
        book.close()


def _write_returns(book: Any, db: Database, sel: Selection, result: ExportResult) -> None:
    """报送 → 认定: the sheet a unit fills in carries what the office returned to it (and it
    has not sent again), each with the reason — only when there is any."""
    from .. import review

    returns = review.outstanding_returns(db, items_sql=source.selected_items(sel, "s.item_id"))
    if not returns:
        return
    spec = layout.returns_sheet()
    chains = dict(db.conn.execute("SELECT i.id, c.name FROM items i JOIN chains c ON c.id = i.chain_id "
                                  "WHERE i.id IN (SELECT value FROM json_each(?))",
                                  (json.dumps(sorted({e.item_id for e in returns})),)).fetchall())  # fmt: skip
    rows = [
        [e.item_id, e.title, chains.get(e.item_id), review.returned_what(e),
         e.review_note, e.reviewed_by, (e.reviewed_at or "")[:16].replace("T", " "), e.source]
        for e in returns
    ]  # fmt: skip
    sheet = book.sheet(spec.name, spec.cols, rows=len(rows), freeze=spec.freeze)
    sheet.write_many(rows)
    result.sheets.append((spec.name, sheet.finish()))


def add_validations(sheet: Any, cols: Sequence[Col], lists: dict[str, list[str]]) -> None:
    for c, col in enumerate(cols):
        if col.readonly:
            continue
        if col.choices and col.type != "multi":
            sheet.validate(c, list(col.choices))
        elif col.source and lists.get(col.source):
            sheet.validate(c, lists[col.source])


def write_meta_sheet(book: Any, meta: FileMeta, sheets: list[tuple[str, int]]) -> None:
    ws = book.wb.add_worksheet("_meta")
    ws.write_row(0, 0, ["键", "值", "说明"], book.f_bold)
    rows = meta.rows()
    if sheets:
        rows.append(("sheets", "；".join(f"{name}={n}" for name, n in sheets), "各工作表的行数"))
    for r, (k, v, label) in enumerate(rows, start=1):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
        ws.write_string(r, 2, label)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 50)
    ws.hide()


def write_summary(book: Any, db: Database, sel: Selection, meta: FileMeta) -> None:
    """The 汇总 sheet: counts by chain and kind, the pipeline by stage, and the month's
    figures when ``--month`` was given."""
    from ..parse import format_money

    ws = book.wb.add_worksheet(layout.SUMMARY)
    ws.write_string(0, 0, "招商引资清单汇总", book.f_title)
    ws.write_string(1, 0, f"导出时间：{meta.exported_at.replace('T', ' ')}")
    ws.write_string(2, 0, f"筛选条件：{sel.description}")
    ws.write_string(3, 0, f"数据库：{meta.db_name}（标识 {meta.db_id}）")
    row = 5
    counts = source.summary_counts(db, sel)
    chains = [
        (r[0], r[1] or "")
        for r in db.conn.execute("SELECT name, leader FROM chains ORDER BY id")
        if sel.chain_id is None or r[0] in {c for c, _ in counts}
    ]
    kinds = sel.kinds
    header = ["产业链", "包保领导", *(k.name for k in kinds), "合计", "其中未办结"]
    ws.write_row(row, 0, header, book.f_header)
    totals = [0] * (len(kinds) + 2)
    for name, leader in chains:
        row += 1
        values = [counts.get((name, k.key), (0, 0)) for k in kinds]
        line = [v[0] for v in values] + [sum(v[0] for v in values), sum(v[1] for v in values)]
        totals = [a + b for a, b in zip(totals, line, strict=True)]
        ws.write_string(row, 0, name)
        ws.write_string(row, 1, leader)
        for c, n in enumerate(line, start=2):
            ws.write_number(row, c, n)
    row += 1
    ws.write_string(row, 0, "合计", book.f_bold)
    for c, n in enumerate(totals, start=2):
        ws.write_number(row, c, n, book.f_bold)
    for kind in kinds:
        if not kind.pipeline:
            continue
        stages = source.stage_counts(db, sel, kind)
        row += 2
        ws.write_string(row, 0, f"{kind.name}：各阶段项目数", book.f_bold)
        row += 1
        names = kind.status_names()
        ws.write_row(row, 0, ["产业链", *names, "投资额合计（万元）"], book.f_header)
        for name, _leader in chains:
            row += 1
            ws.write_string(row, 0, name)
            for c, status in enumerate(names, start=1):
                ws.write_number(row, c, stages.get((name, status), (0, 0.0))[0])
            money = sum(v[1] for (ch, _s), v in stages.items() if ch == name)
            ws.write_number(row, len(names) + 1, float(format_money(money) or 0), book.f_money)
    figures = source.month_figures(db, sel)
    if sel.month:
        row += 2
        ws.write_string(row, 0, f"{sel.month} 月度情况", book.f_bold)
        row += 1
        ws.write_row(row, 0, ["产业链", "对接次数", "到位资金（万元）", "到位外资（万美元）"], book.f_header)
        for name, _leader in chains:
            row += 1
            n, dom, usd = figures.get(name, (0, 0.0, 0.0))
            ws.write_string(row, 0, name)
            ws.write_number(row, 1, n)
            ws.write_number(row, 2, dom, book.f_money)
            ws.write_number(row, 3, usd, book.f_money)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 12, 12)


# ---------------------------------------------------------------------------------------
# csv
# ---------------------------------------------------------------------------------------


def _write_csv(
    db: Database, sel: Selection, path: Path, result: ExportResult, progress: Progress | None, *, mask: bool
) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        if sel.single is not None:
            spec = layout.item_sheet(db.defs, sel.single)
            w.writerow([c.header for c in spec.cols])
            convs = converters(spec.cols, "csv", mask=mask)
            n = 0
            for row in _counting(_converted(source.item_rows(db, sel, spec, sel.single), convs), spec.name, progress):
                w.writerow(row)
                n += 1
            result.sheets.append((spec.name, n))
            result.items = n
            return
        mixed = layout.mixed_item_sheet(db.defs, sel.kinds)
        w.writerow([c.header for c in mixed.cols])
        convs = converters(mixed.cols, "csv", mask=mask)
        for kind in sel.kinds:
            spec = layout.item_sheet(db.defs, kind)
            rows = _placed(source.item_rows(db, sel, spec, kind), mixed, spec, kind.name)
            n = 0
            for row in _counting(_converted(rows, convs), kind.name, progress):
                w.writerow(row)
                n += 1
            result.sheets.append((kind.name, n))
            result.items += n


def _placed(rows: Iterable[tuple[Any, ...]], mixed: SheetSpec, spec: SheetSpec, kind_name: str) -> Iterator[list[Any]]:
    """A kind's rows spread over the columns of the all-kinds table."""
    positions = _positions(mixed, spec)
    kind_at = next(i for i, c in enumerate(mixed.cols) if c.key == "kind")
    width = len(mixed.cols)
    for r in rows:
        out: list[Any] = [None] * width
        for p, v in zip(positions, r, strict=True):
            out[p] = v
        out[kind_at] = kind_name
        yield out


def _positions(mixed: SheetSpec, spec: SheetSpec) -> list[int]:
    """Where each column of a kind's sheet goes in the all-kinds table."""
    by_key = {c.key: i for i, c in enumerate(mixed.cols) if c.field is None or c.field.common}
    by_header = {c.header: i for i, c in enumerate(mixed.cols)}
    out = []
    for c in spec.cols:
        if c.field is not None and not c.field.common:
            out.append(by_header[c.header])
        else:
            out.append(by_key[c.key])
    return out


# ---------------------------------------------------------------------------------------
# json / yaml
# ---------------------------------------------------------------------------------------


class _RecordWriter:
    """Streams ``{"key": [records…], …}`` as JSON or YAML."""

    def __init__(self, fh: IO[str], fmt: str) -> None:
        self.fh = fh
        self.fmt = fmt
        self.first_key = True
        if fmt == "json":
            fh.write("{")
        else:
            import yaml

            self.yaml = yaml
            self.dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    def records(self, key: str, records: Iterable[dict[str, Any]]) -> int:
        n = 0
        if self.fmt == "json":
            self.fh.write(("\n" if self.first_key else ",\n") + json.dumps(key) + ": [")
            self.first_key = False
            sep = "\n"
            for rec in records:
                self.fh.write(sep + json.dumps(rec, ensure_ascii=False))
                sep = ",\n"
                n += 1
            self.fh.write("\n]" if n else "]")
            return n
        self.fh.write(f"{key}:")
        chunk: list[dict[str, Any]] = []
        for rec in records:
            chunk.append(rec)
            n += 1
            if len(chunk) == 1000:
                self._yaml_chunk(chunk, n == 1000)
                chunk = []
        if chunk:
            self._yaml_chunk(chunk, n <= 1000)
        if n == 0:
            self.fh.write(" []\n")
        return n

    def _yaml_chunk(self, chunk: list[dict[str, Any]], first: bool) -> None:
        text = self.yaml.dump(chunk, Dumper=self.dumper, allow_unicode=True, sort_keys=False, default_flow_style=False)
        self.fh.write(("\n" if first else "") + text)

    def close(self) -> None:
        if self.fmt == "json":
            self.fh.write("\n}\n")


def _write_records(
    db: Database,
    sel: Selection,
    path: Path,
    meta: FileMeta,
    result: ExportResult,
    progress: Progress | None,
    *,
    fmt: str,
    mask: bool,
) -> None:
    with path.open("w", encoding="utf-8") as fh:
        w = _RecordWriter(fh, fmt)
        w.records("_meta", ({"key": k, "value": v} for k, v, _label in meta.rows()))
        details = {spec.key: (spec, rows_of) for spec, rows_of in _sheets(db, sel) if spec.kind is None}
        for key in ("chains", "units"):
            spec, rows_of = details[key]
            n = w.records(key, _dicts(spec.cols, rows_of()[1], fmt, mask))
            result.sheets.append((spec.name, n))
        w.records("items", _item_dicts(db, sel, fmt, mask, result, progress))
        for key in ("activities", "funds", "approvals", "team", "status_log"):
            spec, rows_of = details[key]
            rows = _counting(_converted(rows_of()[1], []), spec.name, progress)
            n = w.records(key, _dicts(spec.cols, rows, fmt, mask))
            result.sheets.append((spec.name, n))
        w.close()


def _dicts(cols: Sequence[Col], rows: Iterable[Sequence[Any]], fmt: str, mask: bool) -> Iterator[dict[str, Any]]:
    keys = [c.key for c in cols]
    for row in _converted(rows, converters(cols, fmt, mask=mask)):
        yield dict(zip(keys, row, strict=True))


def _item_dicts(
    db: Database, sel: Selection, fmt: str, mask: bool, result: ExportResult, progress: Progress | None
) -> Iterator[dict[str, Any]]:
    for kind in sel.kinds:
        spec = layout.item_sheet(db.defs, kind)
        cols = list(spec.cols)
        keys = [c.key for c in cols]
        n = 0
        convs = converters(cols, fmt, mask=mask)
        rows = _counting(_converted(source.item_rows(db, sel, spec, kind), convs), kind.name, progress)
        for row in rows:
            rec = dict(zip(keys, row, strict=True))
            rec = {"id": rec.pop("id"), "kind": kind.key, **rec}
            n += 1
            yield rec
        result.sheets.append((kind.name, n))
        result.items += n
