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
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from zhaoshang.errors import ZsError
from zhaoshang.exchange.readers import RawSheet

__all__ = [
    "DataRow",
    "HeaderCell",
    "Table",
    "column_letter",
    "find_table",
    "parse_header",
]

#: Data rows examined before :func:`find_table` returns, to learn which header-less columns
#: hold data (those become ``HeaderCell(text="")``); later ones are appended while iterating.
LOOKAHEAD = 500


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


_TOTAL = re.compile(
    r"(?:全[县市区省州镇乡]|本[月年季周])?[合总總小共][计計][\W_]*",
)
_FOOTER = re.compile(
    r"(填报人|审核人|审批人|制表人|负责人|联系人|联系电话|填报日期|填表日期|填报单位|"
    r"说明|注|备注)\s*[：:]"
)
# A note line after the data: "注1. …", "注：…", "说明：…", "说明 本表…"
_NOTE_LINE = re.compile(r"(?:注\s*[\d一二三四五六七八九十]*|说明)\s*[：:.．、)）\s]")
_NOTE_KEYS = frozenset({"说明", "注", "备注"})
_PAIR_KEY = re.compile(r"(?:^|(?<=\s))([^\s：:\d][^\s：:]{0,11})\s*[：:]\s*")


def _is_total(text: str) -> bool:
    return ("计" in text or "計" in text) and len(text) <= 30 and bool(_TOTAL.fullmatch(_squash(text)))


def _pairs(texts: Iterable[str]) -> dict[str, str]:
    """``key：value`` pairs in a row of cells; a key may have its value in the next cell."""
    out: dict[str, str] = {}
    pending: str | None = None
    for raw in texts:
        text = _WS.sub(" ", raw).strip()
        matches = list(_PAIR_KEY.finditer(text))
        if not matches:
            if pending is not None and text:
                out[pending] = text
            pending = None
            continue
        pending = None
        for m, nxt in zip(matches, [*matches[1:], None], strict=True):
            value = text[m.end() : nxt.start() if nxt else len(text)].strip()
            if value:
                out[m.group(1)] = value
            elif nxt is None:
                pending = m.group(1)
    return out


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


def _combine(upper: _Parsed, lower: _Parsed) -> _Parsed:
    """The lower header row, with the upper row's text in columns where the lower is empty."""
    combined = dict(upper)
    combined.update(lower)
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
            "可识别的列名如 名称、产业链、状态…；或用 --map 指定列"
        )

    upper = lower = best
    merged = parsed[best]
    below = best + 1
    if below < len(head) and _is_subheader(head[below], parsed[below], parsed[best], known):
        combo = _combine(parsed[best], parsed[below])
        if score(combo) > scores[best]:
            lower, merged = below, combo
    if upper == lower and best > 0:
        above = parsed[best - 1]
        fills = {c: v for c, v in above.items() if c not in parsed[best]}
        if fills:
            combo = _combine(above, parsed[best])
            if score(combo) > scores[best] or not _is_preamble_line(head[best - 1]):
                upper, merged = best - 1, combo

    notes: list[str] = []
    meta: dict[str, str] = {}
    filled = [i for i in range(upper) if parsed[i]]
    if filled:
        notes.append(f"{_span(filled[0] + 1, filled[-1] + 1)}为标题行，已跳过")
        for i in filled:
            meta.update(_pairs(v for v in head[i] if isinstance(v, str)))
    if upper != lower:
        notes.append(f"{_span(upper + 1, lower + 1)}为两行表头，已合并")

    header: list[HeaderCell] = []
    ignored: set[int] = set()
    for c, (text, label, unit) in merged.items():
        letter = column_letter(c)
        if label.casefold() in _INDEX_LABELS:
            ignored.add(c)
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
    header_texts.discard("")

    state = _State(
        header=header,
        known_columns={h.column for h in header} | ignored,
        ignored=ignored,
        header_texts=header_texts,
        notes=notes,
        meta=meta,
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
    )


def _is_subheader(row: list[object], below: _Parsed, header: _Parsed, known: Callable[[str], bool]) -> bool:
    """A row of labels under a group header: text only, some known, gaps under the header."""
    if not below or any(not isinstance(row[c], str) for c in below):
        return False
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
    returned: bool = False


def _data_rows(rows: Iterable[list[object]], first: int, state: _State) -> Iterator[DataRow]:
    notes, ignored, known_columns = state.notes, state.ignored, state.known_columns
    # A pasted copy of the header: cells equal to header texts (exactly, or without spaces).
    header_texts = state.header_texts
    firsts = {t[:1] for t in header_texts}
    longest = max((len(t) for t in header_texts), default=0) + 8
    in_footer = False
    number = first - 1
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
            continue

        values = iter(cells.values())
        lead = next(values)
        second = next(values, None)
        if (isinstance(lead, str) and _is_total(lead)) or (isinstance(second, str) and _is_total(second)):
            notes.append(f"第{number}行为合计行，已跳过")
            continue
        if isinstance(lead, str):
            m = _FOOTER.match(lead)
            if m or (len(cells) == 1 and _NOTE_LINE.match(lead)):
                in_footer = True
                if m and m.group(1) not in _NOTE_KEYS:
                    notes.append(f"第{number}行为填报人/落款行，已跳过")
                    state.meta.update(_pairs(v for v in cells.values() if isinstance(v, str)))
                else:
                    notes.append(f"第{number}行为说明行，已跳过")
                continue
        if in_footer and len(cells) < 3:
            notes.append(f"第{number}行为填报人/落款行，已跳过")
            state.meta.update(_pairs(v for v in cells.values() if isinstance(v, str)))
            continue
        if hits >= 2 and hits * 2 >= len(cells):
            notes.append(f"第{number}行重复了表头，已跳过")
            continue

        for c in ignored:
            cells.pop(c, None)
        if not cells:  # only a pre-filled 序号: an unused template row
            continue
        if not cells.keys() <= known_columns:
            for c in sorted(cells.keys() - known_columns):
                _add_bare_column(state, c, number)
        yield DataRow(number, cells)


def _add_bare_column(state: _State, column: int, number: int) -> None:
    letter = column_letter(column)
    state.known_columns.add(column)
    state.header.append(HeaderCell(column, letter, "", "", None))
    if state.returned:
        state.notes.append(f"{letter}列没有表头，但第{number}行起有数据")
