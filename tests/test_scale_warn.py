"""``zs warn -f json`` streams warnings whose hits hold no text (title, status and owner are
read a batch at a time as they are written): the same warnings, in the same order, as the
warnings the table's full pass builds — on a generated backlog, with batches smaller than
the result.  (No timings here: ``benchmarks/`` measures them.)"""

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


@pytest.mark.parametrize("batch", [7, 5000])
@pytest.mark.parametrize("filters", [{}, {"min_light": RED}, {"chain": "新能源"}, {"types": {"stalled", "overdue"}}])
def test_streamed_warnings_are_those_of_the_full_pass(
    backlog: Path, batch: int, filters: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warnings, "FACTS_BATCH", batch)
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
