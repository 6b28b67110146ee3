"""Find the table in a sheet typed by people: header, units, data rows, and what to skip.

Sheets sent by county and township offices carry a title row, a "填报单位：…" line, sometimes a
two-row header, a 序号 column, units in the headers ("投资额（亿元）"), blank rows, 合计 rows
and a 填报人 footer.  :func:`find_table` locates the header among the first rows and yields the
data rows lazily, noting in Chinese everything it skipped and why.

Nothing here knows the fields of a list: the caller passes ``known_labels``, a predicate that
says whether a header label (unit removed, spaces removed) names one of its fields.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from zhaoshang.errors import ZsError
from zhaoshang.exchange.readers import RawSheet
from zhaoshang.hints import option
from zhaoshang.parse import normalize_key, to_halfwidth, to_simplified

__all__ = [
    "DataRow",
    "HeaderCell",
    "RowClass",
    "RowFate",
    "Table",
    "column_index",
    "column_letter",
    "find_table",
    "note_money_unit",
    "parse_header",
    "split_seal",
]

#: Data rows examined before :func:`find_table` returns, to learn which header-less columns
#: hold data (those become ``HeaderCell(text="")``); later ones are appended while iterating.
LOOKAHEAD = 500


class RowClass(enum.StrEnum):
    """What a row of a sheet is, when it is not a data row (the value is for people)."""

    caption = "标题"
    header = "表头"
    meta = "填报信息"
    total = "合计"
    breakdown = "其中分项"
    section = "分组标题"
    footer = "落款"
    note = "注释说明"
    repeated_header = "重复表头"
    blank = "空行"
    template = "空白模板行"


@dataclass(frozen=True)
class RowFate:
    """Rows ``first``–``last`` of a sheet are not data, and why."""

    first: int
    last: int
    cls: RowClass
    reason: str

    @property
    def rows(self) -> str:
        return _span(self.first, self.last)

    def as_dict(self) -> dict[str, object]:
        return {"first": self.first, "last": self.last, "class": self.cls.name, "reason": self.reason}


@dataclass
class HeaderCell:
    column: int
    """0-based column index in the sheet."""
    letter: str
    """Excel column letter: "A", "B", … "AA"."""
    text: str
    """The header as written, whitespace collapsed, e.g. "投资额（亿元）"; "" for a column that
    has data but no header."""
    label: str
    """The header without its unit and without any spaces or line breaks, e.g. "投资额"."""
    unit: str | None
    """The unit in trailing brackets or after a trailing "/", e.g. "亿元"; else None."""


@dataclass
class DataRow:
    number: int
    """1-based row number as Excel shows it (for csv: the record number)."""
    cells: dict[int, object]
    """Column index -> value, non-empty cells only; text stripped of surrounding whitespace.
    Columns that are ignored (序号) are left out."""
    heading: str | None = None
    """The group heading the row stands under (「一、绿色食品产业链（3个）」), if any: its
    context (a chain, a unit) for the row's empty cells."""
    index: object = None
    """The row's 序号 cell (not data: left out of :attr:`cells`), as written — 1, 「1.1」, 1.2 —
    for the rules that read a row's place among its neighbours (sub-rows of a project)."""
    follows: bool = False
    """A row of one text and nothing else — no 序号 where the row above has one, no figure —
    right under a data row: the rest of that row's name written on a second line (「及配套深
    加工项目」), or a note; never taken for an item of its own (refused where it is read)."""
    chain_heading: str | None = None
    """A chain's bare name alone on a row above it (「绿色矿业」: :func:`.sheet_rules.chain_headings`),
    the chain of the rows under it — set after the table is read (the chains are the database's)."""


@dataclass
class Table:
    sheet: str
    header_row: int
    """1-based row of the header; for a two-row header, the lower row (data starts below)."""
    header: list[HeaderCell]
    """Columns in sheet order, excluding ignored (序号) columns.  Columns without header text
    that hold data in the first :data:`LOOKAHEAD` rows are included with ``text == ""``; such a
    column found only later is appended while :attr:`rows` is iterated."""
    rows: Iterator[DataRow]
    """Data rows only, lazily.  Single pass."""
    notes: list[str] = field(default_factory=list)
    """What was skipped and why, in Chinese.  Complete only after :attr:`rows` is exhausted:
    notes about skipped total/footer/repeated-header rows are appended while iterating."""
    meta: dict[str, str] = field(default_factory=dict)
    """"key：value" pairs from the lines above the header (填报单位, 填报日期, 单位 …) and from
    footer lines (填报人, 联系电话 …); footer pairs arrive while iterating, like notes."""
    index_columns: list[HeaderCell] = field(default_factory=list)
    """序号/No. columns: numbering, not data, never imported."""
    captions: list[str] = field(default_factory=list)
    """The title lines above the header (text without "key：value" pairs), top first."""
    fates: list[RowFate] = field(default_factory=list)
    """Every row that is not a data row, with its class and reason, in sheet order (blank
    rows as ranges).  Complete only after :attr:`rows` is exhausted, like :attr:`notes`."""


# ---------------------------------------------------------------------------------------------
# small helpers


def column_letter(i: int) -> str:
    """Excel column letter of 0-based column ``i``: 0 -> A, 25 -> Z, 26 -> AA, 702 -> AAA."""
    if i < 0:
        raise ValueError(f"column index must be >= 0, got {i}")
    letters = ""
    n = i + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letter: str) -> int:
    """0-based index of an Excel column letter: A -> 0, Z -> 25, AA -> 26."""
    n = 0
    for ch in letter.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


