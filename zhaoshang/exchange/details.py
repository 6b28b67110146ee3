"""Import of the sheets besides the lists: 产业链, 招商主体, 对接记录, 到位资金, 前期手续, 服务专班.

Each row is matched to what exists by its natural key, so importing the same sheet twice
changes nothing and a roll-up never doubles a row:

* 产业链 / 招商主体 — by 编号 (a round trip) or name.  In a roll-up an office's chains and units
  that do not exist here are created with their details; existing ones are left as they are
  (the city's own leaders and units stay the city's).
* 对接记录 — by 记录号 (a round trip), else by item, date, type and content.
* 到位资金 — by item and month; 前期手续 — by item and step; 服务专班 — by item, role and name.

An item is named by its 条目编号 (translated through ``origin`` in a roll-up).  A blank cell
keeps the stored value (``--blank clear`` empties it), like on the item sheets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .. import lookups
from ..definitions import KindDef
from ..errors import ParseError, ZsError
from ..hints import option
from ..parse import normalize_key, parse_bool, parse_date, parse_month
from . import fates
from .cells import money_parser, positive_id, same_value, unformula
from .columns import Mapping, Target
from .inference import Inference, Inferences, Rule
from .itemnames import ByName, Candidate, ItemsByName, Match, Titles, same_name
from .layout import SheetSpec
from .outcome import Mode, Problem, RowOutcome, SheetReport
from .readers import RawSheet
from .rows import money_cell
from .tables import DataRow, HeaderCell

if TYPE_CHECKING:
    from ..db import Database
    from .identity import ItemIds
    from .outcome import ImportOptions, ImportReport
    from .run import RunSettings
    from .writer import BatchWriter

#: the columns each detail sheet must have (by key)
REQUIRED = {
    "chains": ("name",),
    "units": ("name",),
    "activities": ("item_id", "date", "summary"),
    "funds": ("item_id", "month"),
    "approvals": ("item_id", "step"),
    "team": ("item_id", "role", "name"),
}


#: words that make a figure a sum of several months (「累计」「1—10月」「本年」「第三季度」「上半年」)
_SEVERAL_MONTHS = re.compile(
    r"累计|累积|年初|以来|全年|本年|今年|当年|年度|季度|[上下]半年|前\s*[0-9一二三四五六七八九十]{1,2}\s*个?月"
    r"|[0-9一二三四五六七八九十]{1,2}\s*月?\s*[-—–~～至到]+\s*[0-9一二三四五六七八九十]{1,2}\s*月"
)
#: a year as a title or header names it (「2026年度」): not a period of several months by itself
_A_YEAR = re.compile(r"20[0-9]{2}\s*年度?")


def several_months(text: str) -> str | None:
    """The words of ``text`` (a funds column's header, a sheet's title) that say its figure is a
    sum of several months — 「累计」「1-11月」「本年」「年度」「第三季度」「上半年」 — or None.
    (「2026年度」 alone names the year, not a sum.)"""
    from ..parse import to_halfwidth, to_simplified

    plain = _A_YEAR.sub("", to_simplified(to_halfwidth(text)))
    m = _SEVERAL_MONTHS.search(plain)
    return m.group(0).strip() if m is not None else None


def several_months_columns(sheet: str, spec: SheetSpec, mapping: Mapping) -> list[Problem]:
    """The problems of a 到位资金 sheet's amount columns whose header says the figure is a sum of
    several months (「累计到位资金」「1-10月到位资金」「本年到位外资」): never stored as one month's
    到位资金, whatever --map says.  A column no header matcher knew is taken out of
    ``mapping.unknown`` (its 「用 --map 指定」 would lead to exactly that)."""
    if spec.key != "funds":
        return []
    out: list[Problem] = []
    money = [(t.column, t.letter, t.header) for t in mapping.targets if t.col is not None and t.col.type == "money"]
    funds_words = ("到位", "资金", "内资", "外资", "投资", "金额")
    for h in list(mapping.unknown.values()):
        if any(w in h.text for w in funds_words) and several_months(h.text) is not None:
            money.append((h.column, h.letter, h.text))
            del mapping.unknown[h.column]
    for _column, letter, header in money:
        words = several_months(header)
        if words is None:
            continue
        out.append(
            Problem(
                sheet, None, f"{letter}列「{header}」", None,
                f"表头说「{words}」：这一列是几个月的累计数，不是一个月的到位资金，不能记为哪一个月的。"
                "到位资金按月记：请填每个月当月到位的金额（表头如「本月到位资金（万元）」，每月一行写明「月份」）",
            )
        )  # fmt: skip
    return out


class NameResolver(Protocol):
    """Chains or units by name, as the import knows them (created ones included)."""

    def resolve(self, raw: object) -> int: ...

    def known(self, name: str) -> int | None: ...

    def add(self, rid: int, name: str) -> None: ...

    @property
    def names(self) -> dict[int, str]: ...


@dataclass(frozen=True, slots=True)
class DetailContext:
    """What a detail-sheet handler needs of the import it runs in — and all it may use: the
    run's settings, the report, the rejected rows, the chains and units, the items' ids and
    the writer, each passed in explicitly (:class:`~.importer.ItemSheets` makes one)."""

    db: Database
    settings: RunSettings
    report: ImportReport
    rejects: Any
    chains: NameResolver
    units: NameResolver
    #: the items of the file by their 编号 (:class:`~.identity.ItemIds`)
    ids: ItemIds
    #: the writer the detail rows are queued on (:class:`~.writer.BatchWriter`)
    out: BatchWriter
    explicit: dict[str, str]
    """The user's column map for this sheet (column letter or header -> field, or 忽略)."""
    inferred: Inferences
    """What the import inferred rather than read (an item found by its name …)."""

    @property
    def opts(self) -> ImportOptions:
        return self.settings.opts

    @property
    def mode(self) -> Mode:
        return self.settings.mode

    @property
    def user(self) -> str:
        return self.settings.user

    @property
    def ts(self) -> str:
        return self.settings.ts

    @property
    def today(self) -> str:
        return self.settings.today

    @property
    def text_source(self) -> bool:
        """The file is csv/tsv: undo the ``'`` export puts before formula-looking text."""
        return self.settings.text_source

    @property
    def skipped_refs(self) -> set[int]:
        """File 编号 of items not imported: their detail rows are skipped, not errors."""
        return self.ids.skipped_refs

    def item_id(self, ref: int) -> int | None:
        """Our id of the item a file's 编号 names."""
        return self.ids.item_id(ref)

    def item_kind(self, item_id: int) -> KindDef:
        return self.db.defs.kind_by_key(self.ids.kind_key(item_id))

    def settle(self) -> None:
        """Wait until the item writes queued so far are done (history triggers in place)."""
        self.out.settle()

    def flush_details(self, only: str | None = None) -> None:
        """Insert the detail rows queued so far (of one table, or all)."""
        self.out.flush_details(only)

    def queue_insert(self, table: str, cols: list[str], row: tuple[Any, ...]) -> None:
        self.out.queue_insert(table, cols, row)


