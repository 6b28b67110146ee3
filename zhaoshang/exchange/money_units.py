"""The money unit a sheet states anywhere but in a column's header — one rule for every sheet,
item sheets (招什么 …) and detail sheets (到位资金 …) alike.

Where a sheet may say it, in the order it is taken:

1. the lines above its header: 「单位：亿元」, 「（金额单位：万元）」, a title's 「（单位：亿元）」
   (:func:`~.header_area.money_unit`);
2. the workbook's sheet of instructions (填表说明): a unit for all money (「金额单位：亿元」), or
   one for the money a line names (「外资额单位：万美元」, given to the columns that money names —
   which columns those are, the caller's header matcher says).

A unit said so is given to each column whose header names none (:class:`SheetUnits.header`,
listed as an inference :data:`~.inference.Rule.sheet_money_unit` by :func:`record`); what cannot
be read is refused (:attr:`SheetUnits.early`): two units for all money, a unit that contradicts a
column's own, a unit the import cannot convert (「单位：千万元」).

(A unit written by a cell's number format, 0.00"亿元", is checked cell by cell:
:func:`~.rows.format_unit_clash`.)

Pure functions over the located table: tested on in-memory tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from . import header_area
from .columns import Target
from .inference import Inferences, Rule
from .outcome import Problem
from .tables import HeaderCell

__all__ = ["SheetUnits", "record", "sheet_units"]

#: the columns a 填表说明 line names by its words (「外资额」 → {column, …}), by the caller's matcher
NamedColumns = Callable[[header_area.SaidElsewhere], set[int]]


@dataclass
class SheetUnits:
    """The header with the sheet's money units given, which columns were given one and where it
    was said, and what cannot be read (problems of the sheet)."""

    header: list[HeaderCell]
    #: column -> (where the unit was said, the unit)
    given: dict[int, tuple[header_area.Said, str]] = field(default_factory=dict)
    early: list[Problem] = field(default_factory=list)

    def explain(self, column: int, problem: str) -> str:
        """A column problem (a unit the column cannot take) that says where a given unit came from."""
        if column not in self.given:
            return problem
        said, _unit = self.given[column]
        unit = next((h.unit for h in self.header if h.column == column), None)
        return f"{problem}（本列没有写单位，按{said.source}算作{unit}；请在表头写明本列单位）"


def sheet_units(
    sheet: str,
    meta: Mapping[str, str],
    header: list[HeaderCell],
    *,
    workbook_unit: Callable[[], list[header_area.SaidElsewhere]] | None,
    named_columns: NamedColumns,
) -> SheetUnits:
    """The money units sheet ``sheet`` states outside its columns' headers (``meta``: what the
    lines above its header say; ``workbook_unit``: what the workbook's 填表说明 states, read
    only when the sheet itself says nothing)."""
    sheet_unit: tuple[header_area.Said, str] | None = header_area.money_unit(meta)
    out = SheetUnits(header)
    if sheet_unit is None and workbook_unit is not None:
        # 「金额单位：亿元；外资额单位：万美元」 on the workbook's 填表说明 sheet: its units are this
        # sheet's too — each for the money it names (by the header matcher), the rest for all
        stated = workbook_unit()
        for_all = [s for s in stated if not s.subject]
        units = {s.key for s in for_all}
        if len(units) == 1:
            sheet_unit = for_all[0], for_all[0].key
        elif units:
            out.early.append(
                Problem(
                    sheet, None, "", None,
                    "填表说明里写了不止一个金额单位（" + "；".join(s.source for s in for_all[:4]) + "），"
                    "没说哪个单位是哪一列的，本表表头没写单位，分不清金额按哪个单位："
                    "请在各金额列的表头写明单位，如 投资额（亿元），再导入",
                )
            )  # fmt: skip
        named = [s for s in stated if s.subject]
        if named:
            _named_units(sheet, out, named, named_columns)
    if sheet_unit is not None:
        new, unit_given, clash = header_area.with_money_unit(out.header, sheet_unit[1])
        out.given.update({c: sheet_unit for c in unit_given if c not in out.given})
        out.header = new
        for h in clash:
            if h.column in out.given:
                continue  # its unit was stated for its own money (「外资额单位：万美元」)
            out.early.append(
                Problem(
                    sheet,
                    None,
                    f"{h.letter}列「{h.text}」",
                    None,
                    f"{sheet_unit[0].source}与本列写的单位「{h.unit}」矛盾：分不清金额是哪个单位，"
                    "请删去或改正其中一个再导入",
                )
            )
    odd_unit = header_area.unsupported_money_unit(meta) if sheet_unit is None else None
    if odd_unit is not None:
        out.early.append(
            Problem(
                sheet, None, f"表头上方「{odd_unit.key}」", odd_unit.value,
                f"「{odd_unit.key}：{odd_unit.value}」说的金额单位不能用于整张表"
                "（只认 元、万元、亿元 或 万美元 等一个单位）："
                "请在各金额列的表头里写明单位，如 投资额（亿元）、外资（万美元），或把这一行改成一个单位再导入",
            )
        )  # fmt: skip
    return out


def _named_units(
    sheet: str, out: SheetUnits, named: list[header_area.SaidElsewhere], named_columns: NamedColumns
) -> None:
    """Each unit a 填表说明 line states for the money it names (「外资额单位：万美元」) given to the
    columns of that money without a unit of their own.  Two units for one column, or one against
    the column's own, are problems (in ``out.early``)."""
    units: dict[int, list[tuple[header_area.SaidElsewhere, str]]] = {}
    for said in named:
        for column in named_columns(said):
            units.setdefault(column, []).append((said, said.key))
    new: list[HeaderCell] = []
    for h in out.header:
        stated = units.get(h.column, [])
        if len({u for _, u in stated}) > 1:
            out.early.append(
                Problem(
                    sheet, None, f"{h.letter}列「{h.text}」", None,
                    "填表说明给本列写了不止一个单位（" + "；".join(s.source for s, _ in stated[:4]) + "）："
                    "请在本列表头写明单位，如 外资额（万美元），再导入",
                )
            )  # fmt: skip
            new.append(h)
        elif stated and h.unit is None:
            new.append(replace(h, unit=stated[0][1]))
            out.given[h.column] = stated[0]
        else:
            if stated and h.unit is not None:
                _, _, clash = header_area.with_money_unit([h], stated[0][1])
                if clash:
                    out.early.append(
                        Problem(
                            sheet, None, f"{h.letter}列「{h.text}」", None,
                            f"{stated[0][0].source}与本列写的单位「{h.unit}」矛盾：分不清金额是哪个单位，"
                            "请删去或改正其中一个再导入",
                        )
                    )  # fmt: skip
            new.append(h)
    out.header = new


def record(sheet: str, units: SheetUnits, targets: Iterable[Target], inferred: Inferences) -> None:
    """List each unit given to money columns as an inference (one per place it was said)."""
    by_source: dict[tuple[str, str], list[str]] = {}
    for t in targets:
        f = t.field or t.col
        if t.column in units.given and f is not None and getattr(f, "type", "") == "money":
            said, unit = units.given[t.column]
            by_source.setdefault((said.source, unit), []).append(f"{t.letter}列「{t.header}」")
    for (source, unit), money in by_source.items():
        inferred.add(
            Rule.sheet_money_unit, sheet, unit, source,
            f"{source}用作{'、'.join(money)}的金额单位（{unit}）",
            column="、".join(money),
        )  # fmt: skip
