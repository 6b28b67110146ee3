"""A new row's history — the stage log it enters with — as a plain function of the row.

:func:`plan` takes the row's kind, status and stage dates and the sheet's dates (report period,
filing day: :class:`~.rows.SheetContext`) and returns a :class:`History`: the log, where each
move's date came from, and whether the sheet's date was used (its inference then covers the
row).  It reads and writes no import state: the caller records what it returns.
:func:`undated` says why a move cannot be dated at all (a sheet from outside with no date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import stages
from ..definitions import Definitions, KindDef
from .inference import DateSource
from .outcome import Mode
from .rows import SheetContext
from .sheet_rules import Timing

__all__ = ["History", "LogEntry", "behind", "plan", "undated"]

#: one move of the log: (from status — None for the entry, to status, ISO date, pipeline flag)
LogEntry = tuple[str | None, str, str, str | None]


@dataclass
class History:
    log: list[LogEntry]
    #: the stage date fields as the log says they were reached (field key -> ISO date or None)
    stage_dates: dict[str, str | None] = field(default_factory=dict)
    #: where the date of each move this row adds came from (counted in the report)
    sources: list[DateSource] = field(default_factory=list)
    #: the sheet's date (report period, filing day …) dates the entry or a move of this row
    sheet_date: bool = False


#: per kind (by identity; the kind is kept so its id is not reused): its stage date fields and,
#: per dated stage, the stages that count as having reached it
_FIELDS: dict[int, tuple[KindDef, dict[str, str], dict[str, frozenset[str]]]] = {}


def _stage_fields(kind: KindDef) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    hit = _FIELDS.get(id(kind))
    if hit is None or hit[0] is not kind:
        fields = stages.date_fields(kind)
        hit = _FIELDS[id(kind)] = (kind, fields, {st: frozenset(stages.reached_stages(kind, st)) for st in fields})
    return hit[1], hit[2]


def undated(
    defs: Definitions,
    kind: KindDef,
    status: str,
    sheet: SheetContext,
    *,
    mode: Mode,
    today: str,
    option: Callable[[str], str],
    timing: tuple[Timing, str, str] | None = None,
) -> str | None:
    """Why a move into ``status`` of a row of ``sheet`` cannot be dated (None: it can).  A sheet
    from outside that gives no date for a move — no date column, no period in its title, no
    filing day — would have it dated the day of import: when it was typed in, not when it
    happened.  Refused unless the user gives the date (--as-of).

    ``timing``: the row's heading (or its sheet's name or title) says it reached its stage
    before the period (「续建」) or at any time (「在建」「累计」): the sheet's date would count it as
    a new one of the period — a move into that stage or one before it needs the row's own date."""
    if timing is not None and timing[0] is not Timing.period:
        when, reached, words = timing
        order = stages.stages_of(kind)
        if status in order and reached in order and order.index(status) <= order.index(reached):
            key = stages.date_fields(kind).get(status) or stages.date_fields(kind).get(reached)
            column = f"「{defs.field(kind, key).label}」" if key else "日期"
            said = "报告期之前就到了" if when is Timing.before else "不一定在报告期内到了"
            return (
                f"本行在{words}下，是{said}「{reached}」的项目，本行却没有{column}：按本表的日期 "
                f"{sheet.move_date or today}（{sheet.move_source.label}）记，就成了本期新到「{status}」的项目。"
                f"请在表中加{column}列，填上实际的日期"
            )
    if sheet.move_source is not DateSource.import_day or mode is not Mode.plain:
        return None
    key = stages.date_fields(kind).get(status)
    column = f"「{defs.field(kind, key).label}」列" if key else "日期列"
    return (
        f"改为「{status}」没有日期：本行没有{column}，标题没有写报告期（如「2026年10月」），表头上方也没有填报日期，"
        f"只能记为导入当天 {today}——那是录入的日子，不是发生的日子。"
        f"请在表中填上日期，或用 {option('as_of')} 日期 给出这些阶段变更发生的日期"
        f"（确是今天就写 {option('as_of')} {today}）"
    )


