"""``zs warn -f json`` streams warnings: a first pass keeps only each warning's sort key (in
sorted runs), then each batch of keys, in order, is checked again item by item and built.
The same warnings, in the same order, as the warnings the table's full pass builds — on a
generated backlog, with runs and batches smaller than the result; and one snapshot for both
passes.  (No timings here: ``benchmarks/`` measures them.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from _harness import generate

from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.pipeline import warnings
from zhaoshang.pipeline.common import RED

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def backlog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backlog") / "zs.db"
    generate(path, 1200, seed=5, today=TODAY, shape="backlog", fts=False)
    return path


@pytest.mark.parametrize(("batch", "run"), [(7, 5), (5000, 200_000), (64, 1000)])
@pytest.mark.parametrize("filters", [{}, {"min_light": RED}, {"chain": "新能源"}, {"types": {"stalled", "overdue"}}])
def test_streamed_warnings_are_those_of_the_full_pass(
    backlog: Path, batch: int, run: int, filters: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warnings, "_CHECK_BATCH", batch)
    monkeypatch.setattr(warnings, "_RUN", run)
    db = Database.open(backlog, load())
    full = warnings.overview(db, today=TODAY, per_group=None, **filters)  # type: ignore[arg-type]
    every = [w for g in full.groups for w in g.warnings]
    order = list(warnings.TYPES)
    every.sort(key=lambda w: (w.light != RED, -w.over, w.id, order.index(w.type)))
    streamed = list(warnings.iter_warnings(db, today=TODAY, **filters))  # type: ignore[arg-type]
    assert streamed == every
    assert len(streamed) > (10 if filters else 500)
    assert all(w.title and w.status for w in streamed)
    db.close()


def test_the_stream_is_one_snapshot(backlog: Path, tmp_path: Path) -> None:
    """An item closed by another program while the warnings are written: the stream is what
    the database held when it began (the second pass reads the same snapshot)."""
    import shutil

    copy = tmp_path / "zs.db"
    shutil.copy(backlog, copy)
    db = Database.open(copy, load())
    other = Database.open(copy, load())
    expected = list(warnings.iter_warnings(db, today=TODAY))
    stream = warnings.iter_warnings(db, today=TODAY)
    first = next(stream)
    with other.command("close", user="测试员"):
        other.conn.execute("UPDATE items SET closed_at = '2026-12-07' WHERE id = ?", (expected[-1].id,))
    assert [first, *stream] == expected
    assert not db.conn.in_transaction  # the snapshot ended with the stream
    assert expected[-1].id not in {w.id for w in warnings.iter_warnings(db, today=TODAY)}
    other.close()
    db.close()


@pytest.mark.parametrize("keys", [[5, 3, 1 << 63], [1 << 64, 3, 5], [-1, 3, 5]])
def test_keys_that_do_not_fit_eight_bytes_stay_numbers(keys: list[int]) -> None:
    found = warnings._Found(1, 1 << 40)
    want = sorted(keys)
    found.add_run(keys)
    assert list(found.runs[0]) == want
    assert keys == []
