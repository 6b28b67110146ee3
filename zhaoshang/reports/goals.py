"""Annual targets (年度目标) of units and chains: read, set, remove, import.

A goal is (unit or chain, year, metric, value) in the ``goals`` table; metrics are the
report figures that may carry a goal (签约额, 到位资金, 开工项目 …, see
:func:`zhaoshang.reports.metrics.goal_metrics`).  Money is stored in 万元 / 万美元 like
everything else and accepts what people write (30亿, 8000万, 1.2亿美元).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import NotFoundError, ParseError, ZsError
from .metrics import Metric, find_metric, goal_metrics

if TYPE_CHECKING:
    from ..db import Database

LEVELS = {"unit": "招商主体", "chain": "产业链"}


@dataclass(frozen=True)
class Owner:
    level: str  # unit | chain
    id: int
    name: str

    @property
    def column(self) -> str:
        return f"{self.level}_id"


@dataclass
class GoalChange:
    owner: Owner
    year: int
    metric: str
    old: float | None
    new: float | None  # None: removed

    @property
    def changed(self) -> bool:
        return self.old != self.new


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------


def goals_for(db: Database, year: int) -> tuple[dict[int, dict[str, float]], dict[int, dict[str, float]]]:
    """(chain goals, unit goals) of ``year``: id -> metric -> value."""
    chains: dict[int, dict[str, float]] = {}
    units: dict[int, dict[str, float]] = {}
    for chain_id, unit_id, metric, value in db.conn.execute(
        "SELECT chain_id, unit_id, metric, value FROM goals WHERE year = ?", (year,)
    ):
        if chain_id is not None:
            chains.setdefault(chain_id, {})[metric] = float(value)
        else:
            units.setdefault(unit_id, {})[metric] = float(value)
    return chains, units


def list_goals(db: Database, year: int | None = None, owner: Owner | None = None) -> list[dict[str, Any]]:
    """Every goal (of a year / of one unit or chain) as rows for people and scripts."""
    from .metrics import BY_KEY

    where, params = [], []
    if year is not None:
        where.append("g.year = ?")
        params.append(year)
    if owner is not None:
        where.append(f"g.{owner.column} = ?")
        params.append(owner.id)
    sql = (
        "SELECT g.year, CASE WHEN g.unit_id IS NOT NULL THEN 'unit' ELSE 'chain' END AS level, "
        "coalesce(u.name, c.name) AS name, g.metric, g.value FROM goals g "
        "LEFT JOIN units u ON u.id = g.unit_id LEFT JOIN chains c ON c.id = g.chain_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY g.year, level DESC, coalesce(g.unit_id, g.chain_id), g.metric"
    )
    out = []
    for year_, level, name, metric, value in db.conn.execute(sql, params):
        m = BY_KEY.get(metric)
        out.append(
            {
                "year": year_,
                "level": level,
                "level_label": LEVELS[level],
                "name": name,
                "metric": metric,
                "metric_label": m.label if m else metric,
                "metric_unit": m.unit if m else "",
                "value": value,
            }
        )
    return out


# ---------------------------------------------------------------------------------------
# Resolving names and values
# ---------------------------------------------------------------------------------------


def resolve_owner(db: Database, name: str, level: str | None = None) -> Owner:
    """A unit or chain by name.  Exact names win; a name that is both needs ``level``."""
    from .. import lookups

    text = name.strip()
    if level in LEVELS:
        finder = lookups.unit_id if level == "unit" else lookups.chain_id
        oid = finder(db, text)
        return Owner(level, oid, _name(db, level, oid))
    exact = [
        (lvl, row[0])
        for lvl, table in (("unit", "units"), ("chain", "chains"))
        for row in db.conn.execute(f"SELECT id FROM {table} WHERE name = ?", (text,))
    ]
    if len(exact) == 1:
        lvl, oid = exact[0]
        return Owner(lvl, int(oid), text)
    if len(exact) > 1:
        raise ZsError(f"「{text}」既是招商主体又是产业链：请加 --unit 或 --chain 指明")
    found: list[Owner] = []
    for lvl, finder in (("unit", lookups.unit_id), ("chain", lookups.chain_id)):
        try:
            oid = finder(db, text)
        except NotFoundError:
            continue
        found.append(Owner(lvl, oid, _name(db, lvl, oid)))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = "、".join(f"{LEVELS[o.level]}「{o.name}」" for o in found)
        raise ZsError(f"「{text}」可能是 {names}：请写全名，或加 --unit / --chain 指明")
    raise NotFoundError(
        f"没有名为「{text}」的招商主体或产业链：用 zs unit list、zs chain list 查看，或先 zs unit add {text}"
    )


def _name(db: Database, level: str, oid: int) -> str:
    table = "units" if level == "unit" else "chains"
    return str(db.conn.execute(f"SELECT name FROM {table} WHERE id = ?", (oid,)).fetchone()[0])


def goal_metric(name: str) -> Metric:
    """The goal metric called ``name`` (key, label or alias)."""
    m = find_metric(name)
    if m is None or not m.goal:
        allowed = "、".join(f"{g.label}（{g.unit}）" for g in goal_metrics())
        what = f"「{m.label}」不能设年度目标" if m is not None else f"没有「{name.strip()}」这个指标"
        raise NotFoundError(f"{what}。可设目标的指标：{allowed}")
    return m


def parse_goal_value(m: Metric, raw: object, *, default_unit: str = "万") -> float:
    """A goal value: money in 万元/万美元 (30亿, 8000万 …), counts as whole numbers."""
    from ..parse import parse_int, parse_money

    try:
        if m.money:
            value = parse_money(raw, currency="USD" if m.unit == "万美元" else "CNY", default_unit=default_unit)
        else:
            value = float(parse_int(raw))
    except ZsError as exc:
        raise ParseError(f"{m.label}目标：{exc.message}") from None
    if value < 0:
        raise ParseError(f"{m.label}目标不能为负数：{raw}")
    return value


# ---------------------------------------------------------------------------------------
# Writing (inside a command)
# ---------------------------------------------------------------------------------------


def _current(db: Database, owner: Owner, year: int, metric: str) -> float | None:
    row = db.conn.execute(
        f"SELECT value FROM goals WHERE {owner.column} = ? AND year = ? AND metric = ?", (owner.id, year, metric)
    ).fetchone()
    return None if row is None else float(row[0])


def apply(db: Database, changes: list[GoalChange]) -> int:
    """Write goal changes (inside ``db.command``); returns how many rows changed."""
    n = 0
    for ch in changes:
        if not ch.changed:
            continue
        col = ch.owner.column
        if ch.new is None:
            db.conn.execute(
                f"DELETE FROM goals WHERE {col} = ? AND year = ? AND metric = ?", (ch.owner.id, ch.year, ch.metric)
            )
        elif ch.old is None:
            db.conn.execute(
                f"INSERT INTO goals({col}, year, metric, value) VALUES (?, ?, ?, ?)",
                (ch.owner.id, ch.year, ch.metric, ch.new),
            )
        else:
            db.conn.execute(
                f"UPDATE goals SET value = ? WHERE {col} = ? AND year = ? AND metric = ?",
                (ch.new, ch.owner.id, ch.year, ch.metric),
            )
        n += 1
    return n


def plan(db: Database, owner: Owner, year: int, values: Mapping[str, object]) -> list[GoalChange]:
    """What ``set`` would change: metric=value pairs (an empty value removes the goal)."""
    _check_year(year)
    out: list[GoalChange] = []
    seen: set[str] = set()
    for name, raw in values.items():
        m = goal_metric(name)
        if m.key in seen:
            raise ZsError(f"指标「{m.label}」写了两次：请只写一次")
        seen.add(m.key)
        text = "" if raw is None else str(raw).strip()
        new = None if text == "" else parse_goal_value(m, text)
        out.append(GoalChange(owner, year, m.key, _current(db, owner, year, m.key), new))
    return out


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise ZsError(f"年度 {year} 不合理：请写四位数年份，如 2026")


# ---------------------------------------------------------------------------------------
# Import from a workbook or CSV
# ---------------------------------------------------------------------------------------

_NAME_HEADERS = {
    "名称": None,
    "单位": "unit",
    "招商主体": "unit",
    "区县": "unit",
    "县区": "unit",
    "责任单位": "unit",
    "单位名称": "unit",
    "产业链": "chain",
    "产业链名称": "chain",
    "重点产业链": "chain",
}
_YEAR_HEADERS = ("年度", "年份", "年")
_LONG_METRIC = ("指标", "指标名称", "目标指标")
_LONG_VALUE = ("目标值", "目标", "年度目标", "数值")


@dataclass
class ImportResult:
    changes: list[GoalChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(1 for c in self.changes if c.old is None and c.new is not None)

    @property
    def updated(self) -> int:
        return sum(1 for c in self.changes if c.old is not None and c.changed)

    @property
    def unchanged(self) -> int:
        return sum(1 for c in self.changes if not c.changed)


def _known_header(label: str) -> bool:
    from ..parse import normalize_key

    key = normalize_key(label)
    fixed = {normalize_key(x) for x in (*_NAME_HEADERS, *_YEAR_HEADERS, *_LONG_METRIC, *_LONG_VALUE)}
    if key in fixed:
        return True
    m = find_metric(label)
    return m is not None and m.goal


def read_goals(db: Database, path: Path, *, year: int) -> ImportResult:
    """Parse a goals file: either one row per unit/chain with a column per metric
    (名称 | 签约额（亿元） | 到位资金（亿元） | 开工项目), or one row per goal
    (名称 | 指标 | 目标值 [| 年度]).  Every problem is collected; nothing is written."""
    from ..exchange.readers import read_file
    from ..exchange.tables import find_table
    from ..parse import normalize_key

    sheets = read_file(path)
    if not sheets:
        raise ZsError(f"「{path.name}」里没有数据")
    result = ImportResult()
    errors: list[str] = []
    keys: dict[tuple[str, int, int, str], int] = {}
    for sheet in sheets:
        try:
            table = find_table(sheet, _known_header)
        except ZsError:
            if len(sheets) > 1:
                result.notes.append(f"工作表「{sheet.name}」没有目标表头，已跳过")
                continue
            raise ZsError(
                f"「{path.name}」找不到目标表的表头：需要「名称/单位/产业链」列，以及指标列（如 签约额、到位资金、"
                f"开工项目）或「指标」「目标值」两列"
            ) from None
        cols = {h.column: h for h in table.header}
        by_label = {normalize_key(h.label): h for h in table.header}
        name_col = next((h for h in table.header if normalize_key(h.label) in map(normalize_key, _NAME_HEADERS)), None)
        if name_col is None:
            raise ZsError(f"「{path.name}」工作表「{sheet.name}」缺少「名称」「单位」或「产业链」列")
        level = _NAME_HEADERS.get(next(k for k in _NAME_HEADERS if normalize_key(k) == normalize_key(name_col.label)))
        year_col = next((by_label[normalize_key(h)] for h in _YEAR_HEADERS if normalize_key(h) in by_label), None)
        metric_col = next((by_label[normalize_key(h)] for h in _LONG_METRIC if normalize_key(h) in by_label), None)
        value_col = next((by_label[normalize_key(h)] for h in _LONG_VALUE if normalize_key(h) in by_label), None)
        wide = {
            h.column: m
            for h in table.header
            if h not in (name_col, year_col, metric_col, value_col)
            and (m := find_metric(h.label)) is not None
            and m.goal
        }
        if not wide and not (metric_col and value_col):
            raise ZsError(
                f"「{path.name}」工作表「{sheet.name}」没有指标列：如 签约额（亿元）、到位资金（亿元）、开工项目"
            )
        for row in table.rows:
            where = f"「{path.name}」工作表「{sheet.name}」第{row.number}行"
            raw_name = row.cells.get(name_col.column)
            if raw_name is None:
                errors.append(f"{where}：缺少{name_col.label}")
                continue
            try:
                owner = resolve_owner(db, str(raw_name), level)
                row_year = _row_year(row.cells.get(year_col.column) if year_col else None, year)
                pairs: list[tuple[Metric, object, str, str]] = []
                if metric_col is not None and value_col is not None and metric_col.column in row.cells:
                    pairs.append(
                        (
                            goal_metric(str(row.cells[metric_col.column])),
                            row.cells.get(value_col.column),
                            _unit(value_col.unit),
                            value_col.letter,
                        )
                    )
                for col, m in wide.items():
                    if col in row.cells:
                        pairs.append((m, row.cells[col], _unit(cols[col].unit), cols[col].letter))
                for m, raw, unit, letter in pairs:
                    try:
                        value = parse_goal_value(m, raw, default_unit=unit)
                    except ZsError as exc:
                        errors.append(f"{where}{letter}列：{exc.message}")
                        continue
                    key = (owner.level, owner.id, row_year, m.key)
                    if key in keys:
                        errors.append(f"{where}：{owner.name} {row_year}年「{m.label}」与第{keys[key]}行重复")
                        continue
                    keys[key] = row.number
                    result.changes.append(
                        GoalChange(owner, row_year, m.key, _current(db, owner, row_year, m.key), value)
                    )
            except ZsError as exc:
                errors.append(f"{where}：{exc.message}")
        result.notes.extend(table.notes)
    if errors:
        raise ZsError(f"「{path.name}」有 {len(errors)} 处问题，没有导入任何目标：", details=errors[:50])
    if not result.changes:
        raise ZsError(f"「{path.name}」里没有找到任何目标值")
    return result


def _unit(header_unit: str | None) -> str:
    """The money unit written in a header (亿元 → 亿); 万 by default."""
    if not header_unit:
        return "万"
    for u in ("亿", "万", "元"):
        if header_unit.startswith(u) or header_unit == f"{u}美元":
            return u
    return "万"


def _row_year(raw: object, default: int) -> int:
    if raw is None:
        return default
    from ..parse import parse_int

    text = str(raw).strip().rstrip("年度").rstrip("年")
    try:
        y = parse_int(text)
    except ZsError:
        raise ParseError(f"年度「{raw}」不是年份") from None
    _check_year(y)
    return y
