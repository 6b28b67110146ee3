"""Undo deletes the rows a command inserted a table at a time, and does not first revert the
changes the same command made to those new rows (a county account's import marks each new
project and move 待认定 after inserting it: on a server, undoing 3,000 such rows took 14 s, a
statement per change).  Whatever a command did — new items changed, removed or moved on,
existing ones changed or removed, in any order — its undo leaves every table as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang import history, items, lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load

pytestmark = pytest.mark.engines


def _data(path: Path | str) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the history of commands (an undo is itself recorded)."""
    return {k: v for k, v in dump(path).items() if k not in ("commands", "changes", "zs_sequence")}


def _city(db: Database) -> list[int]:
    with db.command("setup", user="测试员"):
        lookups.create(db, lookups.CHAIN, "新能源", {})
        return [
            items.add(db, "招什么", f"已有项目{i}", chain="新能源", values={"投资额": str(1000 + i)}, on="2026-10-01")
            for i in range(3)
        ]


#: one step of a command: (what, which item: -1 a new one made earlier in the command, else an
#: existing one by position)
STEPS = st.lists(
    st.tuples(st.sampled_from(["add", "edit", "stage", "remove"]), st.integers(-1, 2)), min_size=1, max_size=12
)


def _run(db: Database, existing: list[int], steps: list[tuple[str, int]]) -> None:
    made: list[int] = []
    alive = set(existing)
    for n, (what, which) in enumerate(steps):
        if what == "add":
            made.append(items.add(db, "招什么", f"新项目{n}", chain="新能源", on="2026-11-02"))
            alive.add(made[-1])
            continue
        pool = [i for i in made if i in alive] if which < 0 else [existing[which]] if existing[which] in alive else []
        if not pool:
            continue
        target = pool[-1]
        if what == "edit":
            items.edit(db, target, {"负责人": f"王{n}", "投资额": str(2000 + n)})
        elif what == "stage":
            status = items.get(db, target)["status"]
            items.set_status(db, target, "在谈" if status != "在谈" else "已签约", on="2026-11-03", force=True)
        else:
            items.remove(db, target)
            alive.discard(target)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_undo_gives_back_every_table_as_it_was(db_path: Path, steps: list[tuple[str, int]]) -> None:
    """(one database for every example: each ends undone, as it began)"""
    db = Database.open(db_path, load())
    try:
        existing = _city(db) if db.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0 else [1, 2, 3]
        before = _data(db_path)
        with db.command("script", user="测试员") as cmd:
            _run(db, existing, steps)
        if _data(db_path) != before:  # (a command that changed nothing is not kept)
            with db.command("undo", user="测试员"):
                history.undo_command(db, cmd.id, user="测试员")
    finally:
        db.close()
    assert _data(db_path) == before


def test_a_new_item_changed_in_its_own_command_goes_with_it(db_path: Path) -> None:
    db = Database.open(db_path, load())
    try:
        existing = _city(db)
        before = _data(db_path)
        with db.command("import", user="测试员"):
            new = [items.add(db, "招什么", f"县报项目{i}", chain="新能源", on="2026-11-02") for i in range(250)]
            for i in new:  # (as a county's import marks its rows: each new row then changed)
                items.edit(db, i, {"负责人": "县里"})
                items.set_status(db, i, "在谈", on="2026-11-03")
            items.edit(db, existing[0], {"负责人": "市里"})
        with db.command("undo", user="测试员"):
            entry, _ = history.undo_last(db, expected=None, user="测试员")
        assert entry.name == "import"
    finally:
        db.close()
    assert _data(db_path) == before
