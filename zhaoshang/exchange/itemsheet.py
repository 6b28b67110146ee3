"""An item sheet before its rows: which list it is, how its columns map, what its header says
once for every row — the context its rows are parsed in.

:func:`prepare` takes a located :class:`~.tables.Table` and returns a :class:`Prepared`: the
:class:`~.rows.SheetContext` (column parsers per kind, the columns' fates in the sheet's
:class:`~.outcome.SheetReport`) and the sheet's problems, in the order the report lists them.
What it infers (the kind from the headers, a header's guessed meaning, the money unit a line
above the table gives) goes into the :class:`~.inference.Inferences` it is given.  No other
state: the importer records the problems and runs the rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..definitions import Definitions, KindDef
from ..errors import ZsError
from . import columns, fates, header_area
from .inference import Inferences, Rule
from .outcome import ColumnFate, Mode, Problem, SheetReport
from .readers import RawSheet
from .resolve import CellParsers
from .rows import SheetContext
from .sheetfacts import SheetFacts
from .tables import DataRow, HeaderCell, Table

__all__ = ["Prepared", "amounts", "prepare"]


@dataclass
class Prepared:
    #: the header as the rows are read with it (a money unit above the table applied)
    header: list[HeaderCell]
    #: None: the sheet's list could not be told (a problem in :attr:`early`)
    sheet: SheetContext | None = None
    #: problems found before the sheet has a report (go to the import's problems only)
    early: list[Problem] = field(default_factory=list)
    #: the sheet's problems (recorded with the sheet: also in the --errors file)
    problems: list[Problem] = field(default_factory=list)
    #: the sheet has a name or 编号 column: its rows can be read
    usable: bool = False


def prepare(
    raw: RawSheet,
    table: Table,
    kind: KindDef | None,
    *,
    defs: Definitions,
    explicit: dict[str, str],
    only_kind: KindDef | None,
    masked: bool,
    mode: Mode,
    cells: CellParsers,
    inferred: Inferences,
    facts: Callable[[], SheetFacts],
    option: Callable[[str], str],
    workbook_unit: Callable[[], list[header_area.SaidElsewhere]] | None = None,
) -> Prepared:
    """The context of item sheet ``raw`` (``kind``: the list its name says, if it says one).
    ``explicit``: the --map entries for this sheet; ``only_kind``: --kind; ``facts``:
    what the workbook's formats say of the cells (date cells without a day, years alone, money
    units written by a format), read only for a sheet that is used."""
    header = table.header
    sheet_unit: tuple[header_area.Said, str] | None = header_area.money_unit(table.meta)
    out = Prepared(header)
    #: the columns a unit stated elsewhere is given to: column -> (where it was said, unit)
    given: dict[int, tuple[header_area.Said, str]] = {}
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
                    raw.name, None, "", None,
                    "填表说明里写了不止一个金额单位（" + "；".join(s.source for s in for_all[:4]) + "），"
                    "没说哪个单位是哪一列的，本表表头没写单位，分不清金额按哪个单位："
                    "请在各金额列的表头写明单位，如 投资额（亿元），再导入",
                )
            )  # fmt: skip
        named = [s for s in stated if s.subject]
        if named:
            header, given = _named_units(defs, kind, header, explicit, named, out, raw.name, masked=masked)
            out.header = header
    if sheet_unit is not None:
        header, unit_given, clash = header_area.with_money_unit(header, sheet_unit[1])
        given.update({c: sheet_unit for c in unit_given if c not in given})
        out.header = header
        for h in clash:
            if h.column in given:
                continue  # its unit was stated for its own money (「外资额单位：万美元」)
            out.early.append(
                Problem(
                    raw.name,
                    None,
                    f"{h.letter}列「{h.text}」",
                    None,
                    f"{sheet_unit[0].source}与本列写的单位「{h.unit}」矛盾：分不清金额是哪个单位，"
                    "请删去或改正其中一个再导入",
                )
            )
    odd_unit = header_area.unsupported_money_unit(table.meta) if sheet_unit is None else None
    if odd_unit is not None:
        out.early.append(
            Problem(
                raw.name, None, f"表头上方「{odd_unit.key}」", odd_unit.value,
                f"「{odd_unit.key}：{odd_unit.value}」说的金额单位不能用于整张表"
                "（只认 元、万元、亿元 或 万美元 等一个单位）："
                "请在各金额列的表头里写明单位，如 投资额（亿元）、外资（万美元），或把这一行改成一个单位再导入",
            )
        )  # fmt: skip
    kind_col = columns.kind_column(defs, header, explicit)
    if kind is None and kind_col is None:
        kind = only_kind
        if kind is None:
            kind, _scores = columns.guess_kind(defs, header)
            if kind is None:
                out.early.append(
                    Problem(
                        raw.name,
                        None,
                        "",
                        None,
                        f"无法判断这张表是哪一张清单：请把工作表改名为清单名（如 招什么），或用 {option('kind')} 指定",
                    )
                )
                return out
            inferred.add(
                Rule.kind_by_headers, raw.name, kind.name, "表头",
                f"按表头判断为「{kind.name}」清单（不对请用 {option('kind')} 指定）",
            )  # fmt: skip
    what = kind.name if kind is not None else "多张清单"
    rep = SheetReport(raw.name, what)
    sh = SheetContext(raw, rep, header, kind=kind, kind_column=kind_col, mapped={h.column for h in header})
    out.sheet = sh
    read = facts()
    sh.month_cells, sh.year_cells, sh.unit_cells = read.month_cells, read.year_cells, read.unit_cells
    kinds = [kind] if kind is not None else list(defs.kinds)
    ambiguous: dict[int, list[str]] = {}
    for k in kinds:
        mapping = columns.map_item_columns(
            defs, k, header, explicit, masked=masked, note_readonly=mode is Mode.plain, dated_closure=cells.foreign
        )
        sh.maps[k.key] = cells.for_mapping(k, mapping)
        sh.skip[k.key] = mapping.ignored
        sh.shadowed[k.key] = mapping.shadowed
        sh.why.update(mapping.why)
        sh.known_columns.update(sh.maps[k.key])
        sh.known_columns.update(mapping.ignored)
        for h, problem in mapping.problems:
            if h.column in given:
                source = given[h.column][0].source
                problem = f"{problem}（本列没有写单位，按{source}算作{h.unit}；请在表头写明本列单位）"
            out.problems.append(Problem(raw.name, None, f"{h.letter}列「{h.text}」", None, problem))
        for c, (_h, found) in mapping.ambiguous.items():
            ambiguous.setdefault(c, found)
        if kind is not None:
            rep.notes.extend(mapping.notes)
            for where, label, text in mapping.guesses:
                inferred.add(Rule.header_guess, raw.name, label, where, text, column=where)
            by_source: dict[tuple[str, str], list[str]] = {}
            for t in mapping.targets:
                if t.column in given and t.field is not None and t.field.type == "money":
                    said, unit = given[t.column]
                    by_source.setdefault((said.source, unit), []).append(f"{t.letter}列「{t.header}」")
            for (source, unit), money in by_source.items():
                inferred.add(
                    Rule.sheet_money_unit, raw.name, unit, source,
                    f"{source}用作{'、'.join(money)}的金额单位（{unit}）",
                    column="、".join(money),
                )  # fmt: skip
        out.usable = out.usable or any(t.key in ("title", "id") for t, _ in sh.maps[k.key].values())
    if kind_col is not None:
        sh.known_columns.add(kind_col)
    rep.columns = fates.item_columns(sh.header, [(sh.maps[k.key], sh.skip[k.key]) for k in kinds], sh.why, kind_col)
    rep.columns[:0] = [ColumnFate(h.letter, h.text, "", "序号列（编号用）") for h in table.index_columns]
    rep.columns.sort(key=lambda c: (len(c.letter), c.letter))
    rep.header_row = table.header_row
    for h in header:
        if h.column not in sh.known_columns:
            out.problems.append(fates.unmapped(raw.name, h, what, ambiguous.get(h.column)))
    if not out.usable:
        out.problems.append(
            Problem(raw.name, None, "", None, f"找不到名称列（或编号列）：请检查表头，或用 {option('mapping')} 指定")
        )
    return out


def _named_units(
    defs: Definitions,
    kind: KindDef | None,
    header: list[HeaderCell],
    explicit: dict[str, str],
    named: list[header_area.SaidElsewhere],
    out: Prepared,
    sheet: str,
    *,
    masked: bool,
) -> tuple[list[HeaderCell], dict[int, tuple[header_area.Said, str]]]:
    """The header with each unit a 填表说明 line states for the money it names (「外资额单位：
    万美元」) given to the columns of that money without a unit of their own: the words name the
    field as a header would (the import's header matcher), or are a column's header.  Two
    units for one column, or one against the column's own, are problems (in ``out.early``)."""
    kinds = [kind] if kind is not None else list(defs.kinds)
    field_of: dict[int, set[str]] = {}
    for k in kinds:
        for t in columns.map_item_columns(defs, k, header, explicit, masked=masked).targets:
            if t.field is not None and t.field.type == "money":
                field_of.setdefault(t.column, set()).add(t.field.key)
    units: dict[int, list[tuple[header_area.SaidElsewhere, str]]] = {}
    for said in named:
        keys = set()
        for k in kinds:
            f = columns.field_match(defs, k, (said.subject,))[0] or columns.contained_match(defs, k, said.subject)[0]
            if f is not None:
                keys.add(f.key)
        core = columns.name_core(said.subject)
        for h in header:
            if field_of.get(h.column, set()) & keys or columns.header_core(h.text) == core:
                units.setdefault(h.column, []).append((said, said.key))
    new: list[HeaderCell] = []
    given: dict[int, tuple[header_area.Said, str]] = {}
    for h in header:
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
            given[h.column] = stated[0]
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
    return new, given


def amounts(sh: SheetContext) -> Callable[[DataRow], dict[int, float]]:
    """A row's amounts by column (万), for :func:`.sheet_rules.sub_rows`; a cell that is no
    amount is left out (its row is refused by its own parse)."""
    money = {
        c: parse for maps in sh.maps.values() for c, (t, parse) in maps.items() if t.field and t.field.type == "money"
    }

    def amounts(row: DataRow) -> dict[int, float]:
        out: dict[int, float] = {}
        for c, parse in money.items():
            if c in row.cells:
                with contextlib.suppress(ZsError, TypeError, ValueError):
                    out[c] = float(parse(row.cells[c]))
        return out

    return amounts
