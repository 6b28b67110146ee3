"""What an import inferred rather than read — each with its rule, its scope, its value, where
it came from, and the rows it was used for.

A county's sheet says many things only once or not at all: a merged cell holds its value in the
top row, a group heading names the chain of the rows below it, the title names the month, a line
above the header names the unit and the money unit.  The import reads them — but a value a row
did not carry itself is an *inference*, and the user must see it, row by row, before trusting
the figures.  Every sheet rule therefore returns (or records) an :class:`Inference`; the
import's report lists them (``ImportReport.inferences``, JSON ``inferences``), and the dry run
prints them under their own heading.

An inference that could be wrong the way a guess can (a stage move dated the day of import) is
not made at all unless the user confirmed it with an option: the row is refused with the fix.
The ones made are those whose source is on the sheet itself; :attr:`Inference.confirmed_by`
names the option when the user gave the value.

Pure data: no database, no printing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from ..choices import Confirm

__all__ = ["Confirm", "DateSource", "Inference", "Inferences", "Rule", "Scope"]


class DateSource(enum.StrEnum):
    """Where the date of a stage move an import records came from (JSON ``move_dates`` keys)."""

    row = "row"
    """The row's own date column (签约日期 …)."""
    rollup_log = "rollup_log"
    """A roll-up's 阶段变更 sheet."""
    report_period = "report_period"
    filing_date = "filing_date"
    as_of = "as_of"
    import_day = "import_day"

    @property
    def label(self) -> str:
        return {
            "row": "本行日期列",
            "rollup_log": "汇总来源的阶段变更",
            "report_period": "报告期",
            "filing_date": "填报日期",
            "as_of": "--as-of",
            "import_day": "导入当天",
        }[self.value]


class Rule(enum.StrEnum):
    """The rule that made an inference (JSON ``rule``)."""

    merged_cell = "merged_cell"
    """A vertically merged cell's value, copied to the rows the area covers."""
    group_heading = "group_heading"
    """A group heading row (「一、绿色食品产业链（3个）」) gives its rows the chain it names."""
    sheet_chain = "sheet_chain"
    """A sheet named for a chain (「新能源」「绿色矿业产业链」) gives its rows without one that chain."""
    report_period = "report_period"
    """A move without its own date is dated by the period the title reports on."""
    filing_date = "filing_date"
    """… by the sheet's 填报日期 / 报送时间 line (no period in the title)."""
    as_of = "as_of"
    """… by the date the user gave with --as-of."""
    import_day = "import_day"
    """An item comes in (at its first stage) on the day of import: nothing on the sheet dates it."""
    sheet_stage = "sheet_stage"
    """A sheet named or titled by a stage (「签约项目」, 「…新开工项目表」) gives it to rows without one."""
    sheet_money_unit = "sheet_money_unit"
    """「单位：亿元」 above the header is the unit of money columns whose header names none."""
    reporting_unit = "reporting_unit"
    """The 填报单位 line is the unit of rows without a unit of their own."""
    title_unit = "title_unit"
    """The unit the title begins with (「孙吴县2026年10月…」) is the unit of rows without one (no
    填报单位 line)."""
    created_unit = "created_unit"
    """A unit the file names was created (--create-missing, or a roll-up), typed by its name."""
    created_chain = "created_chain"
    """A chain the file names was created (--create-missing, or a roll-up)."""
    name_by_part = "name_by_part"
    """A chain or unit written short (「爱辉」) was taken as the one existing name containing it."""
    kind_by_headers = "kind_by_headers"
    """The sheet's list (招什么 …) was told from its headers."""
    sheet_by_name = "sheet_by_name"
    """A sheet whose name contains a detail sheet's name (「资金到位情况」 → 到位资金) read as that sheet."""
    project_code = "project_code"
    """A row without 编号 was matched to an item by its 项目编码."""
    item_by_name = "item_by_name"
    """A detail row (到位资金 …) on a sheet without 条目编号 was matched to the one item of its name."""
    date_serial = "date_serial"
    """A plain number in a date column (46000) was read as an Excel date serial."""
    same_item = "same_item"
    """A project on two sheets of the file (签约项目, 开工项目) is one item: later rows update it."""
    header_guess = "header_guess"
    """A header taken for a field because it contains the field's name (「计划总投资（万元）其中固投」),
    or a column left out because its header says it is the past (「上月状态」 beside 「本月状态」)."""
    sub_rows = "sub_rows"
    """Rows numbered 1.1, 1.2 under row 1 whose amounts add up to row 1's: its parts, skipped."""
    month_day = "month_day"
    """A date that names only a month got the day --confirm month_start / month_end says."""
    hidden_day = "hidden_day"
    """A date cell formatted to show only its month (or year) holds a day other than the first:
    a day was typed, and it is taken (the format hides it)."""
    amount_unit = "amount_unit"
    """An amount implausible for its column's unit read as written (--confirm amount)."""
    invest_change = "invest_change"
    """A later period's sheet changed a signed project's amount: an 增资 dated in the sheet's
    period, or a correction of the first signing's amount — as --confirm increase / correction says."""
    move_back = "move_back"
    """A sheet under review moved a project back (已签约 → 在谈): a misreport withdrawn or a real
    回退 — as --confirm misreport / backward says."""
    no_review = "no_review"
    """A sheet from another unit (a roll-up, a sheet naming its 填报单位) counted at once, without
    the office's 认定, because the user said so (--no-review)."""


class Scope(enum.StrEnum):
    """What an inference covers."""

    file = "file"
    sheet = "sheet"
    rows = "rows"


