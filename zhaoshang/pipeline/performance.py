"""履约 and 达产: what a signed project agreed against what it did.

The terms are ``checklists/_contract.yaml``: numeric terms (投资额, 用地, 投资强度, 亩均税收,
年产值 …) whose agreed value is a field of the project (约定投资强度 …, so import, export and
templates carry it), and dated terms (开工, 投产, 达产) comparing an agreed date field with the
actual date field.  Actuals of numeric terms are recorded by year (``performance``):
:func:`record` (``zs contract ID --year 2026 --set 亩均税收=8.5``).

:func:`check` gives each term's 履约 status — met (达标), behind (滞后: short of it, or done
late), failed (未履约: under ``failed_below`` of it, or an agreed date passed undone),
pending (未到期 / 待报) — and by how much; a project's status is its worst term's.  Only
projects that reached the signing stage and were not withdrawn are under contract.
:func:`lifecycle_figures` gives the figures of the stages around the pipeline (谋划储备, 研判,
达产, 入规, 履约) for a window, as the monthly report shows them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from .. import counted, items
from ..db import Database, now
from ..definitions import KindDef
from ..errors import ZsError
from .common import RED, YELLOW, not_future, to_date

FILE = "_contract.yaml"

MET, BEHIND, FAILED, PENDING = "met", "behind", "failed", "pending"
STATUS_NAMES = {MET: "达标", BEHIND: "滞后", FAILED: "未履约", PENDING: "待考核"}
_RANK = {FAILED: 3, BEHIND: 2, MET: 1, PENDING: 0}


# ---------------------------------------------------------------------------------------
# The terms
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    agreed: str  # the field holding the agreed value
    unit: str = ""
    money: bool = False
    cumulative: bool = False
    lower_better: bool = False
    aliases: tuple[str, ...] = ()
    #: the key of a dated term: short of the agreed value is judged (滞后 / 未履约) only once
    #: that term's agreed date has passed; before it, "进行中"
    after: str | None = None


@dataclass(frozen=True)
class DateTerm:
    key: str
    label: str
    agreed: str  # the agreed date field
    actual: str  # the actual date field


@dataclass(frozen=True)
class Contract:
    terms: tuple[Term, ...]
    dates: tuple[DateTerm, ...]
    failed_below: float = 0.6
    red_after_days: int = 90

    def term(self, name: str) -> Term:
        from ..parse import normalize_key

        wanted = normalize_key(name)
        for t in self.terms:
            if wanted in {normalize_key(x) for x in (t.key, t.label, *t.aliases)}:
                return t
        names = [t.label for t in self.terms]
        close = difflib.get_close_matches(name.strip(), names, n=1, cutoff=0.4)
        hint = f"是不是「{close[0]}」？" if close else ""
        raise ZsError(f"履约指标没有「{name.strip()}」。{hint}可用：{'、'.join(names)}（见 checklists/{FILE}）")


def _err(file: str, where: str, msg: str) -> ZsError:
    return ZsError(f"履约指标文件「{file}」中 {where}：{msg}")


def _check_keys(data: Any, allowed: Sequence[str], required: Sequence[str], file: str, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _err(file, where or "顶层", "应是键值映射（键: 值）")
    for k in data:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), list(allowed), n=1)
            hint = f"是不是「{close[0]}」？" if close else ""
            raise _err(file, f"{where}.{k}" if where else str(k), f"是未知的键，{hint}允许的键：{'、'.join(allowed)}")
    for k in required:
        if data.get(k) is None or str(data.get(k)).strip() == "":
            raise _err(file, f"{where}.{k}" if where else k, "不能缺少")
    return data


def parse_contract(data: Any, kind: KindDef, file: str = FILE) -> Contract:
    """Validate the terms against the project kind's fields."""
    top = _check_keys(data, ("failed_below", "red_after_days", "terms", "dates"), (), file, "")
    fields = {f.key: f for f in kind.fields}
    fb = top.get("failed_below", 0.6)
    if isinstance(fb, bool) or not isinstance(fb, int | float) or not 0 <= fb <= 1:
        raise _err(file, "failed_below", f"「{fb}」应是 0 到 1 之间的比例，如 0.6")
    red = top.get("red_after_days", 90)
    if isinstance(red, bool) or not isinstance(red, int) or red <= 0:
        raise _err(file, "red_after_days", f"「{red}」应是正整数（天数）")
    terms: list[Term] = []
    raw_terms = top.get("terms") or []
    if not isinstance(raw_terms, list):
        raise _err(file, "terms", "应是列表")
    for i, raw in enumerate(raw_terms):
        where = f"terms[{i}]"
        d = _check_keys(
            raw,
            ("key", "label", "agreed", "unit", "money", "cumulative", "lower_better", "aliases", "after"),
            ("key", "label", "agreed"),
            file,
            where,
        )
        f = fields.get(str(d["agreed"]))
        if f is None or f.type not in ("number", "money", "integer"):
            raise _err(file, f"{where}.agreed", f"「{d['agreed']}」应是「{kind.name}」清单的数字或金额字段")
        for flag in ("money", "cumulative", "lower_better"):
            if not isinstance(d.get(flag, False), bool):
                raise _err(file, f"{where}.{flag}", "应是 true 或 false")
        aliases = d.get("aliases") or []
        if not isinstance(aliases, list):
            raise _err(file, f"{where}.aliases", "应是文字列表")
        terms.append(
            Term(
                key=str(d["key"]),
                label=str(d["label"]),
                agreed=f.key,
                unit=str(d.get("unit") or ""),
                money=bool(d.get("money", False)),
                cumulative=bool(d.get("cumulative", False)),
                lower_better=bool(d.get("lower_better", False)),
                aliases=tuple(str(x) for x in aliases),
                after=None if d.get("after") is None else str(d["after"]),
            )
        )
    dates: list[DateTerm] = []
    raw_dates = top.get("dates") or []
    if not isinstance(raw_dates, list):
        raise _err(file, "dates", "应是列表")
    for i, raw in enumerate(raw_dates):
        where = f"dates[{i}]"
        d = _check_keys(raw, ("key", "label", "agreed", "actual"), ("key", "label", "agreed", "actual"), file, where)
        for k in ("agreed", "actual"):
            f = fields.get(str(d[k]))
            if f is None or f.type != "date":
                raise _err(file, f"{where}.{k}", f"「{d[k]}」应是「{kind.name}」清单的日期字段")
        dates.append(DateTerm(str(d["key"]), str(d["label"]), str(d["agreed"]), str(d["actual"])))
    for i, t in enumerate(terms):
        if t.after is not None and t.after not in {d.key for d in dates}:
            raise _err(
                file, f"terms[{i}].after", f"「{t.after}」应是 dates 中一项的 key：{'、'.join(d.key for d in dates)}"
            )
    keys = [t.key for t in terms] + [t.key for t in dates]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise _err(file, "terms/dates", f"key「{dup}」重复")
    return Contract(tuple(terms), tuple(dates), float(fb), red)


