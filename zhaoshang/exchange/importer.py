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
Each stage is its own module and returns data; this module runs them in order:

1. **read** — :mod:`~zhaoshang.exchange.readers` (python-calamine; csv, json, yaml), and
   :mod:`~zhaoshang.exchange.sheetfacts` for what values alone do not say (hidden rows,
   formulas without a result, hidden sheets, merged areas); :mod:`~zhaoshang.exchange.origin`
   for the file's ``_meta``;
2. **plan sheets** — :func:`~zhaoshang.exchange.sheetplan.plan` (a
   :class:`~zhaoshang.exchange.sheetplan.Role` per sheet);
3. **locate tables** and **classify rows** — :func:`~zhaoshang.exchange.tables.find_table`:
   the header, side-by-side or stacked tables, and a :class:`~zhaoshang.exchange.tables.RowFate`
   for every row that is not data;
4. **map columns** — :func:`~zhaoshang.exchange.itemsheet.prepare` with
   :mod:`~zhaoshang.exchange.columns` (one header matcher; a
   :class:`~zhaoshang.exchange.outcome.ColumnFate` for every column); the sheet rules
   (:mod:`~zhaoshang.exchange.sheet_rules`, :mod:`~zhaoshang.exchange.merged`,
   :mod:`~zhaoshang.exchange.headings`) each with its :class:`~zhaoshang.exchange.inference.Inference`;
5. **parse cells** — :func:`~zhaoshang.exchange.rows.parse_row` with the column parsers of
   :class:`~zhaoshang.exchange.resolve.CellParsers` (:mod:`zhaoshang.values` underneath);