def closing_date(kind: KindDef, status: str, day: str) -> str | None:
    """Why a row's own date of a closure (办结时间 ``day``) cannot date its move into ``status``
    (None: it can) — the row is not closed, or the day has not come yet."""
    from ..stages import real_today

    if not kind.status(status).terminal:
        return f"填了办结时间 {day}，状态却是「{status}」（没有办结）：请核对状态或去掉办结时间"
    today = real_today().isoformat()
    if day > today:
        return f"办结时间 {day} 晚于今天（{today}）：只能记录已经发生的事"
    return None


def plan(
    kind: KindDef,
    status: str,
    own: dict[str, Any],
    sheet: SheetContext,
    *,
    today: str,
    undated: Callable[[str], str | None],
    counted: int = 0,
    closed_on: str | None = None,
) -> History:
    """A new row's history by the stage rules: it comes in at the kind's first status and
    moves on to ``status``, each dated stage on its own date column (签约日期 …), the rest on
    the sheet's date; :attr:`History.stage_dates` are then what the log says.  ``undated``
    gives why a move into a status cannot be dated (None: it can); ``counted``: moves of an
    item seen on an earlier sheet, counted there.  Raises
    :class:`~zhaoshang.stages.StageDateError` naming the field at fault."""
    fields, reached = _stage_fields(kind)
    dates = {st: str(own[key]) for st, key in fields.items() if own.get(key)}
    if closed_on is not None:  # the row's own 办结时间 dates its closing move (:func:`closing_date`)
        why = closing_date(kind, status, closed_on)
        if why is not None:
            raise stages.StageDateError(why, ["closed_at"])
        dates[status] = closed_on
    if sheet.filed is not None:
        # a stage the sheet says happened after the day it was filled in cannot be right
        late = [(st, d) for st, d in dates.items() if d > sheet.filed]
        if late:
            st, d = late[0]
            raise stages.StageDateError(
                f"{d} 晚于本表的{sheet.filed_key} {sheet.filed}：填表时还没有发生的事不能报。"
                "请核对这个日期（或表头的填报日期）",
                [fields.get(st, "closed_at")],
            )
    fallback = sheet.move_date or today
    # a project packaged before any investor exists (谋划储备) comes in there, not at 线索
    first = status if kind.status(status).reserve else kind.default_status
    if not dates and status == first:  # most rows of a county sheet: just in
        return History([(None, status, fallback, None)], sheet_date=sheet.move_inference is not None)
    planned = stages.plan(kind, first, status, dates, fallback)
    late_move = next((m for m in planned if m.source != "field"), None)
    if late_move is not None:
        why = undated(late_move.to_status)
        if why is not None:
            raise stages.StageDateError(why, ["status"])
    entry = min([fallback, *(m.date for m in planned)])
    out = History([(None, first, entry, None)])
    # (the entry or a move is on the sheet's date)
    out.sheet_date = sheet.move_inference is not None and (late_move is not None or entry == fallback)
    cur = first
    for i, m in enumerate(planned):
        out.log.append((cur, m.to_status, m.date, stages.pipeline_flag(kind, cur, m.to_status)))
        cur = m.to_status
        if i >= counted:  # (moves of an item seen on an earlier sheet are counted once)
            out.sources.append(DateSource.row if m.source == "field" else sheet.move_source)
    for st, key in fields.items():
        names = reached[st]
        reached_on = min((d for _f, t, d, _x in out.log if t in names), default=None)
        if reached_on is not None or key in own:
            out.stage_dates[key] = reached_on
    return out


def behind(kind: KindDef, item_id: int, stored: str, status: str, day: str, last: str | None) -> str | None:
    """Why a row may not move item ``item_id`` from ``stored`` back to ``status`` on ``day``
    (None: it may).  An older sheet (October's) sending back a project that has moved on since
    (its last move on ``last``) says what was true on ``day``, not that the project went back."""
    if stages.pipeline_flag(kind, stored, status) != "backward" or last is None or day >= str(last):
        return None
    return (
        f"本行说 {day} 时是「{status}」，但本库这个项目 {last} 已到「{stored}」："
        f"较早的表不能把阶段改回去。确要回退请用 zs stage {item_id} {status} --force"
    )