def project_kind(db: Database) -> KindDef:
    kinds = [k for k in db.defs.kinds if k.pipeline]
    if not kinds:
        raise ZsError("没有项目清单（pipeline: true）：履约与准入研判只用于项目")
    return kinds[0]


def contract_of(db: Database) -> Contract:
    from ..definitions import default_dir
    from .assess import read_yaml_file

    path = Path(db.defs.source_dir or default_dir()) / FILE
    if not path.is_file():
        raise ZsError(f"找不到履约指标文件「{path}」：请恢复 checklists/{FILE}")
    return parse_contract(read_yaml_file(path, f"履约指标文件「{path.name}」"), project_kind(db), path.name)


# ---------------------------------------------------------------------------------------
# Recording actuals
# ---------------------------------------------------------------------------------------


@dataclass
class Recorded:
    item_id: int
    year: int
    date: str
    #: (label, value text, previous value text or None)
    values: list[tuple[str, str, str | None]]


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "（空）"
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def record(
    db: Database,
    item_id: int,
    year: int,
    values: Mapping[str, object],
    *,
    today: date,
    on: str | date | None = None,
    note: str | None = None,
) -> Recorded:
    """Record a year's actuals of an item (inside the current command); a term recorded for
    that year before is replaced (and the old value said)."""
    if db.current is None:
        raise RuntimeError("record must run inside db.command()")
    kind = items.kind_of(db, item_id)
    if not kind.pipeline:
        raise ZsError(f"编号 {item_id} 是「{kind.name}」清单的条目：履约实绩只记在项目上")
    if not values:
        raise ZsError("没有要记录的实绩：请写 --set 指标=数值，如 --set 亩均税收=8.5")
    if not 1990 <= year <= today.year:
        raise ZsError(f"年度 {year} 不对：应是 1990 到 {today.year} 之间的年份（实绩只记已经过去或当年的）")
    contract = contract_of(db)
    day = to_date(on, what="填报日期") or today
    not_future(day, today, "填报日期")
    out: list[tuple[str, str, str | None]] = []
    for name, raw in values.items():
        t = contract.term(name)
        x = _read_number(t, raw)
        old = db.conn.execute(
            "SELECT value FROM performance WHERE item_id = ? AND year = ? AND term = ?", (item_id, year, t.key)
        ).fetchone()
        db.conn.execute(
            "INSERT INTO performance(item_id, year, term, value, date, note, user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(item_id, year, term) DO UPDATE SET value = excluded.value, date = excluded.date, "
            "note = excluded.note, user = excluded.user, at = excluded.at",
            (item_id, year, t.key, x, day.isoformat(), " ".join((note or "").split()) or None, db.current.user, now()),
        )
        out.append((t.label, _fmt(x, t.unit), None if old is None else _fmt(old[0], t.unit)))
    db.conn.execute("UPDATE items SET updated_at = ?, updated_by = ? WHERE id = ?", (now(), db.current.user, item_id))
    return Recorded(item_id, year, day.isoformat(), out)


