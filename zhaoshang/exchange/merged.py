"""Merged cells in a table's data: the value a clerk typed once for several rows.

Excel, WPS and LibreOffice keep a merged area's value in its top-left cell only; read as values,
the rows below it look empty — and an empty 产业链 or 责任单位 is then filled from a default (a
``--chain`` the error message suggested), which puts a 新能源 project into 绿色食品.  Here a
vertical merge gives its value to every row it covers, and each such fill is recorded with the
area it came from, for the import to show.

Not every merge means "the same for each row": a 投资额 merged over three rows is one figure for
the three together, or each row's — which one cannot be known, and copying it would count the
money three times.  For the columns the caller marks as amounts the merge is refused instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from .inference import Inferences, Rule
from .outcome import Problem, show_value
from .tables import DataRow, HeaderCell, column_letter

__all__ = ["Fill", "MergeFills", "Refusal", "fill_merged", "said"]


@dataclass(frozen=True)
class Fill:
    """Rows ``rows`` got ``value`` in column ``column`` from the merged area ``area``."""

    area: str
    """「B4:B6」."""
    column: int
    value: object
    rows: tuple[int, ...]
    """1-based numbers of the rows that got the value (not the top row, which holds it)."""


@dataclass(frozen=True)
class Refusal:
    """A merge over several rows in a column whose value cannot be copied (an amount)."""

    area: str
    column: int
    row: int
    """The top row (1-based), where the value is."""
    value: object
    rows: int


@dataclass
class MergeFills:
    """What :func:`fill_merged` did; complete once its rows are exhausted."""

    fills: list[Fill] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def _area(r0: int, c0: int, r1: int, c1: int) -> str:
    return f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"


def fill_merged(
    rows: Iterable[DataRow],
    merges: Iterable[tuple[int, int, int, int]],
    *,
    header_row: int,
    is_amount: Callable[[int], bool],
    out: MergeFills,
) -> Iterator[DataRow]:
    """``rows`` with each vertical merge's value given to the rows it covers below its top row.

    ``merges`` are 0-based inclusive (first_row, first_col, last_row, last_col).  Only merges
    whose top row is a data row (below ``header_row``, 1-based) are filled: a merge that starts
    in the header or the title is layout, not data.  A row's own value is never overwritten (a
    merged area has none but its top-left cell).  Columns for which ``is_amount`` is true are
    not filled: each such merge is listed in ``out.refusals``."""
    by_top: dict[int, list[tuple[int, int, int, int]]] = {}
    for r0, c0, r1, c1 in merges:
        if r1 > r0 and r0 + 1 > header_row:
            by_top.setdefault(r0 + 1, []).append((r0, c0, r1, c1))
    if not by_top:
        yield from rows
        return
    active: dict[int, tuple[int, object, str, list[int]]] = {}  # column -> (last row, value, area, rows)

    def close(column: int) -> None:
        _last, value, area, got = active.pop(column)
        if got:
            out.fills.append(Fill(area, column, value, tuple(got)))

    for row in rows:
        n = row.number
        for column in [c for c, (last, *_rest) in active.items() if last < n]:
            close(column)
        for r0, c0, r1, c1 in by_top.pop(n, ()):
            value = row.cells.get(c0)
            if value is None:
                continue
            area = _area(r0, c0, r1, c1)
            if is_amount(c0):
                out.refusals.append(Refusal(area, c0, n, value, r1 - r0 + 1))
                continue
            if c0 in active:
                close(c0)
            active[c0] = (r1 + 1, value, area, [])
        for column, (_last, value, _area_text, got) in active.items():
            if column not in row.cells and n > 0:
                row.cells[column] = value
                got.append(n)
        yield row
    for column in list(active):
        close(column)


def said(fills: MergeFills, sheet: str, header: list[HeaderCell], inferred: Inferences) -> list[Problem]:
    """Each merged area that gave its value to the rows below, into ``inferred`` (the report
    lists it per row); each one over an amount returned as the sheet's problem (one figure for
    the rows together, or each row's, cannot be known)."""
    heads = {h.column: h for h in header}

    def where(column: int) -> str:
        h = heads.get(column)
        return f"{h.letter}列「{h.text}」" if h is not None else f"{column_letter(column)}列"

    for f in fills.fills:
        rows = f"第{f.rows[0]}行" if len(f.rows) == 1 else f"第{f.rows[0]}–{f.rows[-1]}行"
        inferred.add(
            Rule.merged_cell, sheet, show_value(f.value), f"合并单元格 {f.area}",
            f"{where(f.column)}的合并单元格 {f.area}：「{show_value(f.value)}」也用于{rows}",
            column=where(f.column), rows=f.rows,
        )  # fmt: skip
    return [
        Problem(
            sheet,
            r.row,
            where(r.column),
            r.value,
            f"合并单元格 {r.area} 跨 {r.rows} 行：这个数是 {r.rows} 行的合计，还是每行各是这个数，无法判断。"
            "请取消合并，每行填自己的数（合计的请写在备注里）",
        )
        for r in fills.refusals
    ]
