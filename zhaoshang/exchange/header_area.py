"""What the lines above a sheet's header say about all of its rows: who filled it in (填报单位 /
报送单位 / 填報單位 …), when (填报日期 / 报送时间 …), what its money is in (「单位：亿元」) and
which period it reports on (the title's 「2026年10月」, 「第三季度」, 「1—10月」).

Each is an inference for every row that has no value of its own, so each comes back with the
words it was read from (:class:`Said`), for the import to show where it came from.  The keys
are compared in simplified characters (OpenCC, as every header is), so a traditional .ods
(填報單位, 填報日期) is read like a simplified one.

Pure functions over the already-read preamble: tested on in-memory tables, no file needed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from ..parse import to_halfwidth, to_simplified
from .tables import HeaderCell, note_money_unit, split_seal

__all__ = [
    "Period",
    "Said",
    "SaidElsewhere",
    "UnitType",
    "filing_date",
    "instructions_money_unit",
    "is_instructions",
    "money_unit",
    "names_all_money",
    "report_period",
    "reporting_unit",
    "unit_kind",
    "unit_statements",
    "with_money_unit",
    "without_seal",
]


@dataclass(frozen=True)
class Said:
    """A value read from the header area, with the words it came from."""

    key: str
    """The key as written (「報送單位」)."""
    value: str
    """The value as written, cleaned of marks (「府谷县发展和改革局」)."""

    @property
    def source(self) -> str:
        if _is_seal(self.key):  # 「孙吴县商务局（盖章）」 on a line of its own
            return f"表头上方的「{self.value}{self.key}」"
        close = _CLOSE.get(self.key[:1], "")  # 「（填报日期：2026-10-29）」: its bracket closed again
        return f"表头上方的「{self.key}：{self.value}{close}」"


@dataclass(frozen=True)
class SaidElsewhere(Said):
    """A value read on another sheet of the workbook (its 填表说明): the sheet and row it is on."""

    sheet: str = ""
    row: int = 0
    #: the money the statement is for, as the line names it (「外资额」「到位资金」); "" for all
    #: money (「金额单位：亿元」「投资额均为亿元」 alone on its line)
    subject: str = ""

    @property
    def source(self) -> str:
        return f"工作表「{self.sheet}」第{self.row}行的「{self.value}」"


#: the names of a workbook's sheet of instructions (填表说明, 填报说明, 说明, 注意事项 …)
_INSTRUCTIONS = re.compile(r"说明|须知|注意事项|填报要求|填表要求|指标解释")


def is_instructions(sheet: str) -> bool:
    """Whether a sheet's name says it holds the workbook's instructions (填表说明, 填報說明 …)."""
    return _INSTRUCTIONS.search(to_simplified(sheet)) is not None


def instructions_money_unit(sheet: str, rows: Iterable[list[object]], *, limit: int = 200) -> list[SaidElsewhere]:
    """Every money unit a sheet of instructions states (「1. 金额单位：亿元。」「投资额均为万元」), in
    its first ``limit`` rows: each with its row and text (the unit is its :attr:`Said.key`) and,
    when its line names the money each unit is for (「金额单位：亿元；外资额单位：万美元」), the
    words naming it (:attr:`SaidElsewhere.subject`)."""
    out: list[SaidElsewhere] = []
    for number, row in enumerate(rows, start=1):
        if number > limit:
            break
        for v in row:
            if isinstance(v, str) and v.strip():
                for subject, unit in unit_statements(v):
                    out.append(SaidElsewhere(unit, v.strip(), sheet=sheet, row=number, subject=subject))
    return out


#: 「外资额单位：万美元」「投资额均为亿元」「外资：万美元」: the words before it name the money
_STATEMENT = re.compile(
    r"([\u4e00-\u9fff]{0,12}?)(?:的)?(?:默认|统一|计量)?(单位)?\s*(?:均|都|全部|一律|统一)?\s*(?:为|是|按|以|用|[：:])\s*"
    r"(?:人民币)?\s*([千百]?[万亿]?美?元)(?![\u4e00-\u9fff]{0,1}[旦素件])"
)
#: a money unit anywhere in a line (to count the units a line names)
_ANY_UNIT = re.compile(
    r"(?:[千百]?[万亿]美?元|美元)|(?:(?<![\u4e00-\u9fff])|(?<=[或和及与为是]))元(?!(?![或和及与])[\u4e00-\u9fff])"
)
_QUOTED = re.compile(r"「[^「」]*」|“[^“”]*”|『[^『』]*』|\"[^\"]*\"")
#: words before 「单位」 that name all of a sheet's money, not one column's (「金额单位」「本表金额单位」)
_ALL_MONEY = ("金额", "数额", "数据", "数字", "货币", "计量", "币种")
_ALL_MONEY_EXACT = frozenset({"", "资金", "投资", "单位", "表中", "本表", "以上", "所有", "全部"})
_LEAD = re.compile(r"^(?:其中|注意|请注意|注|本表|表中|以上|上述|所有|各项|各|全部)+")


def unit_statements(text: str) -> list[tuple[str, str]]:
    """The money units a line of instructions states, each with the money it names ("" for
    all): 「1. 金额单位：亿元；外资额单位：万美元」 → [("", "亿元"), ("外资额", "万美元")];
    「外资单位：万美元」 → [("外资", "万美元")]; 「注：金额均为亿元」 → [("", "亿元")].  A line naming more
    units than it says the money of (「单位：亿元、万美元」) gives each for all money — two units
    for all money, refused by the sheet that would use them."""
    simple = to_simplified(to_halfwidth(text))
    # an example in quotes (「如「投资额（亿元）」」「可直接写「3.56亿」」) states no unit
    unquoted = _QUOTED.sub("", simple)
    if _STATEMENT.search(unquoted) is not None or note_money_unit(unquoted) is not None:
        simple = unquoted
    found: list[tuple[str, str]] = []
    for m in _STATEMENT.finditer(simple):
        subject = _LEAD.sub("", m.group(1))
        if m.group(2) is None and not found and subject not in _ALL_MONEY_EXACT and not m.group(0).endswith("元"):
            continue
        found.append((subject, _money_unit_word(m.group(3))))
    if not found:
        noted = note_money_unit(simple)
        return [("", noted)] if noted is not None else []
    if len(_ANY_UNIT.findall(simple)) > len(found):
        # a unit the line names for no money is for all of it: which is which cannot be told
        return [("", unit) for _, unit in found] + [("", u) for u in _extra_units(simple, found)]
    return [("" if names_all_money(s) else s, u) for s, u in found]


def _extra_units(simple: str, found: list[tuple[str, str]]) -> list[str]:
    """The units a line names beyond those ``found`` in statements (「单位：亿元、万美元」 → 万美元)."""
    units = [_money_unit_word(u) for u in _ANY_UNIT.findall(simple)]
    for _, u in found:
        if u in units:
            units.remove(u)
    return units


def _money_unit_word(unit: str) -> str:
    return {"亿": "亿元", "万": "万元"}.get(unit, unit)


def names_all_money(subject: str) -> bool:
    """Whether the words before a unit (「金额」「本表金额」「资金」) name all of a sheet's money,
    not one column's (「外资额」「到位资金」)."""
    return subject in _ALL_MONEY_EXACT or subject.endswith(_ALL_MONEY)


