"""``zs import``: lists from xlsx/xls/ods, csv (UTF-8 or GB18030), json and yaml.

How a file is understood
------------------------
* **Its origin.**  A workbook (or JSON/YAML) exported by zhaoshang carries a hidden ``_meta``
  sheet with the identity of the database it came from.  The same identity as ours means a
  *round trip*: 编号 are our item ids.  Another identity means a *roll-up*: the items are that
  office's, kept with ``origin`` = its identity and ``origin_id`` = their 编号 there, so next
  month's export from the same office updates them instead of adding them again; chains and
  units the file uses that do not exist here are created (and reported).  A file without
  ``_meta`` (a county's own sheet, another system's CSV, a filled-in template) goes the plain
  way: a 编号 that names one of our items of the same kind and the same chain or name updates
  it; other rows are new items.
* **Its sheets.**  By sheet name: a kind's Chinese name, key or alias (招什么, 招什麼, targets),
  or 产业链 / 招商主体 / 对接记录 / 到位资金 / 前期手续 / 服务专班; 汇总, 填写说明 and 阶段变更 are
  skipped.  ``--kind`` names the kind of sheets named otherwise (a CSV file); without it the
  kind is guessed from the headers when it is clear.  A table with a 清单 column holds several
  kinds (the all-kinds CSV, the JSON ``items``).
* **Its table.**  :func:`~zhaoshang.exchange.tables.find_table` skips title rows, 填报单位 lines,
  序号 columns, blank rows, 合计 rows and 填报人 footers; headers are matched by
  :mod:`~zhaoshang.exchange.columns` (aliases, traditional characters, units in headers,
  ``--map``).

What is written
---------------
Everything happens in ONE recorded command: all of an import or nothing, undone by one
``zs undo``.  Every row is validated; if any row has a problem (or a suspected duplicate has
no ``--on-duplicate`` decision) the transaction is rolled back, nothing is written, and every
problem is reported with sheet, Excel row, column and value (``--errors`` writes the rejected
rows to a workbook).  ``--dry-run`` runs the very same code and always rolls back.

* a row whose item exists and whose values are the same: unchanged;
* a row that differs: exactly the differing fields are updated (a status change is recorded
  as a stage move on that date, flagged when it skips or goes back);
* a blank cell leaves the stored value as it is (``--blank clear`` empties it instead);
* a row without 编号: a new item — unless an item of the same kind and chain has the same or
  nearly the same name (spaces, brackets, traditional characters, 项目/有限公司 endings
  ignored): then it is a suspected duplicate, handled by ``--on-duplicate update|skip|new``;
  one that is identical in every imported field counts as unchanged;
* a row deleted from the file deletes nothing.

The stages
----------
Each stage is its own module and returns data; this module runs them in order and decides:

1. **read** — :mod:`~zhaoshang.exchange.readers` (python-calamine; csv, json, yaml), and
   :mod:`~zhaoshang.exchange.sheetfacts` for what values alone do not say (hidden rows,
   formulas without a result, hidden sheets);
2. **locate tables** and 3. **classify rows** — :func:`~zhaoshang.exchange.tables.find_table`:
   the header, side-by-side or stacked tables, and a :class:`~zhaoshang.exchange.tables.RowFate`
   for every row that is not data;
4. **map columns** — :mod:`~zhaoshang.exchange.columns` (one header matcher; a
   :class:`~zhaoshang.exchange.outcome.ColumnFate` for every column);
5. **parse cells** — :class:`CellParsers` here, :mod:`~zhaoshang.exchange.cells` for the parsers
   the detail sheets share, :mod:`zhaoshang.values` (one field-type registry) underneath;
6. **match** — 编号 and 项目编码 here, names in :mod:`~zhaoshang.exchange.matching`;
7. **diff** and 8. **write** — here, batched (below); the detail sheets through
   :class:`~zhaoshang.exchange.details.Handler`, given an explicit
   :class:`~zhaoshang.exchange.details.DetailContext`.

What happened is returned as result objects (:mod:`~zhaoshang.exchange.outcome`): every data
row ends in one :class:`~zhaoshang.exchange.outcome.RowOutcome`.

Rows stream from the reader and are written in batches (``executemany`` with history
recorded set-based, see :mod:`~zhaoshang.exchange.bulk`), so memory stays flat.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import items, lookups, stages
from ..choices import Blank, OnDuplicate
from ..db import Database, now
from ..definitions import IDENTITY_FIELD, FieldDef, KindDef
from ..errors import ZsError
from ..hints import option
from ..parse import normalize_name, simplify_many, to_halfwidth
from . import (
    bulk,
    columns,
    current,
    decide,
    fates,
    history,
    itemsheet,
    layout,
    merged,
    moves,
    origin,
    sheet_rules,
    sheetplan,
)
from .decide import Decision
from .headings import Headings
from .identity import ItemIds
from .inference import DateSource, Inferences, Rule
from .matching import NameIndex, by_code, loose_name
from .meta import FileMeta
from .outcome import (
    Change,
    ColumnFate,
    Duplicate,
    ImportOptions,
    ImportReport,
    Mode,
    Problem,
    RowOutcome,
    SheetReport,
    rejected_error,
    summarize,
)
from .readers import RawSheet, read_file
from .resolve import CellParsers, Names
from .rows import (
    SETTABLE,
    Current,
    Diff,
    ItemRow,
    NewItem,
    SheetContext,
    column_of,
    diff_row,
    match_ref,
    parse_row,
    resolve_refs,
)
from .sheetfacts import SheetFacts, sheet_facts
from .submission import Submission
from .tables import DataRow, RowClass, RowFate, Table, find_table
from .writer import BatchWriter

Progress = Callable[[str, int], None]
BATCH = 2000
_PROGRESS_EVERY = 5000
_TEXT_SOURCES = frozenset({".csv", ".tsv", ".txt"})
#: name endings ignored when looking for near-identical names


# ---------------------------------------------------------------------------------------
# Options and report
# ---------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Leave the import's transaction without committing (dry run, or problems found)."""


# ---------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------


