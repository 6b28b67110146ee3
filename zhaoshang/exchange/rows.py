"""The rows of an item sheet, step by step, as django-import-export's ``Resource.import_row``
runs them: each step a function that takes what the step before returned and returns its own
result — no step reads or writes the import's state behind the caller's back.

1. :func:`parse_row` — the row's list (kind) and every cell parsed by its column's parser;
   what a cell could not be is a :class:`~.outcome.Problem` of the row;
2. :func:`match_ref` — the item a row's 编号 names (ours, or the office's in a roll-up), or why
   it names none that this row may change (:class:`Match`, :class:`MatchBy`); the names and
   项目编码 matchers run when a row without an item is about to be added
   (:func:`~.matching.by_code`, :class:`~.matching.NameIndex`, run by :class:`~.itemrows.ItemRows`);
3. :func:`diff_row` — exactly the fields that differ, and the blank cells that keep a value
   (:class:`Diff`);
4. the decision — a :class:`~.decide.Decision` from these results (:mod:`~.decide`), carried
   out by :class:`~.itemrows.ItemRows`; every row ends in one :class:`~.outcome.RowOutcome`.

The context a sheet gives its rows (:class:`SheetContext`: its column parsers, its inferences —
default unit, move date) is built once per sheet and passed in.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import items
from ..choices import Blank, Confirm
from ..definitions import FieldDef, KindDef
from ..errors import ZsError
from ..parse import PLAUSIBLE_FROM_YEAR, format_money, month_only, normalize_key, to_halfwidth
from . import fates
from .cells import same_value
from .columns import Target
from .inference import DateSource, Inference, Inferences, Rule
from .outcome import Mode, Problem, SheetReport, show_value
from .readers import RawSheet
from .sheet_rules import Timing
from .tables import DataRow, HeaderCell

__all__ = [
    "Current",
    "Diff",
    "ItemRow",
    "Match",
    "MatchBy",
    "NewItem",
    "Parsed",
    "RefName",
    "SheetContext",
    "column_of",
    "diff_row",
    "implausible_amount",
    "is_breakdown",
    "match_ref",
    "money_cell",
    "month_day",
    "month_part",
    "month_part_refusal",
    "parse_row",
    "resolve_refs",
]

#: the common fields an import sets directly (the rest of a row's values are the kind's own)
SETTABLE = ("title", "owner", "due", "notes")


@dataclass
class SheetContext:
    raw: RawSheet
    report: SheetReport
    header: list[HeaderCell]
    kind: KindDef | None = None
    #: per kind: column -> (target, parser)
    maps: dict[str, dict[int, tuple[Target, Callable[[object], Any]]]] = field(default_factory=dict)
    #: per kind: columns recognised but not imported (read-only, masked, shadowed …)
    skip: dict[str, set[int]] = field(default_factory=dict)
    #: the columns of the table when it was mapped (a header-less column with data only
    #: further down is added to :attr:`header` later, and is never dropped in silence)
    mapped: set[int] = field(default_factory=set)
    known_columns: set[int] = field(default_factory=set)
    #: why a column is not imported (column -> reason)
    why: dict[int, str] = field(default_factory=dict)
    #: per kind: columns naming a field another column fills (column -> field key)
    shadowed: dict[str, dict[int, str]] = field(default_factory=dict)
    kind_column: int | None = None
    default_unit: int | None = None
    #: the 填报单位 inference, recorded for each row that takes the unit
    unit_inference: Inference | None = None
    #: the date a stage move gets when the row has no date column for it, and where it is from
    move_date: str = ""
    move_source: DateSource = DateSource.import_day
    #: that date as an inference, recorded for each row that uses it
    move_inference: Inference | None = None
    #: the sheet's filing day (填报日期 / 报送时间 …) as ISO text, and the words it was read from
    filed: str | None = None
    filed_key: str = ""
    #: the first day of the period the title reports on (ISO), when it names one
    period_start: str | None = None
    #: (row, column) of date cells formatted to show no day (「2026年10月」): a month, not the 1st
    month_cells: set[tuple[int, int]] = field(default_factory=set)
    #: those of them that show the year alone (「2026年」)
    year_cells: set[tuple[int, int]] = field(default_factory=set)
    #: (row, column) of number cells whose format writes a money unit after them → that unit
    unit_cells: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class ItemRow:
    sheet: SheetContext
    number: int
    cells: dict[int, object]
    kind: KindDef
    values: dict[str, Any]
    ref: int | None = None
    reason: str | None = None
    #: the group heading the row stands under (its chain, when it names one)
    heading: str | None = None
    #: a chain's bare name above it (「绿色矿业」: :func:`.sheet_rules.chain_headings`), its chain
    chain_heading: str | None = None
    #: when its heading, or its sheet's name or title, says it reached its stage — (timing,
    #: that stage, the words where it was read: 「分组标题「二、续建项目」」); None: not said
    timing: tuple[Timing, str, str] | None = None
    problems: list[Problem] = field(default_factory=list)
    #: its stage was not in the row but said by its heading or its sheet's name or title
    #: (「签约项目」): a stage it has at least reached — never one to move an item back to
    stage_said: bool = False
    #: the row's own date of its closure (a sheet from outside's 办结时间 / 办结日期 column): the
    #: date of its move into a closed (terminal) status, never a field written as such
    closed_on: str | None = None

    def __post_init__(self) -> None:
        if "closed_at" in self.values:
            self.closed_on = str(self.values.pop("closed_at"))


def column_of(r: ItemRow, key: str) -> str:
    """「C列「签约日期」」: where a field's value came from in the row (its label if no column)."""
    for col, (target, _parse) in r.sheet.maps.get(r.kind.key, {}).items():
        if target.key == key:
            head = next((h for h in r.sheet.header if h.column == col), None)
            if head is not None:
                return f"{head.letter}列「{head.text}」"
    f = next((f for f in r.kind.fields if f.key == key), None)
    return f.label if f else key