@dataclass(frozen=True)
class Period:
    """The period a sheet reports on, read from its title."""

    text: str
    """As the title says it: 「2026年10月」, 「2026年第三季度」, 「2026年1—10月」."""
    start: dt.date
    end: dt.date


_UNIT_KEYS = (
    "填报单位", "报送单位", "填表单位", "制表单位", "上报单位", "报告单位", "申报单位", "填报部门", "单位名称",
)  # fmt: skip
_DATE_KEYS = (
    "填报日期", "填表日期", "报送日期", "制表日期", "上报日期", "统计日期", "截止日期",
    "填报时间", "报送时间", "填表时间", "制表时间", "上报时间", "统计时间", "截止时间",
)  # fmt: skip
_MONEY_KEYS = ("单位", "金额单位", "计量单位", "货币单位", "资金单位", "投资单位", "金额")
# a note above the header may say it too: 「注：金额均为亿元」
_NOTE_KEYS = ("注", "说明", "备注")
_MONEY_UNITS = frozenset(
    {"亿元", "亿", "万元", "万", "元", "亿人民币", "万人民币", "人民币亿元", "人民币万元", "人民币元"}
    | {"亿美元", "万美元", "美元", "百万美元", "千万美元"}
)
_BRACKETS = "（()）[]【】 \u3000"


