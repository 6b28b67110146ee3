"""The rules that read what a sheet says once for many rows — each a pure function returning
its value with the :class:`~.inference.Inference` that shows where it came from.

* :func:`move_date` — the date of a stage move a row makes without a date of its own: --as-of,
  else the period the title reports on (not after the filing day), else the 填报日期 line, else
  the day of import (which dates only entries: a move is refused, see the importer);
* :func:`reporting_unit` — the 填报单位 line as the unit of rows without one (「爱辉区商务局」 is the
  office of the unit 爱辉区);
* :func:`heading_chain` — the chain a group heading names (「一、有色金属产业链（2个）」);
* :func:`chain_headings` — a known chain's bare name alone in the name column (「绿色矿业」): a
  group heading giving the rows under it that chain (a name no chain has stays a row, refused
  as the second line of a name);
* :func:`remark_stage` — a 备注 that says a stage was reached on a day (「已于10月8日签约」): on
  a sheet without a 状态 column the row's stage would be lost (refused where it is read);
* :func:`sub_rows` — rows numbered 1.1, 1.2 under a project numbered 1: its parts when their
  amounts add up to its own (skipped, listed), else refused — never projects of their own;
* :func:`disagreement` — what two rows of one project on two sheets say differently.

No database, no report: tested on in-memory tables (tests/test_sheet_rules.py).
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .. import stages
from ..errors import ZsError
from ..parse import normalize_key, parse_date, to_halfwidth, to_simplified
from . import header_area
from .inference import DateSource, Inference, Rule
from .tables import DataRow, Table

__all__ = [
    "ChainHeading",
    "MoveDate",
    "RemarkStage",
    "StageWords",
    "SubRow",
    "Timing",
    "UnitSaid",
    "bare_chain",
    "chain_headings",
    "disagreement",
    "heading_chain",
    "heading_stage",
    "move_date",
    "remark_stage",
    "reporting_unit",
    "sheet_stage",
    "stage_words",
    "sub_rows",
    "sum_rows",
    "title_unit",
]

#: keys of a line above the header that may name the period (「报告期：2026年10月」)
PERIOD_KEYS = ("报告期", "统计期", "所属期", "期间", "时段", "报告时间")


@dataclass(frozen=True)
class MoveDate:
    """The date a sheet gives moves without their own, where from, and its filing day."""

    date: str
    source: DateSource
    inference: Inference
    """Prepared, not yet listed: listed for each row that takes the date."""
    filed: str | None = None
    """The sheet's 填报日期 / 报送时间 (ISO), if it says one: no stage may be after it."""
    filed_key: str = ""
    period_start: str | None = None
    """The first day of the period the title reports on (ISO), when it names one."""