@dataclass
class Current:
    """An item as a row is compared with: its stored values — and, in an import under review
    (报送 → 认定) of an item with moves still 待认定, the status and stage dates its unit
    *reported* (``waiting``), not only the confirmed ones the item shows: the same sheet sent
    again is then unchanged, not a second report."""

    id: int
    kind: str
    common: dict[str, Any]
    own: dict[str, Any]
    origin: str | None
    #: the item has moves 待认定, and ``common['status']`` / the stage date fields in ``own``
    #: count them (what the unit reported)
    waiting: bool = False


@dataclass
class NewItem:
    id: int
    kind: KindDef
    common: dict[str, Any]
    own: dict[str, Any]
    status: str
    origin: str | None
    origin_id: int | None
    row: ItemRow
    #: the item's history worked out from the row (from, to, date, flag); None in a roll-up,
    #: where the office's own 阶段变更 sheet is the history
    log: list[tuple[str | None, str, str, str | None]] | None = None


# ---------------------------------------------------------------------------------------
# 1. parse
# ---------------------------------------------------------------------------------------


@dataclass
class Parsed:
    """A row's cells, parsed: its list (None: unknown, see problems) and its values by field."""

    kind: KindDef | None
    values: dict[str, Any]
    problems: list[Problem]
    #: the row is of another list than --kind asks for: skipped, not parsed
    other_kind: bool = False


def _label(sh: SheetContext, col: int) -> tuple[HeaderCell | None, str]:
    h = next((h for h in sh.header if h.column == col), None)
    return h, (f"{h.letter}列「{h.text}」" if h else "")


