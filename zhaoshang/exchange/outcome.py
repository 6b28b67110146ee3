"""What an import found and did: result objects, one per file, sheet, row and problem.

The core returns these; the command line renders them (a table, JSON or YAML) and never the
other way round.  Every row of every sheet ends in exactly one :class:`RowOutcome`, every
column in a :class:`ColumnFate`, every other row in a :class:`~zhaoshang.exchange.tables.RowFate`.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..choices import Blank, OnDuplicate
from ..errors import ZsError
from ..hints import option
from ..parse import format_money
from .inference import Confirm, DateSource, Inference
from .rejects import NOT_CARRIED
from .tables import RowFate


class RowOutcome(enum.IntEnum):
    """What became of one data row (the report's columns 新增 修改 不变 跳过 拒绝)."""

    added = 1
    updated = 2
    unchanged = 3
    skipped = 4
    rejected = 5


class Mode(enum.StrEnum):
    """Whose file it is (JSON ``mode``)."""

    own = "own"
    """Exported by this database: 编号 are our ids (a round trip)."""
    rollup = "rollup"
    """Exported by another office's database: its items kept with their origin (a roll-up)."""
    plain = "plain"
    """Anyone's sheet (a county's own, another system's CSV, a filled-in template)."""


class DuplicateAction(enum.StrEnum):
    """What became of a suspected duplicate (JSON ``action``: the Chinese label)."""

    pending = "pending"
    """Undecided: the import is refused until --on-duplicate says."""
    updated = "updated"
    skipped = "skipped"
    added = "added"

    @property
    def label(self) -> str:
        return {"pending": "待定", "updated": "已更新", "skipped": "已跳过", "added": "已新增"}[self.value]


@dataclass
class ImportOptions:
    kind: str | None = None
    chain: str | None = None
    sheet: str | None = None
    mapping: list[str] = field(default_factory=list)
    dry_run: bool = False
    on_duplicate: OnDuplicate | None = None
    blank: Blank = Blank.keep
    errors_path: Path | None = None
    force: bool = False
    today: dt.date | None = None
    #: the date of the stage moves a row makes without its own date column (else the sheet's
    #: 填报日期, else the day of import)
    as_of: dt.date | None = None
    #: create the chains and units the file names that do not exist yet (listed in the report)
    create_missing: bool = False
    #: whether what the file brings waits for the office's review (报送 → 认定): True always;
    #: None as the setting says (zs review own); False: counted at once
    review: bool | None = None
    #: the guesses the user confirms (:class:`~.inference.Confirm`): refused without them
    confirm: frozenset[Confirm] = frozenset()


def show_value(value: object) -> str:
    """A cell value as a message quotes it: dates ISO, money plain, long text cut."""
    if isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ", timespec="minutes")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, float):
        text = format_money(value) if math.isfinite(value) else str(value)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    value: object
    reason: str

    def text(self) -> str:
        if self.row is None and not self.column and self.reason.startswith(f"「{self.sheet}」"):
            return self.reason  # the reason already names its sheet (and row)
        where = (
            f"「{self.sheet}」" + (f"第{self.row}行" if self.row else "") + (f" {self.column}" if self.column else "")
        )
        value = f" 值「{show_value(self.value)}」" if self.value is not None else ""
        return f"{where}{value}：{self.reason}"

    def as_dict(self) -> dict[str, Any]:
        v = self.value
        if isinstance(v, dt.date):
            v = v.isoformat()
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "value": v, "reason": self.reason}


@dataclass
class Change:
    sheet: str
    row: int
    id: int
    title: str
    fields: list[tuple[str, str, str]]

    def text(self) -> str:
        parts = "；".join(f"{label} {old or '（空）'} → {new or '（空）'}" for label, old, new in self.fields)
        return f"编号 {self.id}「{self.title}」：{parts}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "id": self.id,
            "title": self.title,
            "fields": [{"field": f, "old": o, "new": n} for f, o, n in self.fields],
        }


@dataclass
class Duplicate:
    sheet: str
    row: int
    title: str
    existing_id: int
    existing_title: str
    action: DuplicateAction
    #: where the existing one is when it is a row of the same file (「本文件「签约项目」第5行」): it
    #: has no 编号 a person could look up yet
    existing_where: str = ""
    #: why the names are taken for one project when they are not alike at sight (another
    #: chain; alike once the company's name and 生产 / 工程 words are dropped): "" otherwise
    why: str = ""

    def text(self) -> str:
        existing = f"{self.existing_where or f'编号 {self.existing_id}'}「{self.existing_title}」"
        why = f"：{self.why}" if self.why else ""
        return f"「{self.sheet}」第{self.row}行「{self.title}」≈ {existing}（{self.action.label}）{why}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "title": self.title,
            "existing_id": self.existing_id,
            "existing_title": self.existing_title,
            "action": self.action.label,
            "decision": self.action.value,
            "why": self.why,
        }