6. **match**, 7. **diff**, 8. **decide** and 9. **write** —
   :class:`~zhaoshang.exchange.itemrows.ItemRows`, in batches: 编号
   (:class:`~zhaoshang.exchange.identity.ItemIds`), 项目编码 and names
   (:mod:`~zhaoshang.exchange.matching`), :func:`~zhaoshang.exchange.rows.diff_row`, a
   :class:`~zhaoshang.exchange.decide.Decision` with what to write (an
   :class:`~zhaoshang.exchange.decide.UpdatePlan` or :class:`~zhaoshang.exchange.decide.AddPlan`,
   pure functions of the row, its item and the run's :class:`~zhaoshang.exchange.run.RunSettings`),
   a new row's history (:func:`~zhaoshang.exchange.history.plan`), the writes on
   :class:`~zhaoshang.exchange.writer.BatchWriter`; the detail sheets through
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
from ..choices import Blank, Confirm, OnDuplicate
from ..db import Database, now
from ..definitions import KindDef
from ..errors import NotFoundError, ZsError
from ..hints import option
from . import (
    columns,
    decide,
    fates,
    header_area,
    itemsheet,
    layout,
    merged,
    money_units,
    moves,
    origin,
    sheet_rules,
    sheetdates,
    sheetplan,
)
from .headings import Headings
from .inference import Inferences, Rule
from .itemrows import ItemRows
from .meta import FileMeta
from .outcome import (
    ColumnFate,
    ImportOptions,
    ImportReport,
    Mode,
    Problem,
    RowOutcome,
    SheetReport,
    rejected_error,
    summarize,
)
from .readers import WORKBOOK_SUFFIXES, RawSheet, read_file
from .resolve import CellParsers, Names
from .rows import (
    ItemRow,
    SheetContext,
    parse_row,
)
from .run import RunSettings
from .sheetfacts import SheetFacts, sheet_facts
from .submission import Submission
from .tables import DataRow, RowClass, RowFate, Table, find_table
from .writer import BatchWriter

Progress = Callable[[str, int], None]
BATCH = 2000
_PROGRESS_EVERY = 5000
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
    if {Confirm.increase, Confirm.correction} <= set(opts.confirm):
        raise ZsError(
            f"{option('confirm')} {Confirm.increase} 和 {Confirm.correction} 只能选一个：已签约项目改了投资额，"
            "是增资就是增资，是更正就是更正；两种都有的表请分开导入，或用 zs invest add 记增资"
        )
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
            if run.sheet_days and report.mode is Mode.plain:  # (an older sheet must not put these back)
                sheetdates.record(db, cmd.id, max(run.sheet_days))
            if report.review_because:
                from .. import review

                marked = review.mark_submission(db, source=sub.sources or file.name, on=opts.as_of)
                entries = db.conn.execute(
                    "SELECT count(*) FROM status_log WHERE submitted_by = ? AND review = 'pending' "
                    "AND from_status IS NULL",
                    (cmd.id,),
                ).fetchone()[0]
                report.pending_new, report.pending_moves = int(entries), marked.moves - int(entries)
                report.pending_funds = marked.funds
                report.pending_invests = marked.invests
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
    """Runs one import's sheets in order: plans them (:mod:`.sheetplan`), prepares each item
    sheet (:func:`.itemsheet.prepare`, the sheet rules), parses its rows (:func:`.rows.parse_row`)
    and hands them to :class:`~.itemrows.ItemRows`, which decides and writes them in batches.
    What never changes during the run is its :class:`~.run.RunSettings`, handed to the steps;
    the detail sheets run through :class:`~.details.Handler`, given a
    :class:`~.details.DetailContext` of their own; 报送 → 认定 is :class:`~.submission.Submission`."""

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
        self.report = report
        self.rejects = rejects
        self.progress = progress
        user = db.current.user if db.current else "import"
        today = (opts.today or dt.date.today()).isoformat()
        ts = now()
        map_all = columns.parse_map(opts.mapping)  # (a wrong --map is told first)
        rollup = report.mode is Mode.rollup
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
        specs = layout.detail_sheets(self.defs)
        self.specs = {s.key: s for s in specs}
        #: --kind naming a detail sheet (到位资金 …): the sheet of every sheet not named for one
        self.only_spec = sheetplan.detail_spec(opts.kind, self.specs) if opts.kind else None
        #: what the run is run with, worked out once (see :class:`~.run.RunSettings`)
        self.settings = RunSettings(
            file_name=file.name,
            suffix=file.suffix.lower(),
            opts=opts,
            mode=report.mode,
            origin=report.origin,
            user=user,
            today=today,
            ts=ts,
            ours=meta is not None,
            masked=bool(meta and meta.masked),
            only_kind=self._only_kind(opts.kind) if opts.kind and self.only_spec is None else None,
            default_chain=self.chains.resolve(opts.chain) if opts.chain else None,
            map_all=map_all,
        )
        settings = self.settings
        #: the part of --map that applies to the sheet read now
        self.explicit = columns.for_sheet(settings.map_all, "")
        self.map_keys = fates.MapKeys()
        #: 报送 → 认定: who filled the file in, where its rows came from
        self.submission = Submission(db, report, opts, file.name, rejects)
        if meta is not None and meta.type == "export" and settings.mode is Mode.own and meta.extra.get("unit"):
            self.submission.said_by.append(meta.extra["unit"])  # the sheet exported for one unit to fill in
        self.out = BatchWriter(db, user=settings.user, ts=settings.ts, batch=BATCH)
        self.done = 0
        #: the days the dated sheets speak for (report period, filing day, --as-of)
        self.sheet_days: list[str] = []
        self.headings = Headings(chains=self.chains.names, units=self.units.names, inferred=self.inferred)
        #: the item rows, decided in batches (match → diff → decide → write)
        self.rows = ItemRows(
            db,
            settings,
            report=report,
            rejects=rejects,
            inferred=self.inferred,
            chains=self.chains,
            units=self.units,
            submission=self.submission,
            headings=self.headings,
            out=self.out,
        )
        self._caches: dict[Any, dict[Any, Any]] = {}
        #: each item sheet's title rows (what they say of its rows' stage)
        self._captions: dict[str, list[str]] = {}
        self.cells = CellParsers(
            self.defs, self.chains, self.units, text_source=settings.text_source,
            # a workbook not ours (no export's or template's _meta): a county's sheet (csv, json:
            # no _meta even when exported here — their 编号 stay ours)
            foreign=settings.mode is Mode.plain and meta is None and not settings.values_only,
        )  # fmt: skip
        self.known = columns.known_labels(
            self.defs, list(self.defs.kinds), specs, columns.for_sheet(settings.map_all, None)
        )

    def _only_kind(self, name: str) -> KindDef:
        """The list --kind names; not one: the lists and the other sheets it may name."""
        try:
            return self.defs.kind(name)
        except ZsError as exc:
            others = "、".join(s.name for s in self.specs.values() if s.importable)
            raise NotFoundError(f"{exc.message}；或其他工作表：{others}") from None

    # -- sheets ------------------------------------------------------------------------
    def all(self, sheets: list[RawSheet]) -> None:
        planned: list[sheetplan.SheetPlan] = []
        moves_sheet = None
        for raw in sheets:
            p = sheetplan.plan(
                raw,
                defs=self.defs,
                specs=self.specs,
                ours=self.settings.ours,
                rollup=self.settings.mode is Mode.rollup,
                only_kind=self.settings.only_kind,
                option=option,
                only_spec=self.only_spec,
            )
            if p.note is not None:
                self.report.notes.append(p.note)
            if p.said is not None and p.spec is not None:
                self.inferred.add(
                    Rule.sheet_by_name, raw.name, p.spec.name, f"工作表名「{raw.name}」",
                    f"工作表名「{raw.name}」含「{p.said}」：按「{p.spec.name}」表导入"
                    f"（不对请把工作表改名，或用 {option('kind')} 指定）",
                )  # fmt: skip
            if p.role is sheetplan.Role.moves:
                moves_sheet = raw
            elif p.role is not sheetplan.Role.skip:
                planned.append(p)
        planned.sort(key=lambda p: p.order)
        if moves_sheet is not None:
            self.rows.has_moves = moves.load_sheet(self.db, moves_sheet, self.specs["status_log"], self.known)
        used = 0
        # the writer thread needs the GIL for a moment between its statements: hand it over
        # within 0.1 ms instead of the default 5 ms, or it waits on the parser most of the time
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, 0.0001))
        try:
            for p in planned:
                if self._sheet(p):
                    used += 1
            self.rows.flush()
            self.settle()
            self.out.flush_details()
            self.settle()
        except BaseException:
            self.out.thread.wait(quiet=True)  # before the command rolls back
            raise
        finally:
            sys.setswitchinterval(switch)
            self.rows.close()
        from ..search import reindex

        if self.rows.has_moves:
            moves.drop(self.db)
        # a run that will be rolled back (a dry run, problems, undecided duplicates) has
        # nothing to index
        touched = self.rows.touched
        if touched and not (self.settings.opts.dry_run or self.report.problems or self.report.pending_duplicates):
            reindex(self.db, touched)
        if not used and not self.report.problems:
            names = "、".join(f"「{s.name}」" for s in sheets) or "（没有工作表）"
            raise ZsError(
                f"「{self.file.name}」中没有可导入的工作表（{names}）：工作表名应是清单名（如 招什么），"
                f"或用 {option('kind')} 指定清单"
            )
        if used:
            self.report.problems.extend(self.map_keys.unused(self.settings.map_all, self.file.name))
        if self.rows.unknown_refs:
            self.report.notes.append(f"{self.rows.unknown_refs} 行的编号在本库中不存在，已作为新条目导入")
        self.report.inferences = self.inferred.all()
        if self.settings.opts.sheet is None:
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
            if header_area.is_instructions(raw.name):  # 填表说明: words for people, read for its units only
                self.report.notes.append(
                    f"「{raw.name}」是填表说明，不是数据表，未导入（其中写的金额单位用于没写单位的金额列）"
                )
                return None
            self.report.problems.append(Problem(raw.name, None, "", None, exc.message))
            return None

    def _sheet(self, p: sheetplan.SheetPlan) -> bool:
        raw = p.raw
        self.explicit = columns.for_sheet(self.settings.map_all, raw.name)
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
        if p.spec is None and p.kind is None and self.settings.only_kind is None:
            said = self._detail_headers(raw, table)
            if said is not None:
                self._problem(SheetReport(raw.name, ""), said)
                return True
        if p.spec is None:
            ok = self._item_sheet(raw, table, p.kind)
        else:
            ok = self._detail_sheet(raw, table, p.spec)
        if len(self.report.sheets) > known:
            self._facts(raw, table, self.report.sheets[-1])
        return ok

    def _detail_headers(self, raw: RawSheet, table: Table) -> Problem | None:
        """A sheet named for nothing whose headers are a detail sheet's (月份 and 本月到位资金: a
        到位资金 sheet) that no list has: refused with the fix — read as a list by its other
        headers (项目名称), its figures would be dropped as unknown columns."""
        from .details import REQUIRED

        if columns.kind_column(self.defs, table.header, self.explicit) is not None:
            return None  # rows of several lists (a 清单 column)
        kind = columns.guess_kind(self.defs, table.header)[0]
        item = {
            t.column
            for k in ([kind] if kind is not None else self.defs.kinds)
            for t in columns.map_item_columns(self.defs, k, table.header, self.explicit).targets
        }
        for spec in self.specs.values():
            if not spec.name_words:  # (产业链, 招商主体 have names only a list has too)
                continue
            mapping = columns.map_detail_columns(spec, table.header, self.explicit)
            own = [t for t in mapping.targets if t.key in REQUIRED[spec.key] and t.key != "item_id"]
            if len(own) < len([k for k in REQUIRED[spec.key] if k != "item_id"]) or all(t.column in item for t in own):
                continue
            money = [t for t in mapping.targets if t.col is not None and t.col.type == "money"]
            if spec.key == "funds" and all(t.column in item for t in money):
                continue  # (a 月份 column alone says no 到位资金)
            shown = "、".join(f"「{t.header}」" for t in mapping.targets if t.column not in item)
            return Problem(
                raw.name, None, "", None,
                f"表头{shown}是「{spec.name}」表的列，不是清单的：是{spec.name}表就把工作表改名为「{spec.name}」"
                f"（或用 {option('kind')} {spec.name}）再导入",
            )  # fmt: skip
        return None

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
        if self.settings.values_only:
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
            only_kind=self.settings.only_kind,
            masked=self.settings.masked,
            mode=self.settings.mode,
            cells=self.cells,
            inferred=self.inferred,
            facts=lambda: self._sheet_facts(raw),
            option=option,
            workbook_unit=self._instructions_unit,
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
            titled = sheet_rules.title_unit(raw.name, table, self.units.names)
            own_units = any(t.key == "unit" for maps in sh.maps.values() for t, _p in maps.values())
            if (
                hit is not None
                and not own_units  # rows naming their unit: the line and title name none of them
                and titled is not None
                and self.units.known(titled.name) not in (None, hit)
            ):
                reason = sheet_rules.units_disagree(said_unit, titled)
                self._problem(rep, Problem(raw.name, None, "标题", titled.name, reason))
                return True
            if hit is not None:
                sh.default_unit, sh.unit_inference = hit, said_unit.inference
            else:
                rep.notes.append(
                    f"填报单位「{said_unit.name}」不是已有的招商主体，未使用（是的话请先 zs unit add {said_unit.name}）"
                )
        elif (titled := sheet_rules.title_unit(raw.name, table, self.units.names)) is not None:
            hit = self.units.known(titled.name)
            sh.default_unit, sh.unit_inference = hit, titled.inference
            if hit is not None and self.units.ranked(hit):
                # 「爱辉区2026年10月…」: a ranked county's report like one with a 填报单位 line —
                # it waits for 认定 (a title naming a department or no unit: the office's own sheet)
                self.submission.said_by.append(titled.name)
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
        rows = self._chain_headings(sh, table, rows)
        money = itemsheet.amounts(sh)
        facts = {c for maps in sh.maps.values() for c, (t, _p) in maps.items() if t.key == "status" or t.is_date}
        for row, sub in sheet_rules.sum_rows(sheet_rules.sub_rows(rows, money), money, facts):
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

    def _chain_headings(self, sh: SheetContext, table: Table, rows: Iterator[DataRow]) -> Iterator[DataRow]:
        """The rows of ``sh`` without the rows that are a chain's bare name in the name column
        (「绿色矿业」): group headings (:func:`.sheet_rules.chain_headings`), listed with the rows
        and as an inference; the rows under them carry their chain."""
        names = {c for maps in sh.maps.values() for c, (t, _p) in maps.items() if t.key == "title"}
        for row, heading in sheet_rules.chain_headings(rows, self.chains.names, names):
            if heading is None:
                yield row
                continue
            name = sh.raw.name
            table.fates.append(RowFate(row.number, row.number, RowClass.section, f"「{heading.text}」是分组标题"))
            sh.report.notes.append(f"第{row.number}行为分组标题，已跳过")
            self.inferred.add(
                Rule.group_heading, name, heading.chain[1], f"第{row.number}行「{heading.text}」", heading.inference,
                column="产业链", row=row.number,
            )  # fmt: skip

    def _instructions_unit(self) -> list[header_area.SaidElsewhere]:
        """The money units the workbook's sheets of instructions (填表说明 …) state, read once —
        also when --sheet imports only a data sheet."""
        cache = self._caches.setdefault("instructions", {})
        if "units" not in cache:
            said: list[header_area.SaidElsewhere] = []
            if self.file.suffix.lower() in WORKBOOK_SUFFIXES:
                try:
                    for raw in read_file(self.file):
                        if header_area.is_instructions(raw.name):
                            said += header_area.instructions_money_unit(raw.name, raw.rows)
                except ZsError:
                    said = []  # (a sheet that cannot be read is reported where it is imported)
            cache["units"] = said
        return list(cache["units"])

    def _sheet_facts(self, raw: RawSheet) -> SheetFacts:
        """What the workbook shows besides values (hidden rows, merged areas …), read once."""
        cache = self._caches.setdefault("facts", {})
        facts = cache.get(raw.name)
        if facts is None:
            if self.settings.values_only:
                facts = SheetFacts(checked=False)
            else:
                facts = sheet_facts(self.file, raw.name)
            cache[raw.name] = facts
        return facts

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
            only_kind=self.settings.only_kind,
            kind_of=self._kind_of,
            explicit=self.explicit,
            inferred=self.inferred,
            option=option,
            confirm=self.settings.opts.confirm,
            plain=self.settings.mode is Mode.plain,
        )
        if got.other_kind:
            sh.report.count(RowOutcome.skipped, row.number)
            return
        kind = got.kind
        if kind is None:
            self._reject_cells(sh, row.number, row.cells, got.problems)
            return
        values = got.values
        own_stage = "status" in values
        if row.heading is not None and ("status" not in values or "unit" not in values):
            problem = self.headings.fill(sh.raw.name, row.number, row.heading, kind, values)
            if problem is not None:
                got.problems.append(problem)
        timing = self._stage_said(sh, row, kind, values, got.problems)
        if "status" not in values and kind.pipeline:
            got.problems.extend(self._remark_stage(sh, row, kind))
        r = ItemRow(
            sh, row.number, row.cells, kind, values, problems=got.problems, heading=row.heading,
            chain_heading=row.chain_heading,
        )  # fmt: skip
        r.timing = timing
        r.stage_said = not own_stage and "status" in values
        r.ref = values.pop("id", None)
        r.reason = values.pop("reason", None)
        values.pop("kind", None)
        self.rows.pending.append(r)
        self.done += 1
        if self.progress is not None and self.done % _PROGRESS_EVERY == 0:
            self.progress(sh.raw.name, self.done)
        if len(self.rows.pending) >= BATCH:
            self.rows.flush()

    def _remark_stage(self, sh: SheetContext, row: DataRow, kind: KindDef) -> list[Problem]:
        """A row without a stage on a sheet without a 状态 column whose 备注 (or 推进情况) says it
        reached one on a day (「已于10月8日签约」, :func:`.sheet_rules.remark_stage`): refused —
        imported, it would come in at the first stage and the remark's stage and day be lost.
        (--map 备注=状态 reads no day and no such words: the fix is a 状态 column.)"""
        maps = sh.maps.get(kind.key, {})
        if any(t.key == "status" for t, _p in maps.values()):
            return []  # (a status column left empty is the row's own word)
        resolve = lambda text: items.resolve_status(kind, text)  # noqa: E731
        for col, (t, _p) in maps.items():
            raw = row.cells.get(col)
            if t.key not in ("notes", "progress") or not isinstance(raw, str):
                continue
            said = sheet_rules.remark_stage(raw, resolve)
            if said is None:
                continue
            date_key = stages.date_fields(kind).get(said.stage)
            label = self.defs.field(kind, date_key).label if date_key else "日期"
            first = stages.stages_of(kind)[0]
            return [Problem(
                sh.raw.name, row.number, t.where, raw,
                f"「{said.words}」说本行已到「{said.stage}」（{said.date}），本表却没有状态列：照此导入会记为"
                f"「{first}」，{t.header}里的阶段和日期都会丢掉。请在表中加「状态」列（本行填「{said.stage}」）"
                f"和「{label}」列（填实际日期，如 2026-10-08）再导入；说的只是打算、还没到这一步的，"
                f"请把{t.header}写清楚（如「拟于12月签约」）",
            )]  # fmt: skip
        return []

    def _stage_said(
        self, sh: SheetContext, row: DataRow, kind: KindDef, values: dict[str, Any], problems: list[Problem]
    ) -> tuple[sheet_rules.Timing, str, str] | None:
        """What the sheet's name or title says of the row's stage (「签约项目」, 「…新开工项目表」): the
        stage of a row without one (listed as inferred), or its problem when the words name no stage
        one can tell; and when the row reached it — its heading's words first (「二、续建项目」)."""
        name = sh.raw.name
        cache = self._caches.setdefault("sheet_stage", {})
        key = (name, kind.key)
        if key not in cache:
            cache[key] = sheet_rules.sheet_stage(
                name, self._captions.get(name, []), lambda text: items.resolve_status(kind, text)
            )
        sheet_said: tuple[sheet_rules.StageWords, str] | None = cache[key]
        if "status" not in values and sheet_said is not None and kind.pipeline:
            said, where = sheet_said
            if said.stage is not None:
                values["status"] = said.stage
                self.inferred.add(
                    Rule.sheet_stage, name, said.stage, where,
                    f"{where}说的是「{said.words}」：没有状态的行记为「{said.stage}」（不对时请在表中加「状态」列）",
                    column="状态", row=row.number,
                )  # fmt: skip
            else:
                problems.append(Problem(
                    name, row.number, "状态", None,
                    f"{where}说的是「{said.words}」，认不出是哪个阶段，本行也没有状态：请在表中加「状态」列填写"
                    f"（或用 zs synonym add {kind.name} 状态 <阶段> <叫法> 教给系统）",
                ))  # fmt: skip
        timing: tuple[sheet_rules.Timing, str, str] | None = None
        if row.heading is not None:
            facts = self.headings.facts(name, row.heading, kind)
            if facts.said is not None and facts.said.timing is not None and facts.said.stage is not None:
                timing = facts.said.timing, facts.said.stage, f"分组标题「{row.heading}」"
        if timing is None and sheet_said is not None:
            said, where = sheet_said
            if said.timing is not None and said.stage is not None:
                timing = said.timing, said.stage, where
        if timing is not None and timing[0] is sheet_rules.Timing.before and sh.period_start is not None:
            date_key = stages.date_fields(kind).get(timing[1])
            day = values.get(date_key) if date_key else None
            if day is not None and str(day) >= sh.period_start:  # 「续建」 started in the period: which is it?
                label = self.defs.field(kind, date_key).label if date_key else "日期"
                problems.append(Problem(
                    name, row.number, label, day,
                    f"本行在{timing[2]}下，是报告期之前就到了「{timing[1]}」的项目，{label} {day} 却在报告期"
                    f"（从 {sh.period_start} 起）之内：是本期新「{timing[1]}」的就列到新{timing[1].removeprefix('已')}"
                    f"项目下，是续建的请核对{label}",
                ))  # fmt: skip
        return timing

    # -- deciding and writing item rows ------------------------------------------------
    def _move_date(self, sh: SheetContext, table: Table) -> None:
        """The sheet's date for moves without their own (:func:`.sheet_rules.move_date`)."""
        got = sheet_rules.move_date(
            sh.raw.name,
            table,
            as_of=self.settings.opts.as_of,
            today=dt.date.fromisoformat(self.settings.today),
            option=option,
        )
        sh.move_date, sh.move_source, sh.move_inference = got.date, got.source, got.inference
        if got.source in decide.SHEET_DAYS:
            self.sheet_days.append(got.date)
        sh.filed, sh.filed_key = got.filed, got.filed_key
        sh.period_start = got.period_start
        self._captions[sh.raw.name] = table.captions

    def settle(self) -> None:
        """Wait for the writer and put the history triggers back (see :meth:`BatchWriter.settle`)."""
        self.out.settle()

    def _reject_cells(self, sh: SheetContext, number: int, cells: dict[int, object], problems: list[Problem]) -> None:
        self.report.problems.extend(problems)
        sh.report.count(RowOutcome.rejected, number)
        if self.rejects is not None:
            self.rejects.add(sh.raw.name, sh.header, number, cells, [p.reason for p in problems])

    # -- the other sheets --------------------------------------------------------------
    def _sheet_unit(self, raw: RawSheet, table: Table) -> tuple[str, str] | None:
        """The existing unit a detail sheet says it is of (its 填报单位 line, else the unit
        its title begins with) and which of the two said it; None when it names none.  A
        填报单位 line, or a title beginning with a ranked county, makes the sheet another unit's
        submission, as on an item sheet: what it brings (its 到位资金) waits for 认定."""
        said = sheet_rules.reporting_unit(raw.name, table, self.units.names)
        if said is not None:
            self.submission.said_by.append(said.name)
            hit = self.units.known(said.name)
            return (self.units.names[hit], "填报单位") if hit is not None else None
        titled = sheet_rules.title_unit(raw.name, table, self.units.names)
        if titled is None:
            return None
        hit = self.units.known(titled.name)
        if hit is not None and self.units.ranked(hit):
            # 「爱辉区2026年10月到位资金」: a ranked county's report, as on an item sheet
            self.submission.said_by.append(titled.name)
        return (titled.name, "标题")

    def _detail_sheet(self, raw: RawSheet, table: Table, spec: layout.SheetSpec) -> bool:
        from . import details

        self.rows.flush()
        self.settle()
        rep = SheetReport(raw.name, spec.name, header_row=table.header_row)
        self.report.sheets.append(rep)
        if self.rejects is not None:
            self.rejects.table(raw.name, table.header_row, table.header)
        self.map_keys.seen(raw.name, table.header)
        units = money_units.sheet_units(
            raw.name,
            table.meta,
            table.header,
            workbook_unit=self._instructions_unit,
            named_columns=columns.detail_named_columns(spec, table.header, self.explicit),
        )
        for p in units.early:
            self._problem(rep, p)
        mapping = columns.map_detail_columns(spec, units.header, self.explicit, masked=self.settings.masked)
        money_units.record(raw.name, units, mapping.targets, self.inferred)
        rep.notes.extend(mapping.notes)
        for p in details.several_months_columns(raw.name, spec, mapping):
            self._problem(rep, p)
        for p in fates.detail_problems(raw.name, spec.name, mapping, explain=units.explain):
            self._problem(rep, p)
        context = details.DetailContext(
            self.db,
            self.settings,
            self.report,
            self.rejects,
            self.chains,
            self.units,
            self.rows.ids,
            self.out,
            self.explicit,
            self.inferred,
        )
        handler = details.Handler(
            context,
            spec,
            raw,
            units.header,
            mapping,
            rep,
            captions=table.captions,
            unit=self._sheet_unit(raw, table),
            unit_cells=self._sheet_facts(raw).unit_cells,
        )
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
        rep.columns = fates.detail_columns(mapping, table, units.header)
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