def move_date(
    sheet: str, table: Table, *, as_of: dt.date | None, today: dt.date, option: Callable[[str], str]
) -> MoveDate:
    """The date for moves a row of ``table`` makes without a date of its own.  Raises
    :class:`ZsError` when the sheet's words cannot be a date it may have (a filing day that is
    no date, a report period that has not begun)."""
    if as_of is not None:
        given = as_of.isoformat()
        text = f"没有本行日期的阶段变更按 {option('as_of')} 记为 {given}"
        inf = Inference(Rule.as_of, sheet, given, option("as_of"), text=text, confirmed_by=option("as_of"))
        return MoveDate(given, DateSource.as_of, inf)
    filed: dt.date | None = None
    said = header_area.filing_date(table.meta)
    if said is not None:
        try:
            filed = parse_date(said.value)
        except ZsError as exc:
            where = f"「{sheet}」的{said.key}「{said.value}」"
            raise ZsError(f"{where}不是日期：{exc.message}（或用 {option('as_of')} 指定）") from None
        stages.effective(filed, what=f"「{sheet}」的{said.key}")
    filed_iso, filed_key = (filed.isoformat(), said.key) if filed is not None and said is not None else (None, "")
    titles = [*table.captions, *(v for k, v in table.meta.items() if any(w in k for w in PERIOD_KEYS))]
    part = header_area.sub_month_period(titles)
    if part is not None and filed is None:
        raise ZsError(
            f"「{sheet}」的标题说的是「{part}」（一周或一旬），不是整月，表上也没有填报日期：没有本行日期的阶段变更"
            f"记在哪一天分不清。请用 {option('as_of')} 给出这些变更的日期（各行都写了日期时它不起作用，写这一周的"
            "任一天即可），或在表上写明填报日期"
        )
    # (a week's sheet with its filing day: the moves without a date are dated by that day)
    period = header_area.report_period(titles) if part is None else None
    if period is not None:
        if period.start > today:
            raise ZsError(
                f"「{sheet}」的标题说报告期是「{period.text}」，还没有到：请检查标题中的年月，"
                f"或用 {option('as_of')} 给出没有本行日期的阶段变更的日期"
            )
        if filed is not None and filed < period.start:
            raise ZsError(
                f"「{sheet}」的{filed_key or '填报日期'} {filed.isoformat()} 早于标题说的报告期「{period.text}」："
                "报告期还没开始就填报，两者必有一错。请核对标题的年月或填报日期"
                f"（或用 {option('as_of')} 给出没有本行日期的阶段变更的日期）"
            )
        day, why = period.end, f"报告期「{period.text}」的最后一天"
        if filed is not None and filed < day:
            day, why = filed, f"{filed_key or '填报日期'}（在报告期「{period.text}」之内）"
        if day > today:
            day, why = today, f"今天（报告期「{period.text}」还没有结束）"
        iso = day.isoformat()
        text = (
            f"没有本行日期的阶段变更按标题中的报告期「{period.text}」记为 {iso}（{why}）；"
            f"不对时请用 {option('as_of')} 指定"
        )
        inf = Inference(Rule.report_period, sheet, iso, f"标题中的报告期「{period.text}」", text=text)
        return MoveDate(iso, DateSource.report_period, inf, filed_iso, filed_key, period.start.isoformat())
    if said is not None and filed_iso is not None:
        text = (
            f"没有本行日期的阶段变更按{said.key} {filed_iso} 记（标题里没有报告期；不对时请用 {option('as_of')} 指定）"
        )
        inf = Inference(Rule.filing_date, sheet, filed_iso, said.source, text=text)
        return MoveDate(filed_iso, DateSource.filing_date, inf, filed_iso, filed_key)
    iso = today.isoformat()
    text = (
        f"没有日期的进库（和本库导出文件里的阶段变更）按导入当天 {iso} 记"
        "（表中没有日期、标题没有报告期、也没有填报日期）"
    )
    return MoveDate(iso, DateSource.import_day, Inference(Rule.import_day, sheet, iso, "表中没有日期", text=text))


@dataclass(frozen=True)
class UnitSaid:
    """The unit the 填报单位 line names, as it will be looked up, and its inference."""

    name: str
    inference: Inference


def reporting_unit(sheet: str, table: Table, units: Mapping[int, str]) -> UnitSaid | None:
    """The 填报单位 / 报送单位 line's unit: the name itself, or the one existing unit whose name
    begins it (「爱辉区商务局」 → 爱辉区).  None: the sheet names none."""
    said = header_area.reporting_unit(table.meta)
    if said is None or not said.value:
        return None
    name = said.value
    key = normalize_key(name)
    owners = [n for n in units.values() if key.startswith(normalize_key(n)) and key != normalize_key(n)]
    if len(owners) == 1:
        name = owners[0]
    text = f"{said.source}：填报单位「{name}」用作未填责任单位的行的责任单位"
    return UnitSaid(name, Inference(Rule.reporting_unit, sheet, name, said.source, column="责任单位", text=text))


def title_unit(sheet: str, table: Table, units: Mapping[int, str]) -> UnitSaid | None:
    """The existing unit the sheet's title begins with (「孙吴县2026年10月招商引资项目推进情况表」 →
    孙吴县): the unit of rows without one, when no 填报单位 line names one.  None when the title
    begins with no unit's name, or with two (「孙吴县」 and 「孙吴」 both: the longer is taken)."""
    if not table.captions:
        return None
    title = table.captions[0]
    key = normalize_key(title)
    names = [n for n in units.values() if (k := normalize_key(n)) and key.startswith(k) and len(k) >= 2]
    if not names:
        return None
    names.sort(key=lambda n: -len(normalize_key(n)))
    name = names[0]
    text = f"标题「{title}」以「{name}」开头：用作未填责任单位的行的责任单位（不对请在表中加「招商主体」列）"
    return UnitSaid(name, Inference(Rule.title_unit, sheet, name, f"标题「{title}」", column="责任单位", text=text))


