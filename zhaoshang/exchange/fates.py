"""What becomes of every column of a sheet: the column map the dry run shows, and the
problem of a column that goes nowhere (it is never dropped in silence)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from ..hints import option
from ..parse import normalize_key
from .columns import Mapping, Target
from .outcome import ColumnFate, Problem, SheetReport
from .sheetfacts import SheetFacts
from .tables import HeaderCell, Table, column_letter

__all__ = [
    "MapKeys",
    "detail_columns",
    "detail_problems",
    "item_columns",
    "late_column",
    "unit_text",
    "unmapped",
    "unmapped_fate",
    "workbook_facts",
]


def unmapped_fate() -> str:
    """The fate of a column that matches no field (and is then a problem of the sheet)."""
    return f"未识别：须用 {option('mapping')} 指定"


def item_columns(
    header: list[HeaderCell],
    kinds: list[tuple[dict[int, tuple[Target, Any]], set[int]]],
    why: dict[int, str],
    kind_col: int | None,
) -> list[ColumnFate]:
    """Where each column of an item sheet goes, given per kind its mapped columns (column ->
    (target, parser)) and its columns not imported; ``why`` says why those are not."""
    out: list[ColumnFate] = []
    for h in header:
        shown = h.text or "（无表头）"
        if h.column == kind_col:
            out.append(ColumnFate(h.letter, shown, "清单", "每行的清单"))
            continue
        hit: ColumnFate | None = None
        for maps, skip in kinds:
            entry = maps.get(h.column)
            if entry is not None:
                t = entry[0]
                label = t.field.label if t.field is not None else ("状态原因" if t.key == "reason" else t.key)
                hit = ColumnFate(h.letter, shown, label, t.how, unit_text(t), unit_assumed(t, h))
                break
            if h.column in skip:
                hit = ColumnFate(h.letter, shown, "", why.get(h.column, "不导入"))
        out.append(hit or ColumnFate(h.letter, shown, "", unmapped_fate()))
    return out


def unmapped(sheet: str, h: HeaderCell, what: str, found: list[str] | None) -> Problem:
    """The problem of a column with no field: no header, two fields named, or none."""
    m = option("mapping")
    if not h.text:
        return Problem(
            sheet, None, f"{h.letter}列", None,
            f"这一列有数据但没有表头：请补上表头，或用 {m} {sheet}!{h.letter}=字段名 指定，"
            f"或 {m} {sheet}!{h.letter}=忽略 明确不导入（「{sheet}!」只对这张表）",
        )  # fmt: skip
    if found:
        names = "、".join(f"「{n}」" for n in found)
        return Problem(
            sheet, None, f"{h.letter}列「{h.text}」", None,
            f"表头同时含有 {names}，无法确定是哪一项：请用 {m} {h.text}=字段名 指定，或 {m} {h.text}=忽略",
        )  # fmt: skip
    return Problem(
        sheet, None, f"{h.letter}列「{h.text}」", None,
        f"不是「{what}」的字段。为免这一列的数据被悄悄丢掉，请用 {m} {h.text}=字段名 指定对应的字段，"
        f"或 {m} {h.text}=忽略 明确不导入",
    )  # fmt: skip


def unit_text(t: Target) -> str:
    """What a money column's numbers are read in, for the column map: "亿元 → 万元"."""
    f = t.field or t.col
    if f is None or getattr(f, "type", "") != "money":
        return ""
    usd = (t.field is not None and t.field.currency == "USD") or (t.col is not None and t.col.unit == "万美元")
    money = "美元" if usd else "元"
    stored = f"万{money}"
    read = {"亿": f"亿{money}", "万": stored, "元": money}[t.unit]
    return stored if read == stored else f"{read} → {stored}"


def unit_assumed(t: Target, h: HeaderCell | None) -> bool:
    """A money column whose header names no unit, nor a unit line of the sheet (which gives
    the header its unit): its numbers are read in the default."""
    return bool(unit_text(t)) and (h is None or h.unit is None) and not any(m in t.header for m in "万元亿¥$")


def late_column(sheet: str, row: int, column: int, value: object, explicit: dict[str, str]) -> Problem | None:
    """The problem of a cell in a column without a header that has data only further down
    than the table's first rows (so it was not in the column map): none when the user said
    ``列字母=忽略``."""
    from .columns import IGNORE_WORDS

    letter = column_letter(column)
    said = explicit.get(letter)
    if said is not None and normalize_key(said) in IGNORE_WORDS:
        return None
    m = option("mapping")
    return Problem(
        sheet, row, f"{letter}列", value,
        f"这一列没有表头，这里却有数据：请补上表头，或用 {m} {sheet}!{letter}=字段名 指定，"
        f"或 {m} {sheet}!{letter}=忽略 明确不导入（「{sheet}!」只对这张表）",
    )  # fmt: skip