_WS = re.compile(r"\s+")
# Any text in trailing brackets: 投资额（亿元） 投资额(万元) 投资额【万元】 投资额 [万元]
_BRACKET_UNIT = re.compile(r"^(.*?)\s*[(（【\[]([^()（）【】\[\]]*)[)）】\]]$", re.DOTALL)
_SLASH_UNIT = re.compile(r"^(.+?)\s*[/／]\s*([^/／]+)$", re.DOTALL)
# After a slash only a unit-looking word counts ("投资额/万元"), not an alternative name
# ("产业链/行业", "签约/开工时间").
_UNIT_WORD = re.compile(
    r"[万亿千百十]*(?:元|美元|港元|港币|欧元|日元|人民币|平方米|平米|米|公里|亩|公顷|吨|"
    r"千瓦时|千瓦|瓦|度|人|个|家|项|台|套|户|次|件|辆|天|日|周|月|年|小时)"
    r"|%|％|‰|㎡|m²|m2|km|kg|t|kw|mw|kwh",
    re.IGNORECASE,
)
_INDEX_LABELS = frozenset({"序号", "序", "no", "no.", "#", "№", "nº"})


#: words in a header's brackets that make it a plan, not a fact (「开工时间（计划）」)
_PLAN_WORDS = frozenset({"计划", "预计", "拟", "预期", "目标", "预定", "拟定", "计划中"})


def parse_header(value: object) -> tuple[str, str, str | None]:
    """``(text, label, unit)`` of a header cell value.

    >>> parse_header("投资额\\n（万元）")
    ('投资额 （万元）', '投资额', '万元')
    >>> parse_header("投资额/万元")
    ('投资额/万元', '投资额', '万元')
    """
    text = _WS.sub(" ", _as_text(value)).strip()
    base, unit = text, None
    m = _BRACKET_UNIT.match(text)
    if m:
        base, unit = m.group(1), m.group(2).strip() or None
        if unit is not None and to_simplified(unit) in _PLAN_WORDS:
            # 「开工时间（计划）」 is the planned date, 计划开工时间 — never the actual 开工日期 with its
            # qualifier dropped like a unit
            return text, _WS.sub("", unit + base), None
    else:
        m = _SLASH_UNIT.match(text)
        if m and _UNIT_WORD.fullmatch(m.group(2).strip()):
            base, unit = m.group(1), m.group(2).strip()
    return text, _WS.sub("", base), unit


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def _squash(text: str) -> str:
    return _WS.sub("", text)


def _same_header(text: str) -> str:
    """A header text as a pasted copy of it is compared: no spaces, half-width, simplified."""
    return _squash(to_simplified(to_halfwidth(text)))


# A total row's name: a total word (合计 小计 总计 共计 累计) after a short prefix — a chain, a
# place, 全市, 本月, 1—10月 — and before nothing but a count and marks (「（1个）」「3个项目」「：」)
# or 完成 / 情况: 「大豆精深加工产业链小计」「新能源小计（1个）」「共计3个项目」「累计完成」.
# 「小计算机产业园项目」「合计量表厂项目」 go on after the word: projects.
_TOTAL_COUNT = r"(?:[共计]?(?:\d+|[一二三四五六七八九十百]+(?=[个项家]))[个项家]?(?:项目)?[\W_]*)?"
_TOTAL = re.compile(
    r"(?:\d{4}年度?)?(?:\d{1,2}(?:[-—–~～至到]+\d{1,2})?月份?)?"
    r"[^\d：:，,。；;！!？?]{0,20}?"
    r"[合总總小共累][计計][\W_]*" + _TOTAL_COUNT + r"(?:完成情况|完成|情况)?[\W_]*" + _TOTAL_COUNT,
)
_FOOTER = re.compile(
    r"(填报人|填表人|审核人|审批人|复核人|制表人|统计人|负责人|单位负责人|分管领导|主管领导|联系人|"
    r"联系电话|电话|填报日期|填表日期|报送日期|制表日期|填报单位|制表|统计|审核|复核|审批|批准|签发|"
    r"说明|注|备注|金额单位|单位)\s*(?:[（(【\[]\s*(?:加?盖\s*[公印]?章|公章|印章|签章|签字|签名|章)\s*[)）】\]])?\s*[：:]"
)
# "其中：新签约 5 个" — a breakdown of the row above, never a project of its own: a row that
# starts with 其中 (in its first cell, or in the second after a 序号)
# the first characters of every footer key, note, 其中 and group heading: a row starting with
# anything else is none of them, and is not tried against their patterns
# (in both writings: 製表、註、統計、審核、負責人、單位、聯繫人、電話、報送、簽發、說明、備註、複核 too)
_SPECIAL_FIRST = frozenset(
    "填审制统负单分主联电报签说注备复批其一二三四五六七八九十（(0123456789製註統審負單聯電報簽說備複"
)
# "一、新签约项目" "（二）续建项目" "2. 在谈项目" alone on a row: a group heading between tables
# ("1.5万吨铜箔项目" is a project: a number's decimal point is no heading's)
_SECTION = re.compile(
    r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}(?:[、．]|\.(?!\d)))\s*\S"
)
# 「续建项目」「新开工项目（3个）」「在谈类项目」 alone on a row: a group of projects by their stage
_STAGE_HEADING = re.compile(
    r"(?:新建|续建|在建|新开工|新签约|已签约|签约|已开工|开工|在谈|洽谈|储备|谋划|前期|竣工|投产)类?项目"
    r"\s*(?:[（(]\s*(?:共\s*)?\d+\s*[个项]?\s*[)）])?[：:]?"
)
# 「新能源产业链」「生物医药（北药）产业链（2个）」 alone on a row, without a numeral: a chain's heading
_CHAIN_HEADING = re.compile(r"[^\d\s][^\d]{0,29}?(?:产业链|产业集群|产业)\s*(?:[（(][^（()）]{0,24}[)）])?\s*[：:]?")
# A note line after the data: "注1. …", "注：…", "说明：…", "说明 本表…"
_NOTE_LINE = re.compile(r"(?:注\s*[\d一二三四五六七八九十]*|说明)\s*[：:.．、)）\s]")
_NOTE_KEYS = frozenset({"说明", "注", "备注"})
# 「注：本表金额单位为亿元」「注：金额均为亿元。」「说明：投资额为亿元」「备注：以上金额均以亿元计」:
# the money unit said in a note (a number before the unit is a sum, not a unit: 「金额为5亿元」)
_NOTE_MONEY_UNIT = re.compile(
    r"(?:单位|金额|数额|投资额?|资金|数据|数字)\s*(?:均|都|全部|一律|统一)?\s*(?:为|是|按|以|用|[：:])\s*"
    r"(?:人民币)?\s*([万亿]?元|[万亿]?美元)"
)
_MONEY_LINE_KEYS = frozenset({"单位", "金额单位", "计量单位", "货币单位", "资金单位", "投资单位", "金额"})
_PAIR_KEY = re.compile(r"(?:^|(?<=\s))([^\s：:\d][^\s：:]{0,11})\s*[：:]\s*")


