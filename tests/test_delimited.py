"""CSV/TSV output written a batch at a time is the same text as written row by row: a batch
with one cell that starts like a formula, holds a CR or is no plain value is written row by
row, and that cell (only) is escaped or quoted."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.render import Column, escape_formula, to_delimited

KEYS = ["a", "b", "c"]
COLS = [Column(k, k.upper()) for k in KEYS]

cell = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(alphabet="=+-@'\t\r\n,\"ab铜 ", max_size=6),
    st.lists(st.text(alphabet="ab=", max_size=3), max_size=2),
)
row = st.fixed_dictionaries({}, optional={k: cell for k in KEYS})


def _one_by_one(rows: list[dict[str, Any]], delimiter: str, labels: bool) -> str:
    head = to_delimited([], COLS, delimiter, labels=labels)
    return head + "".join(to_delimited([r], COLS, delimiter, header=False, labels=labels) for r in rows)


@settings(max_examples=400, deadline=None)
@given(st.lists(row, max_size=12), st.sampled_from([",", "\t"]), st.booleans())
def test_a_batch_is_its_rows(rows: list[dict[str, Any]], delimiter: str, labels: bool) -> None:
    assert to_delimited(rows, COLS, delimiter, labels=labels) == _one_by_one(rows, delimiter, labels)


text_row = st.fixed_dictionaries({k: st.text(alphabet="=+-@'\t\r\n,\"ab铜 ", max_size=6) for k in KEYS})


@settings(max_examples=300, deadline=None)
@given(st.lists(text_row, min_size=1, max_size=12), st.sampled_from([",", "\t"]))
def test_no_text_reads_back_as_a_formula(rows: list[dict[str, Any]], delimiter: str) -> None:
    """(Numbers are written as numbers: -1 is no formula.)"""
    text = to_delimited(rows, COLS, delimiter, header=False)
    back = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert len(back) == len(rows)
    for cells in back:
        for c in cells:
            assert not c.lstrip("'").startswith(("=", "+", "-", "@", "\t", "\r")) or c.startswith("'")


def test_plain_rows_are_written_as_they_are() -> None:
    rows = [{"a": i, "b": f"项目{i}", "c": None} for i in range(3000)]
    text = to_delimited(rows, COLS, "\t", header=False)
    assert text.splitlines()[2999] == "2999\t项目2999\t"
    assert escape_formula("=1") == "'=1"