def _key(text: str) -> str:
    return to_simplified(to_halfwidth(text)).strip(_BRACKETS).replace(" ", "")


def _unit_key(text: str) -> str:
    """A money unit as compared: 「亿元（人民币）」「万元人民币」「人民币 万元」 → 亿元 / 万元."""
    key = _key(text)
    bare = key.replace("人民币", "").replace("(", "").replace(")", "").replace("（", "").replace("）", "")
    return bare if bare in _MONEY_UNITS else key


def _meta_key(key: str) -> str:
    """A key as compared: its seal mark dropped too (「填报单位（盖章）」「填報單位(公章)」 → 填报单位)."""
    return _key(without_seal(key) or key)


def _is_seal(key: str) -> bool:
    """The key is a seal mark alone: the line was 「孙吴县商务局（盖章）」 (see tables.find_table)."""
    return split_seal(key) == ("", key)


_CLOSE = {"（": "）", "(": ")", "【": "】", "[": "]"}


def _value(key: str, value: str) -> str:
    """The value as written, without the bracket its line closes: 「（填报日期：2026-10-29）」 is
    read as the key 「（填报日期」 and the value 「2026-10-29）」 — the date is 「2026-10-29」."""
    value = value.strip()
    close = _CLOSE.get(key.strip()[:1])
    if close is not None and value.endswith(close):
        value = value[: -len(close)].strip()
    return value


def _find(meta: Mapping[str, str], keys: Iterable[str]) -> Said | None:
    wanted = set(keys)
    for key, value in meta.items():
        if _meta_key(key) in wanted and _value(key, value):
            return Said(key, _value(key, value))
    return None


def without_seal(name: str) -> str:
    """「府谷县发展和改革局（盖章）」 → 「府谷县发展和改革局」 (蓋章 too)."""
    got = split_seal(name)
    return (got[0] if got is not None else name).strip()


def money_unit(meta: Mapping[str, str]) -> tuple[Said, str] | None:
    """(what the sheet said, the unit) when a line above the header gives the money unit of the
    whole sheet: 「单位：亿元」, 「（金额单位：万元）」, 「金额：万元」 and a title's 「（单位：亿元）」
    (find_table puts a title's bracketed pairs into the meta); else a note above the header that
    says it (「注：金额均为亿元」)."""
    for key, value in meta.items():
        if _meta_key(key) not in _MONEY_KEYS:
            continue
        unit = _unit_key(value)
        if unit in _MONEY_UNITS:
            return Said(key, _value(key, value)), unit
    for key, value in meta.items():
        noted = note_money_unit(value) if _meta_key(key) in _NOTE_KEYS else None
        if noted is not None:
            return Said(key, value.strip()), noted
    return None


#: what a money unit is written with (「千万元」「万元、万美元」「人民币（万元）」)
_MONEY_CHARS = frozenset("亿千百万元美人民币、,，/和及或与；;()（）")


def _money_words(text: str) -> bool:
    key = _key(text)
    return "元" in key and all(ch in _MONEY_CHARS for ch in key)


def is_money_unit(text: str) -> bool:
    """「亿元」「万美元」「千万元」: a money unit, never the name of a chain or a unit."""
    return _unit_key(text) in _MONEY_UNITS or _money_words(text)