# A total row named without a total word: the whole of a place (「全县」「全市2个项目」「本县（3个）」),
# a sum word (「汇总」「全县总数」「项目总额」), or a count alone (「共2个项目」「共3个」).
_PERIOD_PREFIX = r"(?:\d{4}年度?)?(?:\d{1,2}(?:[-—–~～至到]+\d{1,2})?月份?)?"
_COUNT = r"(?:[（(]?[共合]?计?(?:\d+|[一二三四五六七八九十百]+)[个项家](?:项目)?[)）]?)"
_AGGREGATE = re.compile(
    _PERIOD_PREFIX
    + r"(?:(?:全|本)[县市区省旗州盟镇乡][\W_]*"
    + _COUNT
    + r"?|(?:[^\d：:，,。；;！!？?]{0,14}?(?:产业链|产业集群|产业|项目|全[县市区省旗州盟]|本[县市区旗]))?"
    + r"(?:汇总|总数|总和|总量|总额|总体|总投资)[\W_]*"
    + _COUNT
    + r"?|[（(]?共"
    + _COUNT
    + r")[\W_]*"
)
_AGGREGATE_CHARS = frozenset("全本汇匯总總共")


def is_total_name(text: str) -> bool:
    """Whether a row's name says it is a total (「合计」「新能源小计（2个）」「全县」「汇总」「共3个项目」)."""
    return _is_total(text)


def _is_total(text: str) -> bool:
    if len(text) > 30:
        return False
    if "计" in text or "計" in text:
        return bool(_TOTAL.fullmatch(_squash(text)))
    if _AGGREGATE_CHARS.isdisjoint(text):
        return False
    return bool(_AGGREGATE.fullmatch(_squash(to_simplified(text))))


def _pairs(texts: Iterable[str]) -> dict[str, str]:
    """``key：value`` pairs in a row of cells; a key may have its value in the next cell."""
    return _line(texts)[0]


