"""The 通报 in words, as an office sends it: 主送, an opening (今年以来…现将…通报如下),
一、总体情况, 二、各地各专班情况, 三、存在问题, 四、下步打算, 署名 and the day it is issued —
written, sentence by sentence, from the very figures of the report (``report --format
json``).  Nothing is invented: every number in the text is one of the report's, written by
:mod:`.numbers` (the same text as the workbook and the terminal); a fall is written 下降,
never 增长 -8.9%; 下步打算 is the office's own text or a marked placeholder.

How it reads whatever the period: 时序进度 is said once; 年累计 is said only when the year to
date is more than the period; nothing is compared with a period that had nothing; a month with
nothing says so in one sentence instead of a row of zeros; a tie is not split into 前三名 and
后三名; red / yellow / black lists name only units that differ.  Figures of the whole report
are never given the office's name (they are the units', not the office's own).

:mod:`.bulletin_docx` lays it out as a 公文."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import numbers
from .groundwork import FIGURES as GROUNDWORK
from .groundwork import SIZES
from .metrics import BY_KEY
from .report import Report, ScopeRow

#: what 下步打算 says when the office supplied no text
NEXT_STEPS_PLACEHOLDER = "【待填写：下步打算由办公室根据本期情况撰写，系统不代拟。】"
#: 主送 when the office gives none: those the 通报 is about
RECIPIENTS = "各招商主体、各产业链专班："
#: 署名 when no office is set
SIGNATURE = "招商引资工作领导小组办公室"
#: what every 通报 is about: the end of its title, after 「（发文机关）关于（期间）」
TOPIC = "招商引资工作情况的通报"
#: the flows that make a period "with something in it"
FLOWS = ("signed", "signed_amount", "registered", "started", "funds_domestic", "funds_foreign", "contacts", "withdrawn")
_ORDINALS = "一二三四五六七八九十"


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
    """The 通报 as text, for a writer (``.docx``) or a template to lay out.  A paragraph that
    starts with a run-in heading (「（一）项目签约。」) has it set in 楷体 by the writer."""

    title: str
    office: str
    period: str
    asof: str  # the day the figures are taken (「2026年11月30日」)
    sections: list[Section]
    placeholder: bool  # 下步打算 is the placeholder, not the office's text
    recipients: str = RECIPIENTS
    opening: str = ""
    signature: str = ""  # 署名: the office, or :data:`SIGNATURE`
    date: str = ""  # the day it is issued (「2026年12月1日」): the date line

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "office": self.office,
            "period": self.period,
            "asof": self.asof,
            "date": self.date,
            "recipients": self.recipients,
            "opening": self.opening,
            "signature": self.signature,
            "sections": [{"heading": s.heading, "paragraphs": s.paragraphs} for s in self.sections],
            "next_steps_placeholder": self.placeholder,
        }


#: a run-in heading at the start of a paragraph: 「（一）项目签约。」
RUN_IN = re.compile(r"^（[一二三四五六七八九十]+）[^。：；，]{1,16}[。：]")


def _v(values: dict[str, float | None], key: str) -> float:
    return float(values.get(key) or 0)


def _p(key: str, value: float | None) -> str:
    return numbers.prose(value or 0, BY_KEY[key])


def _growth(cur: float, before: float | None) -> str:
    """「，同比增长12.3%」 on the same period a year earlier; nothing when it had none."""
    if before is None or abs(before) < 1e-9:
        return ""
    ratio = (cur - before) / abs(before)
    if numbers.percent(abs(ratio)) == "0.0%":
        return "，与去年同期持平"
    return f"，同比{'增长' if ratio > 0 else '下降'}{numbers.percent(abs(ratio))}"


class _Writer:
    def __init__(self, report: Report, th: Thresholds, stalled: dict[str, int]) -> None:
        self.r = report
        self.th = th
        self.stalled = stalled
        p, y = report.period, report.year_to_date
        #: the year to date is the period itself (a year, a half-year from 1 January …)
        self.same = p.start == y.start and p.end == y.end
        self.gw: dict[str, Any] = report.groundwork or {}
        self.empty = not any(_v(report.total.period, k) for k in FLOWS)
        self.empty_year = not any(_v(report.total.year_to_date, k) for k in FLOWS)
        self.progress = report.time_progress
        self.ranked = [u for u in report.units if u.info.get("ranked", True)]

    # -- pieces -------------------------------------------------------------------------
    def _versus(self, comp: float) -> str:
        """「，完成年度目标的36.3%，落后55.2个百分点」 (时序进度 is said once, before)."""
        gap = comp - self.progress
        text = f"，完成年度目标的{numbers.percent(comp)}"
        if numbers.points(gap) == "0.0个百分点":
            return text + "，与时序进度持平"
        return text + f"，{'超过' if gap > 0 else '落后'}{numbers.points(gap)}"

    def _year(self, key: str, row: ScopeRow | None = None) -> str:
        """The year to date of ``key`` with its completion: 「，年累计15个，完成年度目标的…」."""
        row = row or self.r.total
        text = "" if self.same else f"，年累计{_p(key, row.year_to_date.get(key))}"
        comp = row.completion.get(key)
        if row.goals.get(key) and comp is not None and not self.empty_year:
            text += self._versus(comp)
        return text

    def _sizes(self, window: str) -> str:
        by = (self.gw.get("signed_by_size") or {}).get(window) or {}
        parts = [f"{label}项目{numbers.count(by.get(k, 0), '个')}" for k, (_least, label) in SIZES.items()]
        return f"（其中{'、'.join(parts)}）" if any(by.get(k) for k in SIZES) else ""

    # -- the parts ----------------------------------------------------------------------
    def opening(self) -> str:
        r, y = self.r, self.r.total.year_to_date
        asof = numbers.chinese_date(r.asof)
        if self.same:  # the period is the year to date: its figures follow, said once
            return f"现将今年以来（{numbers.chinese_date(r.period.start)}至{asof}）招商引资工作情况通报如下。"
        if self.empty_year:
            head = f"今年以来（截至{asof}），各招商主体尚无签约、开工项目和到位资金。"
        else:
            head = (
                f"今年以来（截至{asof}），累计签约项目{_p('signed', y.get('signed'))}、"
                f"签约额{_p('signed_amount', y.get('signed_amount'))}，开工项目{_p('started', y.get('started'))}，"
                f"到位资金{_p('funds_domestic', y.get('funds_domestic'))}。"
            )
        return head + f"为推动招商引资各项任务落实，现将{r.period.label}招商引资工作情况通报如下。"

    def overall(self) -> list[str]:
        r, tot = self.r, self.r.total
        cur, last = tot.period, tot.last_year
        pl = "本期" if r.period.kind != "month" else "本月"
        head = f"{r.period.label}（{numbers.chinese_date(r.period.start)}至{numbers.chinese_date(r.asof)}）"
        if self.same or (r.period.kind == "range" and r.asof == r.period.end):  # the label is the dates
            head = f"{r.period.label}"
        out = [f"{head}，时序进度为{numbers.percent(self.progress)}。" + self._empty_note(pl)]
        n = iter(_ORDINALS)
        # 签约
        if not self.empty or not self.empty_year:
            signed = f"（{next(n)}）项目签约。"
            if _v(cur, "signed"):
                signed += (
                    f"{pl}签约项目{_p('signed', cur.get('signed'))}{self._sizes('period')}，"
                    f"签约额{_p('signed_amount', cur.get('signed_amount'))}"
                    f"{_growth(_v(cur, 'signed_amount'), last.get('signed_amount'))}"
                )
                if _v(cur, "signed_foreign"):
                    signed += f"，签约外资额{_p('signed_foreign', cur.get('signed_foreign'))}"
                comp = tot.completion.get("signed_amount")
                if self.same and tot.goals.get("signed_amount") and comp is not None:
                    signed += self._versus(comp)
                signed += "。"
            else:
                signed += f"{pl}没有新签约项目。"
            if not self.same:
                y = tot.year_to_date
                signed += (
                    f"年累计签约项目{_p('signed', y.get('signed'))}{self._sizes('year_to_date')}，"
                    f"签约额{_p('signed_amount', y.get('signed_amount'))}"
                )
                comp = tot.completion.get("signed_amount")
                if tot.goals.get("signed_amount") and comp is not None and not self.empty_year:
                    signed += self._versus(comp)
                signed += "。"
            signed += self._withdrawn(pl)
            out.append(signed)
            # 推进
            steps = []
            for key in ("registered", "started", "producing"):
                if _v(cur, key) or (not self.same and _v(tot.year_to_date, key)):
                    steps.append(f"{BY_KEY[key].label}{_p(key, cur.get(key))}{self._year(key)}")
            if steps:
                out.append(f"（{next(n)}）项目推进。{pl}" + "；".join(steps) + "。")
            # 资金
            funds = []
            for key in ("funds_domestic", "funds_foreign"):
                if _v(cur, key) or (not self.same and _v(tot.year_to_date, key)):
                    funds.append(
                        f"{BY_KEY[key].label}{_p(key, cur.get(key))}"
                        f"{_growth(_v(cur, key), last.get(key)) if _v(cur, key) else ''}{self._year(key)}"
                    )
            if funds:
                out.append(f"（{next(n)}）资金到位。{pl}" + "；".join(funds) + "。")
        # 对接与问题
        talks = f"（{next(n)}）对接洽谈。{pl}对接{_p('contacts', cur.get('contacts'))}"
        if not self.same:
            talks += f"，年累计{_p('contacts', tot.year_to_date.get('contacts'))}"
        if _v(cur, "new_targets"):
            talks += f"；新增招商项目{_p('new_targets', cur.get('new_targets'))}"
        out.append(talks + "。")
        out.append(f"（{next(n)}）问题办理。" + _problems_sentence(tot))
        return out

    def _empty_note(self, pl: str) -> str:
        if not self.empty:
            return ""
        return f"{pl}没有新签约、入统、开工项目，也没有到位资金。"

    def _withdrawn(self, pl: str) -> str:
        rows = self.gw.get("withdrawn") or []
        if not rows:
            return ""
        names = "、".join(f"{w['unit']}「{w['title']}」" for w in rows)
        text = f"{pl}退库项目{numbers.count(len(rows), '个')}：{names}。"
        inside = [w for w in rows if w.get("signed_in_period")]
        if inside:
            amount = sum(float(w.get("amount") or 0) for w in inside)
            text += (
                f"其中{numbers.count(len(inside), '个')}为{pl}签约后退库，其签约额{numbers.money(amount)}"
                "仍计入上述签约额（退库不冲减）。"
            )
        return text

    def units(self) -> list[str]:
        out: list[str] = []
        n = iter(_ORDINALS)
        rows = list(self.r.ranking.rows)
        label = self.r.year_to_date.label
        if rows:
            scores = {numbers.score(x.score) for x in rows}
            head = f"（{next(n)}）擂台赛排名。"
            if len(scores) == 1:
                out.append(head + f"{label}各招商主体擂台赛得分均为{numbers.score(rows[0].score)}分，本期不排名次。")
            elif len(rows) <= 6 or numbers.score(rows[2].score) == numbers.score(rows[-3].score):
                out.append(head + f"{label}累计得分依次为：{_names(rows)}。")
            else:
                top, bottom = _cut(rows)
                text = head + f"{label}累计得分前{_n(len(top))}名：{_names(top)}"
                if bottom:
                    text += f"；后{_n(len(bottom))}名：{_names(bottom)}"
                out.append(text + "。")
        lists = self._red_black()
        if lists:
            out.append(f"（{next(n)}）红黑榜。" + lists)
        chains = self._chains()
        if chains:
            out.append(f"（{next(n)}）产业链专班。" + chains)
        work = self._groundwork()
        if work:
            out.append(f"（{next(n)}）基础工作。" + work)
        return out or ["本期没有可比较的招商主体数据。"]

    def _red_black(self) -> str:
        key, progress, th = "signed_amount", self.progress, self.th
        m = BY_KEY[key]
        with_goal = [u for u in self.ranked if u.goals.get(key) and u.completion.get(key) is not None]
        if not with_goal:
            return ""
        comps = {numbers.percent(u.completion[key] or 0) for u in with_goal}
        if len(comps) == 1:
            return f"各招商主体{m.label}年度目标完成率均为{comps.pop()}，本期不列红黑榜。"
        ranked = sorted(with_goal, key=lambda u: -(u.completion[key] or 0))
        red = [u for u in ranked if (u.completion[key] or 0) >= progress]
        black = [u for u in ranked if progress - (u.completion[key] or 0) >= th.red / 100]
        yellow = [u for u in ranked if th.yellow / 100 <= progress - (u.completion[key] or 0) < th.red / 100]

        def listed(us: list[ScopeRow]) -> str:
            return "、".join(f"{u.name}（{numbers.percent(u.completion[key] or 0)}）" for u in us) or "无"

        return (
            f"按{m.label}年度目标完成率，红榜（达到或超过时序进度）：{listed(red)}；"
            f"黄榜（落后{th.yellow:g}个百分点以上）：{listed(yellow)}；"
            f"黑榜（落后{th.red:g}个百分点以上）：{listed(black)}。"
        )

    def _chains(self) -> str:
        rows = list(self.r.chain_ranking.rows)
        parts = []
        if rows and len({numbers.score(x.score) for x in rows}) > 1:
            parts.append(f"产业链擂台赛得分依次为：{_names(rows)}")
        key = "signed_amount"
        signed = sorted(
            (c for c in self.r.chains if _v(c.year_to_date, key) > 0), key=lambda c: -_v(c.year_to_date, key)
        )
        if signed:
            word = "" if self.same else "年累计"
            parts.append(f"{word}签约额：" + "、".join(f"{c.name}{_p(key, c.year_to_date.get(key))}" for c in signed))
        none = [c.name for c in self.r.chains if not _v(c.year_to_date, "signed")]
        if none and signed:
            parts.append(f"{'、'.join(none)}{'' if self.same else '今年以来'}尚无签约项目")
        return "；".join(parts) + "。" if parts else ""

    def _groundwork(self) -> str:
        units = self.gw.get("units") or []
        if not units:
            return ""
        window = "period"
        total = (self.gw.get("total") or {}).get(window) or {}
        if not any(total.values()):
            return "本期各招商主体没有外出招商、接待客商和报送线索的记录。"
        parts = []
        for key, (label, unit) in GROUNDWORK.items():
            done = sorted((u for u in units if u[window][key]), key=lambda u: -u[window][key])
            none = [u["name"] for u in units if not u[window][key]]
            text = f"{label}{numbers.count(total.get(key, 0), unit)}"
            if done:
                text += "：" + "、".join(f"{u['name']}{numbers.count(u[window][key], unit)}" for u in done)
            if none and done:
                text += f"，{'、'.join(none)}为零"
            parts.append(text)
        return "；".join(parts) + "（据对接记录中的走访、推介、来访记录和新增招商项目统计）。"

    def problems(self) -> list[str]:
        r, tot, progress = self.r, self.r.total, self.progress
        out: list[str] = []
        n = iter(_ORDINALS)
        if self.empty_year and any(tot.goals.get(k) for k in ("signed_amount", "funds_domestic")):
            out.append(f"{next(n)}是签约和资金到位尚未起步。今年以来尚无签约项目和到位资金。")
        key = "signed_amount"
        comp = tot.completion.get(key)
        behind = [u for u in self.ranked if u.goals.get(key) and (u.completion.get(key) or 0) < progress]
        if tot.goals.get(key) and comp is not None and comp < progress and not self.empty_year:
            text = (
                f"{next(n)}是签约进度滞后。{BY_KEY[key].label}完成年度目标的{numbers.percent(comp)}，"
                f"落后时序进度{numbers.points(comp - progress)}"
            )
            if behind and len(behind) < len(self.ranked):
                text += f"，{'、'.join(u.name for u in behind)}低于时序进度"
            elif behind:
                text += "，各招商主体均低于时序进度"
            out.append(text + "。")
        if self.stalled:
            ranked = sorted(self.stalled.items(), key=lambda kv: -kv[1])
            stuck = numbers.count(sum(self.stalled.values()), "个")
            out.append(
                f"{next(n)}是项目推进不快。阶段停滞超过时限的项目{stuck}，其中"
                + "、".join(f"{name}{numbers.count(k, '个')}" for name, k in ranked)
                + "。"
            )
        key = "funds_domestic"
        comp = tot.completion.get(key)
        if tot.goals.get(key) and comp is not None and comp < progress and not self.empty_year:
            slow = [u for u in self.ranked if u.goals.get(key) and (u.completion.get(key) or 0) < progress]
            text = (
                f"{next(n)}是资金到位不足。{BY_KEY[key].label}完成年度目标的{numbers.percent(comp)}，"
                f"落后时序进度{numbers.points(comp - progress)}"
            )
            zero = [u.name for u in slow if not _v(u.year_to_date, key)]
            if zero:
                text += f"，{'、'.join(zero)}{'' if self.same else '今年以来'}尚无到位资金"
            out.append(text + "。")
        overdue = [u for u in r.units if _v(u.period, "problems_overdue") > 0]
        if overdue:
            late = numbers.count(_v(tot.period, "problems_overdue"), "件")
            out.append(
                f"{next(n)}是问题办理不及时。超期未销号的问题{late}："
                + "、".join(f"{u.name}{numbers.count(_v(u.period, 'problems_overdue'), '件')}" for u in overdue)
                + "。"
            )
        idle = [u.name for u in self.ranked if not _v(u.period, "signed")]
        if idle and not self.empty and len(idle) < len(self.ranked):
            pl = "本月" if r.period.kind == "month" else "本期"
            out.append(f"{next(n)}是部分地区签约断档。{pl}没有签约项目的：{'、'.join(idle)}。")
        return out or ["本期没有超期问题和停滞项目，签约额和到位资金均不低于时序进度。"]


def _names(rows: list[Any]) -> str:
    return "、".join(f"{r.name}（{numbers.score(r.score)}分）" for r in rows)


def _n(k: int) -> str:
    return _ORDINALS[k - 1] if 0 < k <= len(_ORDINALS) else str(k)


def _cut(rows: list[Any]) -> tuple[list[Any], list[Any]]:
    """前三名 and 后三名, each widened to take in a tie at its edge."""
    shown = [numbers.score(r.score) for r in rows]
    top = 3
    while top < len(rows) and shown[top] == shown[top - 1]:
        top += 1
    start = len(rows) - 3
    while start > top and shown[start - 1] == shown[start]:
        start -= 1
    return rows[:top], rows[max(start, top) :]


def _problems_sentence(tot: ScopeRow) -> str:
    v = tot.period
    text = (
        f"问题台账在办{numbers.count(_v(v, 'problems_open'), '件')}，"
        f"其中超期{numbers.count(_v(v, 'problems_overdue'), '件')}；"
        f"本期新增{numbers.count(_v(v, 'problems_new'), '件')}、销号{numbers.count(_v(v, 'problems_closed'), '件')}"
    )
    rate = v.get("close_rate")
    if rate is not None:
        text += f"，销号率{numbers.percent(rate)}"
    return text + "。"


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
    issued: date | None = None,
    recipients: str | None = None,
) -> Bulletin:
    """The 通报 of ``report`` (see the module's docstring); ``stalled``: projects stalled past
    their limit per unit (:func:`stalled_by_unit`); ``issued``: the day on the date line
    (default: today); ``recipients``: the 主送 line (default :data:`RECIPIENTS`)."""
    w = _Writer(report, thresholds or Thresholds(), stalled or {})
    p = report.period
    overall = w.overall() + (report.review.bulletin_lines() if report.review is not None else [])  # 报送 → 认定
    sections = [
        Section("一、总体情况", overall),
        Section("二、各地各专班情况", w.units()),
        Section("三、存在问题", w.problems()),
        Section("四、下步打算", [p_.strip() for p_ in (next_steps or "").split("\n\n") if p_.strip()]),
    ]
    placeholder = not sections[3].paragraphs
    if placeholder:
        sections[3].paragraphs = [NEXT_STEPS_PLACEHOLDER]
    title = f"{report.office}关于{p.label}{TOPIC}"
    to = (recipients or "").strip() or RECIPIENTS
    if not to.endswith(("：", ":")):
        to += "："
    return Bulletin(
        title=title,
        office=report.office,
        period=p.label,
        asof=numbers.chinese_date(report.asof),
        sections=sections,
        placeholder=placeholder,
        recipients=to,
        opening=w.opening(),
        signature=report.office or SIGNATURE,
        date=numbers.chinese_date(issued or date.today()),
    )