def unsupported_money_unit(meta: Mapping[str, str]) -> Said | None:
    """A 「单位：…」 line above the header that gives a money unit the import cannot read the whole
    sheet in: 「单位：千万元」, or two at once (「单位：万元、万美元」) — which column is in which
    cannot be known.  (Never a 填报单位 either.)"""
    for key, value in meta.items():
        said = _value(key, value)
        if _meta_key(key) not in _MONEY_KEYS or not said or _unit_key(value) in _MONEY_UNITS:
            continue
        if _money_words(value) or _MORE_UNITS.match(to_simplified(value).strip()):
            return Said(key, said)
    return None


#: a unit followed by more units (「亿元；外资额单位：万美元」「亿元，外资：万美元」): which column is in
#: which is said in words no column header repeats
_MORE_UNITS = re.compile(r"(?:人民币)?\s*[千百万亿]*(?:美)?元.*(?:元|单位)")


def reporting_unit(meta: Mapping[str, str]) -> Said | None:
    """The unit that filled in the sheet (填报单位, 报送单位, 填报单位（盖章） … in any writing), its
    seal mark dropped.  A plain 「单位：…」 counts too unless it is a money unit (「单位：亿元」);
    else a line that is only a name and its seal (「孙吴县商务局（盖章）」)."""
    said = _find(meta, _UNIT_KEYS)
    if said is None:
        said = _find(meta, ("单位",))
        if said is not None and (_unit_key(said.value) in _MONEY_UNITS or _money_words(said.value)):
            said = None
    if said is None:
        said = next((Said(k, v.strip()) for k, v in meta.items() if _is_seal(k) and v.strip()), None)
    if said is None:
        return None
    name = without_seal(said.value)
    return Said(said.key, name) if name else None


def filing_date(meta: Mapping[str, str]) -> Said | None:
    """The 填报日期 / 报送时间 … line, in any writing (the value unparsed)."""
    return _find(meta, _DATE_KEYS)


_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_NUM |= {"十一": 11, "十二": 12}
_NUM = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
_DASH = r"\s*[-—–~～至到]+\s*"
_YEAR = r"(20\d{2})\s*年(?:度)?\s*"
_PERIODS = (
    ("range", re.compile(_YEAR + _NUM + r"\s*月?" + _DASH + _NUM + r"\s*月(?!\s*\d{1,2}\s*[日号])")),
    ("quarter", re.compile(_YEAR + r"第?\s*([一二三四1-4])\s*季度")),
    ("half", re.compile(_YEAR + r"(上|下)半年")),
    ("month", re.compile(_YEAR + _NUM + r"\s*月份?(?!\s*\d{1,2}\s*[日号])")),
)


def _num(text: str) -> int:
    return _CN_NUM[text] if text in _CN_NUM else int(text)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


#: a part of a month a title may name (「2026年10月第2周」「10月上旬」「周报」): not the whole month
_SUB_MONTH = re.compile(r"(?:" + _YEAR + r")?" + _NUM + r"\s*月份?\s*(?:第\s*[一二三四五六1-6]\s*周|[上中下]旬)")
_SUB_MONTH_NAME = re.compile(r"(?<![每月])第\s*[一二三四五六1-6]\s*周(?!\s*[一二三四五六日天1-7])")


def sub_month_period(captions: Iterable[str]) -> str | None:
    """The words of a title that name a week or a ten-day part of a month (or call the sheet a
    周报 / 旬报), or None: which day its moves without a date were on cannot be told from it."""
    texts = [to_simplified(to_halfwidth(c)) for c in captions]
    for pattern in (_SUB_MONTH, _SUB_MONTH_NAME):
        for text in texts:
            m = pattern.search(text)
            if m is not None:
                return m.group(0).strip()
    return None