def units_disagree(said: UnitSaid, titled: UnitSaid) -> str:
    """Why a sheet whose title begins with one unit (「爱辉区2026年10月…」) and whose 填报单位
    line names another (孙吴县) is refused: whose report it is cannot be told, and a guess would
    give one county's figures to the other.  (A 责任单位 column naming other units is no
    contradiction: a city's sheet lists many.)"""
    return (
        f"标题说是「{titled.name}」的表（{titled.inference.evidence}），{said.inference.evidence}却说是"
        f"「{said.name}」填报的：分不清是谁的数据。请改正标题或填报单位那一行，"
        f"或在表中加「招商主体」列写明每行的单位（有了它，每行按自己的单位，不再看标题）"
    )


def heading_chain(heading: str, chains: Mapping[int, str]) -> tuple[int, str] | None:
    """The chain (or unit: any names) a group heading names: the longest name the heading
    contains (「新能源汽车」 before 「新能源」) — None when none, or two of that length, are in it."""
    text = normalize_key(heading)
    named = [(rid, n) for rid, n in chains.items() if normalize_key(n) and normalize_key(n) in text]
    if not named:
        return None
    named.sort(key=lambda x: -len(normalize_key(x[1])))
    best = len(normalize_key(named[0][1]))
    if any(normalize_key(n) != normalize_key(named[0][1]) and len(normalize_key(n)) == best for _, n in named[1:]):
        return None
    return named[0]


def bare_chain(text: str, chains: Mapping[int, str]) -> tuple[int, str] | None:
    """The chain ``text`` is the exact name of (「绿色矿业」; 「绿色矿业类」 when only one chain is
    绿色矿业 and none is 绿色矿业类 itself), compared as names are (OpenCC, half-width, no spaces);
    else None."""
    key = normalize_key(text)
    if not key:
        return None
    for wanted in (key, key[:-1] if key.endswith("类") and len(key) > 2 else None):
        if wanted is None:
            continue
        named = [(rid, n) for rid, n in chains.items() if normalize_key(n) == wanted]
        if named:
            return named[0] if len(named) == 1 else None
    return None


@dataclass(frozen=True)
class ChainHeading:
    """A row holding only a chain's name in the name column: the heading of the rows under it."""

    row: int
    text: str
    chain: tuple[int, str]

    @property
    def inference(self) -> str:
        return (
            f"本行只有「{self.text}」（产业链「{self.chain[1]}」的名称，没有序号和别的内容）："
            "按分组标题读，其下没有产业链的行归入这条产业链"
        )


def chain_headings(
    rows: Iterable[DataRow], chains: Mapping[int, str], name_columns: Iterable[int]
) -> Iterator[tuple[DataRow, ChainHeading | None]]:
    """Each row with None, or — for a row that holds only the exact name of a known chain in a
    name column (``name_columns``), without a 序号 — its :class:`ChainHeading`.  The rows after
    it, until another heading (of the table's or this kind), stand under it: their
    :attr:`DataRow.chain_heading` is its text.  A text no chain has is left a row (refused there
    as the second line of a name, never guessed a heading)."""
    names = frozenset(name_columns)
    current: ChainHeading | None = None
    under: str | None = None  # the table's heading the rows had when ``current`` was read
    for row in rows:
        if row.index is None and len(row.cells) == 1:
            ((column, text),) = row.cells.items()
            hit = bare_chain(text, chains) if column in names and isinstance(text, str) else None
            if hit is not None and isinstance(text, str):
                current, under = ChainHeading(row.number, text, hit), row.heading
                yield row, current
                continue
        if current is not None and row.heading != under:
            current = None  # a heading of the table's own starts a new group
        if current is not None:
            row.chain_heading = current.text
        yield row, None


@dataclass(frozen=True)
class RemarkStage:
    """A remark's words that say a stage was reached on a day: 「已于10月8日签约」 → 已签约, 10月8日."""

    words: str
    stage: str
    date: str