def parse_row(
    sh: SheetContext,
    row: DataRow,
    *,
    only_kind: KindDef | None,
    kind_of: Callable[[object], KindDef],
    explicit: dict[str, str],
    inferred: Inferences,
    option: Callable[[str], str],
    confirm: frozenset[Confirm] = frozenset(),
    plain: bool = True,
) -> Parsed:
    """Step 1: the row's kind and each cell through its column's parser.  A number read as an
    Excel date serial is recorded in ``inferred`` (the clerk saw a number, not a date).

    What a cell's reading could get wrong is refused unless ``confirm`` says how to read it
    (each use recorded in ``inferred``): a date naming only a month (「2026年10月」), and — in
    a sheet not exported by a database (``plain``) — an amount implausible for its column's unit
    (3000 in a 亿元 column); a name 「其中：…」 is a breakdown line, never a project."""
    cells = row.cells
    kind = sh.kind
    problems: list[Problem] = []
    name = sh.raw.name
    if kind is None:
        raw_kind = cells.get(sh.kind_column) if sh.kind_column is not None else None
        if raw_kind is None:
            kind = only_kind
            if kind is None:
                problems.append(Problem(name, row.number, "", None, "没有填写清单（如 招什么）"))
        else:
            try:
                kind = kind_of(raw_kind)
            except ZsError as exc:
                problems.append(Problem(name, row.number, "清单列", raw_kind, exc.message))
        if kind is not None and only_kind is not None and kind.key != only_kind.key:
            return Parsed(kind, {}, [], other_kind=True)
    if kind is None:
        return Parsed(None, {}, problems)
    parsers = sh.maps[kind.key]
    month_cells = sh.month_cells
    values: dict[str, Any] = {}
    for col, raw in cells.items():
        entry = parsers.get(col)
        if entry is None:
            if col not in sh.mapped:
                late = fates.late_column(name, row.number, col, raw, explicit)
                if late is not None:
                    problems.append(late)
                continue
            if col in sh.skip[kind.key]:
                if col in sh.shadowed[kind.key]:
                    # a value with no place to go (a sheet's own 备注 under --map 存在问题=备注)
                    h, label = _label(sh, col)
                    named = h.text if h and h.text else (h.letter if h else "列")  # (a letter would map every sheet)
                    key = sh.shadowed[kind.key][col]
                    won = next((c for c, (t, _p) in parsers.items() if t.key == key), None)
                    other = _label(sh, won)[0] if won is not None else None
                    if h is not None and other is not None and normalize_key(other.text) == normalize_key(named):
                        # two columns of one header (「阶段」「阶段」): its text would map both, a letter one
                        either = f"{h.letter}=忽略 或 {option('mapping')} {other.letter}=忽略"
                    else:
                        either = f"{named}=忽略"
                        if other is not None and (other.text or other.letter) != named:
                            either += f" 或 {option('mapping')} {other.text or other.letter}=忽略"
                    problems.append(
                        Problem(
                            name, row.number, label, raw,
                            f"这个值没有去处：本列{sh.why.get(col, '与另一列对应同一字段')}，只导入一列会丢掉它。"
                            f"请用 {option('mapping')} 把其中一列对应到别的字段，"
                            f"或 {option('mapping')} {either} 明确只导入哪一列（保留写着现在的值的那一列）",
                        )
                    )  # fmt: skip
                continue
            if kind is not sh.kind and col in sh.known_columns and col != sh.kind_column:
                _h, label = _label(sh, col)
                problems.append(Problem(name, row.number, label, raw, f"「{kind.name}」清单没有这一项"))
            continue
        t, parse = entry
        hidden_day = None
        if month_cells and isinstance(raw, dt.date) and (row.number, col) in month_cells and t.is_date:
            year_only = (row.number, col) in sh.year_cells
            shown = f"{raw.year}年" if year_only else f"{raw.year}年{raw.month}月"
            if raw.day != 1 or (year_only and raw.month != 1):
                # a day was typed (a month or a year typed is its 1st): the format only hides it
                hidden_day = shown
            else:  # what the clerk typed and sees: a month (or a year), not its 1st
                raw = shown
        if t.is_date and isinstance(raw, dt.date) and raw.year < PLAUSIBLE_FROM_YEAR:
            problems.append(
                Problem(
                    name, row.number, t.where, raw,
                    f"日期单元格「{raw:%Y-%m-%d}」早于 {PLAUSIBLE_FROM_YEAR} 年，不像项目的日期：多半是把数字"
                    "（如 2026.1、0）设成了日期格式；请在单元格里写出日期，如 2026-10-15",
                )
            )  # fmt: skip
            continue
        try:
            values[t.key] = parse(raw)
            if hidden_day is not None:
                inferred.add(
                    Rule.hidden_day, name, str(values[t.key]), f"显示为「{hidden_day}」",
                    f"{t.where}显示为「{hidden_day}」，单元格里存的日期是 {values[t.key]}：按这一天记"
                    f"（单元格格式只显示{'年份' if hidden_day.endswith('年') else '年月'}；不对请改成要记的日期）",
                    column=t.where, row=row.number,
                )  # fmt: skip
        except ZsError as exc:
            day = month_day(raw, confirm) if t.is_date else None
            if day is None:
                message = exc.message
                part = month_part_refusal(raw, option("confirm")) if t.is_date else None
                if part is not None:
                    message = part
                elif t.is_date and (ym := month_only(raw)) is not None and ym[0] is not None:
                    message += (
                        f"（按月统计时哪一天都行：加 {option('confirm')} {Confirm.month_end} 记为当月最后一天，"
                        f"或 {option('confirm')} {Confirm.month_start} 记为当月1日）"
                    )
                problems.append(Problem(name, row.number, t.where, raw, message))
                continue
            values[t.key], rule = day
            what = "没有具体日子" if month_part(raw) is not None else "只有年月"
            inferred.add(
                Rule.month_day, name, values[t.key], f"「{show_value(raw)}」{what}",
                f"{t.where}的「{show_value(raw)}」{what}，按 {option('confirm')} {rule} 记为 {values[t.key]}",
                column=t.where, row=row.number, confirmed_by=f"{option('confirm')} {rule}",
            )  # fmt: skip
            continue
        if getattr(t.field or t.col, "type", "") == "money":
            odd_money = money_cell(
                name, row.number, t, raw, sh.unit_cells.get((row.number, col)),
                plain=plain, confirm=confirm, inferred=inferred, option=option,
            )  # fmt: skip
            if odd_money is not None:
                problems.append(odd_money)
                continue
        if t.key == "title" and raw.__class__ is str and (part := _part_of_a_project(str(raw))) is not None:
            problems.append(Problem(name, row.number, t.where, raw, part))
            continue
        if t.key == "title" and row.follows:
            problems.append(Problem(name, row.number, t.where, raw, (
                f"本行只有名称「{raw}」，没有序号，也没有别的内容，紧接在上一行之下：是上一行名称写到了第二行，"
                "就把它并到上一行的名称里，删去本行；是分组标题就写成「一、…」（如「二、续建项目」「一、新能源产业链」）；"
                "是说明就删去本行；是一个单独的条目就补上序号和它的其他各项"
            )))  # fmt: skip
            continue
        if raw.__class__ in (int, float) and t.is_date:
            # a number the clerk sees as a number (the cell is not formatted as a date)
            shown = show_value(raw)
            how = "按年月日（8位数字）" if len(shown) == 8 and shown.isdigit() else "按 Excel 日期序号"
            inferred.add(
                Rule.date_serial, name, str(values[t.key]), f"数字「{shown}」",
                f"{t.where}的数字「{shown}」{how}读作 {values[t.key]}"
                "（单元格不是日期格式；不对请改成日期，如 2026-10-15）",
                column=t.where, row=row.number,
            )  # fmt: skip
    return Parsed(kind, values, problems)