def _line(texts: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """The ``key：value`` pairs of a row of cells, and its loose texts: a cell without a key
    that is no key's value, and the words before a cell's first key (「某某表 单位：亿元」)."""
    out: dict[str, str] = {}
    loose: list[str] = []
    pending: str | None = None
    for raw in texts:
        text = _WS.sub(" ", raw).strip()
        matches = list(_PAIR_KEY.finditer(text))
        if not matches:
            if pending is not None and text:
                out[pending] = text
            elif text:
                loose.append(text)
            pending = None
            continue
        pending = None
        before = text[: matches[0].start()]
        first = matches[0].group(1)
        # 「某某表（单位：亿元）」: the key is what the bracket opens, the words before it a title
        cut = max(first.rfind("（"), first.rfind("("))
        if any(c in first[cut:] for c in "）)"):  # 「填报单位（盖章）：」: a closed bracket is the key's
            cut = -1
        if cut > 0:
            before += first[:cut]
        if before.strip():
            loose.append(before.strip())
        for m, nxt in zip(matches, [*matches[1:], None], strict=True):
            key = m.group(1)[cut:] if m is matches[0] and cut > 0 else m.group(1)
            value = text[m.end() : nxt.start() if nxt else len(text)].strip()
            if value:
                out[key] = value
            elif nxt is None:
                pending = key
    return out, loose


# 「（盖章）」「(公章)」「盖章」 after a name: a mark on paper, never part of the name
_SEAL = re.compile(r"\s*[（(【\[]?\s*(?:加?盖\s*[公印]?章|公\s*章|印\s*章|签\s*章|章)\s*[)）】\]]?\s*$")


def split_seal(text: str) -> tuple[str, str] | None:
    """(name, mark) of a text that ends with a seal mark: 「孙吴县商务局（盖章）」 →
    ("孙吴县商务局", "（盖章）"); 「（盖章）」 → ("", "（盖章）"); None without a mark (蓋章 too)."""
    m = _SEAL.search(to_simplified(text))
    if m is None:
        return None
    return text[: m.start()].strip(), text[m.start() :].strip()


def _sealed_name(text: str) -> tuple[str, str] | None:
    """A line that is only a name and its seal (「孙吴县商务局（盖章）」): (mark, name) — the
    office that filled in the sheet, said without a 填报单位 key."""
    got = split_seal(text)
    if got is None:
        return None
    name, mark = got
    if not name or len(name) > 30 or "：" in name or ":" in name:
        return None
    if not any(w in mark for w in ("盖", "蓋", "公", "印")):  # 「（章）」 alone ends many a word
        return None
    return mark, name


# 「…推进情况表（单位：亿元）」「…（填报日期：2026-10-29）」: a key：value pair in brackets in a title
_BRACKET_PAIR = re.compile(r"[（(]\s*([^（()）：:\s\d][^（()）：:\s]{0,11})\s*[：:]\s*([^（()）]*?)\s*[)）]")


def note_money_unit(text: str) -> str | None:
    """The money unit a note says (「注：金额均为亿元。」 → 「亿元」), or None."""
    m = _NOTE_MONEY_UNIT.search(to_simplified(text))
    return _money_word(m.group(1)) if m is not None else None


def _pair_texts(values: Iterable[object]) -> Iterator[str]:
    """The texts of a line's cells for :func:`_pairs`: a date typed as a date into the cell after
    「填报日期：」 is that key's value (ISO), not a cell to drop."""
    for v in values:
        if isinstance(v, str):
            yield v
        elif isinstance(v, dt.date):
            yield (v.date() if isinstance(v, dt.datetime) else v).isoformat()


def _span(first: int, last: int) -> str:
    return f"第{first}行" if first == last else f"第{first}–{last}行"


# ---------------------------------------------------------------------------------------------
# header detection

_Parsed = dict[int, tuple[str, str, str | None]]


def _parse_row(row: list[object]) -> _Parsed:
    out: _Parsed = {}
    for c, v in enumerate(row):
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        out[c] = parse_header(v)
    return out


def _group_of(upper: _Parsed, c: int) -> int | None:
    """The column of the upper header cell whose span covers column ``c``: ``c`` itself when the
    upper row has a label there, else the nearest label to its left with only empty upper cells
    between (a label merged across its sub-columns keeps its text in its first cell)."""
    if c in upper:
        return c
    left = [u for u in upper if u < c]
    return max(left) if left else None


def _under_groups(upper: _Parsed, lower: _Parsed) -> bool:
    """The lower row is a row of sub-labels: every cell stands under a group label that spans
    more than one column (「计划投资（亿元）」 over 总投资 / 年度计划), and at least one stands
    under an empty upper cell.  A data row fills the columns of single labels (名称 …)."""
    spanned = False
    for c in lower:
        group = _group_of(upper, c)
        if group is None:
            return False
        if group == c and (c + 1 in upper or c + 1 not in lower):
            return False  # under a single label: data, not a sub-label
        spanned = spanned or group != c
    return spanned


def _combine(upper: _Parsed, lower: _Parsed) -> _Parsed:
    """The lower header row, with the upper row's text in columns where the lower is empty; a
    sub-label without a unit of its own takes its group label's (「计划投资（亿元）」 over 总投资:
    总投资 is in 亿元)."""
    combined = dict(upper)
    for c, (text, label, unit) in lower.items():
        group = _group_of(upper, c)
        if unit is None and group is not None and upper[group][2] is not None and _under_groups(upper, lower):
            unit = upper[group][2]
            text = f"{text}（{unit}）"
        combined[c] = (text, label, unit)
    return dict(sorted(combined.items()))


def _is_preamble_line(row: list[object]) -> bool:
    """A title or "填报单位：…" line rather than a group header row."""
    texts = [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())]
    return len(texts) < 2 or any(isinstance(v, str) and ("：" in v or ":" in v) for v in texts)


