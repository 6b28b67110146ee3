"""CSV/TSV rows written the fast way (a whole row at once when nothing in it needs care)
are exactly what the cell-by-cell way writes: formula characters escaped, CR quoted,
None empty, 是/否 for people — for any cells.  (No timings here: ``benchmarks/`` measures.)"""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang import render
from zhaoshang.render import Column, escape_formula

KEYS = ["id", "a", "b", "c"]
COLS = [Column(k, f"列{k}") for k in KEYS]

text = st.text(alphabet=st.sampled_from([*"铜箔ab '\"=+-@\t\r\n\x1f,0", "\u0301"]), max_size=8)
cell = st.one_of(
    st.none(),
    text,
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(text, max_size=3),
    st.tuples(text, text),
)
row = st.fixed_dictionaries({k: cell for k in KEYS})


def _reference(rows: list[dict[str, Any]], delimiter: str, labels: bool) -> str:
    """The cell-by-cell writing as first done."""

    def one(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, bool):
            return ("是" if value else "否") if labels else ("true" if value else "false")
        if isinstance(value, list | tuple):
            return escape_formula("、".join(str(v) for v in value))
        return escape_formula(value)

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    quoted = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow([escape_formula(c.header) if labels else c.key for c in COLS])
    for r in rows:
        cells = [one(r.get(c.key)) for c in COLS]
        (quoted if any(isinstance(v, str) and "\r" in v for v in cells) else w).writerow(cells)
    return buf.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(row, max_size=12), st.sampled_from([",", "\t"]), st.booleans())
def test_fast_rows_are_the_cell_by_cell_text(rows: list[dict[str, Any]], delimiter: str, labels: bool) -> None:
    assert render.to_delimited(rows, COLS, delimiter, labels=labels) == _reference(rows, delimiter, labels)


def test_a_missing_key_is_an_empty_cell_and_risky_cells_are_escaped() -> None:
    rows: list[dict[str, Any]] = [{"id": 1, "a": "=1+1"}, {"id": -2, "b": "x\ry", "c": "'@x"}, {"id": 3, "a": "a=b"}]
    assert render.to_delimited(rows, COLS, "\t").splitlines()[1:] == [
        "1\t'=1+1\t\t",
        '"-2"\t""\t"x',
        'y"\t"\'\'@x"',
        "3\ta=b\t\t",
    ]
