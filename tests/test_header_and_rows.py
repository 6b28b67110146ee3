"""Property tests for the header matcher and the row classifier.

* A field's label or alias, however it is written (traditional characters, full-width forms,
  spaces, a unit in brackets), is that field.
* A header containing a field's name is that field or is listed as ambiguous — never another
  field (the matcher does not guess).
* Every row of a sheet has a fate: it comes out as a data row, or it is classified with a
  reason; a data row is never dropped and a 合计 / 其中 / 落款 / 注 row is never a data row.
"""

from __future__ import annotations

from typing import Any

import opencc
from _harness import packaged_definitions
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zhaoshang.exchange import columns
from zhaoshang.exchange.readers import RawSheet
from zhaoshang.exchange.tables import HeaderCell, RowClass, find_table, parse_header

DEFS = packaged_definitions()
KINDS = list(DEFS.kinds)
_S2T = opencc.OpenCC("s2t")
_FULL = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def _names(kind: Any) -> list[tuple[str, str]]:
    """(written name, field key) for every label and alias that names one field only."""
    out = []
    for f in DEFS.fields_of(kind):
        if f.key in ("created_at", "updated_at", "closed_at", "kind"):
            continue
        for name in (f.label, *f.aliases):
            hit, _ = columns.field_match(DEFS, kind, (name,))
            if hit is not None and hit.key == f.key:
                out.append((name, f.key))
    return out


NAMED = [(k, name, key) for k in KINDS for name, key in _names(k)]


def _header(text: str) -> HeaderCell:
    t, label, unit = parse_header(text)
    return HeaderCell(0, "A", t, label, unit)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(NAMED),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["", " ", "\u3000", "\n"]),
    st.sampled_from(["", "（万元）", "(亿元)", "【万元】"]),
)
def test_a_name_however_written_is_its_field(entry: Any, trad: bool, full: bool, space: str, unit: str) -> None:
    kind, name, key = entry
    text = _S2T.convert(name) if trad else name
    if full:
        text = text.translate(_FULL)
    if space and len(text) > 1:
        text = text[0] + space + text[1:]
    mapping = columns.map_item_columns(DEFS, kind, [_header(text + unit)], {})
    assert [t.key for t in mapping.targets] == [key], (text + unit, mapping.unknown, mapping.ambiguous)


_FILLERS = st.text(alphabet="0123456789年月度本", max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NAMED), _FILLERS, _FILLERS)
def test_a_header_containing_a_name_is_that_field_or_ambiguous(entry: Any, before: str, after: str) -> None:
    kind, name, key = entry
    found, _names = columns.contained_match(DEFS, kind, before + name + after)
    assert found is None or found.key == key, (before + name + after, found.key)


def _cores(f: Any) -> set[str]:
    """The names a field is known by, as the matcher compares them (its header with the unit
    too: 时长（分钟） is a name of 时长)."""
    names = (f.label, f.header, *f.aliases)
    return {columns.header_core(x) for x in names} | {columns.name_core(x) for x in names}


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(KINDS),
    st.lists(st.sampled_from(sorted({n for _, n, _ in NAMED}) + list("的和与及年月")), max_size=4).map("".join),
)
@example(DEFS.kind("说什么"), "时长（分钟）ID")  # a field named by its header with the unit
def test_contained_match_only_names_a_field_whose_name_is_there(kind: Any, text: str) -> None:
    found, names = columns.contained_match(DEFS, kind, text)
    core = columns.header_core(text)
    assert all(n in core for n in names)
    if found is not None:
        assert any(n in _cores(found) for n in names)  # named by a name of its own, found in the header
        # and no other field's name is there, else it would be ambiguous (a name two fields share
        # goes to the kind's own field, as an exact header does)
        others = [f for f in DEFS.fields_of(kind) if any(n in _cores(f) and n not in _cores(found) for n in names)]
        assert not others


# -- rows ------------------------------------------------------------------------------------

_SAFE = "甲乙丙丁戊己庚辛壬癸"
_TITLE = st.builds(lambda a, b: f"{a}{b}项目", st.sampled_from(_SAFE), st.text(alphabet="铜铝锌光伏新材料", max_size=6))
_DATA = st.builds(lambda t, n: [t, "有色金属", n], _TITLE, st.integers(min_value=0, max_value=10_000))
_OTHER = st.sampled_from(
    [
        (["合计", None, 100], RowClass.total),
        (["小计", None, 100], RowClass.total),
        (["其中：新签约 3 个", None, 50], RowClass.breakdown),
        (["一、续建项目"], RowClass.section),
        ([], RowClass.blank),
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_DATA.map(lambda r: (r, None)), _OTHER), min_size=1, max_size=30), st.booleans())
def test_every_row_has_a_fate_and_no_data_row_is_lost(rows: list[tuple[list[Any], Any]], footer: bool) -> None:
    grid: list[list[Any]] = [["招商项目表"], ["填报单位：爱辉区"], ["项目名称", "产业链", "投资额"]]
    grid += [r for r, _ in rows]
    if footer:
        grid += [["制表：张三", None, "审核：李四"], ["注：金额单位万元"]]
    known = columns.known_labels(DEFS, KINDS, [], {})
    table = find_table(RawSheet("招什么", grid), known)
    data = {r.number: r.cells for r in table.rows}
    expected = {i + 4: r for i, (r, cls) in enumerate(rows) if cls is None}
    assert {n: c[0] for n, c in data.items()} == {n: r[0] for n, r in expected.items()}
    fates = {n: f.cls for f in table.fates for n in range(f.first, f.last + 1)}
    for i, (_r, cls) in enumerate(rows):
        if cls is not None:
            assert fates.get(i + 4) is cls, (i + 4, fates)
    # every row of the sheet is a data row or has a fate, never both
    assert set(fates) | set(data) == set(range(1, len(grid) + 1))
    assert not set(fates) & set(data)
    if footer:
        assert fates[len(grid) - 1] is RowClass.footer and fates[len(grid)] is RowClass.note