# the day a remark names: 2026年10月8日, 10月8日, 10月8号, 9月, 10月上旬, 2026-10-08, 2026.10, 10.8, 十月八日
_R_DATE = (
    r"(?:(?:20\d{2}\s*年\s*)?\d{1,2}\s*月(?:份|\s*\d{1,2}\s*[日号]|\s*[上中下]旬|初|底|末)?"
    r"|20\d{2}\s*[-/.]\s*\d{1,2}(?:\s*[-/.]\s*\d{1,2})?|\d{1,2}\s*[./]\s*\d{1,2}(?![\d亿万元])"
    r"|[一二三四五六七八九十]{1,3}月(?:[一二三四五六七八九十]{1,3}[日号])?)"
)
# a stage's words in a remark, and the stage they are (resolved by the kind's own words)
_R_WORDS = {
    "签约": "签约", "签订协议": "签约", "签订合同": "签约", "签订投资协议": "签约", "开工": "开工", "动工": "开工",
    "开工建设": "开工", "投产": "投产", "竣工投产": "投产", "建成投产": "投产", "入统": "入统",
}  # fmt: skip
_R_WORD = "(?P<word>" + "|".join(sorted(_R_WORDS, key=len, reverse=True)) + ")"
_R_REACHED = (
    re.compile(
        r"(?:已经?|已于|于)?\s*(?P<date>" + _R_DATE + r")\s*(?:已经?|正式|完成|顺利|成功|举行|实现|已正式)?\s*"
        + _R_WORD
    ),
    re.compile(r"已经?(?:正式|完成|顺利|成功)?" + _R_WORD + r"\s*[（(，,：:]?\s*(?:时间|日期)?\s*[为是：:]?\s*"
               r"(?P<date>" + _R_DATE + r")[)）]?"),
)  # fmt: skip
#: words that make a stage in a remark a plan, a wish or a step towards it, not a stage reached
_R_NOT_YET = re.compile(
    r"拟|待|计划|预计|预期|将|准备|筹备|争取|力争|有望|意向|未|正在|即将|推进|确保|目标|定于|初定|预定|商谈|洽谈|对接|可能|是否|如期"
)
_R_CLAUSE = re.compile(r"[，,。；;！!？?\n、]")


def remark_stage(text: str, resolve: Callable[[str], str]) -> RemarkStage | None:
    """The stage a remark says the row has reached, and on which day (「已于10月8日签约」
    「10月12日已开工」「9月签约」 → 已签约 / 已开工, the day as written), or None — also for a
    remark that only speaks of a stage (「待签约」「拟于12月签约」「签约仪式筹备中」「力争10月开工」):
    a plan is no stage reached.  ``resolve``: the kind's stage for a word (raises when none)."""
    simple = to_simplified(to_halfwidth(text))
    for clause in _R_CLAUSE.split(simple):
        if not clause.strip() or _R_NOT_YET.search(clause):
            continue
        for pattern in _R_REACHED:
            m = pattern.search(clause)
            if m is None:
                continue
            try:
                stage = resolve(_R_WORDS[m.group("word")])
            except ZsError:
                continue
            return RemarkStage(m.group(0).strip(), stage, m.group("date").strip())
    return None


#: words of a heading that speak of a stage (「签约未开工项目」 「前期项目」): a heading with one
#: of them that names no stage plainly leaves its rows' stage unknown
STAGE_WORDS = (
    "签约", "开工", "在谈", "洽谈", "投产", "入统", "退库", "储备", "谋划", "前期", "意向", "落地", "建成", "竣工",
)  # fmt: skip
_HEAD_NUMBER = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]?|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[、.．])\s*"
)
_HEAD_COUNT = re.compile(r"[（(]\s*(?:共\s*)?\d+\s*[个项]?\s*[)）]\s*$")


_SECTOR = re.compile(r"(?:第[一二三123]|主导|其他|其它|新兴|战略性新兴|传统|优势|特色|重点|支柱|未来|现代|相关)产业")


def speaks_of_chain(heading: str) -> bool:
    """The heading is a chain's (「三、大豆产业（1个）」「新能源产业链」): its rows' chain is the one it
    names, never a default for the sheet."""
    core = heading_core(heading).rstrip("：:")
    if core.endswith(("产业链", "产业集群")):
        return True
    # 「第二产业」「主导产业」: a sector or a rank, not a chain
    return core.endswith("产业") and _SECTOR.fullmatch(core) is None


def heading_core(heading: str) -> str:
    """「一、已开工项目（2个）」 → 「已开工」: without its number, count and 项目/类."""
    core = _HEAD_COUNT.sub("", _HEAD_NUMBER.sub("", heading)).strip()
    for end in ("项目", "类", "情况"):
        core = core.removesuffix(end)
    return core.strip()


