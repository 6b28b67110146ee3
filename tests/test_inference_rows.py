"""The rows an inference was used for, as people read them: runs, and a count when there are many."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.exchange.inference import Inference, Rule


def _used(rows: list[int]) -> Inference:
    inf = Inference(Rule.as_of, "招什么", "2026-12-07", "--as-of")
    for r in rows:
        inf.use(r)
    return inf


def test_few_runs_are_listed() -> None:
    assert _used([2, 3, 4, 9]).rows_text() == "第2–4、9行"


def test_many_runs_are_cut_with_the_count() -> None:
    text = _used(list(range(2, 60, 2))).rows_text()
    assert text == "第2、4、6、8、10、12、14、16、18、20、22、24……行，共 29 行"


@given(st.lists(st.integers(1, 500), min_size=1, max_size=80))
def test_the_text_names_every_row_or_the_count(rows: list[int]) -> None:
    inf = _used(rows)
    text = inf.rows_text()
    assert text.startswith("第") and text.endswith("行") and "行行" not in text
    if "共" in text:
        assert text.endswith(f"共 {len(set(rows))} 行")
    assert inf.rows == sorted(set(rows))