def find_table(sheet: RawSheet, known_labels: Callable[[str], bool], *, max_scan: int = 15) -> Table:
    """Locate the header in the first ``max_scan`` rows of ``sheet`` and return its table.

    The header is the row with the most cells whose label satisfies ``known_labels`` (at least
    two; the earliest row on a tie).  A group header row just above (or a sub-header row just
    below) is merged in.  Rows above the header are a preamble: its "key：value" pairs go to
    :attr:`Table.meta`.  序号/No./# columns are ignored.  Blank rows are skipped silently; total
    (合计/小计/总计) rows, footer lines (填报人：…, 注：…) and repeated header rows are skipped
    with a note.

    Raises :class:`ZsError` when no row qualifies as a header.
    """
    it = iter(sheet.rows)
    head = list(islice(it, max_scan))
    parsed = [_parse_row(r) for r in head]
    cache: dict[str, bool] = {}

    def known(label: str) -> bool:
        hit = cache.get(label)
        if hit is None:
            hit = cache[label] = bool(label) and bool(known_labels(label))
        return hit

    def score(p: _Parsed) -> int:
        return sum(1 for _, label, _ in p.values() if known(label))

    scores = [score(p) for p in parsed]
    best = max(range(len(head)), key=lambda i: (scores[i], -i), default=-1)
    if best < 0 or scores[best] < 2:
        raise ZsError(
            f"「{sheet.name}」工作表中找不到表头：前{max_scan}行没有可识别的列名。"
            f"可识别的列名如 名称、产业链、状态…；或用 {option('mapping')} 指定列"
        )

    upper = lower = best
    merged = parsed[best]
    below = best + 1
    if below < len(head) and _is_subheader(head[below], parsed[below], parsed[best], known):
        combo = _combine(parsed[best], parsed[below])
        if score(combo) > scores[best] or _under_groups(parsed[best], parsed[below]):
            lower, merged = below, combo
    if upper == lower and best > 0:
        above = parsed[best - 1]
        fills = {c: v for c, v in above.items() if c not in parsed[best]}
        if fills:
            combo = _combine(above, parsed[best])
            if score(combo) > scores[best] or not _is_preamble_line(head[best - 1]):
                upper, merged = best - 1, combo

    notes: list[str] = []
    unit_row = lower + 1
    if unit_row < len(head):
        units = _unit_row(sheet.name, unit_row + 1, head[unit_row], parsed[unit_row], merged)
        if units:
            for c, word in units.items():
                text = merged[c][0]
                merged = {**merged, c: parse_header(f"{text}（{word}）")}
                notes.append(f"{column_letter(c)}列「{text}」的单位取自表头下一行（第{unit_row + 1}行）的「{word}」")
            lower = unit_row
    meta: dict[str, str] = {}
    captions: list[str] = []
    fates: list[RowFate] = []
    filled = [i for i in range(upper) if parsed[i]]
    if filled:
        notes.append(f"{_span(filled[0] + 1, filled[-1] + 1)}为标题行，已跳过")
    for i in range(upper):
        if not parsed[i]:
            fates.append(RowFate(i + 1, i + 1, RowClass.blank, "空行"))
            continue
        pairs, loose = _line(_pair_texts(head[i]))
        titles: list[str] = []
        sealed: dict[str, str] = {}
        for text in loose:
            got = _sealed_name(text)
            if got is not None:  # 「孙吴县商务局（盖章）」: the office, said by its seal
                sealed[got[0]] = got[1]
            else:
                titles.append(text)
        pairs = sealed | pairs
        meta.update(pairs)
        if pairs:
            shown = "、".join(f"{v}{k}" if split_seal(k) == ("", k) else f"{k}：{v}" for k, v in pairs.items())
            fates.append(RowFate(i + 1, i + 1, RowClass.meta, f"表头上方的「{_cut(shown)}」"))
            captions.extend(titles)  # 「某某表 单位：亿元」: the title still names the period
        else:
            text = "".join(t for t, _, _ in parsed[i].values())
            captions.append(text)
            # 「…推进情况表（单位：亿元）」: the pairs a title holds in brackets are said for the sheet
            for m in _BRACKET_PAIR.finditer(text):
                if m.group(2):
                    meta.setdefault(m.group(1), m.group(2))
            fates.append(RowFate(i + 1, i + 1, RowClass.caption, f"标题「{_cut(text)}」"))
    fates.append(RowFate(upper + 1, lower + 1, RowClass.header, "两行表头，已合并" if upper != lower else "表头"))
    if upper != lower:
        notes.append(f"{_span(upper + 1, lower + 1)}为两行表头，已合并")
    _check_side_by_side(sheet.name, lower + 1, merged, known)

    header: list[HeaderCell] = []
    index_columns: list[HeaderCell] = []
    ignored: set[int] = set()
    for c, (text, label, unit) in merged.items():
        letter = column_letter(c)
        stated = _UNIT_STATEMENT.fullmatch(to_simplified(text).replace(" ", ""))
        if stated is not None and stated.group(1) in _MONEY_LINE_KEYS and _money_word(stated.group(2)) in _MONEY_WORDS:
            # 「单位：亿元」 written in the header row's last cell: the sheet's money unit, as a line
            # above the header says it — not a column
            meta.setdefault(stated.group(1), stated.group(2))
            notes.append(f"{letter}列表头「{text}」是整张表的金额单位，不是一列")
            continue
        if label.casefold() in _INDEX_LABELS or normalize_key(label) in _INDEX_LABELS:
            ignored.add(c)
            index_columns.append(HeaderCell(c, letter, text, label, unit))
            notes.append(f"已忽略「{text}」列（{letter}列）")
        elif text:
            header.append(HeaderCell(c, letter, text, label, unit))

    # Texts that mark a pasted copy of the header further down.
    header_texts: set[str] = set()
    for i in range(upper, lower + 1):
        for c, (text, label, _) in parsed[i].items():
            raw = head[i][c]
            if isinstance(raw, str):
                header_texts.add(raw.strip())
            header_texts.update({text, _squash(text), label})
    # (a copy typed with half-width brackets or traditional characters is the same header)
    header_texts.update({_same_header(t) for t in header_texts})
    header_texts.discard("")

    state = _State(
        header=header,
        known_columns={h.column for h in header} | ignored,
        ignored=ignored,
        header_texts=header_texts,
        notes=notes,
        meta=meta,
        fates=fates,
        known=known,
        sheet=sheet.name,
        header_row=lower + 1,
    )
    rows = _data_rows(chain(head[lower + 1 :], it), lower + 2, state)
    ahead = list(islice(rows, LOOKAHEAD))
    header.sort(key=lambda h: h.column)
    state.returned = True
    return Table(
        sheet=sheet.name,
        header_row=lower + 1,
        header=header,
        rows=chain(ahead, rows),
        notes=notes,
        meta=meta,
        captions=captions,
        fates=fates,
        index_columns=index_columns,
    )