@dataclass(frozen=True)
class ColumnFate:
    """Where one column of a sheet goes: a field (and the unit its numbers are read in), or
    why it is not imported."""

    letter: str
    header: str
    target: str
    """The field's label; "" when the column is not imported."""
    how: str
    """How the header was understood, or why the column is not imported."""
    unit: str = ""
    unit_assumed: bool = False
    """A money column whose header (and the sheet) names no unit: its numbers are read in
    :attr:`unit`, the default — said, as a guess is."""

    def as_dict(self) -> dict[str, str | bool]:
        return {
            "column": self.letter,
            "header": self.header,
            "field": self.target,
            "how": self.how,
            "unit": self.unit,
            "unit_assumed": self.unit_assumed,
        }


@dataclass
class SheetReport:
    name: str
    what: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    notes: list[str] = field(default_factory=list)
    #: every column of the table and where it goes
    columns: list[ColumnFate] = field(default_factory=list)
    #: every row that is not a data row, with its class and reason
    rows: list[RowFate] = field(default_factory=list)
    #: rows hidden in the workbook (imported like the others, and listed)
    hidden_rows: list[int] = field(default_factory=list)
    header_row: int = 0
    #: the outcome of each data row, by row number (one byte a row: flat at a million rows)
    outcomes: bytearray = field(default_factory=bytearray, repr=False)

    def count(self, outcome: RowOutcome, row: int) -> None:
        """Record that data row ``row`` ended as ``outcome`` (a later outcome of the same row,
        a duplicate decided after its first check, replaces the earlier one)."""
        seen = self.outcomes
        if row >= len(seen):
            seen.extend(bytes(max(row + 1 - len(seen), 4096)))
        before = seen[row]
        seen[row] = outcome
        if before:
            self._add(before, -1)
        self._add(outcome, 1)

    def _add(self, outcome: int, n: int) -> None:
        if outcome == 1:
            self.added += n
        elif outcome == 2:
            self.updated += n
        elif outcome == 3:
            self.unchanged += n
        elif outcome == 4:
            self.skipped += n
        else:
            self.rejected += n

    def outcome(self, row: int) -> RowOutcome | None:
        """How data row ``row`` ended (None: not a data row of this sheet)."""
        value = self.outcomes[row] if row < len(self.outcomes) else 0
        return RowOutcome(value) if value else None

    def runs(self) -> list[tuple[int, int, RowOutcome]]:
        """Consecutive rows with the same outcome: (first, last, outcome)."""
        out: list[tuple[int, int, RowOutcome]] = []
        for row, value in enumerate(self.outcomes):
            if not value:
                continue
            if out and out[-1][1] == row - 1 and out[-1][2] == value:
                out[-1] = (out[-1][0], row, out[-1][2])
            else:
                out.append((row, row, RowOutcome(value)))
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.name,
            "table": self.what,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "rejected": self.rejected,
            "notes": self.notes,
            "header_row": self.header_row,
            "columns": [c.as_dict() for c in self.columns],
            "rows": [r.as_dict() for r in self.rows],
            "hidden_rows": self.hidden_rows,
            "row_outcomes": [{"first": a, "last": b, "outcome": o.name} for a, b, o in self.runs()],
        }


@dataclass
class ImportReport:
    file: str
    mode: Mode = Mode.plain
    origin: str | None = None
    origin_name: str = ""
    exported_at: str = ""
    dry_run: bool = False
    sheets: list[SheetReport] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: how the stage moves this import records were dated: source -> count
    move_dates: dict[DateSource, int] = field(default_factory=dict)
    created_chains: list[str] = field(default_factory=list)
    created_units: list[str] = field(default_factory=list)
    #: what was inferred rather than read, each with its rule, evidence and rows
    inferences: list[Inference] = field(default_factory=list)
    blank_kept: int = 0
    #: items of ours now known as an office's items (roll-up with --on-duplicate update)
    linked: int = 0
    #: 报送 → 认定: why this import waits for review ("" : it does not), and what waits
    review_because: str = ""
    #: what waits: new projects (their entry), stage moves of projects, months of funds
    pending_new: int = 0
    pending_moves: int = 0
    pending_funds: int = 0
    #: investment changes (增资, 更正) of signed projects (review.mark_submission's ``invests``)
    pending_invests: int = 0
    #: rows of the file whose items have reports the office returned (and the file does not
    #: send again): marked in the --errors file with the reason
    returned: int = 0
    #: projects the office had returned as a whole that the file lists again: waiting again
    resent: int = 0
    command_id: int | None = None
    errors_file: str | None = None
    written: bool = False

    def total(self, what: str) -> int:
        return sum(getattr(s, what) for s in self.sheets)

    @property
    def pending_duplicates(self) -> list[Duplicate]:
        return [d for d in self.duplicates if d.action is DuplicateAction.pending]

    @property
    def changed(self) -> bool:
        return bool(
            self.total("added")
            or self.total("updated")
            or self.created_chains
            or self.created_units
            or self.linked
            or self.resent
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "mode": self.mode,
            "origin": self.origin,
            "origin_name": self.origin_name,
            "exported_at": self.exported_at or None,
            "dry_run": self.dry_run,
            "written": self.written,
            "command_id": self.command_id,
            "added": self.total("added"),
            "updated": self.total("updated"),
            "unchanged": self.total("unchanged"),
            "skipped": self.total("skipped"),
            "rejected": self.total("rejected"),
            "duplicates": [d.as_dict() for d in self.duplicates],
            "created_chains": self.created_chains,
            "created_units": self.created_units,
            "blank_kept": self.blank_kept,
            "linked": self.linked,
            "sheets": [s.as_dict() for s in self.sheets],
            "changes": [c.as_dict() for c in self.changes],
            "problems": [p.as_dict() for p in self.problems],
            "notes": self.notes,
            "inferences": [i.as_dict() for i in self.inferences],
            "move_dates": {k.value: n for k, n in self.move_dates.items()},
            "review": {
                "pending": bool(self.review_because) and self.written,
                "would_wait": bool(self.review_because),
                "because": self.review_because,
                "new": self.pending_new,
                "moves": self.pending_moves,
                "funds": self.pending_funds,
                "invests": self.pending_invests,
                "submission": self.command_id if self.review_because else None,
                "returned": self.returned,
            },
            "errors_file": self.errors_file,
        }