def report_period(captions: Iterable[str]) -> Period | None:
    """The period the title names (the first caption that names one), or None.

    「神木市2026年10月招商引资项目推进情况表」 → 2026-10-01 … 2026-10-31;
    「2026年1—10月」 → 2026-01-01 … 2026-10-31; 「2026年第三季度」 → 07-01 … 09-30;
    「2026年上半年」 → 01-01 … 06-30.  A full date in the title (「截至2026年10月15日」) is no
    period: it is left to the filing date."""
    for caption in captions:
        text = to_simplified(to_halfwidth(caption))
        for how, pattern in _PERIODS:
            m = pattern.search(text)
            if m is None:
                continue
            year = int(m.group(1))
            if how == "range":
                first, last = _num(m.group(2)), _num(m.group(3))
                if not 1 <= first <= last <= 12:
                    continue
                return Period(m.group(0).strip(), dt.date(year, first, 1), _last_day(year, last))
            if how == "quarter":
                q = _num(m.group(2))
                return Period(m.group(0).strip(), dt.date(year, 3 * q - 2, 1), _last_day(year, 3 * q))
            if how == "half":
                first = 1 if m.group(2) == "上" else 7
                return Period(m.group(0).strip(), dt.date(year, first, 1), _last_day(year, first + 5))
            month = _num(m.group(2))
            if 1 <= month <= 12:
                return Period(m.group(0).strip(), dt.date(year, month, 1), _last_day(year, month))
    return None


_CNY = frozenset({"亿元", "亿", "万元", "万", "元", "亿人民币", "万人民币", "人民币亿元", "人民币万元", "人民币元"})


def _scale(unit: str) -> tuple[str, str] | None:
    """(currency, scale) of a money unit: ("CNY", "亿") for 亿元 …; None for other units."""
    u = _key(unit)
    if u not in _MONEY_UNITS:
        return None
    currency = "CNY" if u in _CNY else "USD"
    for scale in ("百万", "千万", "亿", "万"):
        if u.startswith(scale) or u.startswith("人民币" + scale):
            return currency, scale
    return currency, "元"


def with_money_unit(header: list[HeaderCell], unit: str) -> tuple[list[HeaderCell], set[int], list[HeaderCell]]:
    """The header with the sheet's money ``unit`` given to every column that names no unit of its
    own; the columns given it; and the columns whose own unit contradicts it (「单位：亿元」 above
    a column 「投资额（万元）」 — which one is right cannot be known)."""
    sheet = _scale(unit)
    out: list[HeaderCell] = []
    given: set[int] = set()
    clash: list[HeaderCell] = []
    for h in header:
        if h.unit is None:
            out.append(replace(h, unit=unit))
            given.add(h.column)
            continue
        own = _scale(h.unit)
        if own is not None and sheet is not None and own[0] == sheet[0] and own[1] != sheet[1]:
            clash.append(h)
        out.append(h)
    return out, given, clash


# What a unit is, by the end of its name: a county or district is ranked; a bureau, committee,
# office, centre or company is a department (部门), a township (乡、镇、街道) another kind (其他),
# and neither enters the county ranking.
class UnitType(enum.StrEnum):
    """The type a unit created by an import gets (its value is the word stored as 类型)."""

    zone = "开发区"
    park = "园区"
    task_force = "专班"
    department = "部门"
    county = "区县"
    other = "其他"


_UNIT_ENDINGS = (
    (("开发区", "高新区", "经开区", "新区", "示范区", "合作区", "自贸区", "保税区"), UnitType.zone, True),
    (("产业园", "园区", "工业园"), UnitType.park, True),
    (("专班",), UnitType.task_force, True),
    (
        ("局", "委", "委员会", "办", "办公室", "中心", "公司", "集团", "厅", "处", "科", "所", "院", "站", "会", "协会",
         "商会", "部", "组"),
        UnitType.department,
        False,
    ),
    # a township (乡镇、街道) is inside a county: its projects are the county's, it is no county
    # of the ranking
    (("镇", "乡", "街道", "苏木", "民族乡"), UnitType.other, False),
    (("县", "区", "市", "旗"), UnitType.county, True),
)  # fmt: skip


def unit_kind(name: str) -> tuple[UnitType, bool, str]:
    """(type, ranked, the ending it was read from) for a unit created by an import: 「府谷县发展和
    改革局」 is a 部门 (not ranked), 「府谷县」 a 区县; a name that says neither is 其他, not ranked."""
    text = to_simplified(name).strip()
    for endings, kind, ranked in _UNIT_ENDINGS:
        for ending in sorted(endings, key=len, reverse=True):
            if text.endswith(ending):
                return kind, ranked, ending
    return UnitType.other, False, ""