def _check_side_by_side(sheet: str, row: int, header: _Parsed, known: Callable[[str], bool]) -> None:
    """Refuse a header row that holds two tables next to each other: blocks of columns,
    separated by an empty column, each with at least two known labels and sharing one."""
    blocks: list[list[tuple[int, str]]] = []
    last = -2
    for c, (_, label, _) in header.items():
        if c > last + 1:
            blocks.append([])
        blocks[-1].append((c, label))
        last = c
    real = [b for b in blocks if sum(1 for _, label in b if known(label)) >= 2]
    if len(real) < 2:
        return
    seen: set[str] = set()
    for b in real:
        labels = {normalize_key(label) for _, label in b if known(label)}
        if labels & seen:
            spans = "、".join(f"{column_letter(b[0][0])}–{column_letter(b[-1][0])}列" for b in real)
            raise ZsError(
                f"「{sheet}」第{row}行是并排的 {len(real)} 张表（{spans}）：只导入其中一张会丢掉另一张。"
                "请把每张表放到单独的工作表（工作表名写清单名）再导入"
            )
        seen |= labels


def _unit_row(sheet: str, number: int, row: list[object], below: _Parsed, header: _Parsed) -> dict[int, str]:
    """The units a row right under the header gives its columns when it holds nothing but
    units (「亿元」 under 投资额, the other header cells merged down over it): the header's second
    row, by column; empty when it is no such row.  A unit under a column that states another
    (「投资额（万元）」 over 「亿元」) is refused: which one the figures are in cannot be told."""
    if not below or any(not isinstance(row[c], str) for c in below):
        return {}
    units: dict[int, str] = {}
    for c, (text, _label, _unit) in below.items():
        word = to_halfwidth(text).strip(" ()（）【】[]")
        simple = to_simplified(word)
        if c not in header or not (_UNIT_WORD.fullmatch(simple) or simple in ("亿", "万")):
            return {}
        units[c] = word
    if not any(_money_word(u) in _MONEY_WORDS or "元" in u for u in units.values()):
        return {}  # (亩, 人 … under their columns and no money: not taken on these alone)
    for c, unit in units.items():
        text, _label, own = header[c]
        if own is not None and _money_word(own) != _money_word(unit):
            raise ZsError(
                f"「{sheet}」第{number}行 {column_letter(c)}列「{unit}」在表头「{text}」下面：表头写的单位是「{own}」，"
                f"下一行又写「{unit}」，分不清数字按哪个单位。请只留一个（改表头或删去这一格）再导入"
            )
    return units


def _is_subheader(row: list[object], below: _Parsed, header: _Parsed, known: Callable[[str], bool]) -> bool:
    """A row of labels under a group header: text only, some known, gaps under the header."""
    if not below or any(not isinstance(row[c], str) for c in below):
        return False
    if len(below) == 1 and _SECTION.match(str(row[next(iter(below))]).strip()):
        return False  # 「一、绿色食品产业链（3个）」 under the header: a group heading, not labels
    if not any(known(label) for _, label, _ in below.values()):
        return False
    return any(c not in below for c in header)


# ---------------------------------------------------------------------------------------------
# data rows


@dataclass
class _State:
    header: list[HeaderCell]
    known_columns: set[int]
    ignored: set[int]
    header_texts: set[str]
    notes: list[str]
    meta: dict[str, str]
    fates: list[RowFate]
    known: Callable[[str], bool]
    sheet: str = ""
    #: the (last) row of the header, 1-based
    header_row: int = 0
    returned: bool = False
    blank_from: int = 0

    def skip(self, number: int, cls: RowClass, reason: str, note: str | None = None) -> None:
        self.end_blank(number)
        self.fates.append(RowFate(number, number, cls, reason))
        if note is not None:
            self.notes.append(note)

    def blank(self, number: int) -> None:
        if not self.blank_from:
            self.blank_from = number

    def end_blank(self, number: int) -> None:
        if self.blank_from:
            self.fates.append(RowFate(self.blank_from, number - 1, RowClass.blank, "空行"))
            self.blank_from = 0


