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
from dataclasses import dataclass, field

from ..definitions import Definitions, KindDef
from ..errors import ZsError
from . import columns, fates, header_area, money_units
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
    units = money_units.sheet_units(
        raw.name,
        table.meta,
        table.header,
        workbook_unit=workbook_unit,
        named_columns=_named_columns(defs, kind, table.header, explicit, masked=masked),
    )
    header = units.header
    out = Prepared(header, early=units.early)
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
            out.problems.append(
                Problem(raw.name, None, f"{h.letter}列「{h.text}」", None, units.explain(h.column, problem))
            )
        for c, (_h, found) in mapping.ambiguous.items():
            ambiguous.setdefault(c, found)
        if kind is not None:
            rep.notes.extend(mapping.notes)
            for where, label, text in mapping.guesses:
                inferred.add(Rule.header_guess, raw.name, label, where, text, column=where)
            money_units.record(raw.name, units, mapping.targets, inferred)
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


def _named_columns(
    defs: Definitions, kind: KindDef | None, header: list[HeaderCell], explicit: dict[str, str], *, masked: bool
) -> money_units.NamedColumns:
    """The columns a 填表说明 line names by its words (「外资额单位：万美元」): the money columns of
    the field the words name (the import's header matcher), or a column whose header they are."""
    kinds = [kind] if kind is not None else list(defs.kinds)
    field_of: dict[int, set[str]] | None = None

    def named(said: header_area.SaidElsewhere) -> set[int]:
        nonlocal field_of
        if field_of is None:
            field_of = {}
            for k in kinds:
                for t in columns.map_item_columns(defs, k, header, explicit, masked=masked).targets:
                    if t.field is not None and t.field.type == "money":
                        field_of.setdefault(t.column, set()).add(t.field.key)
        keys = set()
        for k in kinds:
            f = columns.field_match(defs, k, (said.subject,))[0] or columns.contained_match(defs, k, said.subject)[0]
            if f is not None:
                keys.add(f.key)
        core = columns.name_core(said.subject)
        return {h.column for h in header if field_of.get(h.column, set()) & keys or columns.header_core(h.text) == core}

    return named


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
