"""The "decide" step: what becomes of a parsed row, as an enum, from the results of the steps
before it (:mod:`.rows`: parse → match → diff).  Plain functions of their parameters; the
importer carries the decision out (writes, counts, reports).

* :func:`for_match` — a row with a :class:`~.rows.Match`: refused, update that item, or add;
* :func:`chain_of` — a new row's chain from its cell, its group heading and --chain;
* :func:`for_duplicate` — a new row whose name is an item's (or an earlier row's of this file):
  unchanged, asked (--on-duplicate), skipped, added, merged into the earlier row, or an update;
* :func:`update` — a row that names an item: unchanged, refused, or an :class:`UpdatePlan`
  (the fields, the stage move and its date, what the report counts);
* :func:`new_row` and :func:`new_item` — a row for a new item: its chain (before it is
  matched by 项目编码 and name), then an :class:`AddPlan` (its values, stage and history).

The plans say what to write; :class:`~.itemrows.ItemRows` writes them.  What the database
knows beyond the row and its item (the office's moves, the item's last move) is asked
through the callables given, only when the decision needs it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import increments, stages
from ..choices import Confirm, OnDuplicate
from ..definitions import Definitions, FieldDef
from ..hints import option
from ..parse import format_money, normalize_key
from . import history, sheet_rules
from .cells import same_value
from .inference import DateSource
from .outcome import DuplicateAction, Mode, Problem
from .rows import SETTABLE, Current, Diff, ItemRow, Match, NewItem, column_of, display
from .run import RunSettings
from .sheetdates import AsOf

__all__ = [
    "AddPlan",
    "AmountChange",
    "ChainChoice",
    "Decision",
    "Merged",
    "Placement",
    "Refusal",
    "UpdatePlan",
    "chain_of",
    "duplicate_action",
    "for_duplicate",
    "for_match",
    "merged",
    "new_item",
    "new_row",
    "reason_needed",
    "same_row",
    "sheet_chain",
    "signed_amount_changes",
    "taken_names",
    "update",
]


class Decision(enum.StrEnum):
    #: the row is refused (its problems, or the match's refusal)
    reject = "reject"
    #: a new item
    add = "add"
    #: the item the row names (by 编号, 项目编码 or name) is updated with what differs
    update = "update"
    #: the row repeats what is stored (or what an earlier row of the file said)
    unchanged = "unchanged"
    #: left out, as --on-duplicate skip says
    skip = "skip"
    #: a suspected duplicate no --on-duplicate decides: the import asks (writes nothing)
    ask = "ask"
    #: the same project as an earlier row of this file (开工项目 after 签约项目): one item
    merge = "merge"


def for_match(match: Match) -> Decision:
    """A row's decision from what its 编号 matched: refused, an update of that item, or (no
    item named) a new item — subject to the 项目编码 and name matchers then."""
    if match.refusal is not None:
        return Decision.reject
    if match.current is not None:
        return Decision.update
    return Decision.add


@dataclass(frozen=True)
class ChainChoice:
    chain: int | None
    #: the chain comes from the row's group heading (listed as inferred)
    from_heading: bool = False
    #: the row's own chain and its heading's differ: refused
    conflict: bool = False


def chain_of(own: int | None, heading: int | None, default: int | None) -> ChainChoice:
    """A new row's chain: its own cell, else the chain its group heading names, else --chain.
    A cell that says another chain than its heading is a conflict (refused, never chosen)."""
    if heading is not None:
        if own is not None and own != heading:
            return ChainChoice(own, conflict=True)
        return ChainChoice(heading, from_heading=own is None)
    return ChainChoice(own if own is not None else default)


def same_row(pending: NewItem, values: Mapping[str, Any]) -> bool:
    """Whether ``values`` say again what the earlier row ``pending`` of the same file said —
    every value, its stage and unit too (a row that moves it on is not the same)."""
    same = all(
        same_value(pending.common.get(k) if k in SETTABLE else pending.own.get(k), v)
        for k, v in values.items()
        if k not in ("chain", "unit", "status")
    )
    same = same and values.get("status", pending.status) == pending.status
    return same and values.get("unit", pending.common["unit_id"]) == pending.common["unit_id"]


@dataclass(frozen=True)
class Merged:
    """What an item a file gives on two rows holds once the later row is merged into it."""

    common: dict[str, Any]
    own: dict[str, Any]
    status: str


def merged(pending: NewItem, values: Mapping[str, Any]) -> Merged:
    """The values of ``pending`` (an earlier row's new item) that the later row of the same
    project (``values``) changes, and the item's stage: the later row's where it says one.
    The chain stays the first row's."""
    common: dict[str, Any] = {}
    own: dict[str, Any] = {}
    status = pending.status
    for k, v in values.items():
        if k == "chain":
            continue
        if k == "unit":
            common["unit_id"] = v
        elif k == "status":
            status = v
        elif k in SETTABLE:
            common[k] = v
        else:
            own[k] = v
    return Merged(common, own, status)


def for_duplicate(
    *,
    exact: bool,
    choice: OnDuplicate | None,
    earlier_row: bool,
    same: bool | None,
    other_chain: bool = False,
    other_unit: bool = False,
) -> Decision:
    """A new row whose name matches an item's.  ``exact``: the same name once normalised (not
    only alike: 项目 / 有限公司 endings); ``earlier_row``: the item is an earlier row of this
    file; ``same``: the row's values equal that row's or item's (None: not compared);
    ``other_chain``: the stored item is under another chain than the row's; ``other_unit``: it
    is another unit's than the row's (its 责任单位, or the sheet's 填报单位 line or title).

    The same name and the same values is the same item sent again: unchanged.  A name that
    only looks alike is always a suspected duplicate, decided by --on-duplicate (none: asked),
    never counted unchanged; --on-duplicate new always adds; update merges into an earlier row
    of the file, or updates the stored item — never one under another chain: --on-duplicate
    update does not move a project to another chain (two projects of one name — 标准化厂房项目 —
    are common), the row is refused; nor one of another unit (a county's sheet never moves or
    takes over another county's project: its figures would change counties in the ranking)."""
    if exact and choice is not OnDuplicate.new and same:
        return Decision.unchanged
    if choice is None:
        return Decision.ask
    if choice is OnDuplicate.skip:
        return Decision.skip
    if choice is OnDuplicate.new:
        return Decision.add
    if earlier_row:
        return Decision.merge  # (rows of one file of two units: refused by the merge, naming both)
    return Decision.reject if other_chain or other_unit else Decision.update


def keeps_said_stage(order: Sequence[str], said: str, now: object) -> bool:
    """Whether a stage a sheet's name, title or heading gives a row (「签约项目」: one the row has
    at least reached, :attr:`.rows.ItemRow.stage_said`) is the item's stage now: not when the
    item (stage ``now``) is already there or further on in ``order`` — a 签约项目 sheet never
    moves a started project back."""
    if now in order and said in order:
        return order.index(str(now)) < order.index(said)
    return True


def duplicate_action(choice: OnDuplicate | None) -> DuplicateAction:
    """How the report lists a suspected duplicate under ``choice``."""
    return {
        OnDuplicate.update: DuplicateAction.updated,
        OnDuplicate.skip: DuplicateAction.skipped,
        OnDuplicate.new: DuplicateAction.added,
        None: DuplicateAction.pending,
    }[choice]


class SameProject:
    """What the rows of one project in this file said, by field, and which row said it: a
    project on two sheets (签约项目, 开工项目) or twice on one is one item with one figure per field."""

    def __init__(self) -> None:
        self.said: dict[int, dict[str, tuple[Any, ItemRow]]] = {}

    def disagreement(
        self,
        r: ItemRow,
        item_id: int,
        first: ItemRow,
        title: str,
        *,
        fields: Mapping[str, FieldDef],
        unit_names: Mapping[int, str],
    ) -> Problem | None:
        """The problem of row ``r`` when it says another figure than an earlier row (``first``,
        or one after it) of item ``item_id``; None when it agrees (what it says is then kept).
        A stage moving on is no disagreement."""
        said = self.said.setdefault(item_id, {k: (v, first) for k, v in first.values.items()})
        differ = sheet_rules.disagreement(
            {k: v for k, (v, _) in said.items()}, r.values, skip=("chain", "status", "title")
        )
        if not differ:
            said.update((k, (v, r)) for k, v in r.values.items() if v is not None and v != "")
            return None
        key = differ[0]
        old, where = said[key]
        new = r.values[key]
        f = fields.get(key)
        if key == "unit":
            old, new = unit_names.get(old, old), unit_names.get(new, new)
        else:
            old, new = display(f, old), display(f, new)
        there = f"「{where.sheet.raw.name}」第{where.number}行 {column_of(where, key)}（{old}）"
        return Problem(
            r.sheet.raw.name, r.number, column_of(r, key), new,
            f"与{there}是同一项目「{title}」，{f.label if f else key}却不同："
            "同一项目在一个文件里只能有一个数，请核对后改成一致再导入",
        )  # fmt: skip


# ---------------------------------------------------------------------------------------
# A row that names an item: unchanged, refused or updated
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why a row is refused, and where: its column (or field label) and the value there."""

    column: str
    value: object
    reason: str


def reason_needed(status: str) -> str:
    """The refusal of a move into ``status`` (its kind wants a reason) without one."""
    return (
        f"改为「{status}」要写原因（清单定义要求）：请在表中加「{status}原因」列（或「原因」列）写明，"
        f"或用 {option('mapping')} 把写原因的列对应到「原因」"
    )


@dataclass(slots=True)
class UpdatePlan:
    """What a row that names an item does to it: nothing (``unchanged``), nothing because it
    is refused (``reject``, :attr:`refusal`), or an ``update`` of the fields of :attr:`diff`
    with the stage move dated :attr:`status_date`."""

    decision: Decision
    diff: Diff
    refusal: Refusal | None = None
    #: the reason the stage move is recorded with
    reason: str = ""
    #: the day of the stage move (None: the row's own stage date, or no move)
    status_date: str | None = None
    #: the office's moves (a roll-up's 阶段变更 sheet) the item lacks: written first, and the
    #: row's stage is then not set again
    log_moves: list[tuple[Any, ...]] = field(default_factory=list)
    #: where the dates of the moves come from, one per move (the report counts them) — counted
    #: even when the row is then refused, as they were worked out
    sources: list[DateSource] = field(default_factory=list)
    #: the move is dated by the sheet's date: the sheet's inference covers this row
    sheet_date: bool = False
    #: the item has moves 待认定 and the row says its stage: they stand as the unit reported them
    stand_as_reported: bool = False
    #: a move back that --confirm misreport says withdraws an earlier report (not a 回退)
    misreport: bool = False
    #: what --confirm said a move back on a sheet under review is (misreport / backward)
    move_back: Confirm | None = None
    #: amounts of a project signed in an earlier month changed as --confirm increase / correction says
    amounts: list[AmountChange] = field(default_factory=list)

    def refuse(self, column: str, value: object, reason: str) -> UpdatePlan:
        self.decision, self.refusal = Decision.reject, Refusal(column, value, reason)
        return self


def update(
    r: ItemRow,
    cur: Current,
    diff: Diff,
    *,
    settings: RunSettings,
    defs: Definitions,
    has_moves: bool,
    newer: Callable[[str], tuple[list[tuple[Any, ...]], str | None]],
    last_move: Callable[[], str | None],
    under_review: bool = False,
    stored_as_of: Callable[[], AsOf | None] = lambda: None,
) -> UpdatePlan:
    """What row ``r`` does to item ``cur``, given what it changes (``diff``, :func:`~.rows.diff_row`).

    ``has_moves``: a roll-up's 阶段变更 sheet was read; ``newer(stage)``: the office's moves
    of the item this database lacks up to ``stage``, and its date of reaching it
    (:func:`~.moves.newer`); ``last_move()``: the date of the item's last move — each asked
    only when needed; ``stored_as_of()``: the day the sheet that wrote the item's stored
    figures speaks for (:func:`~.sheetdates.latest`).  ``under_review``: what the import brings waits for 认定 (a signed
    project's changed amount is then a reported 增资 / 更正, :func:`zhaoshang.increments.from_submission`)."""
    parsed = diff.parsed
    if not diff.shown:
        return UpdatePlan(Decision.unchanged, diff)
    status = parsed.status
    moving_to = status if status is not None and status != cur.common["status"] else None
    from_moves = has_moves and r.ref is not None  # a roll-up's 阶段变更 sheet has the reasons
    needs = moving_to is not None and r.kind.status(str(moving_to)).requires_reason
    plan = UpdatePlan(Decision.update, diff)
    if needs and not from_moves and not r.reason and r.ref is None:
        return plan.refuse("状态", moving_to, reason_needed(str(moving_to)))
    plan.reason = r.reason or f"导入「{settings.file_name}」第{r.number}行"
    if under_review and moving_to is not None:  # a county's sheet moving a project back: ask which
        back = backward_choice(r, cur, str(moving_to), settings.opts.confirm)
        if isinstance(back, Refusal):
            return plan.refuse(back.column, back.value, back.reason)
        plan.misreport = back is Confirm.misreport
        plan.move_back = back
    status_date = None
    if has_moves and status is not None and r.ref is not None:
        todo, status_date = newer(status)
        if todo:
            plan.log_moves = todo
            plan.sources.extend([DateSource.rollup_log] * len(todo))
            status = None
        elif status_date is not None:
            plan.sources.append(DateSource.rollup_log)
    if r.closed_on is not None and status_date is None and (status is not None or cur.common["status"]):
        # the row's own 办结时间: the date of its closing move, not the sheet's
        why = history.closing_date(r.kind, str(status or cur.common["status"]), r.closed_on)
        if why is not None:
            return plan.refuse(column_of(r, "closed_at"), r.closed_on, why)
        if status is not None:
            status_date = r.closed_on
            plan.sources.append(DateSource.row)
    if status is not None and status_date is None:
        key = stages.date_fields(r.kind).get(status)
        if key and parsed.own.get(key):
            plan.sources.append(DateSource.row)
        else:
            undated = history.undated(
                defs, r.kind, str(status), r.sheet, mode=settings.mode, today=settings.today, option=option,
                timing=r.timing,
            )  # fmt: skip
            if undated is not None:
                return plan.refuse(column_of(r, "status"), status, undated)
            status_date = r.sheet.move_date
            plan.sources.append(r.sheet.move_source)
            plan.sheet_date = True
        day = status_date or (parsed.own.get(key) if key else None)
        if day is not None:
            stored = str(cur.common["status"])
            backward = stages.pipeline_flag(r.kind, stored, str(status)) == "backward"
            why = history.behind(r.kind, cur.id, stored, str(status), str(day), last_move() if backward else None)
            if why is not None:
                return plan.refuse(column_of(r, "status"), str(status), why)
    older = older_sheet(r, cur, diff, settings=settings, stored_as_of=stored_as_of)
    if older is not None:
        return plan.refuse(older.column, older.value, older.reason)
    if not under_review and settings.mode is Mode.plain:
        changes, refusal = signed_amount_changes(
            r, cur, diff, day=r.sheet.move_date or settings.today, confirm=settings.opts.confirm
        )
        if refusal is not None:
            return plan.refuse(refusal.column, refusal.value, refusal.reason)
        plan.amounts = changes
    plan.status_date = status_date
    plan.stand_as_reported = cur.waiting and (
        status is not None or any(k in parsed.own for k in stages.date_fields(r.kind).values())
    )
    return plan


def backward_choice(r: ItemRow, cur: Current, target: str, confirm: Iterable[Confirm]) -> Confirm | Refusal | None:
    """A sheet under review that moves item ``cur`` back to ``target`` (已签约 → 在谈) cannot
    say whether the earlier report was wrong or the project really went back: the user's
    ``--confirm misreport`` / ``backward`` says, else the row is refused naming both.  None:
    no move back."""
    stored = str(cur.common["status"])
    if stages.pipeline_flag(r.kind, stored, target) != stages.BACKWARD:
        return None
    chosen = [c for c in (Confirm.misreport, Confirm.backward) if c in confirm]
    if len(chosen) == 1:
        return chosen[0]
    return Refusal(
        column_of(r, "status"),
        target,
        f"编号 {cur.id} 现为「{stored}」，本表改为「{target}」：是此前误报还是项目回退，表上看不出。"
        f"是误报请加 {option('confirm')} {Confirm.misreport}（认定后撤回「{stored}」等已报的阶段，"
        f"任何月份都不再计入，阶段日期清空）；确是回退请加 {option('confirm')} {Confirm.backward}"
        f"（已达到的阶段照常计入原来的月份，记一次回退）",
    )


#: where a sheet's day comes from when it is the day the sheet speaks for (not the import's)
SHEET_DAYS = (DateSource.report_period, DateSource.filing_date, DateSource.as_of)


def older_sheet(
    r: ItemRow, cur: Current, diff: Diff, *, settings: RunSettings, stored_as_of: Callable[[], AsOf | None]
) -> Refusal | None:
    """Why row ``r`` may not change the stored figures of ``cur`` (None: it may): its sheet
    speaks for a day (report period, filing day) before the day of the sheet that wrote them —
    October's sheet arriving after November's would put back October's figures.  Filling an
    empty field is no putting back.  ``--force`` takes the older sheet all the same."""
    if settings.mode is not Mode.plain or settings.opts.force or r.sheet.move_source not in SHEET_DAYS:
        return None
    parsed = diff.parsed
    changed = [
        (k, cur.common.get(k) if k in parsed.common else cur.own.get(k), v)
        for part in (parsed.common, parsed.own)
        for k, v in part.items()
    ]
    changed = [(k, old, new) for k, old, new in changed if old is not None and old != ""]
    if not changed:
        return None
    stored = stored_as_of()
    day = r.sheet.move_date
    if stored is None or day >= stored.day:
        return None
    key, old, new = changed[0]
    field_key = key.removesuffix("_id") if key in ("chain_id", "unit_id") else key
    where = column_of(r, field_key)
    label = next((f.label for f in r.kind.fields if f.key == field_key), field_key)
    shown = next(((o, n) for lab, o, n in diff.shown if lab == label), (str(old), str(new)))
    col = next((c for c, (t, _p) in r.sheet.maps.get(r.kind.key, {}).items() if t.key == field_key), None)
    return Refusal(
        where,
        r.cells.get(col, new) if col is not None else new,
        f"本表的日期 {day}（{r.sheet.move_source.label}）早于本库编号 {cur.id} 现有数据所依据的表"
        f"（{stored.day}，第 {stored.command_id} 次操作导入）：较早的表不能把较新的数改回去"
        f"（{label} {shown[0]} → {shown[1]}）。较新的数错了请用 zs edit {cur.id} 改正；"
        f"确要用这份较早的表覆盖请加 {option('force')}",
    )


@dataclass(frozen=True)
class AmountChange:
    """A signed project's amount a later period's sheet changes, and what the user said it is."""

    field: str
    label: str
    old: float
    new: float
    change: Confirm  # Confirm.increase or Confirm.correction
    #: the day the sheet speaks for (its report period's end, its filing day …): an 增资's date
    day: str
    #: the day of the project's first signing (its month's figure a correction changes)
    signed: str
    #: the column it came from, for people (E列「投资额（亿元）」)
    where: str
    unit: str = "万元"

    @property
    def text(self) -> str:
        amount = f"{self.label} {format_money(self.old)} → {format_money(self.new)} {self.unit}"
        if self.change is Confirm.increase:
            return (
                f"{self.where}：{amount} 按 {option('confirm')} {Confirm.increase} 记为 {self.day} 的增资"
                f"（{self.day[:7]} 的签约额加 {format_money(self.new - self.old)} {self.unit}，"
                f"{self.signed[:7]} 首次签约的金额不变）"
            )
        return (
            f"{self.where}：{amount} 按 {option('confirm')} {Confirm.correction} 记为更正"
            f"（改的是 {self.signed} 首次签约的金额，{self.signed[:7]} 的签约额随之改变）"
        )


def signed_amount_changes(
    r: ItemRow, cur: Current, diff: Diff, *, day: str, confirm: frozenset[Confirm]
) -> tuple[list[AmountChange], Refusal | None]:
    """The amounts (投资额, 外资额) row ``r`` changes of ``cur``, a project first signed in a month
    before the one its sheet speaks for (``day``).  Whether the sheet's new figure is an 增资 —
    counted in ``day``'s month, the signing's amount kept — or a correction of the signing's
    amount (its closed month's 签约额 changes) cannot be read from the sheet: refused unless
    ``confirm`` says which (a fall can only be a correction).  ([], None): nothing to ask."""
    kind = r.kind
    stage = stages.signing_stage(kind)
    key = stages.date_fields(kind).get(stage) if stage is not None else None
    signed = cur.own.get(key) if key is not None else None
    if not signed or str(signed)[:7] >= day[:7]:
        return [], None
    signed = str(signed)
    keys = {f.key: f for f in kind.fields}
    chosen = [c for c in (Confirm.increase, Confirm.correction) if c in confirm]
    out: list[AmountChange] = []
    for k in increments.amount_fields(kind):
        f = keys[k]
        if k not in diff.parsed.own:
            continue
        old, new = cur.own.get(k), diff.parsed.own[k]
        if old is None or new is None:
            continue
        old, new = float(old), float(new)
        where = column_of(r, k)
        unit = f.unit_label
        said = f"{f.label} {format_money(old)} → {format_money(new)} {unit}"
        sheet_day = f"本表的日期 {day}（{r.sheet.move_source.label}）"
        if len(chosen) != 1 or (new < old and chosen[0] is Confirm.increase):
            if new < old:
                why = (
                    f"项目 {signed} 已签约（计入 {signed[:7]} 的签约额），{sheet_day}把{said}：投资额减少只能是更正，"
                    f"改的是 {signed[:7]} 已报出的签约额。确是原来填错了请加 {option('confirm')} {Confirm.correction}"
                    f"；否则请核对本表的{f.label}"
                )
            else:
                why = (
                    f"项目 {signed} 已签约（计入 {signed[:7]} 的签约额），{sheet_day}把{said}："
                    "是增资还是更正，表上看不出。"
                    f"是增资（补充协议）请加 {option('confirm')} {Confirm.increase}，记为 {day} 的增资，"
                    f"{day[:7]} 的签约额加 {format_money(new - old)} {unit}、{signed[:7]} 的不变；"
                    f"是原来填错了请加 {option('confirm')} {Confirm.correction}，改的是 {signed[:7]} 的签约额"
                    f"（两种都有时请分开导入，或用 zs invest add 记增资）"
                )
            col = next((c for c, (t, _p) in r.sheet.maps.get(kind.key, {}).items() if t.key == k), None)
            return [], Refusal(where, r.cells.get(col, new) if col is not None else new, why)
        out.append(AmountChange(k, f.label, old, new, chosen[0], day, signed, where, unit))
    return out, None


# ---------------------------------------------------------------------------------------
# A row for a new item: its chain, then its values and history
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A new row's chain (or why it has none): decided before it is matched by 项目编码 and name."""

    chain: int | None = None
    refusal: Refusal | None = None
    #: the chain comes from the row's group heading (an inference to record)
    from_heading: bool = False
    #: the chain comes from the name of the row's sheet (an inference to record)
    from_sheet: bool = False


def taken_names(unit_names: Mapping[int, str], chain_names: Mapping[int, str]) -> dict[str, str]:
    """The names no project has (:func:`~zhaoshang.parse.normalize_key`): the units' and the
    chains', each to what it is (招商主体 / 产业链)."""
    taken = {normalize_key(n): "产业链" for n in chain_names.values()}
    taken.update((normalize_key(n), "招商主体") for n in unit_names.values())
    return taken


def new_row(
    r: ItemRow,
    *,
    headed: int | None,
    default_chain: int | None,
    chain_names: Mapping[int, str],
    unit_names: Mapping[int, str] | None = None,
    sheet_chain: int | None = None,
    name_keys: Mapping[str, str] | None = None,
) -> Placement:
    """Whether row ``r`` can be a new item (it has a name that is not a unit's or a chain's: a
    subtotal row 「孙吴县 … 3.5」) and its chain: its own cell, else its group heading's
    (``headed``), else the chain its sheet is named for (``sheet_chain``: a workbook of a sheet
    per chain, where --chain would put every sheet's rows in one), else --chain
    (``default_chain``).  ``name_keys``: :func:`taken_names` of ``unit_names`` and
    ``chain_names`` when the caller keeps it (worked out here otherwise)."""
    title = r.values.get("title")
    if title is not None and r.kind.pipeline:  # (a project's row, not a pitch or an event)
        taken = name_keys if name_keys is not None else taken_names(unit_names or {}, chain_names)
        what = taken.get(normalize_key(str(title)))
        if what is not None:
            label = r.kind.title.label
            return Placement(refusal=Refusal(
                label, title,
                f"{label}「{title}」是一个{what}的名称，不是项目：是这个{what}的小计行就删去本行"
                f"（小计会重复计算）；是项目就写出项目的全称",
            ))  # fmt: skip
    if r.values.get("title") is None:
        label = r.kind.title.label
        return Placement(refusal=Refusal(
            label, None,
            f"{label}不能为空：没有{label}的行不是一个条目——是说明、落款或分项就删去这一行，是条目就填上{label}",
        ))  # fmt: skip
    own_chain = r.values.get("chain")
    chosen = chain_of(own_chain, headed, default_chain if sheet_chain is None else sheet_chain)
    if chosen.conflict:
        assert own_chain is not None and headed is not None
        return Placement(refusal=Refusal(
            "产业链", chain_names.get(own_chain),
            f"与本行所在的分组标题「{r.chain_heading or r.heading}」说的产业链「{chain_names.get(headed)}」不一致："
            "请改正其一",
        ))  # fmt: skip
    if own_chain is None and headed is None and r.heading is not None and sheet_rules.speaks_of_chain(r.heading):
        # a chain's heading this database has no chain for: --chain would put the group elsewhere
        known = list(chain_names.values())
        listed = "、".join(known[:12]) + ("……" if len(known) > 12 else "")
        return Placement(refusal=Refusal(
            "产业链", None,
            f"本行在分组标题「{r.heading}」下，标题说的产业链对不上已有的产业链（{listed}）：请把标题改成产业链的名称，"
            "或在表中加「产业链」列；要新建这条产业链请先 zs chain add",
        ))  # fmt: skip
    if chosen.chain is None:
        return Placement(
            refusal=Refusal("产业链", None, f"缺少产业链：请在表中加「产业链」列，或用 {option('chain')} 指定")
        )
    from_sheet = own_chain is None and headed is None and sheet_chain is not None
    return Placement(chosen.chain, from_heading=chosen.from_heading, from_sheet=from_sheet)


#: what may follow a chain's name in the name of a sheet of its own (「新能源产业链」「绿色矿业项目」)
_SHEET_CHAIN_ENDS = ("产业链项目", "产业链", "产业项目", "产业", "项目表", "项目", "链")


def sheet_chain(sheet: str, chain_names: Mapping[int, str]) -> int | None:
    """The chain a sheet is named for: its name is the chain's (「新能源」), with at most 产业链 /
    产业 / 项目 after it; None for any other name (「签约项目」「Sheet1」「新能源汽车」 beside 新能源)."""
    key = normalize_key(sheet)
    if not key:
        return None
    keys = {key}
    for end in _SHEET_CHAIN_ENDS:
        if key.endswith(end) and len(key) > len(end):
            keys.add(key.removesuffix(end))
    hits = {cid for cid, name in chain_names.items() if normalize_key(name) in keys}
    return next(iter(hits)) if len(hits) == 1 else None


@dataclass(slots=True)
class AddPlan:
    """What a row for a new item adds (``add``), or why it is refused (``reject``)."""

    decision: Decision
    refusal: Refusal | None = None
    #: the item's common values (title, chain_id, unit_id, owner, due, notes) and its kind's own
    common: dict[str, Any] = field(default_factory=dict)
    own: dict[str, Any] = field(default_factory=dict)
    status: str = ""
    #: its history (from, to, date, flag); None in a roll-up with its 阶段变更 sheet
    log: list[history.LogEntry] | None = None
    #: where the dates of its moves come from, one per move (the report counts them)
    sources: list[DateSource] = field(default_factory=list)
    #: a move is dated by the sheet's date: the sheet's inference covers this row
    sheet_date: bool = False
    #: the row takes the sheet's 填报单位: its inference covers this row (recorded even when
    #: the row is then refused for its stage)
    unit_inferred: bool = False


def new_item(
    r: ItemRow,
    title: object,
    chain: int,
    *,
    own_fields: Sequence[tuple[str, Any, bool, str]],
    settings: RunSettings,
    defs: Definitions,
    from_log: bool,
) -> AddPlan:
    """The new item of row ``r`` named ``title`` in ``chain``: its values (``own_fields``: the kind's fields as
    (key, stored default, required, label)), unit, stage and history.  ``from_log``: a roll-up
    row whose history is the office's 阶段变更 sheet (no history worked out, no reason asked)."""
    kind, values = r.kind, r.values
    own: dict[str, Any] = {}
    for key, default, required, label in own_fields:
        v = values.get(key)
        if v is None:
            v = default
            if v is None:
                if required:
                    return AddPlan(Decision.reject, Refusal(label, None, f"「{label}」必填"))
                continue
        own[key] = v
    unit = values.get("unit") if "unit" in values else r.sheet.default_unit
    common = {
        "title": title,
        "chain_id": chain,
        "unit_id": unit,
        "owner": values.get("owner"),
        "due": values.get("due"),
        "notes": values.get("notes"),
    }
    status = values.get("status") or kind.default_status
    plan = AddPlan(Decision.add, None, common, own, status)
    plan.unit_inferred = "unit" not in values and r.sheet.unit_inference is not None
    if from_log:
        return plan
    # a row typed without an 编号 (a county's sheet) must say why; a row of an export (it has
    # its 编号) carries no reason column: its reason is in the 阶段变更 record
    if kind.status(status).requires_reason and not r.reason and r.ref is None:
        plan.decision, plan.refusal = Decision.reject, Refusal("状态", status, reason_needed(status))
        return plan
    try:
        got = new_history(r, status, own, settings=settings, defs=defs)
    except stages.StageDateError as exc:
        bad = exc.keys[0] if exc.keys else None
        cell = status if bad == "status" else own.get(bad) if bad else None
        plan.decision, plan.refusal = Decision.reject, Refusal(column_of(r, bad) if bad else "", cell, exc.message)
        return plan
    own.update(got.stage_dates)
    plan.log, plan.sources, plan.sheet_date = got.log, list(got.sources), got.sheet_date
    return plan


def new_history(
    r: ItemRow, status: str, own: dict[str, Any], *, settings: RunSettings, defs: Definitions, counted: int = 0
) -> history.History:
    """:func:`.history.plan` for the new item of row ``r`` (raises
    :class:`~zhaoshang.stages.StageDateError`)."""

    def undated(st: str) -> str | None:
        return history.undated(
            defs, r.kind, st, r.sheet, mode=settings.mode, today=settings.today, option=option, timing=r.timing
        )

    return history.plan(
        r.kind, status, own, r.sheet, today=settings.today, undated=undated, counted=counted, closed_on=r.closed_on
    )