def _data_rows(rows: Iterable[list[object]], first: int, state: _State) -> Iterator[DataRow]:
    ignored, known_columns = state.ignored, state.known_columns
    # A pasted copy of the header: cells equal to header texts (exactly, or without spaces).
    header_texts = state.header_texts
    firsts = {t[:1] for t in header_texts}
    longest = max((len(t) for t in header_texts), default=0) + 8
    in_footer = False
    heading: str | None = None
    number = first - 1
    last_data = number
    above_index: object = None  # the 序号 of the data row above
    for raw in rows:
        number += 1
        cells: dict[int, object] = {}
        hits = 0
        # most cells of a wide sheet are empty: drop them in one comprehension first
        for c, v in [(c, v) for c, v in enumerate(raw) if v is not None and v != ""]:
            if type(v) is str:
                v = v.strip()
                if not v:
                    continue
                if v in header_texts or (v[:1] in firsts and len(v) <= longest and _squash(v) in header_texts):
                    hits += 1
            cells[c] = v
        if not cells:
            state.blank(number)
            continue

        values = iter(cells.values())
        lead = next(values)
        second = next(values, None)
        if (isinstance(lead, str) and _is_total(lead)) or (isinstance(second, str) and _is_total(second)):
            text = lead if isinstance(lead, str) and _is_total(lead) else second
            state.skip(number, RowClass.total, f"「{text}」是合计行，不是项目", f"第{number}行为合计行，已跳过")
            continue
        if lead.__class__ is str and lead[:1] in _SPECIAL_FIRST:
            assert isinstance(lead, str)
            simple = to_simplified(lead)  # 製表：… 統計：… 註：… as well
            m = _FOOTER.match(simple)
            if m or (len(cells) == 1 and _NOTE_LINE.match(simple)):
                in_footer = True
                _check_note_unit(state, number, lead, simple)
                if m and m.group(1) not in _NOTE_KEYS:
                    state.skip(
                        number, RowClass.footer, f"「{_cut(lead)}」是落款", f"第{number}行为填报人/落款行，已跳过"
                    )
                    state.meta.update(_pairs(_pair_texts(cells.values())))
                else:
                    state.skip(number, RowClass.note, f"「{_cut(lead)}」是说明", f"第{number}行为说明行，已跳过")
                continue
            if simple[:2] == "其中":
                state.skip(number, *_breakdown(lead, number))
                continue
            if len(cells) == 1 and _SECTION.match(lead) and not in_footer:
                state.skip(number, RowClass.section, f"「{_cut(lead)}」是分组标题", f"第{number}行为分组标题，已跳过")
                heading = lead
                continue
            split = _split_heading(lead, second, cells) if not in_footer else None
            if split is not None:
                state.skip(number, RowClass.section, f"「{_cut(split)}」是分组标题", f"第{number}行为分组标题，已跳过")
                heading = split
                continue
        if len(cells) == 1 and lead.__class__ is str and not in_footer and _CHAIN_HEADING.fullmatch(str(lead)):
            state.skip(number, RowClass.section, f"「{_cut(str(lead))}」是分组标题", f"第{number}行为分组标题，已跳过")
            heading = str(lead)
            continue
        if len(cells) == 1 and lead.__class__ is str and (sealed := _sealed_name(str(lead))) is not None:
            # 「孙吴县商务局（盖章）」 alone under the data: the office's seal, not a project
            in_footer = True
            state.skip(number, RowClass.footer, f"「{_cut(str(lead))}」是落款", f"第{number}行为填报人/落款行，已跳过")
            state.meta.setdefault(*sealed)
            continue
        if (text := _after_index(cells.values())) is not None and _squash(to_simplified(text))[:2] == "其中":
            # 「1 | 其中：固投」「1.1 | 其中设备」「（1）| 其中…」: a breakdown after its 序号
            state.skip(number, *_breakdown(text, number))
            continue
        if in_footer and len(cells) < 3:
            state.skip(number, RowClass.footer, "落款之后的行", f"第{number}行为填报人/落款行，已跳过")
            state.meta.update(_pairs(_pair_texts(cells.values())))
            continue
        if hits >= 2 and hits * 2 >= len(cells):
            # a header again, but not the same one (投资额（万元） under a 投资额（亿元） header,
            # 开工日期 where it had 签约日期): the rows under it mean other things (a cell
            # beside the table — 「第2页」 — is no part of it)
            other = [
                f"{column_letter(c)}列「{_cut(str(v))}」"
                for c, v in cells.items()
                if c in known_columns
                and not (isinstance(v, str) and (v in header_texts or _same_header(v) in header_texts))
            ]
            if other:
                raise ZsError(
                    f"「{state.sheet}」第{number}行是另一个表头，和第{state.header_row}行的表头不同"
                    f"（{'、'.join(other[:4])}）：一个工作表里上下放了表头不同的两张表，下面各行的单位或含义不同。"
                    "请把每张表放到单独的工作表（工作表名写清单名）再导入"
                )
            state.skip(number, RowClass.repeated_header, "重复了表头", f"第{number}行重复了表头，已跳过")
            continue
        # a stacked table starts after a blank, title or total row: only there look for its header
        gap = number - 1 != last_data
        labels = [v for v in cells.values() if isinstance(v, str) and len(v) <= 20] if gap else []
        if len(labels) >= 3 and len(labels) == len(cells) and sum(1 for v in labels if _known_text(state, v)) >= 3:
            shown = "、".join(labels[:6])
            raise ZsError(
                f"「{state.sheet}」第{number}行（{shown}）是另一张表的表头：一个工作表里上下放了表头不同的两张表。"
                "请把每张表放到单独的工作表（工作表名写清单名）再导入"
            )

        index = None
        for c in ignored:
            got = cells.pop(c, None)
            index = got if index is None else index
        if not cells:
            if isinstance(index, str) and len(index.strip()) >= 2 and not _NUMBER_TEXT.fullmatch(index.strip()):
                # words in the 序号 column alone (「续建项目」 merged across the row): a group heading
                state.skip(number, RowClass.section, f"「{_cut(index)}」是分组标题", f"第{number}行为分组标题，已跳过")
                heading = index.strip()
                continue
            state.skip(number, RowClass.template, "只有序号，没有内容")  # only a pre-filled 序号: a template row
            continue
        lone = next(iter(cells.values())) if len(cells) == 1 else None
        if lone.__class__ is str and _STAGE_HEADING.fullmatch(str(lone)) and not in_footer:
            # 「续建项目」「新开工项目（3个）」 alone in the name column: a group heading
            state.skip(number, RowClass.section, f"「{_cut(str(lone))}」是分组标题", f"第{number}行为分组标题，已跳过")
            heading = str(lone)
            continue
        follows = (
            index is None
            and above_index is not None
            and number - 1 == last_data
            and len(cells) == 1
            and len(known_columns) >= 3
            and next(iter(cells.values())).__class__ is str
        )
        above_index = index
        if state.blank_from:
            state.end_blank(number)
        last_data = number
        if not cells.keys() <= known_columns:
            for c in sorted(cells.keys() - known_columns):
                _add_bare_column(state, c, number)
        yield DataRow(number, cells, heading, index, follows)
    state.end_blank(number + 1)