def _read_number(t: Term, raw: object) -> float:
    import re

    from ..parse import parse_money, to_halfwidth

    text = str(raw).strip()
    if t.money:
        try:
            x = parse_money(raw if isinstance(raw, int | float) else text)
        except ZsError as exc:
            raise ZsError(f"「{t.label}」：{exc.message}") from None
    else:
        plain = to_halfwidth(text).replace(",", "").strip()
        if t.unit:
            plain = plain.removesuffix(to_halfwidth(t.unit)).strip()
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", plain):
            raise ZsError(f"「{t.label}」的值「{text}」不是数字（单位 {t.unit or '无'}）")
        x = float(plain)
    if x < 0:
        raise ZsError(f"「{t.label}」的值「{text}」不能为负数")
    return x


# ---------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermCheck:
    key: str
    label: str
    agreed: str | None  # as people read it
    actual: str | None
    status: str  # met / behind / failed / pending
    gap: str  # by how much, in words
    ratio: float | None = None  # actual ÷ agreed (agreed ÷ actual when lower is better)
    overdue_days: int | None = None  # a dated term: days past the agreed date, undone
    year: int | None = None  # the year of the actual compared

    def as_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["status_name"] = STATUS_NAMES[self.status]
        return d


@dataclass
class ContractCheck:
    id: int
    title: str
    status_stage: str
    unit: str | None
    owner: str | None
    signed: str | None
    status: str
    terms: list[TermCheck] = field(default_factory=list)
    light: str | None = None

    @property
    def summary(self) -> str:
        """The terms not met, in a phrase (投资强度 差 20 万元/亩（93%）；投产 逾期 45 天)."""
        bad = [f"{t.label} {t.gap}" for t in self.terms if t.status in (FAILED, BEHIND)]
        return "；".join(bad) or ("全部达标" if self.status == MET else "尚无到期或已报的指标")

    def as_dict(self) -> dict[str, Any]:
        from .common import LIGHT_NAMES

        return {
            "id": self.id,
            "title": self.title,
            "stage": self.status_stage,
            "unit": self.unit,
            "owner": self.owner,
            "signed": self.signed,
            "status": self.status,
            "status_name": STATUS_NAMES[self.status],
            "summary": self.summary,
            "light": self.light,
            "light_name": LIGHT_NAMES.get(self.light or "", ""),
            "terms": [t.as_dict() for t in self.terms],
        }