def heading_stage(heading: str, resolve: Callable[[str], str]) -> tuple[str | None, bool]:
    """The stage a group heading names: (stage, True) when its words are a stage (「已开工项目」,
    or a local word taught with zs synonym); (None, True) when it speaks of a stage that cannot be
    told (「签约未开工项目」); (None, False) when it says nothing of stages (「一、新能源产业链」)."""
    core = heading_core(heading)
    if core:
        try:
            return resolve(core), True
        except ZsError:
            pass
    return None, any(w in core for w in STAGE_WORDS)


class Timing(enum.StrEnum):
    """When the words of a sheet's name, title or group heading say its rows reached their stage."""

    period = "period"
    """「新签约」「本月开工」: in the period the sheet reports on (its date is the right default)."""
    before = "before"
    """「续建」: before that period — never a new start of it."""
    unknown = "unknown"
    """「在建」「累计签约」: at any time — the period's date would make every row a new one."""


@dataclass(frozen=True)
class StageWords:
    """What a name, a title or a heading says of its rows' stage (「新签约项目」 → 已签约, in the period)."""

    words: str
    """The words that say it (「新签约项目」)."""
    stage: str | None
    """The stage (None: it speaks of a stage no one can tell, 「签约未开工」)."""
    timing: Timing | None
    """When the rows reached it (None: the words do not say)."""


#: a stage word before 项目 / 情况 / the end (「新签约项目表」「续建项目」「签约情况」「签约项目」),
#: with the words before it that say when (新 / 本月 … / 累计 …)
_STAGE_PHRASE = re.compile(
    r"(?P<when>新|新增|本月|本期|当月|本季度?|本年|累计|已)?"
    r"(?P<word>签约未开工|未开工|签约|开工|续建|在建|在谈|洽谈|入统|投产|竣工|储备|谋划|落地)"
    r"(?=项目|情况|$)"
)
_ANY_STAGE_WORD = re.compile(
    r"(?P<plan>拟|待|意向|计划|预计|准备|争取|有望)?"
    r"(?P<word>签约未开工|未开工|谋划储备|签约|开工|续建|在建|在谈|洽谈|入统|投产|竣工|储备|谋划|落地)"
)
#: words of one stage (any one of them alone names it)
_SAME_WORD = {"洽谈": "在谈", "在建": "续建", "谋划": "谋划储备", "储备": "谋划储备"}
#: a word that names a stage by another name: its stage's word (resolved by the kind), and when
_WORD_STAGE = {"续建": ("开工", Timing.before), "在建": ("开工", Timing.unknown)}
_WHEN = {"新": Timing.period, "新增": Timing.period, "本月": Timing.period, "本期": Timing.period,
         "当月": Timing.period, "本季": Timing.period, "本季度": Timing.period, "本年": Timing.period,
         "累计": Timing.unknown}  # fmt: skip


def stage_words(text: str, resolve: Callable[[str], str]) -> StageWords | None:
    """What ``text`` (a sheet's name, its title, a group heading) says of its rows' stage and
    when they reached it; None when it says nothing of stages (「招商引资项目推进情况表」).
    ``resolve`` gives the stage a word names (the kind's names and synonyms)."""
    plain = to_simplified(to_halfwidth(text)).replace(" ", "").removesuffix("表").removesuffix("清单")
    found = [m for m in _STAGE_PHRASE.finditer(plain)]
    # every stage word anywhere: a plan (拟签约、计划开工) or two stages (洽谈签约、新签约及新开工)
    # name no one stage of the rows
    anywhere = list(_ANY_STAGE_WORD.finditer(plain))
    if anywhere and (
        any(m.group("plan") for m in anywhere)
        or len({_SAME_WORD.get(m.group("word"), m.group("word")) for m in anywhere}) > 1
    ):
        return StageWords("、".join(m.group(0) for m in anywhere), None, None)
    if not found:
        return None
    said: list[StageWords] = []
    for m in found:
        word, when = m.group("word"), m.group("when")
        core, timing = _WORD_STAGE.get(word, (word, _WHEN.get(when or "")))
        try:
            stage: str | None = resolve(core)
        except ZsError:
            stage = None
        if word in ("签约未开工", "未开工"):
            stage = None
        said.append(StageWords(m.group(0), stage, timing))
    if len({(w.stage, w.timing) for w in said}) > 1:  # 「签约、开工项目」: two stages, one list
        return StageWords("、".join(w.words for w in said), None, None)
    return said[0]