def money_cell(
    sheet: str,
    row: int,
    t: Target,
    raw: object,
    written: str | None,
    *,
    plain: bool,
    confirm: frozenset[Confirm],
    inferred: Inferences,
    option: Callable[[str], str],
) -> Problem | None:
    """The checks of a money cell read in its column's unit — on every sheet (item and detail
    sheets alike): a unit its number format writes (``written``, 「亿元」) that is not the
    column's is refused; and — in a sheet not exported by a database (``plain``) — an amount
    implausible for the column's unit (3000 in a 亿元 column) is refused unless ``confirm``
    says so (then recorded in ``inferred``)."""
    if written is not None and (clash := format_unit_clash(t, written)):
        return Problem(sheet, row, t.where, raw, f"单元格显示为「{show_value(raw)}{written}」：{clash}")
    if not plain:
        return None
    usd = (t.field is not None and t.field.currency == "USD") or (t.col is not None and t.col.unit == "万美元")
    odd = implausible_amount(raw, t.unit, "USD" if usd else "CNY")
    if odd is None:
        return None
    if Confirm.amount not in confirm:
        return Problem(sheet, row, t.where, raw, f"{odd[1]}；确是{odd[0]}请加 {option('confirm')} {Confirm.amount}")
    inferred.add(
        Rule.amount_unit, sheet, odd[0], f"{t.where}的「{show_value(raw)}」",
        f"{t.where}的「{show_value(raw)}」按列单位读作{odd[0]}（{option('confirm')} {Confirm.amount}）",
        column=t.where, row=row, confirmed_by=f"{option('confirm')} {Confirm.amount}",
    )  # fmt: skip
    return None