# 「一」「十二」「一、」「（一）」「(三)」 alone in a cell: the numeral of a group heading
_GROUP_NUMERAL = re.compile(r"[一二三四五六七八九十]{1,3}[、.．]?|[（(][一二三四五六七八九十]{1,3}[)）][、.．]?")
_NUMBER_TEXT = re.compile(r"[-+]?[\d,，]*\.?\d+\s*[%％]?")


def _split_heading(lead: str, second: object, cells: dict[int, object]) -> str | None:
    """A group heading written across cells — the numeral alone in the 序号 cell, the heading in
    the next (「一 | 新能源产业链 | 9000」, 「（一） | 生物医药（北药）」), any further cells only
    numbers (the group's subtotal) — as one heading, 「一、新能源产业链」; else None.  A row with
    an arabic 序号 (「1 | 某某项目 | 5000」) is data, and so is one with a further text (a status)."""
    if not _GROUP_NUMERAL.fullmatch(lead) or not isinstance(second, str) or _NUMBER_TEXT.fullmatch(second):
        return None
    rest = list(cells.values())[2:]
    if not all(
        (isinstance(v, int | float) and not isinstance(v, bool)) or (isinstance(v, str) and _NUMBER_TEXT.fullmatch(v))
        for v in rest
    ):
        return None
    return f"{lead}{second}" if lead[-1] in "、.．)）" else f"{lead}、{second}"


def _money_word(unit: str) -> str:
    """「億元」「亿」「人民币万元」 → 「亿元」「亿元」「万元」; other units as they are."""
    u = to_simplified(unit).replace(" ", "").removeprefix("人民币").removesuffix("人民币")
    return {"亿": "亿元", "万": "万元"}.get(u, u)


_MONEY_WORDS = frozenset({"元", "万元", "亿元", "美元", "万美元", "亿美元"})
# 「单位：亿元」 in a cell of its own (the key one of _MONEY_LINE_KEYS)
_UNIT_STATEMENT = re.compile(r"[（(]?([^：:（()）]{1,6})[：:]\s*([^（()）]{1,8})[)）]?")


def _check_note_unit(state: _State, number: int, lead: str, simple: str) -> None:
    """A note under the data that gives the money unit (「注：本表金额单位为亿元」) is read by no
    one: the amounts would land in the unit the header says, or in 万元.  Unless the header (a
    column's own unit, or a 「单位：亿元」 line above it) already says exactly that unit, refused."""
    m = _NOTE_MONEY_UNIT.search(simple)
    if m is None:
        return
    said = _money_word(m.group(1))
    known = {w for h in state.header if h.unit and (w := _money_word(h.unit)) in _MONEY_WORDS}
    known |= {
        _money_word(v.strip(" （()）"))
        for k, v in state.meta.items()
        if normalize_key(k).strip("（(") in _MONEY_LINE_KEYS and _money_word(v.strip(" （()）")) in _MONEY_WORDS
    }
    for k, v in state.meta.items():
        noted = note_money_unit(v) if normalize_key(k).strip("（(") in _NOTE_KEYS else None
        if noted in _MONEY_WORDS:
            known.add(str(noted))
    if known == {said}:
        return
    where = f"表头写的是{'、'.join(sorted(known))}" if known else "表头和表头上方都没有写金额单位"
    raise ZsError(
        f"「{state.sheet}」第{number}行的说明「{_cut(lead)}」说金额单位是{said}，{where}：金额按哪个单位算无法确定。"
        f"请把单位写进列名（如 投资额（{said}））或表头上方写「单位：{said}」，与说明一致后再导入"
    )


def _breakdown(text: str, number: int) -> tuple[RowClass, str, str]:
    return (
        RowClass.breakdown,
        f"「{_cut(text)}」是上一行的分项，已含在上一行中",
        f"第{number}行为「其中」分项行，已跳过",
    )


def _known_text(state: _State, text: str) -> bool:
    _, label, _ = parse_header(text)
    return bool(label) and bool(state.known(label))  # cached: only rows after a gap get here


def _is_index(v: object) -> bool:
    return isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit())


# 「1」「1.1」「1-2」「（1）」「(3)」「2、」「①」: a 序号 written in a cell
_INDEX_FIRST = frozenset("（(0123456789①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳")
_INDEX_TEXT = re.compile(r"[（(]?\d{1,4}(?:\s*[.．\-—–]\s*\d{1,3}){0,3}[)）]?[、.．]?|[①-⑳]")


def _after_index(values: Iterable[object]) -> str | None:
    """The first text of a row after its 序号 cells (numbers, 「1.1」, 「（1）」): where a name
    begins when the 序号 column comes first."""
    for v in values:
        if v.__class__ is int or v.__class__ is float:
            continue
        if v.__class__ is str:
            if v[:1] in _INDEX_FIRST and _INDEX_TEXT.fullmatch(v):
                continue
            return v
        return None
    return None


def _cut(text: str) -> str:
    text = _WS.sub(" ", text).strip()
    return text if len(text) <= 20 else text[:19] + "…"


def _add_bare_column(state: _State, column: int, number: int) -> None:
    letter = column_letter(column)
    state.known_columns.add(column)
    state.header.append(HeaderCell(column, letter, "", "", None))
    if state.returned:
        state.notes.append(f"{letter}列没有表头，但第{number}行起有数据")