def rejected_error(report: ImportReport) -> ZsError:
    """The error listing every problem of a rejected import (or a dry run that would be)."""
    n = len(report.problems)
    d = len(report.pending_duplicates)
    what = []
    if n:
        what.append(f"{n} 个问题")
    if d:
        what.append(f"{d} 个疑似重复")
    details = [p.text() for p in report.problems[:1000]]
    if n > 1000:
        details.append(
            f"……还有 {n - 1000} 个问题未列出（用 {option('errors_path')} 文件.xlsx 写回整个文件，错误写在各行旁）"
        )
    details += [f"疑似重复：{x.text()}" for x in report.pending_duplicates[:200]]
    if d:
        details.append(
            f"疑似重复的条目请决定如何处理：{option('on_duplicate')} update（更新已有条目）、"
            "skip（跳过）或 new（作为新条目）"
        )
    if report.errors_file:
        details.append(
            f"整个文件已写回「{report.errors_file}」，被拒绝的行在最后的「错误说明」列注明原因；"
            "改好这些行后导入该文件，全部行都会导入一次。该文件只有单元格的值，"
            f"{NOT_CARRIED}没有带过来（原文件未改动）"
        )
    name = Path(report.file).name
    if report.dry_run:
        head = f"预演导入「{name}」：发现 {'、'.join(what)}，正式导入将被拒绝（没有写入任何数据）"
    else:
        head = f"导入「{name}」失败，没有写入任何数据：发现 {'、'.join(what)}"
    return ZsError(head, details=details)


def summarize(report: ImportReport) -> str:
    """One line for people: what was (or would be) done — the list items first, then the
    rows of the other sheets (对接记录, 到位资金 …)."""
    head = "预演（没有写入）：" if report.dry_run else ("已导入：" if report.written else "")
    lists = [s for s in report.sheets if not s.what.startswith(_DETAIL_NAMES)]
    others = [
        s
        for s in report.sheets
        if s.what.startswith(_DETAIL_NAMES) and (s.added or s.updated or s.unchanged or s.skipped or s.rejected)
    ]

    def total(sheets: list[SheetReport], what: str) -> int:
        return sum(getattr(s, what) for s in sheets)

    parts = [f"新增 {total(lists, 'added')}", f"修改 {total(lists, 'updated')}", f"不变 {total(lists, 'unchanged')}"]
    if total(lists, "skipped"):
        parts.append(f"跳过 {total(lists, 'skipped')}")
    parts.append(f"拒绝 {total(lists, 'rejected')}")
    if report.duplicates:
        parts.append(f"疑似重复 {len(report.duplicates)}")
    if report.linked:
        parts.append(f"与来源关联 {report.linked}")
    text = head + "，".join(parts)
    if any(total(others, k) for k in ("added", "updated", "unchanged", "skipped", "rejected")):
        names = "、".join(dict.fromkeys(s.what for s in others))
        more = f"新增 {total(others, 'added')}，修改 {total(others, 'updated')}，不变 {total(others, 'unchanged')}"
        if total(others, "skipped"):
            more += f"，跳过 {total(others, 'skipped')}"
        if total(others, "rejected"):
            more += f"，拒绝 {total(others, 'rejected')}"
        text += f"；{names}：{more}"
    if report.move_dates:
        dated = "，".join(f"{k.label} {n}" for k, n in report.move_dates.items())
        text += f"；阶段变更 {sum(report.move_dates.values())} 次，日期取自：{dated}"
    rows = sum(report.total(k) for k in ("added", "updated", "unchanged", "skipped", "rejected"))
    if not rows:
        text = "文件中没有可导入的数据行，未写入任何数据"
    elif report.written and not report.changed:
        text = "没有变化：文件内容与数据库一致，未写入任何数据"
    return text


_DETAIL_NAMES = ("产业链", "招商主体", "对接记录", "到位资金", "前期手续", "服务专班")