def _actuals(db: Database, ids: Sequence[int]) -> dict[int, dict[str, list[tuple[int, float]]]]:
    out: dict[int, dict[str, list[tuple[int, float]]]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ", ".join("?" for _ in chunk)
        for item_id, term, year, value in db.conn.execute(
            f"SELECT item_id, term, year, value FROM performance WHERE item_id IN ({marks}) ORDER BY year", chunk
        ):
            out.setdefault(item_id, {}).setdefault(term, []).append((year, value))
    return out


def judge_number(
    t: Term, agreed: float, actuals: Sequence[tuple[int, float]], failed_below: float, *, due: bool = True
) -> TermCheck:
    """One numeric term: the latest year's actual (the sum of every year when cumulative)
    against the agreed value.  Not ``due`` yet (its ``after`` date not passed): short of it
    is 进行中 (pending), not 滞后."""
    shown = _fmt(agreed, t.unit)
    if not actuals:
        return TermCheck(t.key, t.label, shown, None, PENDING, "待报实绩")
    year = actuals[-1][0]
    actual = sum(v for _, v in actuals) if t.cumulative else actuals[-1][1]
    if t.lower_better:
        ratio = 1.0 if actual <= agreed else (agreed / actual if actual else 1.0)
        over = actual - agreed
        status = MET if over <= 0 else (BEHIND if ratio >= failed_below else FAILED)
        gap = (
            "未超出约定"
            if over <= 0
            else f"超出 {_fmt(over, t.unit)}（{actual / agreed:.0%}）"
            if agreed
            else "超出约定"
        )
    else:
        ratio = actual / agreed if agreed else 1.0
        short = agreed - actual
        status = MET if short <= 0 else (BEHIND if ratio >= failed_below else FAILED)
        gap = "达到约定" if short <= 0 else f"差 {_fmt(short, t.unit)}（完成 {ratio:.0%}）"
    label = f"{_fmt(actual, t.unit)}（{'累计' if t.cumulative else f'{year}年'}）"
    if status != MET and not due:
        status, gap = PENDING, f"进行中：{gap}"
    return TermCheck(t.key, t.label, shown, label, status, gap, round(ratio, 4), None, year)


def judge_date(t: DateTerm, agreed: str, actual: str | None, today: date) -> TermCheck:
    """One dated term: done by the agreed day (met), done late (behind), not done and the day
    passed (failed, overdue days), not done and not yet due (pending)."""
    due = date.fromisoformat(agreed[:10])
    if actual:
        late = (date.fromisoformat(actual[:10]) - due).days
        if late <= 0:
            return TermCheck(t.key, t.label, agreed, actual, MET, "按期" if late == 0 else f"提前 {-late} 天")
        return TermCheck(t.key, t.label, agreed, actual, BEHIND, f"延期 {late} 天")
    left = (due - today).days
    if left >= 0:
        return TermCheck(t.key, t.label, agreed, None, PENDING, f"距约定还有 {left} 天")
    return TermCheck(t.key, t.label, agreed, None, FAILED, f"逾期 {-left} 天", overdue_days=-left)


def check(
    db: Database,
    *,
    today: date,
    ids: Iterable[int] | None = None,
    status: str | None = None,
) -> list[ContractCheck]:
    """Every project under contract (reached signing, not withdrawn, some agreed figure), its
    terms judged as of ``today``; worst first.  ``status``: met / behind / failed / pending
    (or its Chinese name) keeps only those."""
    from ..stages import signing_stage

    contract = contract_of(db)
    kind = project_kind(db)
    wanted = _status(status)
    cols = set(db.kind_columns(kind))
    agreed_keys = [t.agreed for t in contract.terms if t.agreed in cols]
    date_keys = [k for t in contract.dates for k in (t.agreed, t.actual) if k in cols]
    keys = list(dict.fromkeys([*agreed_keys, *date_keys]))
    sign = signing_stage(kind)
    signed_field = next((s.date_field for s in kind.statuses if s.name == sign), None)
    signed_sql = f'k."{signed_field}"' if signed_field in cols else "NULL"
    select = ", ".join(f'k."{k}"' for k in keys) or "NULL"
    any_agreed = " OR ".join(f'k."{k}" IS NOT NULL' for k in [*agreed_keys, *(t.agreed for t in contract.dates)]) or "0"
    params: list[Any] = [kind.key, kind.close_status]
    where = f"i.kind = ? AND i.status <> ? AND {signed_sql} IS NOT NULL AND ({any_agreed})"
    if ids is not None:
        id_list = list(ids)
        for i in id_list:
            items.kind_of(db, i)
        where += f" AND i.id IN ({', '.join('?' for _ in id_list) or 'NULL'})"
        params += id_list
    rows = db.conn.execute(
        f"SELECT i.id, i.title, i.status, u.name, i.owner, {signed_sql}, {select} "
        f'FROM items i JOIN "{kind.table}" k ON k.id = i.id LEFT JOIN units u ON u.id = i.unit_id '
        f"WHERE {where} ORDER BY i.id",
        params,
    ).fetchall()
    actuals = _actuals(db, [r[0] for r in rows])
    out: list[ContractCheck] = []
    for r in rows:
        values = dict(zip(keys, r[6:], strict=False))
        terms: list[TermCheck] = []
        for t in contract.terms:
            agreed = values.get(t.agreed)
            if agreed is None:
                continue
            due = True
            if t.after is not None:
                dt = next(d for d in contract.dates if d.key == t.after)
                day = values.get(dt.agreed)
                due = day is not None and str(day)[:10] < today.isoformat()
            found = actuals.get(r[0], {}).get(t.key, [])
            terms.append(judge_number(t, float(agreed), found, contract.failed_below, due=due))
        for dt in contract.dates:
            agreed_day = values.get(dt.agreed)
            if agreed_day is None:
                continue
            terms.append(judge_date(dt, str(agreed_day), values.get(dt.actual), today))
        worst = max((x.status for x in terms), key=lambda s: _RANK[s], default=PENDING)
        overdue = max((x.overdue_days or 0 for x in terms), default=0)
        lt = (RED if overdue > contract.red_after_days else YELLOW) if overdue else None
        c = ContractCheck(r[0], r[1], r[2], r[3], r[4], r[5], worst, terms, lt)
        if wanted is None or c.status == wanted:
            out.append(c)
    out.sort(key=lambda c: (-_RANK[c.status], -max((x.overdue_days or 0 for x in c.terms), default=0), c.id))
    return out


def _status(text: str | None) -> str | None:
    if not text:
        return None
    from ..parse import normalize_key

    w = normalize_key(text)
    for k, name in STATUS_NAMES.items():
        if w in (k, normalize_key(name)):
            return k
    raise ZsError(f"履约状态「{text.strip()}」不可用：{'、'.join(f'{k}（{v}）' for k, v in STATUS_NAMES.items())}")


def actual_rows(db: Database, item_id: int) -> list[dict[str, Any]]:
    """An item's recorded actuals by year (for ``show``)."""
    try:
        contract = contract_of(db)
    except ZsError:
        return []
    labels = {t.key: (t.label, t.unit) for t in contract.terms}
    out = []
    for year, term, value, day in db.conn.execute(
        "SELECT year, term, value, date FROM performance WHERE item_id = ? ORDER BY year, id", (item_id,)
    ):
        label, unit = labels.get(term, (term, ""))
        out.append({"year": year, "term": label, "value": _fmt(value, unit), "date": day})
    return out


# ---------------------------------------------------------------------------------------
# The figures around the pipeline
# ---------------------------------------------------------------------------------------


@dataclass
class LifecycleFigures:
    """谋划储备, 准入研判, 达产, 入规 and 履约 for a window [start, end] (stocks as of end)."""

    start: str
    end: str
    reserve: int = 0  # 谋划储备项目数 (now in the reserve)
    reserve_amount: float = 0.0  # 谋划储备项目投资额 (万元)
    reserve_converted: int = 0  # moved out of the reserve into a stage in the window
    assessed: int = 0  # 研判 in the window
    assessed_passed: int = 0  # of which not vetoed and at or above the lowest passing verdict
    vetoed: int = 0
    awaiting: int = 0  # leads waiting for a 研判 past due (as of end)
    full_production: int = 0  # 达产 in the window
    above_scale: int = 0  # 入规 in the window
    contracts_failed: int = 0  # projects under contract now 未履约 (as of end)
    contracts_behind: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


#: the figures of LifecycleFigures taken as of the window's end (the same for every window ending then)
_STOCKS = ("reserve", "reserve_amount", "awaiting", "contracts_failed", "contracts_behind")


def lifecycle_figures(
    db: Database, start: date, end: date, *, stocks: LifecycleFigures | None = None
) -> LifecycleFigures:
    """The figures of :class:`LifecycleFigures`; nothing when there is no project kind.
    ``stocks``: the figures of another window ending the same day, whose stocks (as of the
    end) are taken instead of being worked out again."""
    from . import assess

    out = LifecycleFigures(start.isoformat(), end.isoformat())
    if stocks is not None and stocks.end != out.end:
        raise ValueError("stocks of another day")
    kinds = [k for k in db.defs.kinds if k.pipeline]
    if not kinds:
        return out
    kind = kinds[0]
    cols = set(db.kind_columns(kind))
    a, b = start.isoformat(), end.isoformat()
    reserve = [s.name for s in kind.statuses if s.reserve]
    if stocks is not None:
        for key in _STOCKS:
            setattr(out, key, getattr(stocks, key))
    if reserve:
        marks = ", ".join("?" for _ in reserve)
        amount = 'k."investment"' if "investment" in cols else "0"
    if reserve and stocks is None:
        n, total = db.conn.execute(
            f'SELECT count(*), total({amount}) FROM items i JOIN "{kind.table}" k ON k.id = i.id '
            f"WHERE i.kind = ? AND i.status IN ({marks})",
            (kind.key, *reserve),
        ).fetchone()
        out.reserve, out.reserve_amount = int(n), round(float(total or 0), 2)
    if reserve:
        out.reserve_converted = int(
            db.conn.execute(
                f"SELECT count(DISTINCT s.item_id) FROM status_log s JOIN items i ON i.id = s.item_id "
                f"WHERE i.kind = ? AND s.from_status IN ({marks}) AND s.to_status NOT IN ({marks}) "
                f"AND s.date BETWEEN ? AND ? AND {counted.counted('s')}",
                (kind.key, *reserve, *reserve, a, b),
            ).fetchone()[0]
        )
    try:
        template = assess.template_of(db)
    except ZsError:
        template = None
    if template is not None:
        passing = min((v.at for v in template.verdicts if v.at > 0), default=0)
        n, passed, vetoed = db.conn.execute(
            "SELECT count(*), total(vetoes IS NULL AND score >= ?), total(vetoes IS NOT NULL) FROM assessments "
            "WHERE date BETWEEN ? AND ?",
            (passing, a, b),
        ).fetchone()
        out.assessed, out.assessed_passed, out.vetoed = int(n), int(passed), int(vetoed)
        if stocks is None:
            out.awaiting = assess.late_waiting_counts(db, today=end)[0]
    for key, attr in (("full_production_date", "full_production"), ("above_scale_date", "above_scale")):
        if key in cols:
            setattr(
                out,
                attr,
                int(
                    db.conn.execute(
                        f'SELECT count(*) FROM "{kind.table}" WHERE "{key}" BETWEEN ? AND ?', (a, b)
                    ).fetchone()[0]
                ),
            )
    if stocks is None:
        try:
            counts = contract_counts(db, today=end)
        except ZsError:
            counts = ContractCounts()
        out.contracts_failed, out.contracts_behind = counts.failed, counts.behind
    return out


class ContractCounts(NamedTuple):
    """What :func:`contract_counts` counts among the projects :func:`check` judges."""

    failed: int = 0  # 未履约
    behind: int = 0  # 滞后
    overdue: int = 0  # with a light: an agreed date passed undone
    overdue_red: int = 0  # … by more than ``red_after_days``


def contract_counts(db: Database, *, today: date) -> ContractCounts:
    """How many projects under contract :func:`check` finds 未履约 (failed), 滞后 (behind),
    and with a light (an agreed date passed undone; red past ``red_after_days``) as of
    ``today``: the same judgement, term by term, in one SQL query that returns only the
    counts (a province has hundreds of thousands of signed projects; the report and the
    note under ``zs warn`` need their number, not their rows)."""
    from ..stages import signing_stage

    contract = contract_of(db)
    kind = project_kind(db)
    cols = set(db.kind_columns(kind))
    sign = signing_stage(kind)
    signed_field = next((s.date_field for s in kind.statuses if s.name == sign), None)
    if signed_field not in cols:
        return ContractCounts()
    agreed_keys = [t.agreed for t in contract.terms if t.agreed in cols]
    any_agreed = [k for k in [*agreed_keys, *(t.agreed for t in contract.dates)] if k in cols]
    if not any_agreed:
        return ContractCounts()
    params: dict[str, Any] = {"kind": kind.key, "closed": kind.close_status, "today": today.isoformat()}
    params["fb"] = contract.failed_below
    params["red_cut"] = (today - timedelta(days=contract.red_after_days)).isoformat()
    dates = {d.key: d for d in contract.dates}
    codes: list[str] = []  # per term: 3 failed, 2 behind, 1 met, 0 pending (the _RANK)
    late: list[str] = []  # per dated term: 0 not late, 1 late, 2 red
    for n, t in enumerate(contract.terms):
        if t.agreed not in cols:
            continue
        params[f"t{n}"] = t.key
        agreed = f'(1.0 * k."{t.agreed}")'
        mine = f"FROM performance p WHERE p.item_id = i.id AND p.term = :t{n}"
        last = f"(SELECT p.value {mine} ORDER BY p.year DESC LIMIT 1)"
        actual = f"(SELECT sum(p.value) {mine})" if t.cumulative else last
        if t.lower_better:
            ratio = "(CASE WHEN a <= g THEN 1.0 WHEN a <> 0 THEN g / a ELSE 1.0 END)"
            short = "a - g"
        else:
            ratio = "(CASE WHEN g <> 0 THEN a / g ELSE 1.0 END)"
            short = "g - a"
        judged = f"CASE WHEN {short} <= 0 THEN 1 WHEN {ratio} >= :fb THEN 2 ELSE 3 END"
        after = dates.get(t.after) if t.after is not None else None
        if t.after is None:
            due = "1 = 1"
        elif after is not None and after.agreed in cols:
            due = f'(k."{after.agreed}" IS NOT NULL AND substr(CAST(k."{after.agreed}" AS TEXT), 1, 10) < :today)'
        else:
            due = "1 = 0"
        # (a, g): the actual and the agreed value, named once for the CASE above
        status = (
            f"(SELECT CASE WHEN a IS NULL THEN 0 WHEN ({judged}) = 1 THEN 1 WHEN NOT {due} THEN 0 ELSE {judged} END "
            f"FROM (SELECT 1.0 * {actual} AS a, {agreed} AS g) v)"
        )
        # (no actual recorded, the common case: pending, without working out the rest)
        codes.append(f'CASE WHEN k."{t.agreed}" IS NULL OR NOT EXISTS (SELECT 1 {mine}) THEN 0 ELSE {status} END')
    for d in contract.dates:
        if d.agreed not in cols:
            continue
        day = f'substr(CAST(k."{d.agreed}" AS TEXT), 1, 10)'
        done = f"nullif(CAST(k.\"{d.actual}\" AS TEXT), '')" if d.actual in cols else "NULL"
        codes.append(
            f'CASE WHEN k."{d.agreed}" IS NULL THEN 0 WHEN {done} IS NOT NULL THEN '
            f"(CASE WHEN substr({done}, 1, 10) <= {day} THEN 1 ELSE 2 END) "
            f"WHEN {day} >= :today THEN 0 ELSE 3 END"
        )
        # past the agreed date undone: 1, by more than red_after_days: 2
        late.append(
            f'CASE WHEN k."{d.agreed}" IS NULL OR {done} IS NOT NULL OR {day} >= :today THEN 0 '
            f"WHEN {day} < :red_cut THEN 2 ELSE 1 END"
        )
    if not codes:
        return ContractCounts()
    listed = ", ".join(f"c{n}" for n in range(len(codes)))
    lates = ", ".join(f"o{n}" for n in range(len(late))) or "0"
    has = " OR ".join(f'k."{c}" IS NOT NULL' for c in any_agreed)
    columns = [*(f"{c} AS c{n}" for n, c in enumerate(codes)), *(f"{o} AS o{n}" for n, o in enumerate(late))]
    row = db.conn.execute(
        f"SELECT total(3 IN ({listed})), total(3 NOT IN ({listed}) AND 2 IN ({listed})), "
        f"total(1 IN ({lates}) OR 2 IN ({lates})), total(2 IN ({lates})) FROM ("
        f"SELECT {', '.join(columns)} "
        f'FROM items i JOIN "{kind.table}" k ON k.id = i.id '
        f'WHERE i.kind = :kind AND i.status <> :closed AND k."{signed_field}" IS NOT NULL AND ({has})) x',
        params,
    ).fetchone()
    return ContractCounts(*(int(v or 0) for v in row))


@dataclass(frozen=True)
class LateCounts:
    """What ``zs warn`` adds under its table: the leads waiting too long for a 研判 and the
    projects past an agreed date (开工, 投产, 达产) without it."""

    awaiting: int = 0
    awaiting_red: int = 0
    overdue: int = 0
    overdue_red: int = 0


def late_counts(db: Database, *, today: date) -> LateCounts:
    """The counts of :class:`LateCounts` (nothing when the templates are missing or broken:
    ``zs assess`` and ``zs contract`` say why)."""
    from . import assess

    try:
        awaiting, awaiting_red = assess.late_waiting_counts(db, today=today)
    except ZsError:
        awaiting = awaiting_red = 0
    try:
        counts = contract_counts(db, today=today)
    except ZsError:
        counts = ContractCounts()
    return LateCounts(awaiting, awaiting_red, counts.overdue, counts.overdue_red)