#: SQLite page cache during an import (KiB): a quarter of the file's size, 2–64 MiB
IMPORT_CACHE_KB = 65536


def _cache_kb(file: str | os.PathLike[str]) -> int:
    try:
        size = os.stat(file).st_size
    except OSError:
        size = 0
    return max(2048, min(IMPORT_CACHE_KB, size // 4096))


def import_file(
    db: Database,
    path: str | Path,
    opts: ImportOptions | None = None,
    *,
    user: str,
    args: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` into ``db`` in one command (call outside any command).  Returns the
    report; with problems (and not ``dry_run``) raises :class:`ZsError` listing them after
    writing nothing."""
    opts = opts or ImportOptions()
    if db.current is not None:
        raise RuntimeError("import_file opens its own command: call it outside db.command()")
    try:  # a library caller may pass the words themselves
        opts.on_duplicate = None if opts.on_duplicate is None else OnDuplicate(opts.on_duplicate)
    except ValueError:
        raise ZsError(
            f"疑似重复的处理方式「{opts.on_duplicate}」无效："
            "可选 update（更新已有条目）、skip（跳过）、new（作为新条目）"
        ) from None
    try:
        opts.blank = Blank(opts.blank)
    except ValueError:
        raise ZsError(f"空单元格的处理方式「{opts.blank}」无效：可选 keep（不改原值）、clear（清空原值）") from None
    file = Path(path).expanduser()
    if opts.errors_path is not None:  # never the source itself: refused before reading it
        from .rejects import check_errors_path

        check_errors_path(Path(opts.errors_path).expanduser(), file)
    sheets = read_file(file, sheet=opts.sheet)
    meta, sheets = origin.file_meta(file, sheets)
    report = ImportReport(file=str(file), dry_run=opts.dry_run)
    if meta is not None and meta.type == "export":
        report.mode = Mode.own if meta.db_id == db.identity else Mode.rollup
        report.origin = meta.db_id if report.mode is Mode.rollup else None
        report.origin_name = meta.db_name
        report.exported_at = meta.exported_at
    elif meta is not None and meta.type == "template":
        report.notes.append("这是 zs template 生成的填报模板")
    if report.mode is Mode.rollup:
        origin.check_older(db, meta, force=opts.force)
    rejects = None
    if opts.errors_path is not None:
        from .rejects import Rejects

        rejects = Rejects(Path(opts.errors_path).expanduser(), meta, source=file)
    run_args = args if args is not None else "import"  # what history records: the caller's command line
    # the writes touch every index of items (owner, chain, due …) page by page: a page cache
    # that holds them saves most reads of a big import (SQLite's default is 2 MB) — sized by
    # the file, since the database grows with it; at most IMPORT_CACHE_KB
    cache = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute(f"PRAGMA cache_size = -{_cache_kb(file)}")
    try:
        with db.command("import", user=user, args=run_args) as cmd:
            run = ItemSheets(db, file, opts, report, meta, rejects, progress)
            # rows make many small objects and almost no cycles: the cycle collector's passes
            # over the growing heap cost ~5% of a large import and would free nothing
            collecting = gc.isenabled()
            gc.disable()
            try:
                run.all(sheets)
            finally:
                if collecting:
                    gc.enable()
            sub = run.submission
            report.returned = sub.returned_to_rows()
            # (a dry run says it too: what it would bring waits for 认定)
            report.review_because = sub.because()
            if opts.review is False and sub.outside():
                sub.counted_without_review(run.inferred)
                report.inferences = run.inferred.all()
            if report.problems or report.pending_duplicates or opts.dry_run:
                raise _Rollback
            if report.mode is Mode.rollup and meta is not None:
                origin.stamp(db, meta)
            if report.review_because:
                from .. import review

                marked = review.mark_submission(db, source=sub.sources or file.name)
                entries = db.conn.execute(
                    "SELECT count(*) FROM status_log WHERE submitted_by = ? AND review = 'pending' "
                    "AND from_status IS NULL",
                    (cmd.id,),
                ).fetchone()[0]
                report.pending_new, report.pending_moves = int(entries), marked.moves - int(entries)
                report.pending_funds = marked.funds
            report.command_id = cmd.id
            report.written = True
    except _Rollback:
        pass
    finally:
        with contextlib.suppress(sqlite3.Error):
            db.conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if rejects is not None:
            kept = rejects.close(keep=bool(report.problems or report.pending_duplicates or report.returned))
            report.errors_file = str(rejects.path) if kept else None
    if report.written and not report.changed:
        report.command_id = None
    if not opts.dry_run and (report.problems or report.pending_duplicates):
        raise rejected_error(report)
    return report


# ---------------------------------------------------------------------------------------
# The file's meta, and roll-up bookkeeping
# ---------------------------------------------------------------------------------------


class ItemSheets:
    """Runs one import's sheets in order and takes each row's decision.

    What a sheet says once for many rows comes from :mod:`.sheet_rules` (each with its
    :class:`~.inference.Inference`); each row goes through the steps of :mod:`.rows`
    (parse → match → diff), and this class decides from their results: reject, add (after the
    项目编码 and name matchers), update, unchanged or skip, and queues the writes (new items in
    batches on :class:`~.writer.BatchWriter`'s thread).  Which of our items a file's 编号 names
    is :class:`~.identity.ItemIds`.  The detail sheets run through
    :class:`~.details.Handler`, with this object as their :class:`~.details.DetailContext`."""

    def __init__(
        self,
        db: Database,
        file: Path,
        opts: ImportOptions,
        report: ImportReport,
        meta: FileMeta | None,
        rejects: Any,
        progress: Progress | None,
    ) -> None:
        self.db = db
        self.defs = db.defs
        self.file = file
        self.opts = opts
        self.report = report
        self.meta = meta
        self.rejects = rejects
        self.progress = progress
        self.mode = report.mode
        self.user = db.current.user if db.current else "import"
        self.today = (opts.today or dt.date.today()).isoformat()
        self.ts = now()
        self.text_source = file.suffix.lower() in _TEXT_SOURCES
        self.masked = bool(meta and meta.masked)
        #: --map as given (「签约项目!E=…」 for one sheet), and the part that applies to the sheet read now
        self.map_all = columns.parse_map(opts.mapping)
        self.explicit = columns.for_sheet(self.map_all, "")
        rollup = self.mode is Mode.rollup
        create = rollup or opts.create_missing
        self.inferred = Inferences()
        confirm = option("create_missing") if opts.create_missing and not rollup else None
        inf = self.inferred
        self.chains = Names(
            db, lookups.CHAIN, create=create, created=report.created_chains, inferred=inf, confirmed_by=confirm
        )
        self.units = Names(
            db, lookups.UNIT, create=create, created=report.created_units, inferred=inf, confirmed_by=confirm
        )
        self.only_kind = self.defs.kind(opts.kind) if opts.kind else None
        self.default_chain = self.chains.resolve(opts.chain) if opts.chain else None
        self.pending: list[ItemRow] = []
        self.new: dict[int, NewItem] = {}
        self.next_id = bulk.next_item_id(db)
        #: every column letter and header text of the sheets read (for --map's keys)
        self.map_keys = fates.MapKeys()
        #: 报送 → 认定: who filled the file in, where its rows came from
        self.submission = Submission(db, report, opts, file.name, rejects)
        if meta is not None and meta.type == "export" and self.mode is Mode.own and meta.extra.get("unit"):
            self.submission.said_by.append(meta.extra["unit"])  # the sheet exported for one unit to fill in
        self.ids = ItemIds(db, mode=self.mode, origin=report.origin, first_new_id=self.next_id)
        self.has_moves = False
        self.dups: NameIndex | None = None
        self.touched: list[int] = []
        #: runs the SQL of each batch of new items; the main thread waits for it before it
        #: reads a new item's rows or writes items itself (see :class:`~zhaoshang.exchange.writer.BatchWriter`)
        self.out = BatchWriter(db, user=self.user, ts=self.ts, batch=BATCH)
        self.writer = self.out.thread
        self.unknown_refs = 0
        #: what the rows of one project in this file said (its rows must agree)
        self.same_project = decide.SameProject()
        self.codes: dict[tuple[str, str], int] = {}
        self.done = 0
        self._caches: dict[Any, dict[Any, Any]] = {}
        self.headings = Headings(chains=self.chains.names, units=self.units.names, inferred=self.inferred)
        self.cells = CellParsers(self.defs, self.chains, self.units, text_source=self.text_source)
        specs = layout.detail_sheets(self.defs)
        self.specs = {s.key: s for s in specs}
        self.known = columns.known_labels(
            self.defs, list(self.defs.kinds), specs, columns.for_sheet(self.map_all, None)
        )

    # -- sheets ------------------------------------------------------------------------
    def all(self, sheets: list[RawSheet]) -> None:
        planned: list[sheetplan.SheetPlan] = []
        moves_sheet = None
        for raw in sheets:
            p = sheetplan.plan(
                raw,
                defs=self.defs,
                specs=self.specs,
                ours=self.meta is not None,
                rollup=self.mode is Mode.rollup,
                only_kind=self.only_kind,
                option=option,
            )
            if p.note is not None:
                self.report.notes.append(p.note)
            if p.role is sheetplan.Role.moves:
                moves_sheet = raw
            elif p.role is not sheetplan.Role.skip:
                planned.append(p)
        planned.sort(key=lambda p: p.order)
        if moves_sheet is not None:
            self.has_moves = moves.load_sheet(self.db, moves_sheet, self.specs["status_log"], self.known)
        used = 0
        # the writer thread needs the GIL for a moment between its statements: hand it over
        # within 0.1 ms instead of the default 5 ms, or it waits on the parser most of the time
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, 0.0001))
        try:
            for p in planned:
                if self._sheet(p):
                    used += 1
            self._flush_items()
            self.settle()
            self.flush_details()
            self.settle()
        except BaseException:
            self.writer.wait(quiet=True)  # before the command rolls back
            raise
        finally:
            sys.setswitchinterval(switch)
            if self.dups is not None:
                self.dups.close()
                self.dups = None
        from ..search import reindex

        if self.has_moves:
            moves.drop(self.db)
        # a run that will be rolled back (a dry run, problems, undecided duplicates) has
        # nothing to index
        if self.touched and not (self.opts.dry_run or self.report.problems or self.report.pending_duplicates):
            reindex(self.db, self.touched)
        if not used and not self.report.problems:
            names = "、".join(f"「{s.name}」" for s in sheets) or "（没有工作表）"
            raise ZsError(
                f"「{self.file.name}」中没有可导入的工作表（{names}）：工作表名应是清单名（如 招什么），"
                f"或用 {option('kind')} 指定清单"
            )
        if used:
            self.report.problems.extend(self.map_keys.unused(self.map_all, self.file.name))
        if self.unknown_refs:
            self.report.notes.append(f"{self.unknown_refs} 行的编号在本库中不存在，已作为新条目导入")
        self.report.inferences = self.inferred.all()
        if self.opts.sheet is None:
            from .sheetfacts import hidden_sheets

            for name in hidden_sheets(self.file):
                self.report.notes.append(f"隐藏的工作表「{name}」未导入（要导入它，请用 {option('sheet')} {name}）")

    def _rows(self, raw: RawSheet, table: Table, rep: SheetReport) -> Iterator[DataRow]:
        """The table's data rows; what reading them finds wrong further down (a second table's
        header, a damaged part of the file) is a problem of the sheet, like one found at the top."""
        rows = iter(table.rows)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except ZsError as exc:
                self._problem(rep, Problem(raw.name, None, "", None, exc.message))
                return
            yield row

    def _find_table(self, raw: RawSheet) -> Table | None:
        try:
            return find_table(raw, self.known)
        except ZsError as exc:
            if _is_empty(raw):
                return None
            self.report.problems.append(Problem(raw.name, None, "", None, exc.message))
            return None

    def _sheet(self, p: sheetplan.SheetPlan) -> bool:
        raw = p.raw
        self.explicit = columns.for_sheet(self.map_all, raw.name)
        if p.role is sheetplan.Role.summary:
            table = self._project_table(raw, p.kind)
            if table is None:
                self.report.notes.append(f"「{raw.name}」是汇总表（没有项目名称列），未导入")
                return False
        else:
            table = self._find_table(raw)
        if table is None:
            return False
        known = len(self.report.sheets)
        if p.spec is None:
            ok = self._item_sheet(raw, table, p.kind)
        else:
            ok = self._detail_sheet(raw, table, p.spec)
        if len(self.report.sheets) > known:
            self._facts(raw, table, self.report.sheets[-1])
        return ok

    def _project_table(self, raw: RawSheet, kind: KindDef | None) -> Table | None:
        """A sheet's table if it lists projects (a name or 编号 column), else None — asked of a
        sheet whose name says it sums up the others (汇总), which may hold figures only."""
        try:
            table = find_table(raw, self.known)
        except ZsError:
            return None
        kind = kind or columns.guess_kind(self.defs, table.header)[0]
        if kind is None:
            return None
        mapping = columns.map_item_columns(self.defs, kind, table.header, self.explicit)
        return table if any(t.key in ("title", "id") for t in mapping.targets) else None

    def _facts(self, raw: RawSheet, table: Table, rep: SheetReport) -> None:
        """Hidden rows (imported like the others, and listed) and formulas without a value."""
        if self.file.suffix.lower() in _TEXT_SOURCES or self.file.suffix.lower() in (".json", ".yaml", ".yml"):
            return
        for p in fates.workbook_facts(self._sheet_facts(raw), raw.name, table, rep):
            self._problem(rep, p)

    # -- item sheets -------------------------------------------------------------------
    def _item_sheet(self, raw: RawSheet, table: Table, kind: KindDef | None) -> bool:
        got = itemsheet.prepare(
            raw,
            table,
            kind,
            defs=self.defs,
            explicit=self.explicit,
            only_kind=self.only_kind,
            masked=self.masked,
            mode=self.mode,
            cells=self.cells,
            inferred=self.inferred,
            month_cells=lambda: self._sheet_facts(raw).month_cells,
            option=option,
        )
        self.report.problems.extend(got.early)
        self.map_keys.seen(raw.name, got.header)
        sh = got.sheet
        if sh is None:
            return False
        rep = sh.report
        self.report.sheets.append(rep)
        if self.rejects is not None:
            self.rejects.table(raw.name, table.header_row, sh.header)
        for p in got.problems:
            self._problem(rep, p)
        if not got.usable:
            return True
        self._move_date(sh, table)
        said_unit = sheet_rules.reporting_unit(raw.name, table, self.units.names)
        if said_unit is not None:
            self.submission.said_by.append(said_unit.name)
            # never created, whatever --create-missing says: a name read from a line above the
            # table is not one the sheet lists, and a wrong guess would make a unit
            hit = self.units.known(said_unit.name)
            if hit is None and not self.units.create:
                try:
                    hit = self.units.resolve(said_unit.name)
                except ZsError:
                    hit = None
            if hit is not None:
                sh.default_unit, sh.unit_inference = hit, said_unit.inference
            else:
                rep.notes.append(
                    f"填报单位「{said_unit.name}」不是已有的招商主体，未使用（是的话请先 zs unit add {said_unit.name}）"
                )
        amounts = {
            c
            for maps in sh.maps.values()
            for c, (t, _parse) in maps.items()
            if t.field is not None and t.field.ftype.numeric and t.field.type != "ref"
        }
        fills = merged.MergeFills()
        rows = merged.fill_merged(
            self._rows(raw, table, rep),
            self._sheet_facts(raw).merges,
            header_row=table.header_row,
            is_amount=amounts.__contains__,
            out=fills,
        )
        for row, sub in sheet_rules.sub_rows(rows, itemsheet.amounts(sh)):
            if sub is None:
                self._item_row(sh, row)
            elif sub.part:  # 1.1, 1.2 adding up to row 1: its parts, not projects
                self.inferred.add(Rule.sub_rows, raw.name, f"第{sub.parent}行的分项", "序号", sub.text, row=row.number)
                table.fates.append(RowFate(row.number, row.number, RowClass.breakdown, sub.text))
                rep.count(RowOutcome.skipped, row.number)
            else:
                self._reject_cells(
                    sh, row.number, row.cells, [Problem(raw.name, row.number, "序号", row.index, sub.text)]
                )
        for p in merged.said(fills, raw.name, sh.header, self.inferred):
            self._problem(rep, p)
        rep.notes.extend(table.notes)
        rep.rows = table.fates
        return True

    def _sheet_facts(self, raw: RawSheet) -> SheetFacts:
        """What the workbook shows besides values (hidden rows, merged areas …), read once."""
        cache = self._caches.setdefault("facts", {})
        facts = cache.get(raw.name)
        if facts is None:
            if self.file.suffix.lower() in _TEXT_SOURCES or self.file.suffix.lower() in (".json", ".yaml", ".yml"):
                facts = SheetFacts(checked=False)
            else:
                facts = sheet_facts(self.file, raw.name)
            cache[raw.name] = facts
        return facts

    @staticmethod
    def _reason_needed(status: str) -> str:
        return (
            f"改为「{status}」要写原因（清单定义要求）：请在表中加「{status}原因」列（或「原因」列）写明，"
            f"或用 {option('mapping')} 把写原因的列对应到「原因」"
        )

    def _kind_of(self, raw: object) -> KindDef:
        cache = self._caches.setdefault("kinds", {})
        key = str(raw)
        kind = cache.get(key)
        if kind is None:
            kind = cache[key] = self.defs.kind(key)
        return kind

    def _problem(self, rep: SheetReport, p: Problem) -> None:
        self.report.problems.append(p)
        if self.rejects is not None and p.row is None:
            self.rejects.problem(p.sheet, p.text())

    def _item_row(self, sh: SheetContext, row: DataRow) -> None:
        got = parse_row(
            sh,
            row,
            only_kind=self.only_kind,
            kind_of=self._kind_of,
            explicit=self.explicit,
            inferred=self.inferred,
            option=option,
            confirm=self.opts.confirm,
            plain=self.mode is Mode.plain,
        )
        if got.other_kind:
            sh.report.count(RowOutcome.skipped, row.number)
            return
        kind = got.kind
        if kind is None:
            self._reject_cells(sh, row.number, row.cells, got.problems)
            return
        values = got.values
        if row.heading is not None and ("status" not in values or "unit" not in values):
            problem = self.headings.fill(sh.raw.name, row.number, row.heading, kind, values)
            if problem is not None:
                got.problems.append(problem)
        r = ItemRow(sh, row.number, row.cells, kind, values, problems=got.problems, heading=row.heading)
        r.ref = values.pop("id", None)
        r.reason = values.pop("reason", None)
        values.pop("kind", None)
        self.pending.append(r)
        self.done += 1
        if self.progress is not None and self.done % _PROGRESS_EVERY == 0:
            self.progress(sh.raw.name, self.done)
        if len(self.pending) >= BATCH:
            self._flush_items()

    # -- deciding and writing item rows ------------------------------------------------
    def _flush_items(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        refs = [r.ref for r in batch if r.ref is not None]
        local = self.ids.local(refs)
        current = self._load_current(set(local.values()))
        simplify_many(to_halfwidth(t) for r in batch if (t := r.values.get("title")) is not None and type(t) is str)
        for r in batch:
            self._decide(r, local, current)
        self._insert_new()

    def _decide(self, r: ItemRow, local: dict[int, int], current: dict[int, Current]) -> None:
        """Steps 2–4 for one parsed row: match by 编号, then update (diff) or add."""
        if not r.problems:
            self.report.notes.extend(resolve_refs(r, self.item_id, self.ids.skipped_refs))
        if r.problems:
            self._reject(r)
            return
        match = match_ref(
            r,
            local,
            current,
            mode=self.mode,
            was_deleted=self._was_deleted,
            kind_name=lambda key: self.defs.kind_by_key(key).name,
            plausible=self._plausible,
            option=option,
        )
        if match.refusal is not None:
            self._fail(r, *match.refusal)
            return
        if match.current is not None:
            if r.ref is not None:
                self.ids.file_ids[r.ref] = match.current.id
            self._update(r, match.current)
            return
        if match.unknown_ref:
            self.unknown_refs += 1
        self._add(r, r.ref if self.mode is Mode.rollup else None)

    def _was_deleted(self, item_id: int) -> bool:
        sql = (
            "SELECT 1 FROM changes WHERE tbl = 'items' AND row_id = ? AND action = 'delete' "
            "AND last_row_id IS NULL LIMIT 1"
        )
        return self.db.conn.execute(sql, (item_id,)).fetchone() is not None

    def _plausible(self, r: ItemRow, cur: Current) -> bool:
        """Whether a sheet from outside that gives our 编号 means our item: its name (when the row
        has one) must be the item's, loosely — a county's own row numbers (13, 14 …) in a 编号
        column share a chain with our items 13, 14 far too often to be taken for them."""
        chain = r.values.get("chain")
        title = r.values.get("title")
        if title is None:
            return chain is None or chain == cur.common["chain_id"]
        return loose_name(str(title)) == loose_name(str(cur.common["title"]))

    def _load_current(self, ids: set[int]) -> dict[int, Current]:
        if ids and max(ids) >= self.ids.first_new_id:
            self.writer.wait()  # rows of an item this import adds
        return current.load(self.db, ids, reported=bool(self.submission.because()))

    def _diff(self, r: ItemRow, cur: Current) -> Diff:
        return diff_row(
            r,
            cur,
            fields=self._fields(r.kind),
            chain_names=self.chains.names,
            unit_names=self.units.names,
            blank=self.opts.blank,
        )

    def _fields(self, kind: KindDef) -> dict[str, FieldDef]:
        cache = self._caches.setdefault("fields", {})
        got = cache.get(kind.key)
        if got is None:
            got = cache[kind.key] = {f.key: f for f in self.defs.fields_of(kind)}
        return got

    def _update(self, r: ItemRow, cur: Current, *, link: int | None = None) -> bool:
        if self.mode is Mode.plain and self._disagrees(r, cur.id, r, str(r.values.get("title") or cur.common["title"])):
            return False  # a second row of this item in a county's file, with another figure
        self.settle()
        self.submission.sent_again(cur.id, r.sheet.raw.name, r.number)
        diff = self._diff(r, cur)
        parsed, shown = diff.parsed, diff.shown
        self.report.blank_kept += diff.blank_kept
        if link is not None:
            self._link(cur.id, link)
        if not shown:
            r.sheet.report.count(RowOutcome.unchanged, r.number)
            return False
        moving_to = parsed.status if parsed.status is not None and parsed.status != cur.common["status"] else None
        from_moves = self.has_moves and r.ref is not None  # a roll-up's 阶段变更 sheet has the reasons
        needs = moving_to is not None and r.kind.status(str(moving_to)).requires_reason
        if needs and not from_moves and not r.reason and r.ref is None:
            self._fail(r, "状态", moving_to, self._reason_needed(str(moving_to)))
            return False
        reason = r.reason or f"导入「{self.file.name}」第{r.number}行"
        status_date = None
        if self.has_moves and parsed.status is not None and r.ref is not None:
            todo, status_date = moves.newer(self.db, cur.id, r.ref, cur.common["status"], parsed.status)
            if todo:
                terminal = r.kind.status(parsed.status).terminal
                moves.apply(self.db, cur.id, todo, closed=terminal, at=self.ts, user=self.user)
                self._count_moves(DateSource.rollup_log, len(todo))
                parsed.status = None
            elif status_date is not None:
                self._count_moves(DateSource.rollup_log)
        if parsed.status is not None and status_date is None:
            key = stages.date_fields(r.kind).get(parsed.status)
            if key and parsed.own.get(key):
                self._count_moves(DateSource.row)
            else:
                undated = self._undated(r, str(parsed.status))
                if undated is not None:
                    self._fail(r, column_of(r, "status"), parsed.status, undated)
                    return False
                status_date = self._sheet_date(r.sheet, r.number)
            day = status_date or (parsed.own.get(key) if key else None)
            if day is not None and self._behind(r, cur, str(parsed.status), str(day)):
                return False
        if cur.waiting and (
            parsed.status is not None or any(k in parsed.own for k in stages.date_fields(r.kind).values())
        ):
            self.submission.stand_as_reported(cur.id)
        try:
            items.update(
                self.db,
                r.kind,
                cur.id,
                parsed,
                user=self.user,
                reason=reason,
                force=True,
                status_date=status_date,
                index=False,
            )
        except ZsError as exc:
            self._fail(r, "", None, exc.message)
            return False
        self.touched.append(cur.id)
        self.submission.came_from(cur.id, r.sheet.raw.name, r.number)
        r.sheet.report.count(RowOutcome.updated, r.number)
        title = r.values.get("title") or cur.common["title"]
        self.report.changes.append(Change(r.sheet.raw.name, r.number, cur.id, str(title), shown))
        return True

    def _add(self, r: ItemRow, origin_id: int | None) -> None:
        kind = r.kind
        title = r.values.get("title")
        if title is None:
            label = kind.title.label
            self._fail(
                r, label, None,
                f"{label}不能为空：没有{label}的行不是一个条目——是说明、落款或分项就删去这一行，是条目就填上{label}",
            )  # fmt: skip
            return
        own_chain = r.values.get("chain")
        headed = self.headings.chain(r.sheet.raw.name, r.heading)
        chosen = decide.chain_of(own_chain, headed, self.default_chain)
        if chosen.conflict:
            assert own_chain is not None and headed is not None
            self._fail(
                r, "产业链", self.chains.names.get(own_chain),
                f"与本行所在的分组标题「{r.heading}」说的产业链「{self.chains.names.get(headed)}」不一致：请改正其一",
            )  # fmt: skip
            return
        chain = chosen.chain
        if chain is None:
            self._fail(r, "产业链", None, f"缺少产业链：请在表中加「产业链」列，或用 {option('chain')} 指定")
            return
        if chosen.from_heading:
            name = self.chains.names.get(chain, "")
            self.inferred.add(
                Rule.group_heading, r.sheet.raw.name, name, f"分组标题「{r.heading}」",
                f"分组标题「{r.heading}」下没有产业链的行按标题归入产业链「{name}」",
                column="产业链", row=r.number,
            )  # fmt: skip
        code = r.values.get(IDENTITY_FIELD)
        if code is not None and self._by_code(r, kind, str(code)):
            return
        if self.dups is None:
            self.dups = NameIndex(
                self.db, self.report.origin, below=self.ids.first_new_id, before_read=self.writer.wait
            )
        name_key = normalize_name(str(title))
        match = self.dups.find(kind.key, chain, name_key, r.ref)
        if match is not None and not self._duplicate(r, match, origin_id):
            return
        own: dict[str, Any] = {}
        values = r.values
        for key, default, required, label in self._own_fields(kind):
            v = values.get(key)
            if v is None:
                v = default
                if v is None:
                    if required:
                        self._fail(r, label, None, f"「{label}」必填")
                        return
                    continue
            own[key] = v
        unit = r.values.get("unit") if "unit" in r.values else r.sheet.default_unit
        if "unit" not in r.values and r.sheet.unit_inference is not None:
            self.inferred.use(r.sheet.unit_inference, r.number)
        common = {
            "title": title,
            "chain_id": chain,
            "unit_id": unit,
            "owner": r.values.get("owner"),
            "due": r.values.get("due"),
            "notes": r.values.get("notes"),
        }
        status = r.values.get("status") or kind.default_status
        log = None
        if not (self.has_moves and origin_id is not None):  # (a roll-up's 阶段变更 sheet has the reasons)
            # a row typed without an 编号 (a county's sheet) must say why; a row of an export
            # (it has its 编号) carries no reason column: its reason is in the 阶段变更 record
            if kind.status(status).requires_reason and not r.reason and r.ref is None:
                self._fail(r, "状态", status, self._reason_needed(status))
                return
            try:
                log = self._history(r, kind, status, own)
            except stages.StageDateError as exc:
                bad = exc.keys[0] if exc.keys else None
                cell = status if bad == "status" else own.get(bad) if bad else None
                self._fail(r, column_of(r, bad) if bad else "", cell, exc.message)
                return
        new_id = self.next_id
        self.next_id += 1
        origin = self.report.origin if origin_id is not None else None
        self.new[new_id] = NewItem(new_id, kind, common, own, status, origin, origin_id, r, log)
        self.dups.add(kind.key, chain, str(title), new_id, origin, r.ref, name_key)
        if origin_id is not None:
            self.ids.origin_ids[origin_id] = new_id
        elif r.ref is not None:
            self.ids.file_ids[r.ref] = new_id
        self.ids.kinds[new_id] = kind.key
        self.submission.came_from(new_id, r.sheet.raw.name, r.number)
        r.sheet.report.count(RowOutcome.added, r.number)

    def _by_code(self, r: ItemRow, kind: KindDef, code: str) -> bool:
        """A row without 编号 whose 项目编码 is an item's: it is that item (updated, whatever
        its name); the same code twice in one file is an error.  True when handled."""
        if not any(f.key == IDENTITY_FIELD for f in kind.fields):
            return False
        seen = self.codes.get((kind.key, code))
        if seen is not None:
            self._fail(r, column_of(r, IDENTITY_FIELD), code, f"项目编码与第{seen}行相同：一个项目只能填一行")
            return True
        self.codes[(kind.key, code)] = r.number
        # only items that were here before this import (one of its own is caught above), so
        # no need to wait for the writer thread
        hit = by_code(self.db, kind, code, below=self.ids.first_new_id, origin=self.report.origin)
        if hit is None:
            return False
        cur = self._load_current({hit}).get(hit)
        if cur is None:
            return False
        self.inferred.add(
            Rule.project_code, r.sheet.raw.name, str(cur.id), f"项目编码「{code}」",
            f"按项目编码「{code}」对应编号 {cur.id}", column=column_of(r, IDENTITY_FIELD), row=r.number,
        )  # fmt: skip
        self._update(r, cur)
        return True

    def _move_date(self, sh: SheetContext, table: Table) -> None:
        """The sheet's date for moves without their own (:func:`.sheet_rules.move_date`)."""
        got = sheet_rules.move_date(
            sh.raw.name, table, as_of=self.opts.as_of, today=dt.date.fromisoformat(self.today), option=option
        )
        sh.move_date, sh.move_source, sh.move_inference = got.date, got.source, got.inference
        sh.filed, sh.filed_key = got.filed, got.filed_key

    def _behind(self, r: ItemRow, cur: Current, status: str, day: str) -> bool:
        """An older sheet (October's) sending back a project that has moved on since: the sheet
        says what was true on ``day``, not that the project went back.  Refused (True)."""
        last = None
        if stages.pipeline_flag(r.kind, str(cur.common["status"]), status) == "backward":
            sql = "SELECT max(date) FROM status_log WHERE item_id = ? AND review != 'returned'"
            last = self.db.conn.execute(sql, (cur.id,)).fetchone()[0]
        why = history.behind(r.kind, cur.id, str(cur.common["status"]), status, day, last)
        if why is None:
            return False
        self._fail(r, column_of(r, "status"), status, why)
        return True

    def _sheet_date(self, sh: SheetContext, row: int) -> str:
        """The sheet's date for a move of row ``row`` without its own (recorded as used)."""
        self._count_moves(sh.move_source)
        if sh.move_inference is not None:
            self.inferred.use(sh.move_inference, row)
        return sh.move_date

    def _undated(self, r: ItemRow, status: str) -> str | None:
        return history.undated(
            self.defs, r.kind, status, r.sheet, mode=self.mode, today=self.today, option=option
        )

    def _count_moves(self, source: DateSource, n: int = 1) -> None:
        self.report.move_dates[source] = self.report.move_dates.get(source, 0) + n

    def _history(
        self, r: ItemRow, kind: KindDef, status: str, own: dict[str, Any], *, counted: int = 0
    ) -> list[history.LogEntry]:
        """:func:`.history.plan` for a new row, and what it used recorded: the sheet's date
        (its inference covers the row), each move's date source, the stage dates into ``own``."""
        got = history.plan(
            kind, status, own, r.sheet, today=self.today, undated=lambda st: self._undated(r, st), counted=counted
        )
        if got.sheet_date and r.sheet.move_inference is not None:
            self.inferred.use(r.sheet.move_inference, r.number)
        for source in got.sources:
            self._count_moves(source)
        own.update(got.stage_dates)
        return got.log

    def _own_fields(self, kind: KindDef) -> list[tuple[str, Any, bool, str]]:
        """A kind's fields as (key, stored default, required, label), worked out once."""
        cache = self._caches.setdefault("own_fields", {})
        info = cache.get(kind.key)
        if info is None:
            from ..values import to_storage

            info = cache[kind.key] = [
                (f.key, to_storage(f, f.default) if f.default is not None else None, f.required, f.label)
                for f in kind.fields
            ]
        return info

    def _duplicate(self, r: ItemRow, match: tuple[int, str, bool], origin_id: int | None) -> bool:
        """Handle a new row whose name matches an item; True to add it anyway.

        The name is what made the match, so it is left out of the comparison, and an update
        keeps the existing item's own spelling of it."""
        existing_id, existing_title, exact = match
        title = str(r.values.pop("title"))
        added = self._decide_duplicate(r, existing_id, existing_title, title, origin_id, exact=exact)
        if added:
            r.values["title"] = title
        return added

    def _decide_duplicate(
        self, r: ItemRow, existing_id: int, existing_title: str, title: str, origin_id: int | None, *, exact: bool
    ) -> bool:
        pending = self.new.get(existing_id)
        choice = self.opts.on_duplicate
        same: bool | None = None
        cur: Current | None = None
        if exact and choice is not OnDuplicate.new:
            if pending is not None:
                same = decide.same_row(pending, r.values)
            else:
                cur = self._load_current({existing_id}).get(existing_id)
                same = cur is not None and not self._diff(r, cur).shown
        decision = decide.for_duplicate(exact=exact, choice=choice, earlier_row=pending is not None, same=same)
        if decision is Decision.unchanged:
            if r.ref is not None:
                self.ids.file_ids[r.ref] = existing_id
            if cur is not None:
                # the same item, identical: nothing to ask; with --on-duplicate update a
                # roll-up links it to the office's 编号 for next month
                if choice is OnDuplicate.update and origin_id is not None and cur.origin is None:
                    self._link(cur.id, origin_id)
                self.submission.sent_again(cur.id, r.sheet.raw.name, r.number)
            r.sheet.report.count(RowOutcome.unchanged, r.number)
            return False
        action = decide.duplicate_action(choice)
        if pending is not None:  # a row of this file: it has no 编号 yet
            here = f"本文件「{pending.row.sheet.raw.name}」第{pending.row.number}行"
        else:
            here = "本文件较早的一行" if existing_id >= self.ids.first_new_id else ""
        self.report.duplicates.append(
            Duplicate(r.sheet.raw.name, r.number, title, existing_id, existing_title, action, existing_where=here)
        )
        if decision in (Decision.ask, Decision.skip) and r.ref is not None:
            self.ids.skipped_refs.add(r.ref)
        if decision is Decision.ask:
            if self.rejects is not None:
                self.rejects.add(
                    r.sheet.raw.name,
                    r.sheet.header,
                    r.number,
                    r.cells,
                    [f"疑似与{here or f'编号 {existing_id}'}「{existing_title}」重复"],
                )
            r.sheet.report.count(RowOutcome.rejected, r.number)
            return False
        if decision is Decision.skip:
            r.sheet.report.count(RowOutcome.skipped, r.number)
            return False
        if decision is Decision.add:
            return True
        if decision is Decision.merge:
            assert pending is not None
            first = pending.row
            if self._disagrees(r, existing_id, first, title):
                return False
            for k, v in r.values.items():
                if k in ("chain",):
                    continue
                if k == "unit":
                    pending.common["unit_id"] = v
                elif k == "status":
                    pending.status = v
                elif k in SETTABLE:
                    pending.common[k] = v
                else:
                    pending.own[k] = v
            if pending.log is not None:
                # one item, one set of facts: its history is worked out again from every sheet's
                # dates (签约日期 from 签约项目, 开工日期 from 开工项目), not left at the first row's
                counted = len(pending.log) - 1  # the moves already counted for the first row
                try:
                    pending.log = self._history(r, pending.kind, pending.status, pending.own, counted=counted)
                except stages.StageDateError as exc:
                    bad = exc.keys[0] if exc.keys else None
                    value = pending.status if bad == "status" else pending.own.get(bad) if bad else None
                    self._fail(r, column_of(r, bad) if bad else "", value, exc.message)
                    return False
            self.inferred.add(
                Rule.same_item, r.sheet.raw.name, str(title), f"「{first.sheet.raw.name}」第{first.number}行",
                f"与「{first.sheet.raw.name}」第{first.number}行是同一项目「{title}」：两行合为一个条目，各取本表的日期",
                row=r.number,
            )  # fmt: skip
            r.sheet.report.count(RowOutcome.updated, r.number)
            return False
        cur = self._load_current({existing_id}).get(existing_id)
        if cur is None:
            return True
        if r.ref is not None:
            self.ids.file_ids[r.ref] = cur.id
        link = origin_id if (origin_id is not None and cur.origin is None) else None
        self._update(r, cur, link=link)
        return False

    def _disagrees(self, r: ItemRow, item_id: int, first: ItemRow, title: str) -> bool:
        """Refuse ``r`` when it says another figure than an earlier row of the same project (on
        another sheet, or further up): True when refused."""
        problem = self.same_project.disagreement(
            r, item_id, first, title, fields=self._fields(r.kind), unit_names=self.units.names
        )
        if problem is None:
            return False
        r.problems.append(problem)
        self._reject(r)
        return True

    def _link(self, item_id: int, origin_id: int) -> None:
        """From now on our item ``item_id`` is the office's item ``origin_id``."""
        self.settle()
        self.db.conn.execute(
            "UPDATE items SET origin = ?, origin_id = ? WHERE id = ?", (self.report.origin, origin_id, item_id)
        )
        self.ids.origin_ids[origin_id] = item_id
        self.report.linked += 1

    def settle(self) -> None:
        """Wait for the writer and put the history triggers back (see :meth:`BatchWriter.settle`)."""
        self.out.settle()

    def queue_insert(self, table: str, cols: list[str], row: tuple[Any, ...]) -> None:
        self.out.queue_insert(table, cols, row)

    def flush_details(self, only: str | None = None) -> None:
        self.out.flush_details(only)

    def _insert_new(self) -> None:
        """Write this batch's new items: the rows are built here, the SQL (rows, history,
        stage log, search index) runs on the writer thread while the next batch is parsed."""
        if not self.new:
            return
        new, self.new = list(self.new.values()), {}
        self.out.add_items(
            new,
            origin=self.report.origin if self.has_moves else None,
            today=self.today,
            index=not self.opts.dry_run,
        )

    # -- rejected rows -----------------------------------------------------------------
    def _fail(self, r: ItemRow, column: str, value: object, reason: str) -> None:
        r.problems.append(Problem(r.sheet.raw.name, r.number, column, value, reason))
        self._reject(r)

    def _reject(self, r: ItemRow) -> None:
        if r.ref is not None:
            self.ids.skipped_refs.add(r.ref)
        self.report.problems.extend(r.problems)
        r.sheet.report.count(RowOutcome.rejected, r.number)
        if self.rejects is not None:
            self.rejects.add(r.sheet.raw.name, r.sheet.header, r.number, r.cells, [p.reason for p in r.problems])

    def _reject_cells(self, sh: SheetContext, number: int, cells: dict[int, object], problems: list[Problem]) -> None:
        self.report.problems.extend(problems)
        sh.report.count(RowOutcome.rejected, number)
        if self.rejects is not None:
            self.rejects.add(sh.raw.name, sh.header, number, cells, [p.reason for p in problems])

    # -- items referenced by the other sheets ------------------------------------------
    def item_id(self, ref: int) -> int | None:
        """Our id of the item a file's 编号 names (None: unknown)."""
        return self.ids.item_id(ref)

    def item_kind(self, item_id: int) -> KindDef:
        return self.defs.kind_by_key(self.ids.kind_key(item_id))

    @property
    def skipped_refs(self) -> set[int]:
        return self.ids.skipped_refs

    # -- the other sheets --------------------------------------------------------------
    def _detail_sheet(self, raw: RawSheet, table: Table, spec: layout.SheetSpec) -> bool:
        from . import details

        self._flush_items()
        self.settle()
        rep = SheetReport(raw.name, spec.name, header_row=table.header_row)
        self.report.sheets.append(rep)
        if self.rejects is not None:
            self.rejects.table(raw.name, table.header_row, table.header)
        self.map_keys.seen(raw.name, table.header)
        mapping = columns.map_detail_columns(spec, table.header, self.explicit, masked=self.masked)
        rep.notes.extend(mapping.notes)
        for p in fates.detail_problems(raw.name, spec.name, mapping):
            self._problem(rep, p)
        handler = details.Handler(self, spec, raw, table.header, mapping, rep)
        if not handler.ready():
            return True
        for row in self._rows(raw, table, rep):
            handler.row(row)
            self.done += 1
            if self.progress is not None and self.done % _PROGRESS_EVERY == 0:
                self.progress(raw.name, self.done)
        handler.finish()
        rep.notes.extend(table.notes)
        rep.rows = table.fates
        rep.columns = fates.detail_columns(mapping, table)
        return True


def _is_empty(raw: RawSheet) -> bool:
    return not any(v is not None and not (isinstance(v, str) and not v.strip()) for row in raw.rows for v in row)


__all__ = [
    "ColumnFate",
    "ImportOptions",
    "ImportReport",
    "Problem",
    "RowOutcome",
    "SheetReport",
    "import_file",
    "rejected_error",
    "summarize",
]