def workbook_facts(facts: SheetFacts, sheet: str, table: Table, rep: SheetReport) -> list[Problem]:
    """Hidden rows of the table (listed in ``rep``: they are imported like the others), and a
    problem for each formula without a computed value."""
    if not facts.checked:
        rep.notes.append(
            "这个文件读不出格式信息（.xls 的版本太旧或文件有损）：无法检查隐藏的行、隐藏的列、批注和只显示年月的日期"
            "（这样的日期按当月1日导入）；请用 Excel/WPS 另存为 .xlsx 后再导入"
        )
        return []
    rep.hidden_rows = [n for n in facts.hidden_rows if n > table.header_row]
    if rep.hidden_rows:
        shown = "、".join(map(str, rep.hidden_rows[:20])) + ("……" if len(rep.hidden_rows) > 20 else "")
        rep.notes.append(f"第{shown}行在表中被隐藏，与其他行一样导入（不导入的行请删除）")
    letters = {h.column: h for h in table.header}
    said_columns = {c.letter: i for i, c in enumerate(rep.columns)}
    for col in facts.hidden_columns:
        i = said_columns.get(column_letter(col))
        if i is not None:
            fate = rep.columns[i]
            rep.columns[i] = replace(fate, how=f"{fate.how}（隐藏列，照常处理）")
    for row, col, text in facts.comments:
        where = f"{column_letter(col)}{row}"
        short = text if len(text) <= 60 else text[:60] + "……"
        rep.notes.append(f"{where} 单元格有批注「{short}」：批注不是单元格的值，没有导入；要导入请写进备注或对应的列")
    problems = []
    for row, col, text in facts.error_cells:
        at = said_columns.get(column_letter(col))
        if row <= table.header_row or at is None or not rep.columns[at].target:
            continue  # (a column not imported: its errors change nothing)
        if any(f.first <= row <= f.last for f in table.fates):
            continue  # (a total, a heading, a note: a row not imported)
        h = letters.get(col)
        where = f"{h.letter}列「{h.text}」" if h is not None else f"{column_letter(col)}列"
        problems.append(
            Problem(
                sheet, row, where, text,
                f"单元格是公式的错误值「{text}」，不是数据（读作空白会把这一格的数悄悄丢掉）：请在 Excel/WPS 里改正公式"
                "或填入数值再导入",
            )
        )  # fmt: skip
    for row, col in facts.empty_formulas:
        h = letters.get(col)
        where = f"{h.letter}列「{h.text}」" if h is not None else f"{column_letter(col)}列"
        problems.append(
            Problem(
                sheet, row, where, None,
                "公式没有计算结果（文件由程序生成、未在 Excel/WPS 中打开保存过）：请在 Excel 或 WPS 中打开后保存，"
                "或把公式换成数值",
            )
        )  # fmt: skip
    return problems


def detail_problems(
    sheet: str, what: str, mapping: Mapping, *, explain: Callable[[int, str], str] | None = None
) -> list[Problem]:
    """A detail sheet's column problems: the ones its mapping found (``explain``: how a problem
    says where a column's unit came from), then each column it cannot place (``what``: the
    sheet's name for people, 对接记录 …)."""
    out = [
        Problem(sheet, None, f"{h.letter}列「{h.text}」", None, explain(h.column, problem) if explain else problem)
        for h, problem in mapping.problems
    ]
    out += [unmapped(sheet, h, what, None) for h in mapping.unknown.values()]
    return out


def detail_columns(mapping: Mapping, table: Table, header: list[HeaderCell] | None = None) -> list[ColumnFate]:
    """The fate of every column of a detail sheet, in column order (``header``: the table's,
    with the units a line above it or the 填表说明 gives)."""
    by_letter = {h.letter: h for h in (header if header is not None else table.header)}
    out = [
        ColumnFate(
            t.letter, t.header, t.col.header if t.col else t.key, t.how, unit_text(t),
            unit_assumed(t, by_letter.get(t.letter)),
        )
        for t in mapping.targets
    ]  # fmt: skip
    out += [ColumnFate(h.letter, h.text or "（无表头）", "", unmapped_fate()) for h in mapping.unknown.values()]
    by_column = {h.column: h for h in table.header}
    out += [ColumnFate(by_column[c].letter, by_column[c].text, "", why) for c, why in mapping.why.items()]
    out += [ColumnFate(h.letter, h.text, "", "序号列（编号用）") for h in table.index_columns]
    out.sort(key=lambda c: (len(c.letter), c.letter))
    return out


class MapKeys:
    """The columns the sheets of a file have (letters, header texts, with and without the
    sheet's name): a --map entry that names none of them is the user's instruction not carried
    out — refused, never ignored."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def seen(self, sheet: str, header: Iterable[HeaderCell]) -> None:
        prefix = normalize_key(sheet) + "!"
        for h in header:
            keys = (h.letter, normalize_key(h.text), normalize_key(h.label))
            self.keys.update((*keys, *(prefix + k for k in keys)))

    def unused(self, mapping: dict[str, str], file_name: str) -> list[Problem]:
        out = []
        for key, target in mapping.items():
            # a letter names a column of the grid whether or not it has a header (data further down)
            last = key.rsplit("!", 1)[-1]
            if key not in self.keys and not (last.isascii() and last.isalpha() and len(last) <= 3):
                out.append(
                    Problem(
                        file_name, None, "", None,
                        f"{option('mapping')}「{key}={target}」：文件里没有哪张表有「{key}」这一列。"
                        "请按表头的字（或列字母）重写，不需要就去掉这一项",
                    )
                )  # fmt: skip
        return out