def sheet_stage(name: str, captions: Iterable[str], resolve: Callable[[str], str]) -> tuple[StageWords, str] | None:
    """What a sheet's name (「签约项目」) and title (「…2026年10月新签约项目表」) say of the stage of
    its rows, with where it was read; None when neither speaks of stages.  A name and a title
    naming two stages speak of a stage no one can tell (stage None)."""
    said: list[tuple[StageWords, str]] = []
    got = stage_words(name, resolve)
    if got is not None:
        said.append((got, f"表名「{name}」"))
    for caption in captions:
        got = stage_words(caption, resolve)
        if got is not None:
            said.append((got, f"标题「{caption}」"))
            break
    if not said:
        return None
    if len({w.stage for w, _ in said}) > 1:
        both = "、".join(where for _, where in said)
        return StageWords("、".join(w.words for w, _ in said), None, None), both
    timed = [(w, where) for w, where in said if w.timing is not None]  # 「签约项目」 titled 「新签约项目表」
    return timed[0] if timed else said[0]


# ---------------------------------------------------------------------------------------------
# sub-rows: 序号 1.1, 1.2 under 1

_SUB_INDEX = re.compile(r"\s*(\d{1,4})(?:\s*[.．\-—–]\s*\d{1,3})+\s*")


def _whole(index: object) -> int | None:
    if isinstance(index, bool):
        return None
    if isinstance(index, int):
        return index
    if isinstance(index, float) and index.is_integer():
        return int(index)
    if isinstance(index, str) and index.strip().isascii() and index.strip().isdigit():
        return int(index.strip())
    return None


def _sub(index: object) -> tuple[int, str] | None:
    """(the parent's 序号, the 序号 as written) of a sub-row's 序号: 1.1, 「1-2」, 「2．3」."""
    if isinstance(index, float) and not index.is_integer():
        text = repr(index)
    elif isinstance(index, str):
        text = index
    else:
        return None
    m = _SUB_INDEX.fullmatch(to_halfwidth(text))
    return (int(m.group(1)), text.strip()) if m else None


@dataclass(frozen=True)
class SubRow:
    """A row numbered under another row's 序号 (1.1 under 1), and what it is."""

    part: bool
    """True: its amounts with its siblings' add up to the parent's — a part, skipped;
    False: it cannot be told whether it is a part or a project of its own — refused."""
    parent: int
    """The parent's row number."""
    text: str
    """The sentence for people: the inference (a part) or the refusal with its fix."""


def sub_rows(
    rows: Iterable[DataRow], amounts: Callable[[DataRow], Mapping[int, float]]
) -> Iterator[tuple[DataRow, SubRow | None]]:
    """Each row with None, or — for a row whose 序号 (``DataRow.index``) is 1.1, 1.2 … under the
    data row just above numbered 1 — its :class:`SubRow`.  The sub-rows are the parent's parts
    when every amount they fill (``amounts``: column -> 万元) adds up to the parent's in that
    column; else they are refused: a phase and a project of its own cannot be told apart, and
    importing both the parent and its parts would count the money twice.  Rows under a heading
    (no data row 1 above them) are ordinary rows."""
    group: list[DataRow] = []
    parent_no: int | None = None
    for row in rows:
        index = row.index
        sub, whole = None, None
        if index is None:
            pass
        elif index.__class__ is int:
            whole = index
        elif index.__class__ is str and index.isdigit():
            whole = int(index)
        else:
            sub = _sub(index)
            whole = None if sub is not None else _whole(index)
        if sub is not None and group and sub[0] == parent_no:
            group.append(row)
            continue
        if len(group) == 1:
            yield group[0], None
        elif group:
            yield from _settle(group, amounts)
        if whole is not None:
            group, parent_no = [row], whole
        else:
            group, parent_no = [], None
            yield row, None
    yield from _settle(group, amounts)