class Handler:
    """One detail sheet (对接记录, 到位资金 …): parse each row, match it to what exists by its
    natural key, queue the inserts; given its :class:`DetailContext` explicitly."""

    def __init__(
        self,
        run: DetailContext,
        spec: SheetSpec,
        raw: RawSheet,
        header: list[HeaderCell],
        mapping: Mapping,
        rep: SheetReport,
        *,
        captions: Sequence[str] = (),
        unit: tuple[str, str] | None = None,
        unit_cells: dict[tuple[int, int], str] | None = None,
    ) -> None:
        self.run = run
        self.spec = spec
        self.raw = raw
        self.header = header
        self.mapping = mapping
        self.rep = rep
        self.parsers: dict[int, tuple[Target, Callable[[object], Any]]] = {
            t.column: (t, self._parser(t)) for t in mapping.targets
        }
        self.present = {t.key for t in mapping.targets}
        #: the columns when the sheet was mapped: a header-less column found further down is not
        self.mapped = {h.column for h in header}
        self.batch: list[tuple[dict[str, Any], DataRow]] = []
        self.existing: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._steps: dict[tuple[str, str], str] = {}
        #: the items named by 名称 when the sheet has no 条目编号 (made at the first such row)
        self._names: ItemsByName | None = None
        #: the titles of the items the rows name by 编号, to check the 名称 beside it
        self._titles: Titles | None = None
        #: 到位资金 without a 月份 column: the month the title reports on, and what says so
        self._month: tuple[str, Inference] | None = None
        self._captions = list(captions)
        #: the unit the sheet says it is of (填报单位 line or title) and where it says so: an
        #: item found by its name must be that unit's
        self._unit = unit
        #: (row, column) of number cells whose format writes a money unit after them → that unit
        self._unit_cells = unit_cells or {}
        self._money = {t.column for t in mapping.targets if t.col is not None and t.col.type == "money"}
        #: 到位资金 whose title spans several months (「1-11月」「累计」) and which has a 月份
        #: column: its rows are held until two months differ (a listing of months); a sheet
        #: whose rows all name one month is that month's sum of several months — refused
        self._span: tuple[str, str | None] | None = None
        self._held: list[tuple[dict[str, Any], DataRow]] = []
        self._held_months: set[str] = set()

    # -- setup -------------------------------------------------------------------------
    def ready(self) -> bool:
        missing = [k for k in REQUIRED[self.spec.key] if k not in self.present]
        if "item_id" in missing and "item_title" in self.mapping.refs:
            missing.remove("item_id")  # found by its name, row by row
        if "month" not in missing and self.spec.key == "funds":
            self._span = self._title_span()
        if "month" in missing and self.spec.key == "funds":
            said = self._title_month()
            if isinstance(said, Problem):
                self.run.report.problems.append(said)
                return False
            if said is not None:
                missing.remove("month")
        if missing:
            labels = "、".join(self.spec.col(k).header for k in missing)
            self.run.report.problems.append(
                Problem(self.raw.name, None, "", None, f"缺少必需的列：{labels}（可用 {option('mapping')} 指定）")
            )
            return False
        return True

    def _title_span(self) -> tuple[str, str | None] | None:
        """The words of a 到位资金 sheet's title that name several months (「2026年1-11月」, a
        quarter, 「累计」) and the last month of that period (「2026-11」: the month a sum runs
        to; None when the words name no months), or None."""
        from .header_area import report_period

        period = report_period(self._captions)
        if period is not None and (period.start.year, period.start.month) != (period.end.year, period.end.month):
            return period.text, period.end.strftime("%Y-%m")
        words = next((w for c in self._captions if (w := several_months(c)) is not None), None)
        return (words, None) if words is not None else None

    def _title_month(self) -> Problem | str | None:
        """到位资金 without a 月份 column: the one month the title reports on (kept as the
        rows' month, an inference), a problem when the title names a longer period (its sums
        are no month's), or None when it names none."""
        from .header_area import report_period

        period = report_period(self._captions)
        if period is None:
            return None
        if (period.start.year, period.start.month) != (period.end.year, period.end.month):
            why = (
                f"没有「月份」列，标题说的是「{period.text}」：到位资金按月记，几个月的合计不能拆到月。"
                "请加一列「月份」写明每行是哪个月的到位资金（如 2026-10），或用只报一个月的表"
            )
            return Problem(self.raw.name, None, "", period.text, why)
        month = period.start.strftime("%Y-%m")
        words = next((w for c in self._captions if (w := several_months(c)) is not None), None)
        if words is not None:  # 「2026年10月累计到位资金」: to October, not in October
            why = (
                f"没有「月份」列，标题说的是「{period.text}」的「{words}」：这是几个月的累计数，不是 {month} "
                f"当月的到位资金。请填 {month} 当月到位的金额（加一列「月份」写明，或标题只写「{period.text}」）"
            )
            return Problem(self.raw.name, None, "", words, why)
        inf = self.run.inferred.prepare(
            Rule.report_period,
            self.raw.name,
            month,
            f"标题「{period.text}」",
            f"没有「月份」列：按标题的报告期「{period.text}」记为 {month} 的到位资金",
        )
        self._month = (month, inf)
        return month

    def _item_by_name(self, row: DataRow, problems: list[Problem]) -> int | None:
        """The item the row's 名称 names (no 条目编号 on the sheet), or None with a problem."""
        from ..values import text_of

        ref = self.mapping.refs["item_title"]
        raw = row.cells.get(ref.column)
        name = "" if raw is None else text_of(raw).strip()
        if not name:
            return None  # 「条目编号」必填 follows, naming the column to fill
        chain = None
        chain_ref = self.mapping.refs.get("item_chain")
        raw_chain = row.cells.get(chain_ref.column) if chain_ref is not None else None
        chain_text = "" if raw_chain is None else text_of(raw_chain).strip()
        if chain_text:
            chain_id = self.run.chains.known(chain_text)
            chain = self.run.chains.names.get(chain_id) if chain_id is not None else None
            if chain is None:
                why = "没有这个产业链：按名称找条目时产业链要写本库已有的（zs chain list）"
                problems.append(Problem(self.raw.name, row.number, chain_ref.where, chain_text, why))  # type: ignore[union-attr]
                return None
        if self._names is None:
            kinds = [k.key for k in self.run.db.defs.kinds if self._may_hold(k)]
            self.run.settle()
            self._names = ItemsByName(self.run.db, kinds, origin=self.run.settings.origin)
        got = self._names.find(name, chain)
        fix = "加一列「条目编号」写明编号（zs list 或 zs search 查编号）"
        unit, said = self._unit or (None, "")
        if got.match is Match.several and unit is not None:
            ours = [c for c in got.found if c.unit == unit]
            if len(ours) == 1:
                got = ByName(Match.one, (ours[0],))
        if got.match is Match.one:
            item = got.found[0]
            if unit is not None and item.unit != unit:
                why = (
                    f"叫这个名字的只有{item.text()}，不是{said}的「{unit}」的项目：是同一个项目就在「条目编号」"
                    f"列写明编号 {item.id}；是{unit}的另一个项目就先新增它（zs add），再写它的编号"
                )
                problems.append(Problem(self.raw.name, row.number, ref.where, name, why))
                return None
            self.run.inferred.add(
                Rule.item_by_name, self.raw.name, str(item.id), f"{ref.where}「{name}」",
                f"没有条目编号：按名称「{name}」对应{item.text()}", column=ref.where, row=row.number,
            )  # fmt: skip
            return item.id
        listed = "；".join(c.text() for c in got.found)
        if got.match is Match.several:
            why = f"有 {len(got.found)} 个条目叫这个名字：{listed}。不知道是哪一个：请{fix}"
        elif got.match is Match.alike:
            why = f"没有叫这个名字的条目，名称相近的有：{listed}。是同一个项目就把名称改成一样的，或{fix}"
        else:
            why = "没有叫这个名字的条目：先导入或新增这个项目（zs add），或" + fix
        problems.append(Problem(self.raw.name, row.number, ref.where, name, why))
        return None

    def _may_hold(self, kind: KindDef) -> bool:
        """Whether this sheet's rows may be about items of ``kind``."""
        if self.spec.key == "funds":
            return kind.pipeline
        if self.spec.key == "approvals":
            return bool(kind.approvals)
        return True

    def _parser(self, t: Target) -> Callable[[object], Any]:
        from ..values import text_of

        col = t.col
        assert col is not None
        unescape = self.run.text_source
        if col.type in ("id", "ref", "int"):
            return positive_id
        if col.type == "date":
            return lambda raw: parse_date(raw).isoformat()
        if col.type == "month":
            return parse_month
        if col.type == "money":
            return money_parser("USD" if col.unit == "万美元" else "CNY", t.unit)
        if col.type == "bool":
            return lambda raw: 1 if parse_bool(raw) else 0
        if self.spec.key == "activities" and col.key == "type":
            from ..pipeline.activities import resolve_type

            types: dict[str, str] = {}

            def activity_type(raw: object) -> str:
                text = text_of(raw)
                hit = types.get(text)
                if hit is None:
                    hit = types[text] = resolve_type(text)
                return hit

            return activity_type
        if self.spec.key == "units" and col.key == "type":
            choices = col.choices

            def unit_type(raw: object) -> str:
                text = text_of(raw)
                for c in choices:
                    if normalize_key(c) == normalize_key(text):
                        return c
                raise ParseError(f"「{text}」不是可选的类型。可选：{'、'.join(choices)}")

            return unit_type

        def text(raw: object) -> Any:
            value = raw if raw.__class__ is str else text_of(raw)
            return (unformula(value) if unescape else value) or None

        return text

    # -- rows --------------------------------------------------------------------------
    def row(self, row: DataRow) -> None:
        """Parse and check a row; rows are decided and written in batches (:meth:`flush`)."""
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for col, raw in row.cells.items():
            entry = self.parsers.get(col)
            if entry is None:
                if col not in self.mapped:
                    late = fates.late_column(self.raw.name, row.number, col, raw, self.run.explicit)
                    if late is not None:
                        problems.append(late)
                continue
            t, parse = entry
            try:
                values[t.key] = parse(raw)
            except ZsError as exc:
                problems.append(Problem(self.raw.name, row.number, t.where, raw, exc.message))
                continue
            if col in self._money:  # the checks of money cells on every sheet
                run = self.run
                odd = money_cell(
                    self.raw.name, row.number, t, raw, self._unit_cells.get((row.number, col)),
                    plain=run.mode is Mode.plain, confirm=run.opts.confirm, inferred=run.inferred, option=option,
                )  # fmt: skip
                if odd is not None:
                    problems.append(odd)
        by_name = None
        if values.get("item_id") is None and "item_title" in self.mapping.refs and not problems:
            before = len(problems)
            by_name = values["item_id"] = self._item_by_name(row, problems)
            if len(problems) > before:
                self._reject(row, problems)
                return
        if self._month is not None and "month" not in values:
            values["month"] = self._month[0]
            self.run.inferred.use(self._month[1], row.number)
        for key in REQUIRED[self.spec.key]:
            if values.get(key) is None:
                unreadable = any(p.column == self._where(key) for p in problems)
                if not unreadable:
                    label = self._label(key)
                    problems.append(Problem(self.raw.name, row.number, self._where(key), None, f"「{label}」必填"))
        if not problems and "item_id" in values and by_name is None:
            item = self.run.item_id(values["item_id"])
            if item is None and values["item_id"] in self.run.skipped_refs:
                self.rep.count(RowOutcome.skipped, row.number)  # its item was not imported: reported there
                return
            if item is None:
                ref = values["item_id"]
                why = f"没有编号为 {ref} 的条目（也不在本文件的清单中）"
                problems.append(Problem(self.raw.name, row.number, self._where("item_id"), ref, why))
            else:
                values["item_id"] = item
        if not problems:
            problems = self._check(values, row)
        if problems:
            self._reject(row, problems)
            return
        if self._span is not None and "month" in values:
            self._held_months.add(values["month"])
            if len(self._held_months) < 2:
                self._held.append((values, row))  # a sum of several months or a listing of months?
                return
            if self._held:
                self.batch += self._held
                self._held = []
        self.batch.append((values, row))
        if len(self.batch) >= _BATCH:
            self.flush()

    def _check(self, values: dict[str, Any], row: DataRow) -> list[Problem]:
        """The rules ``zs note`` and ``zs fund`` apply: nothing in the future, a follow-up after
        the meeting."""
        today = self.run.today
        out: list[Problem] = []
        key = self.spec.key
        if key == "activities":
            day, nxt = values.get("date"), values.get("next_date")
            if day and day > today:
                out.append(Problem(self.raw.name, row.number, self._where("date"), day, f"对接日期晚于今天（{today}）"))
            if day and nxt and nxt <= day:
                why = f"下次跟进日期应晚于对接日期 {day}"
                out.append(Problem(self.raw.name, row.number, self._where("next_date"), nxt, why))
        elif key == "funds" and values.get("month") and values["month"] > today[:7]:
            why = f"月份还没到（今天是 {today}）：到位资金只能记已到账的月份"
            out.append(Problem(self.raw.name, row.number, self._where("month"), values["month"], why))
        return out

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if not batch:
            return
        apply = getattr(self, f"_{self.spec.key}")
        table = _TABLES.get(self.spec.key)
        if table is not None:
            self.run.flush_details(table)  # rows added by earlier batches must be seen
        if "item_title" in self.mapping.checks:
            batch = self._names_agree(batch)
        self.existing = self._load([v["item_id"] for v, _ in batch if "item_id" in v])
        for values, row in batch:
            try:
                apply(values, row)
            except ZsError as exc:
                self._reject(row, [Problem(self.raw.name, row.number, "", None, exc.message)])

    def _names_agree(self, batch: list[tuple[dict[str, Any], DataRow]]) -> list[tuple[dict[str, Any], DataRow]]:
        """The rows of ``batch`` whose 名称 is that of the item their 条目编号 names (or blank);
        the others are refused naming both — a county's own 序号 headed 编号, or a number
        copied from the wrong line, would put the row on another project."""
        from ..values import text_of

        check = self.mapping.checks["item_title"]
        column = check.column
        named = [
            (v, r, (raw if raw.__class__ is str else text_of(raw)).strip())
            for v, r in batch
            if (raw := r.cells.get(column)) is not None
        ]
        if not named:
            return batch
        if self._titles is None:
            self._titles = Titles(self.run.db)
        titles = self._titles.of([v["item_id"] for v, _r, name in named if name])
        wrong: set[int] = set()
        for values, row, name in named:
            item = values["item_id"]
            got = titles.get(item)
            if not name or got is None or same_name(name, got):
                continue
            if any(same_name(name, t) for t in self._titles.former(item)):
                continue  # a name it had (our export, renamed since)
            wrong.add(id(row))
            self._reject(row, [self._disagree(row, name, self._titles.item(values["item_id"]))])
        return [(v, r) for v, r in batch if id(r) not in wrong]

    def _disagree(self, row: DataRow, name: str, item: Candidate) -> Problem:
        """Why a row whose 条目编号 names ``item`` and whose 名称 says ``name`` is refused, and
        what to do: the item the name names when there is one."""
        check = self.mapping.checks["item_title"]
        ref = row.cells.get(next(t.column for t in self.mapping.targets if t.key == "item_id"))
        if self._names is None:
            kinds = [k.key for k in self.run.db.defs.kinds if self._may_hold(k)]
            self._names = ItemsByName(self.run.db, kinds, origin=self.run.settings.origin)
        other = self._names.find(name)
        if other.match is Match.one:
            found = other.found[0]
            fix = f"是编号写错了就改成 {found.id}（{found.text()}）；是名称写错了就改正名称"
        else:
            fix = "请核对：是编号写错了就改成这个项目的编号（zs search 查编号），是名称写错了就改正名称"
        why = (
            f"条目编号 {ref} 是{item.text()}，{check.where}写的却是「{name}」，不是同一个项目。{fix}。"
            "表中的编号若是本单位自己的序号（不是本系统的条目编号），就把这一列的表头改为「序号」，按项目名称对应"
        )
        return Problem(self.raw.name, row.number, self._where("item_id"), ref, why)

    def finish(self) -> None:
        held, self._held = self._held, []
        if held and self._span is not None and self._span[1] not in (None, held[0][0]["month"]):
            self.batch += held  # one month of the period, not the month its sums run to: a listing
            held = []
        span = self._span[0] if self._span is not None else ""
        for values, row in held:  # every row names the month a title of several months runs to
            month = values["month"]
            why = (
                f"标题说的是「{span}」（几个月），本表各行的月份却都是 {month}：这是几个月的累计数，"
                f"不是 {month} 当月的到位资金，不能记为这个月的。请填 {month} 当月到位的金额并把标题改成这个月"
                f"（如「{month[:4]}年{int(month[5:])}月到位资金情况」），或每个月一行，分别写明月份和当月到位的金额"
            )
            self._reject(row, [Problem(self.raw.name, row.number, self._where("month"), month, why)])
        self.flush()

    def _reject(self, row: DataRow, problems: list[Problem]) -> None:
        self.run.report.problems.extend(problems)
        self.rep.count(RowOutcome.rejected, row.number)
        if self.run.rejects is not None:
            self.run.rejects.add(self.raw.name, self.header, row.number, row.cells, [p.reason for p in problems])

    def _load(self, item_ids: list[int]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """What the database holds for these items, by natural key -> (id, other columns)."""
        sql = _EXISTING.get(self.spec.key)
        out: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        if sql is None or not item_ids:
            return out
        key_len = _KEY_LEN[self.spec.key]
        ids = sorted(set(item_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.run.db.conn.execute(sql.format(marks=marks), chunk):
                out[tuple(r[:key_len])] = tuple(r[key_len:])
        return out

    def _where(self, key: str) -> str:
        t = next((t for t in self.mapping.targets if t.key == key), None)
        return t.where if t else ""

    def _label(self, key: str) -> str:
        return self.spec.col(key).header

    # -- comparing ---------------------------------------------------------------------
    def _changes(self, values: dict[str, Any], keys: tuple[str, ...], current: dict[str, Any]) -> dict[str, Any]:
        """The columns to set: differing present values, and blanks when --blank clear."""

        out: dict[str, Any] = {}
        for k in keys:
            if k in values:
                if not same_value(current.get(k), values[k]):
                    out[k] = values[k]
            elif k in self.present and current.get(k) not in (None, ""):
                if self.run.opts.blank == "clear":
                    out[k] = None
                else:
                    self.run.report.blank_kept += 1
        return out

    def _update(self, table: str, rid: int, changes: dict[str, Any], number: int) -> None:
        if not changes:
            self.rep.count(RowOutcome.unchanged, number)
            return
        cols = ", ".join(f'"{k}" = ?' for k in changes)
        self.run.settle()  # the history triggers must be in place
        self.run.db.conn.execute(f'UPDATE "{table}" SET {cols} WHERE id = ?', [*changes.values(), rid])
        self.rep.count(RowOutcome.updated, number)

    def _stamped(self, changes: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        if changes:
            changes["user"] = values.get("user") or self.run.user
            changes["at"] = self.run.ts
        return changes

    # -- 产业链 / 招商主体 ----------------------------------------------------------------
    def _named(self, ent: lookups.Entity, values: dict[str, Any], keys: tuple[str, ...], number: int) -> None:
        from ..db import now

        run = self.run
        names = run.chains if ent is lookups.CHAIN else run.units
        name = str(values["name"])
        target: int | None = None
        if run.mode is Mode.own and values.get("id"):
            row = run.db.conn.execute(f"SELECT id FROM {ent.table} WHERE id = ?", (values["id"],)).fetchone()
            target = int(row[0]) if row else None
        if target is None:
            target = names.known(name)
        if target is None:
            data = {k: values[k] for k in keys if values.get(k) is not None}
            rid = lookups.create(run.db, ent, name, data)
            names.add(rid, name)
            if run.mode is Mode.rollup:
                (run.report.created_chains if ent is lookups.CHAIN else run.report.created_units).append(name)
            self.rep.count(RowOutcome.added, number)
            return
        if run.mode is Mode.rollup:
            self.rep.count(RowOutcome.unchanged, number)  # an office's roll-up never rewrites our own chains and units
            return
        cols = ("name", *keys)
        cur = run.db.conn.execute(f"SELECT {', '.join(cols)} FROM {ent.table} WHERE id = ?", (target,)).fetchone()
        changes = self._changes(values, cols, dict(zip(cols, cur, strict=True)))
        if "name" in changes:
            clash = run.db.conn.execute(
                f"SELECT id FROM {ent.table} WHERE name = ? AND id != ?", (changes["name"], target)
            ).fetchone()
            if clash:
                raise ZsError(f"{ent.noun}「{changes['name']}」已存在：名称不能重复")
            names.add(target, str(changes["name"]))
        if changes:
            changes["updated_at"] = now()
        self._update(ent.table, target, changes, number)

    def _chains(self, values: dict[str, Any], row: DataRow) -> None:
        self._named(
            lookups.CHAIN, values, ("leader", "lead_unit", "coop_units", "task_force", "description"), row.number
        )

    def _units(self, values: dict[str, Any], row: DataRow) -> None:
        self._named(lookups.UNIT, values, ("type", "leader", "contact", "ranked"), row.number)

    # -- 对接记录 ---------------------------------------------------------------------------
    def _activities(self, values: dict[str, Any], row: DataRow) -> None:
        run = self.run
        item = values["item_id"]
        values.setdefault("type", "对接")
        keys = ("type", "date", "summary", "next_date")
        if run.mode is Mode.own and values.get("id"):
            cur = run.db.conn.execute(
                "SELECT item_id, type, date, summary, next_date FROM activities WHERE id = ?", (values["id"],)
            ).fetchone()
            if cur is not None and cur[0] == item:
                changes = self._changes(values, keys, dict(zip(keys, cur[1:], strict=True)))
                self._update("activities", int(values["id"]), changes, row.number)
                return
        key = (item, values["date"], values["type"], values["summary"])
        found = self.existing.get(key)
        if found is not None:
            if found[0] is None:  # added earlier in this import
                self.rep.count(RowOutcome.unchanged, row.number)
                return
            changes = self._changes(values, ("next_date",), {"next_date": found[1]})
            self._update("activities", int(found[0]), changes, row.number)
            return
        self.existing[key] = (None, values.get("next_date"))
        run.queue_insert(
            "activities",
            ["item_id", "type", "date", "summary", "next_date", "user", "at"],
            (item, values["type"], values["date"], values["summary"], values.get("next_date"),
             values.get("user") or run.user, run.ts),
        )  # fmt: skip
        self.rep.count(RowOutcome.added, row.number)

    # -- 到位资金 ----------------------------------------------------------------------------
    def _funds(self, values: dict[str, Any], row: DataRow) -> None:
        run = self.run
        item = values["item_id"]
        kind = run.item_kind(item)
        if not kind.pipeline:
            raise ZsError(f"到位资金只能记在项目上：编号 {item} 是「{kind.name}」清单的条目")
        if values.get("domestic") is None and values.get("foreign_usd") is None:
            self.rep.count(RowOutcome.skipped, row.number)
            return
        key = (item, values["month"])
        found = self.existing.get(key)
        if found is not None:
            if found[0] is None:
                raise ZsError(f"编号 {item} 的 {values['month']} 到位资金在本文件中出现了不止一次")
            current = {"domestic": found[1], "foreign_usd": found[2]}
            changes = self._changes(values, ("domestic", "foreign_usd"), current)
            self._update("funds", int(found[0]), self._stamped(changes, values), row.number)
            return
        self.existing[key] = (None, None, None)
        run.queue_insert(
            "funds",
            ["item_id", "month", "domestic", "foreign_usd", "user", "at"],
            (item, values["month"], values.get("domestic"), values.get("foreign_usd"),
             values.get("user") or run.user, run.ts),
        )  # fmt: skip
        self.rep.count(RowOutcome.added, row.number)

    # -- 前期手续 ----------------------------------------------------------------------------
    def _approvals(self, values: dict[str, Any], row: DataRow) -> None:
        run = self.run
        item = values["item_id"]
        kind = run.item_kind(item)
        if not kind.approvals:
            raise ZsError(f"编号 {item} 是「{kind.name}」清单的条目，没有前期手续")
        step = self._step(kind, str(values["step"]))
        key = (item, step)
        found = self.existing.get(key)
        if found is not None:
            if found[0] is None:
                raise ZsError(f"编号 {item} 的「{step}」在本文件中出现了不止一次")
            changes = self._changes(values, ("date", "note"), {"date": found[1], "note": found[2]})
            self._update("approvals", int(found[0]), self._stamped(changes, {}), row.number)
            return
        self.existing[key] = (None, None, None)
        run.queue_insert(
            "approvals",
            ["item_id", "step", "date", "note", "user", "at"],
            (item, step, values.get("date"), values.get("note"), run.user, run.ts),
        )
        self.rep.count(RowOutcome.added, row.number)

    def _step(self, kind: KindDef, text: str) -> str:
        from ..pipeline.approvals import resolve_step

        key = (kind.key, text)
        hit = self._steps.get(key)
        if hit is None:
            hit = self._steps[key] = resolve_step(kind, text)
        return hit

    # -- 服务专班 ----------------------------------------------------------------------------
    def _team(self, values: dict[str, Any], row: DataRow) -> None:
        run = self.run
        item = values["item_id"]
        role, name = " ".join(str(values["role"]).split()), " ".join(str(values["name"]).split())
        key = (item, role, name)
        found = self.existing.get(key)
        if found is not None:
            if found[0] is None:
                self.rep.count(RowOutcome.unchanged, row.number)
                return
            changes = self._changes(values, ("org", "phone"), {"org": found[1], "phone": found[2]})
            self._update("team_members", int(found[0]), self._stamped(changes, {}), row.number)
            return
        self.existing[key] = (None, None, None)
        run.queue_insert(
            "team_members",
            ["item_id", "role", "name", "org", "phone", "user", "at"],
            (item, role, name, values.get("org"), values.get("phone"), run.user, run.ts),
        )
        self.rep.count(RowOutcome.added, row.number)


_BATCH = 2000
#: existing rows of the items of a batch: natural key columns first, then (id, values …)
_EXISTING = {
    "activities": "SELECT item_id, date, type, summary, id, next_date FROM activities WHERE item_id IN ({marks})",
    "funds": "SELECT item_id, month, id, domestic, foreign_usd FROM funds WHERE item_id IN ({marks})",
    "approvals": "SELECT item_id, step, id, date, note FROM approvals WHERE item_id IN ({marks})",
    "team": "SELECT item_id, role, name, id, org, phone FROM team_members WHERE item_id IN ({marks})",
}
_TABLES = {"activities": "activities", "funds": "funds", "approvals": "approvals", "team": "team_members"}
_KEY_LEN = {"activities": 4, "funds": 2, "approvals": 2, "team": 3}