_BARE_NUMBER = re.compile(r"[+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
#: the range of a bare number that is plausible for one project in a column of each unit:
#: 亿 below 1000 (a county's largest projects are tens to hundreds of 亿元), 万 from 1 (a
#: project of less than 1万元 is a figure in 亿元 typed into a 万元 column), 元 from 10000
_PLAUSIBLE = {"亿": (0.0, 1000.0), "万": (1.0, float("inf")), "元": (10000.0, float("inf"))}
_OTHER = {"亿": ("万", 1e-4), "万": ("亿", 1e4), "元": ("万", 1e4)}


def _amount_text(number: float, unit: str, currency: str) -> str:
    word = "美元" if currency == "USD" else "元"
    return f"{format_money(number)}{'' if unit == '元' else unit}{word}"


def implausible_amount(raw: object, unit: str, currency: str = "CNY") -> tuple[str, str] | None:
    """(the figure as its column's unit reads it, the refusal with both readings) of a bare
    number (no unit of its own) that is implausible for one project in that unit — 3,000 in a
    亿元 column is 3000亿元 read as written, 3000万元 meant; None when plausible (or not bare)."""
    cls = raw.__class__
    if cls is int or cls is float:
        number = float(raw)  # type: ignore[arg-type]
    elif cls is str:
        try:
            number = float(raw)  # type: ignore[arg-type]  # 「35600」「１２００」: the common case, fast
        except ValueError:
            text = to_halfwidth(str(raw)).strip().replace("，", ",")
            if not _BARE_NUMBER.fullmatch(text):
                return None  # a unit of its own (「3000万」), or words: read as written
            number = float(text.replace(",", ""))
    else:
        return None
    low, high = _PLAUSIBLE.get(unit, (0.0, math.inf))
    if low <= number < high or number == 0 or not math.isfinite(number):
        return None
    other, factor = _OTHER[unit]
    read = _amount_text(number, unit, currency)
    meant = _amount_text(number, other, currency)
    column = _amount_text(number * factor, unit, currency).removeprefix(format_money(number * factor))
    size = "太大" if number >= high else "太小"
    fix = (
        f"「{show_value(raw)}」在{column}栏读作{read}，对一个项目{size}：若是{meant}，"
        f"请写成 {format_money(number * factor)}（或在数字后写单位，如 {format_money(number)}{other}）"
    )
    return read, fix


#: a name that is only a phase (「（1）一期工程」「二期」「2.二期项目」): a part of the project above, or a
#: project whose name was left out — never a project of its own as written
_PHASE_ONLY = re.compile(
    r"(?:[（(]?[0-9一二三四五六七八九十]{1,3}[)）、.．]?)?\s*(?:第?[0-9一二三四五六七八九十]{1,3}期)\s*(?:工程|项目|建设|部分)?"
)


def is_phase_only(text: str) -> bool:
    return _PHASE_ONLY.fullmatch(text.strip(" \u3000")) is not None


def _part_of_a_project(name: str) -> str | None:
    """Why a row named ``name`` is a part of the project above and no project (「其中：…」, 「二期」)."""
    if is_breakdown(name):
        return (
            "「其中」开头的是上一行（合计或项目）的分项，不是项目：分项已含在上一行里，请删去本行"
            "（确是一个项目就去掉「其中」二字）"
        )
    if is_phase_only(name):
        return (
            f"「{name.strip()}」只写了期次，不是完整的项目名称：若是上面项目的分期（已含在那一行里），"
            "请删去本行，免得重复计算；若是单独立项的项目，请写出全称，如「某某项目二期工程」"
        )
    return None


def format_unit_clash(t: Target, shown: str) -> str | None:
    """Why a money cell whose number format writes ``shown`` after it (「亿元」) cannot be read
    in its column's unit; None when the format says that unit (「万元」 in a 万元 column)."""
    f = t.field or t.col
    if f is None or getattr(f, "type", "") != "money":
        return None
    usd = (t.field is not None and t.field.currency == "USD") or (t.col is not None and t.col.unit == "万美元")
    read = {"亿": "亿", "万": "万", "元": ""}.get(t.unit, "万") + ("美元" if usd else "元")
    scale = "亿" if "亿" in shown else "万" if "万" in shown else ""
    said = scale + ("美元" if "美元" in shown else "元")
    if said == read:
        return None
    return (
        f"单位「{shown}」只写在单元格格式里，本列按{read}读，会记错：请在表头写明单位（如 投资额（{said}）），"
        f"或把金额按{read}填写"
    )


def is_breakdown(text: str) -> bool:
    """A name that is a breakdown line of the row above (「其中：固定资产投资」「其中新签约」)."""
    return text.lstrip(" \u3000")[:1] == "其" and text.replace(" ", "").replace("\u3000", "")[:2] == "其中"


#: a part of a month written after it (「10月底」, 「2026年10月上旬」, 「2026.10月底」, 「2026-10下旬」):
#: words, not a day
_MONTH_PART = re.compile(r"(.*?(?:月份?|[0-9]))\s*(底|末|初|上旬|中旬|下旬)")
_PART_SAYS = {
    "底": "底", "末": "末", "初": "初",
    "上旬": "上旬（1–10日）", "中旬": "中旬（11–20日）", "下旬": "下旬（21日至月末）",
}  # fmt: skip


def month_part(raw: object) -> tuple[int | None, int, str] | None:
    """(year, month, part) of a text naming a part of a month — 「2026年10月底」, 「10月上旬」 —
    None for anything else.  Such a text names no day: a date column holding one is refused,
    unless the user confirms 月底/月末 as the month's last day (or 月初 as its 1st)."""
    if not isinstance(raw, str):
        return None
    m = _MONTH_PART.fullmatch(to_halfwidth(raw).strip())
    if m is None:
        return None
    ym = month_only(m.group(1))
    return None if ym is None else (ym[0], ym[1], m.group(2))


def month_part_refusal(raw: object, confirm_option: str) -> str | None:
    """Why a date cell naming a part of a month is refused, and the fix (None: it names none)."""
    got = month_part(raw)
    if got is None:
        return None
    year, month, part = got
    when = f"{f'{year}年' if year else ''}{month}月{_PART_SAYS[part]}"
    said = f"日期「{show_value(raw)}」说的是{when}，不是哪一天"
    if year is None:
        return f"{said}，也没有年：请按 年-月-日 写出具体日期，如 2026-{month:02d}-15"
    last = calendar.monthrange(year, month)[1]
    example = {"底": last, "末": last, "初": 1, "上旬": 5, "中旬": 15, "下旬": 25}[part]
    fix = f"请写出具体日期，如 {year}-{month:02d}-{example:02d}"
    if part in ("底", "末"):
        fix += f"；按月统计时记为月末就行：加 {confirm_option} {Confirm.month_end} 记为 {year}-{month:02d}-{last:02d}"
    elif part == "初":
        fix += f"；按月统计时记为月初就行：加 {confirm_option} {Confirm.month_start} 记为 {year}-{month:02d}-01"
    return f"{said}：{fix}"


def month_day(raw: object, confirm: frozenset[Confirm]) -> tuple[str, Confirm] | None:
    """The day ``confirm`` gives a date naming only a month (「2026年10月」 with month_end →
    2026-10-31; 「2026年10月底」/「月末」 with month_end, 「10月初」 with month_start), and the rule;
    None when it names a day, no year, a part of a month no rule dates (上旬 …), or nothing
    was confirmed."""
    rule: Confirm | None = next((c for c in (Confirm.month_end, Confirm.month_start) if c in confirm), None)
    if rule is None:
        return None
    part = month_part(raw)
    if part is not None:
        year, month, said = part
        wanted = Confirm.month_end if said in ("底", "末") else Confirm.month_start if said == "初" else None
        if wanted is None or wanted not in confirm:
            return None
        rule = wanted
        ym: tuple[int | None, int] | None = (year, month)
    else:
        ym = month_only(raw)
    if ym is None:
        return None
    year, month = ym
    if year is None:
        return None
    day = calendar.monthrange(year, month)[1] if rule is Confirm.month_end else 1
    return dt.date(year, month, day).isoformat(), rule


# ---------------------------------------------------------------------------------------
# 2. match (by 编号)
# ---------------------------------------------------------------------------------------


class MatchBy(enum.StrEnum):
    """How a row found its item."""

    id = "id"
    """Its 编号 is our item's (a round trip, or a county sheet with our 编号)."""
    origin = "origin"
    """Its 编号 is the office's, kept as the item's origin (a roll-up)."""
    none = "none"
    """No item: the row is added (unless a name or 项目编码 matches one)."""


@dataclass(frozen=True)
class Match:
    by: MatchBy
    current: Current | None = None
    #: why the row's 编号 cannot be used (column, value, reason): the row is refused
    refusal: tuple[str, object, str] | None = None
    #: the 编号 names no item of ours (a plain sheet's own numbering): the row is added
    unknown_ref: bool = False


def match_ref(
    r: ItemRow,
    local: Mapping[int, int],
    current: Mapping[int, Current],
    *,
    mode: Mode,
    was_deleted: Callable[[int], bool],
    kind_name: Callable[[str], str],
    plausible: Callable[[ItemRow, Current], bool],
    option: Callable[[str], str],
) -> Match:
    """Step 2: the item ``r``'s 编号 names (``local`` maps a file's 编号 to ours, ``current``
    holds those items' stored values)."""
    if r.ref is None:
        return Match(MatchBy.none)
    lid = local.get(r.ref)
    cur = current.get(lid) if lid is not None else None
    by = MatchBy.origin if mode is Mode.rollup else MatchBy.id
    if cur is None:
        if mode is Mode.own:
            why = f"本库没有编号 {r.ref} 的条目"
            why += f"（已删除：zs restore {r.ref} 可恢复）" if was_deleted(r.ref) else ""
            return Match(by, refusal=("编号", r.ref, why + "；要作为新条目导入请清空编号"))
        return Match(MatchBy.none, unknown_ref=mode is Mode.plain)
    if cur.kind != r.kind.key:
        reason = f"编号 {r.ref} 是「{kind_name(cur.kind)}」清单的条目，不能在「{r.kind.name}」中修改"
        if mode is Mode.plain:
            reason += f"；如果这一列是表格自己的序号，请用 {option('mapping')} 编号=忽略"
        return Match(by, refusal=("编号", r.ref, reason))
    if mode is Mode.plain and not plausible(r, cur):
        reason = (
            f"本库编号 {r.ref} 是「{cur.common['title']}」，与本行的名称不符（改名请用 zs edit）："
            f"如果这是表格自己的序号或其他系统的编号，请删除编号列，或用 {option('mapping')} 编号=忽略"
        )
        return Match(by, refusal=("编号", r.ref, reason))
    return Match(by, cur)


# ---------------------------------------------------------------------------------------
# 3. diff
# ---------------------------------------------------------------------------------------


@dataclass
class Diff:
    """What a row changes in its item: the values to write, and (label, old, new) to show."""

    parsed: items.Parsed
    shown: list[tuple[str, str, str]]
    #: blank cells whose stored value was kept (--blank keep)
    blank_kept: int = 0


def display(f: FieldDef | None, v: Any) -> str:
    if v is None or v == "":
        return ""
    if f is not None:
        from ..values import to_display

        return to_display(f, v)
    return str(v)


def diff_row(
    r: ItemRow,
    cur: Current,
    *,
    fields: Mapping[str, FieldDef],
    chain_names: Mapping[int, str],
    unit_names: Mapping[int, str],
    blank: Blank,
) -> Diff:
    """Step 3: exactly the fields of ``cur`` that ``r`` changes; a blank cell keeps the stored
    value (counted) unless ``blank`` is ``clear``."""
    parsed = items.Parsed()
    shown: list[tuple[str, str, str]] = []
    kept = 0
    for key, new in r.values.items():
        f = fields.get(key)
        if key == "status":
            old = cur.common["status"]
            if new != old:
                parsed.status = new
                shown.append(("状态", str(old), str(new)))
            continue
        if key in ("chain", "unit"):
            id_col = f"{key}_id"
            old = cur.common[id_col]
            if new != old:
                parsed.common[id_col] = new
                names = chain_names if key == "chain" else unit_names
                shown.append((f.label if f else key, names.get(old, "") if old else "", names.get(new, "")))
            continue
        old = cur.common.get(key) if key in SETTABLE else cur.own.get(key)
        if not same_value(old, new):
            (parsed.common if key in SETTABLE else parsed.own)[key] = new
            shown.append((f.label if f else key, display(f, old), display(f, new)))
    present = set(r.cells)
    for col, (t, _parse) in r.sheet.maps[r.kind.key].items():
        if col in present or t.key in ("id", "title", "chain", "status", "kind", "reason"):
            continue
        key = t.key
        if key == "unit":
            old = cur.common["unit_id"]
        else:
            old = cur.common.get(key) if key in SETTABLE else cur.own.get(key)
        if old is None or old == "":
            continue
        if blank == Blank.clear:
            if key == "unit":
                parsed.common["unit_id"] = None
                shown.append((t.field.label if t.field else key, unit_names.get(old, ""), ""))
            else:
                (parsed.common if key in SETTABLE else parsed.own)[key] = None
                shown.append((t.field.label if t.field else key, display(t.field, old), ""))
        else:
            kept += 1
    return Diff(parsed, shown, kept)


class RefName(str):
    """A reference cell (关联项目 …) of a sheet from outside, as written: a project's name, to be
    matched by name (a number there is the sheet's own 序号 or code, never our 编号)."""

    __slots__ = ()


def resolve_refs(
    r: ItemRow,
    item_id: Callable[[int], int | None],
    skipped: set[int],
    by_name: Callable[[str], tuple[int | None, str]] | None = None,
) -> list[str]:
    """The row's reference fields (关联项目 …) from the file's 编号 to our ids (``item_id``):
    one naming an item the import leaves out (``skipped``) is left empty, said in the notes
    returned; one naming no item at all is the row's problem.  A name (:class:`RefName`, a
    sheet from outside) is matched by ``by_name``: (the one item of exactly that name, else
    None and why)."""
    notes = []
    for f in r.kind.fields:
        if f.type != "ref" or r.values.get(f.key) is None:
            continue
        if isinstance(r.values[f.key], RefName):
            t = next((t for t, _ in r.sheet.maps[r.kind.key].values() if t.key == f.key), None)
            name = str(r.values[f.key])
            found, why = by_name(name) if by_name is not None else (None, "")
            if found is None:
                r.problems.append(Problem(r.sheet.raw.name, r.number, t.where if t else f.label, name, why))
            else:
                r.values[f.key] = found
            continue
        target = int(r.values[f.key])
        local = item_id(target)
        if local is None and target in skipped:
            del r.values[f.key]
            notes.append(f"「{r.sheet.raw.name}」第{r.number}行的「{f.label}」指向未导入的条目 {target}，已留空")
        elif local is None:
            t = next((t for t, _ in r.sheet.maps[r.kind.key].values() if t.key == f.key), None)
            where = t.where if t else f.label
            r.problems.append(Problem(r.sheet.raw.name, r.number, where, target, f"没有编号为 {target} 的条目"))
        else:
            r.values[f.key] = local
    return notes
