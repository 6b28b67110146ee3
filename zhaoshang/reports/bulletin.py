"""The monthly 通报 in words: 一、总体情况, 二、各地各专班情况, 三、存在问题, 四、下步打算 —
written, sentence by sentence, from the very figures of the report (``report --format
json``).  Nothing is invented: every number in the text is one of the report's, formatted;
a fall is written 下降 / 减少, never 增长 -8.9%; 下步打算 is the office's own text or a
marked placeholder.  :mod:`.bulletin_docx` lays it out as a 公文."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dashboard import number
from .metrics import BY_KEY, Metric
from .report import Report, ScopeRow

#: the indicators of 一、总体情况, in the order offices write them
OVERALL = (
    "signed",
    "signed_amount",
    "signed_foreign",
    "registered",
    "started",
    "funds_domestic",
    "funds_foreign",
    "contacts",
)
#: what 下步打算 says when the office supplied no text
NEXT_STEPS_PLACEHOLDER = "【待填写：下步打算由办公室根据本期情况撰写，系统不代拟。】"


@dataclass(frozen=True)
class Thresholds:
    """How far behind 时序进度 (percentage points) a unit goes on the 黄榜 and the 黑榜."""

    yellow: float = 10.0
    red: float = 30.0


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Bulletin:
    """The 通报 as text, for a writer (``.docx``) or a template to lay out."""

    title: str
    office: str
    period: str
    asof: str
    sections: list[Section]
    placeholder: bool  # 下步打算 is the placeholder, not the office's text

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "office": self.office,
            "period": self.period,
            "asof": self.asof,
            "sections": [{"heading": s.heading, "paragraphs": s.paragraphs} for s in self.sections],
            "next_steps_placeholder": self.placeholder,
        }


def _amount(value: float | None, m: Metric) -> str:
    return f"{number(value, m)}{m.unit if m.unit not in ('%',) else ''}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _points(value: float) -> str:
    return f"{abs(value) * 100:.1f}个百分点"


def _versus_schedule(comp: float, progress: float) -> str:
    gap = comp - progress
    if abs(gap) < 0.0005:
        return "与时序进度持平"
    return f"{'高于' if gap > 0 else '低于'}时序进度{_points(gap)}"


def _year_on_year(cur: float | None, before: float | None) -> str:
    if cur is None or before is None or abs(before) < 1e-9:
        return ""
    ratio = (cur - before) / abs(before)
    if abs(ratio) < 0.0005:
        return "，与去年同期持平"
    return f"，同比{'增长' if ratio > 0 else '下降'}{abs(ratio) * 100:.1f}%"


def _month_on_month(cur: float | None, before: float | None, m: Metric) -> str:
    if cur is None or before is None:
        return ""
    diff = cur - before
    if abs(diff) < 1e-9:
        return "，与上期持平"
    return f"，比上期{'增加' if diff > 0 else '减少'}{_amount(abs(diff), m)}"


def indicator_sentence(row: ScopeRow, key: str, progress: float) -> str:
    """One indicator: its value, then (when it has a target) the year to date, its share of
    the target and the gap to 时序进度, then 同比 and 环比."""
    m = BY_KEY[key]
    cur = row.period.get(key)
    parts = [f"{m.label}{_amount(cur, m)}"]
    goal = row.goals.get(key)
    comp = row.completion.get(key)
    if goal and comp is not None:
        parts.append(
            f"，年累计{_amount(row.year_to_date.get(key), m)}，完成年度目标的{_pct(comp)}，"
            f"{_versus_schedule(comp, progress)}"
        )
    parts.append(_year_on_year(cur, row.last_year.get(key)))
    parts.append(_month_on_month(cur, row.previous.get(key), m))
    return "".join(parts)


def stalled_by_unit(db: Any, report: Report) -> dict[str, int]:
    """Projects stalled past their stage's limit on the report's day, per 责任单位 (for
    三、存在问题): the warnings ``zs warn --type 停滞 --today <截至日>`` lists."""
    from ..pipeline.warnings import compute

    out: dict[str, int] = {}
    for w in compute(db, today=report.asof, kind=report.config.pipeline_kind, types={"stalled"}):
        name = w.unit or "（未指定责任单位）"
        out[name] = out.get(name, 0) + 1
    return out


def compose(
    report: Report,
    *,
    thresholds: Thresholds | None = None,
    next_steps: str | None = None,
    stalled: dict[str, int] | None = None,
) -> Bulletin:
    """The 通报 of ``report`` (see the module's docstring); ``stalled``: projects stalled past
    their limit per unit (:func:`stalled_by_unit`)."""
    th = thresholds or Thresholds()
    p, tot, progress = report.period, report.total, report.time_progress
    who = report.office  # the office's own name, or none: a county's 通报 must not say 全市
    overall = [
        f"{p.label}（统计期 {p.start} 至 {p.end}，截至 {report.asof}），{who}"
        + "；".join(indicator_sentence(tot, k, progress) for k in OVERALL)
        + "。",
        f"时序进度为 {_pct(progress)}。" + _problems_sentence(tot),
    ]
    overall += report.review.bulletin_lines() if report.review is not None else []  # 报送 → 认定
    sections = [
        Section("一、总体情况", overall),
        Section("二、各地各专班情况", _units_paragraphs(report, th)),
        Section("三、存在问题", _problem_paragraphs(report, stalled or {})),
        Section("四、下步打算", [p_.strip() for p_ in (next_steps or "").split("\n\n") if p_.strip()]),
    ]
    placeholder = not sections[3].paragraphs
    if placeholder:
        sections[3].paragraphs = [NEXT_STEPS_PLACEHOLDER]
    title = (
        f"{report.office}关于{p.label}招商引资工作情况的通报"
        if report.office
        else f"关于{p.label}招商引资工作情况的通报"
    )
    a = report.asof
    return Bulletin(title, report.office, p.label, f"{a.year}年{a.month}月{a.day}日", sections, placeholder)


def _problems_sentence(tot: ScopeRow) -> str:
    v = tot.period
    rate = v.get("close_rate")
    text = (
        f"问题台账在办{number(v.get('problems_open'))}件，其中超期{number(v.get('problems_overdue'))}件；"
        f"本期新增{number(v.get('problems_new'))}件、销号{number(v.get('problems_closed'))}件"
    )
    if rate is not None:
        text += f"，销号率{_pct(rate)}"
    return text + "。"


def _names(rows: list[Any]) -> str:
    return "、".join(f"{r.name}（{r.score:.2f}分）" for r in rows)


def _units_paragraphs(report: Report, th: Thresholds) -> list[str]:
    rows = list(report.ranking.rows)
    out: list[str] = []
    if rows:
        top, bottom = rows[:3], rows[-3:] if len(rows) > 3 else []
        text = f"擂台赛（{report.year_to_date.label}累计）得分前三名：{_names(top)}"
        if bottom:
            text += f"；后三名：{_names(bottom)}"
        out.append(text + "。")
    key, progress = "signed_amount", report.time_progress
    m = BY_KEY[key]
    with_goal = [u for u in report.units if u.goals.get(key) and u.completion.get(key) is not None]
    if with_goal:
        red_list = [u for u in with_goal if (u.completion[key] or 0) >= progress]
        black = [u for u in with_goal if progress - (u.completion[key] or 0) >= th.red / 100]
        yellow = [u for u in with_goal if th.yellow / 100 <= progress - (u.completion[key] or 0) < th.red / 100]

        def listed(us: list[ScopeRow]) -> str:
            return "、".join(f"{u.name}（{_pct(u.completion[key] or 0)}）" for u in us) or "无"

        out.append(
            f"按{m.label}年度目标完成率（时序进度 {_pct(progress)}）：红榜（达到或超过时序进度）{listed(red_list)}；"
            f"黄榜（落后 {th.yellow:g} 个百分点以上）{listed(yellow)}；"
            f"黑榜（落后 {th.red:g} 个百分点以上）{listed(black)}。"
        )
    for key in ("signed_amount", "funds_domestic", "started"):
        m = BY_KEY[key]
        ranked = sorted(
            (u for u in report.units if u.year_to_date.get(key) is not None),
            key=lambda u: -(u.year_to_date.get(key) or 0),
        )
        ranked = [u for u in ranked if (u.year_to_date.get(key) or 0) > 0]
        if ranked:
            out.append(
                f"{m.label}年累计前三名："
                + "、".join(f"{u.name}（{_amount(u.year_to_date.get(key), m)}）" for u in ranked[:3])
                + "。"
            )
    return out or ["本期没有可比较的招商主体数据。"]


def _problem_paragraphs(report: Report, stalled: dict[str, int]) -> list[str]:
    out: list[str] = []
    if stalled:
        ranked = sorted(stalled.items(), key=lambda kv: -kv[1])
        out.append(
            f"阶段停滞超过时限的项目 {sum(stalled.values())} 个："
            + "、".join(f"{name} {n} 个" for name, n in ranked)
            + "。"
        )
    overdue = [u for u in report.units if (u.period.get("problems_overdue") or 0) > 0]
    if overdue:
        out.append(
            "超期未销号的问题："
            + "、".join(f"{u.name} {number(u.period.get('problems_overdue'))} 件" for u in overdue)
            + "。"
        )
    idle = [u.name for u in report.units if u.info.get("ranked", True) and not (u.period.get("signed") or 0)]
    if idle:
        out.append(f"本期没有签约项目的招商主体：{'、'.join(idle)}。")
    key, progress = "funds_domestic", report.time_progress
    behind = [u for u in report.units if u.goals.get(key) and (u.completion.get(key) or 0) < progress]
    if behind:
        out.append(
            f"到位资金年度目标完成率低于时序进度（{_pct(progress)}）的："
            + "、".join(f"{u.name}（{_pct(u.completion.get(key) or 0)}）" for u in behind)
            + "。"
        )
    return out or ["本期没有超期问题和停滞项目，各招商主体均有签约，到位资金均不低于时序进度。"]