def _settle(group: list[DataRow], amounts: Callable[[DataRow], Mapping[int, float]]) -> Iterator[tuple[DataRow, Any]]:
    if not group:
        return
    parent, subs = group[0], group[1:]
    yield parent, None
    if not subs:
        return
    own = amounts(parent)
    parts = [amounts(r) for r in subs]
    cols = {c for p in parts for c in p}
    adds_up = bool(cols) and all(
        c in own and abs(sum(p.get(c, 0.0) for p in parts) - own[c]) <= 1e-6 * max(1.0, abs(own[c])) for c in cols
    )
    marks = [_sub(r.index) for r in subs]
    shown = "、".join(m[1] for m in marks[:6] if m) + ("……" if len(subs) > 6 else "")
    first, last = subs[0].number, subs[-1].number
    rows = f"第{first}行" if first == last else f"第{first}–{last}行"
    where = f"第{parent.number}行（序号 {_whole(parent.index)}）"
    for r, mark in zip(subs, marks, strict=True):
        if adds_up:
            text = f"{rows}（序号 {shown}）是{where}的分项：金额之和等于第{parent.number}行，按分项跳过，不作为项目"
        else:
            why = "金额之和与它不符" if cols else "没有可以核对的金额"
            text = (
                f"序号 {mark[1] if mark else r.index} 是{where}下的分项行，{why}："
                f"分不清是第{parent.number}行的分期/子项，"
                f"还是各自独立的项目。是分项请删去{rows}（第{parent.number}行已含它们）；"
                f"是独立项目请把序号改成整数，并删去第{parent.number}行这个汇总行"
            )
        yield r, SubRow(adds_up, parent.number, text)


def sum_rows(
    pairs: Iterable[tuple[DataRow, SubRow | None]],
    amounts: Callable[[DataRow], Mapping[int, float]],
    facts: Iterable[int] = (),
) -> Iterator[tuple[DataRow, SubRow | None]]:
    """The pairs of :func:`sub_rows`, and for a row without a 序号 under numbered rows whose every
    amount is the sum of theirs in that column (since the last group heading) a refusal: a total
    whose name says no total (「全县」 is one; 「十月新签约」 need not be) — imported, it would
    count the money twice.  A row with a cell in one of the columns ``facts`` (a stage, a date:
    what a project has and a total has not) is a project.  The numbered rows' amounts are read
    only once a row without a 序号 comes (then kept as running sums): a sheet of numbered rows
    pays nothing."""
    own = frozenset(facts)
    run: list[DataRow] = []
    sums: dict[int, list[float]] | None = None  # column -> [sum, rows with an amount there]
    heading: object = None
    for row, sub in pairs:
        if (row.heading, row.chain_heading) != heading:
            run, sums, heading = [], None, (row.heading, row.chain_heading)
        if sub is not None:
            yield row, sub
            continue
        if row.index is not None:
            run.append(row)
            if sums is not None:
                _add_amounts(sums, amounts(row))
            yield row, None
            continue
        if len(run) < 2 or not own.isdisjoint(row.cells):
            yield row, None
            continue
        if sums is None:
            sums = {}
            for r in run:
                _add_amounts(sums, amounts(r))
        mine = amounts(row)
        adds_up = bool(mine) and all(
            c in sums and sums[c][1] >= 2 and v != 0 and abs(sums[c][0] - v) <= 1e-6 * max(1.0, abs(v))
            for c, v in mine.items()
        )
        if not adds_up:
            yield row, None
            continue
        first, last = run[0].number, run[-1].number
        text = (
            f"第{row.number}行没有序号，金额等于上面第{first}–{last}行之和：多半是合计行，导入会把这些钱算两遍。"
            "是合计就删去本行（或在名称里写上「合计」）；是一个项目请补上序号"
        )
        yield row, SubRow(False, first, text)


def _add_amounts(sums: dict[int, list[float]], amounts: Mapping[int, float]) -> None:
    for c, v in amounts.items():
        got = sums.setdefault(c, [0.0, 0])
        got[0] += v
        got[1] += 1


# ---------------------------------------------------------------------------------------------
# one project on two sheets


def disagreement(first: Mapping[str, Any], later: Mapping[str, Any], skip: Iterable[str] = ()) -> list[str]:
    """The keys both rows fill with values that differ (a stage moving on — 签约项目, then 开工项目
    — is left to ``skip``): the same project cannot have two 投资额 in one file."""
    from .cells import same_value

    left = set(skip)
    return [
        k
        for k, v in later.items()
        if k not in left and v is not None and v != "" and (old := first.get(k)) is not None and old != ""
        and not same_value(old, v)
    ]  # fmt: skip
