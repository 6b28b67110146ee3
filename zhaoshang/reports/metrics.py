"""The catalogue of report figures: key, Chinese label, unit and definition.

The numbers themselves are computed in :mod:`zhaoshang.reports.figures`; this module only
names them, so that the terminal, JSON, Excel, goals and the ranking share one vocabulary.
Definitions mention configurable parts (contact types, stages) through ``{placeholders}``
filled from :class:`~zhaoshang.reports.config.ReportConfig` by :func:`definition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import ReportConfig


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # 次 / 个 / 件 / 家 / 万元 / 万美元 / % / 天
    text: str  # definition, with {placeholders}
    aliases: tuple[str, ...] = ()
    goal: bool = False  # may carry an annual goal (goals.metric)
    rate: bool = False  # a ratio in [0, 1]
    better: int = 1  # +1 more is better, -1 less is better, 0 neutral

    @property
    def money(self) -> bool:
        return self.unit in ("万元", "万美元")

    @property
    def header(self) -> str:
        """Label with its unit, e.g. 签约额（万元）; rates and plain counts keep the label."""
        return f"{self.label}（{self.unit}）" if self.unit not in ("%", "") else self.label


_WINDOW = "统计期内"

METRICS: tuple[Metric, ...] = (
    Metric(
        "contacts",
        "对接次数",
        "次",
        "{window}发生的对接记录条数：方式为「{contact_types}」之一，且记在{contact_kinds}清单条目上"
        "（按记录日期；一次活动记一条）。",
        ("对接", "对接数", "对接次数"),
        goal=True,
    ),
    Metric(
        "new_targets",
        "新增项目",
        "个",
        "{window}新建入库的{pipeline}条目数（按创建日期）。",
        ("新增项目", "新增", "入库项目", "新入库项目"),
        goal=True,
    ),
    Metric(
        "talks",
        "新增对接项目",
        "个",
        "{window}首次进入「{talks}」或更后阶段的项目数（按阶段变更的生效日期，每个项目只计一次）。",
        ("对接项目", "在谈项目"),
        goal=True,
    ),
    Metric(
        "signed",
        "签约项目",
        "个",
        "{window}首次达到「{signed}」的项目数。跨阶段推进（如{talks}→{started}）视为当天同时达到被跳过的阶段；"
        "签约后退库、回退后再签约都不改变首次签约日期，每个项目只计一次。",
        ("签约", "签约数", "签约个数", "签约项目数"),
        goal=True,
    ),
    Metric(
        "signed_amount",
        "签约额",
        "万元",
        "{window}签约项目（同「签约项目」）签约时的{amount}之和，加上{window}已签约项目增资增加的金额"
        "（增资只计增加的部分，计入增资的月份）；单位万元；外资另计，不折算。",
        ("签约额", "签约金额", "签约总额", "协议投资额"),
        goal=True,
    ),
    Metric(
        "signed_foreign",
        "签约外资额",
        "万美元",
        "{window}签约项目签约时的{foreign_amount}之和，加上{window}增资增加的外资，单位万美元；与人民币分列，从不换算。",
        ("签约外资", "签约外资额", "协议外资"),
        goal=True,
    ),
    Metric(
        "registered",
        "入统项目",
        "个",
        "{window}首次达到「{registered}」的项目数（口径同签约项目）。",
        ("入统", "入统项目", "入统数", "注册项目"),
        goal=True,
    ),
    Metric(
        "started",
        "开工项目",
        "个",
        "{window}首次达到「{started}」的项目数（口径同签约项目）。",
        ("开工", "开工项目", "开工数", "新开工项目"),
        goal=True,
    ),
    Metric(
        "producing",
        "投产项目",
        "个",
        "{window}首次达到「{producing}」的项目数（口径同签约项目）。",
        ("投产", "投产项目", "投产数"),
        goal=True,
    ),
    Metric(
        "withdrawn",
        "退库项目",
        "个",
        "{window}首次改为「{withdrawn}」的项目数（退库不冲减此前已计的签约、开工等）。",
        ("退库",),
        better=0,
    ),
    Metric(
        "funds_domestic",
        "到位资金",
        "万元",
        "{window}的到位资金（国内，万元）之和。资金按月填报，某月资金计入包含该月最后一天的统计期"
        "（半月报中计入下半月）。",
        ("到位资金", "到位内资", "国内资金", "实际到位资金", "到位资金（国内）"),
        goal=True,
    ),
    Metric(
        "funds_foreign",
        "到位外资",
        "万美元",
        "{window}的到位外资（万美元）之和，按月计入规则同到位资金；与人民币分列，从不换算。",
        ("到位外资", "外资", "实际利用外资", "实际到位外资"),
        goal=True,
    ),
    Metric(
        "problems_new",
        "新增问题",
        "件",
        "{window}新建的{problems}条目数（按创建日期）。",
        ("新增问题",),
        better=0,
    ),
    Metric(
        "problems_closed",
        "销号问题",
        "件",
        "{window}首次改为「{closed}」的问题数（按生效日期，重新打开后再销号不重复计）。",
        ("销号", "销号问题", "已销号"),
        goal=True,
    ),
    Metric(
        "problems_open",
        "在办问题",
        "件",
        "截至统计日（统计期末与今天中较早者）尚未办结（不是终止状态）的问题数。",
        ("在办问题", "未办结问题"),
        better=-1,
    ),
    Metric(
        "problems_overdue",
        "超期问题",
        "件",
        "截至统计日尚未办结、且时限早于统计日的问题数。",
        ("超期问题", "逾期问题"),
        better=-1,
    ),
    Metric(
        "close_rate",
        "销号率",
        "%",
        "截至统计日已销号的问题数 ÷ 截至统计日的问题总数（不含「{cancelled}」）。",
        ("销号率", "问题销号率"),
        rate=True,
    ),
    Metric(
        "visits",
        "走访次数",
        "次",
        "{window}方式为「{visit_types}」、记在{visit_kinds}清单条目上的记录条数（大走访）。",
        ("走访", "走访次数"),
        goal=True,
    ),
    Metric(
        "visited",
        "走访企业",
        "家",
        "{window}至少走访过一次的{visit_kinds}条目数（同一企业多次走访只计一家）。",
        ("走访企业", "走访企业数"),
        goal=True,
    ),
    Metric(
        "visit_problems_found",
        "走访发现问题",
        "件",
        "{window}新建的问题中，来源含「{visit_sources}」或关联到{visit_kinds}条目的问题数。",
        ("走访发现问题",),
        better=0,
    ),
    Metric(
        "visit_problems_solved",
        "走访问题解决",
        "件",
        "走访发现的问题（不限发现时间）中，{window}首次销号的问题数。",
        ("走访问题解决", "走访解决问题"),
    ),
    Metric(
        "permits",
        "取得施工许可",
        "个",
        "{window}取得「{permit_to}」、且有「{permit_from}」日期的项目数。",
        ("施工许可",),
    ),
    Metric(
        "permit_days",
        "平均审批天数",
        "天",
        "上述项目从「{permit_from}」到「{permit_to}」的天数的平均值（拿地即开工的速度）。",
        ("审批天数", "审批速度"),
        better=-1,
    ),
    Metric(
        "rate_signing",
        "对接签约率",
        "%",
        "{window}新增对接项目（首次进入「{talks}」或更后阶段）中，到统计期末已达到「{signed}」的比例。",
        ("对接签约率",),
        rate=True,
    ),
    Metric(
        "rate_registering",
        "签约入统率",
        "%",
        "{window}签约的项目中，到统计期末已达到「{registered}」的比例。",
        ("签约入统率",),
        rate=True,
    ),
    Metric(
        "rate_starting",
        "入统开工率",
        "%",
        "{window}入统的项目中，到统计期末已达到「{started}」的比例。",
        ("入统开工率",),
        rate=True,
    ),
)

BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    return BY_KEY[key]


def find_metric(name: str) -> Metric | None:
    """A metric by key, label or alias (simplified or traditional, full-width or not)."""
    from ..parse import normalize_key

    wanted = normalize_key(name)
    for m in METRICS:
        if wanted in {normalize_key(x) for x in (m.key, m.label, m.header, *m.aliases)}:
            return m
    return None


def goal_metrics() -> list[Metric]:
    return [m for m in METRICS if m.goal]


def definition(m: Metric, cfg: ReportConfig, window: str = _WINDOW) -> str:
    """The definition of ``m`` in words, with this configuration's names filled in."""
    return m.text.format(window=window, **cfg.vocabulary())