_LABELS = {
    Rule.merged_cell: "合并单元格",
    Rule.group_heading: "分组标题",
    Rule.sheet_chain: "工作表名",
    Rule.report_period: "报告期",
    Rule.filing_date: "填报日期",
    Rule.as_of: "指定日期",
    Rule.import_day: "导入当天",
    Rule.sheet_stage: "表名说的阶段",
    Rule.sheet_money_unit: "金额单位",
    Rule.reporting_unit: "填报单位",
    Rule.title_unit: "标题中的单位",
    Rule.created_unit: "新建招商主体",
    Rule.created_chain: "新建产业链",
    Rule.name_by_part: "名称补全",
    Rule.kind_by_headers: "清单判断",
    Rule.sheet_by_name: "表名判断",
    Rule.project_code: "项目编码对应",
    Rule.item_by_name: "按名称对应条目",
    Rule.date_serial: "日期序号",
    Rule.same_item: "同一项目",
    Rule.header_guess: "表头推断",
    Rule.sub_rows: "分项行",
    Rule.month_day: "只有年月的日期",
    Rule.hidden_day: "格式隐藏的日子",
    Rule.amount_unit: "金额单位确认",
    Rule.invest_change: "增资或更正",
    Rule.move_back: "误报或回退",
    Rule.no_review: "不经认定",
}


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


@dataclass
class Inference:
    """One inference: ``rule`` gave ``value`` (from ``evidence``) to ``rows`` of ``sheet``."""

    rule: Rule
    sheet: str
    value: str
    """What was inferred, as people read it (「新能源」, 「2026-10-31」, 「亿元」)."""
    evidence: str
    """Where it came from (「A2:A4 的合并单元格」, 「标题「…2026年10月…」」, 「--as-of」)."""
    column: str = ""
    """The column it fills (「B列「产业链」」), when it fills one."""
    text: str = ""
    """The whole sentence for people (the report's line)."""
    runs: list[list[int]] = field(default_factory=list)
    """The data rows it was used for, as runs [first, last] (empty: the whole sheet, or the
    file) — a million rows in order are one run, so memory stays flat."""
    confirmed_by: str | None = None
    """The option by which the user gave or confirmed it (``--as-of`` …), None: read from the sheet."""

    @property
    def scope(self) -> Scope:
        if self.runs:
            return Scope.rows
        return Scope.sheet if self.sheet else Scope.file

    @property
    def label(self) -> str:
        return _LABELS[self.rule]

    def use(self, row: int) -> None:
        """Record that data row ``row`` got this inference."""
        runs = self.runs
        if runs:
            last = runs[-1]
            if last[0] <= row <= last[1]:
                return
            if row == last[1] + 1:
                last[1] = row
                return
        runs.append([row, row])

    @property
    def rows(self) -> list[int]:
        """Every row it was used for, in order."""
        return sorted({r for a, b in self.runs for r in range(a, b + 1)})

    def covers(self, row: int) -> bool:
        return not self.runs or any(a <= row <= b for a, b in self.runs)

    def rows_text(self) -> str:
        """「第5–6、9行」 (empty for a whole sheet)."""
        if not self.runs:
            return ""
        runs = _runs(self.rows) if len(self.runs) > 1 else [(self.runs[0][0], self.runs[0][1])]
        parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs]
        if len(parts) > 12:
            return f"第{'、'.join(parts[:12])}……行，共 {sum(b - a + 1 for a, b in runs)} 行"
        return f"第{'、'.join(parts)}行"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.value,
            "scope": self.scope.value,
            "sheet": self.sheet,
            "column": self.column,
            "value": self.value,
            "evidence": self.evidence,
            "rows": [list(r) for r in (_runs(self.rows) if len(self.runs) > 1 else self.runs)],
            "confirmed_by": self.confirmed_by,
            "text": self.text,
        }


class Inferences:
    """The inferences of one import, each kept once however many rows use it."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[Any, ...], Inference] = {}

    def add(
        self,
        rule: Rule,
        sheet: str,
        value: str,
        evidence: str,
        text: str,
        *,
        column: str = "",
        row: int | None = None,
        rows: tuple[int, ...] | list[int] = (),
        confirmed_by: str | None = None,
    ) -> Inference:
        """Record that ``rule`` inferred ``value`` (for ``row``/``rows``, else the whole sheet)."""
        key = (rule, sheet, column, value, evidence)
        inf = self._by_key.get(key)
        if inf is None:
            inf = self._by_key[key] = Inference(
                rule, sheet, value, evidence, column=column, text=text, confirmed_by=confirmed_by
            )
        if row is not None:
            inf.use(row)
        for r in rows:
            inf.use(r)
        return inf

    def prepare(
        self, rule: Rule, sheet: str, value: str, evidence: str, text: str, *, confirmed_by: str | None = None
    ) -> Inference:
        """An inference a sheet offers its rows; listed once the first row uses it (:meth:`use`)."""
        return Inference(rule, sheet, value, evidence, text=text, confirmed_by=confirmed_by)

    def use(self, inf: Inference, row: int) -> None:
        """Data row ``row`` got ``inf`` (prepared or added)."""
        key = (inf.rule, inf.sheet, inf.column, inf.value, inf.evidence)
        if self._by_key.setdefault(key, inf) is not inf:
            inf = self._by_key[key]
        inf.use(row)

    def all(self) -> list[Inference]:
        return list(self._by_key.values())

    def of_row(self, sheet: str, row: int) -> list[Inference]:
        """What was inferred for data row ``row`` of ``sheet`` (sheet-wide ones included)."""
        return [i for i in self._by_key.values() if i.sheet == sheet and i.covers(row)]
