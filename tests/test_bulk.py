"""Bulk edits the Taskwarrior way: `zs edit --where …` / `zs close --where …` select with the
filters of `zs list`, preview exactly what will change, ask, and run as one undoable command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Cli, dump

from zhaoshang import bulk
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.items import Filter

pytestmark = pytest.mark.engines


def _data(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the history of commands (an undo is itself recorded)."""
    return {k: v for k, v in dump(path).items() if k not in ("commands", "changes")}


def _ids(cli: Cli, *conditions: str) -> list[int]:
    return [r["id"] for r in json.loads(cli("list", *conditions, "-f", "json", "--columns", "id", ok=True).stdout)]


def test_preview_shows_every_change_and_writes_nothing(demo_db: Path) -> None:
    cli = Cli(demo_db)
    before = dump(demo_db)
    owned = _ids(cli, "责任人=吴昊")
    r = cli("edit", "--where", "责任人=吴昊", "责任人=李静", "--dry-run", ok=True)
    lines = r.stdout.splitlines()
    assert lines == [f"编号 {i}  责任人：吴昊 → 李静" for i in owned]
    assert f"符合条件 {len(owned)} 个条目，将修改 {len(owned)} 个" in r.stderr and "预演：没有写入" in r.stderr
    assert dump(demo_db) == before


def test_confirmation_then_one_undoable_command(demo_db: Path) -> None:
    cli = Cli(demo_db)
    before = dump(demo_db)
    owned = _ids(cli, "责任人=吴昊")
    r = cli("edit", "--where", "责任人=吴昊", "责任人=李静", ok=False)  # no terminal, no --yes: asks, refuses
    assert "需要确认：非交互运行时请加 --yes" in r.stderr and dump(demo_db) == before
    r = cli("edit", "--where", "责任人=吴昊", "责任人=李静", input="n\n", ok=False)
    assert "已取消" in r.stderr and dump(demo_db) == before
    r = cli("edit", "-w", "责任人=吴昊", "责任人=李静", input="y\n", ok=True)
    assert f"已修改 {len(owned)} 个条目" in r.stderr
    assert _ids(cli, "责任人=吴昊") == [] and _ids(cli, "责任人=李静")[: len(owned)] != []
    history = json.loads(cli("history", "-n", "1", "-f", "json", ok=True).stdout)[0]
    assert history["command"] == "edit" and {c["item_id"] for c in history["changes"]} == set(owned)
    cli("undo", "--yes", ok=True)
    assert _data(demo_db) == {k: v for k, v in before.items() if k not in ("commands", "changes")}


def test_conditions_combine_like_list_and_kind_narrows(demo_db: Path) -> None:
    cli = Cli(demo_db)
    want = _ids(cli, "招什么", "状态=在谈", "优先级=A")
    r = cli("edit", "--kind", "招什么", "-w", "状态=在谈", "-w", "优先级=A", "优先级=B", "--yes", ok=True)
    assert f"已修改 {len(want)} 个条目" in r.stderr
    assert _ids(cli, "招什么", "状态=在谈", "优先级=A") == []
    assert set(want) <= set(_ids(cli, "招什么", "优先级=B"))


def test_a_rule_broken_on_one_item_changes_none(demo_db: Path) -> None:
    cli = Cli(demo_db)
    before = dump(demo_db)
    r = cli("edit", "--kind", "招什么", "-w", "状态=已开工", "状态=在谈", "--yes", ok=False)
    assert r.stderr.startswith("编号 ") and "没有修改任何条目" in r.stderr
    assert dump(demo_db) == before


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["edit", "--where", "责任人=没有这个人", "责任人=李静", "--yes"], "没有符合条件的条目"),
        (["edit", "--where", "责任人=吴昊", "--yes"], "请写出要改成什么"),
        (["edit", "3", "--where", "责任人=吴昊", "责任人=李静"], "批量修改（--where）时不写编号「3」"),
        (["edit", "责任人=李静"], "请写出条目编号和 字段=值"),
        (["edit", "--where", "预算=1", "责任人=李静", "--yes"], "预算"),
        (["close", "--where", "时限>2000-01-01", "3"], "批量销号（--where）时不写编号「3」"),
    ],
)
def test_bulk_mistakes_are_messages(demo_db: Path, args: list[str], says: str) -> None:
    cli = Cli(demo_db)
    before = dump(demo_db)
    r = cli(*args, ok=False)
    assert says in r.stderr, r.stderr
    assert dump(demo_db) == before


def test_a_bulk_change_needs_a_condition(demo_db: Path) -> None:
    db = Database.open(demo_db, load())
    with pytest.raises(ZsError, match="至少要写一个条件"):
        bulk.edit_where(db, Filter(), {"owner": "李静"}, user="测试员")


def test_the_change_applies_to_the_items_previewed_or_to_none(demo_db: Path) -> None:
    db = Database.open(demo_db, load())
    flt = Filter(where=["责任人=吴昊"])
    preview = bulk.edit_where(db, flt, {"责任人": "李静"}, user="测试员")
    assert preview.command_id is None and preview.changed
    with pytest.raises(ZsError, match="确认期间符合条件的条目有了变化"):
        bulk.edit_where(db, flt, {"责任人": "李静"}, user="测试员", apply=True, expect=preview.ids[1:])
    done = bulk.edit_where(db, flt, {"责任人": "李静"}, user="测试员", apply=True, expect=preview.ids)
    assert done.command_id is not None and done.changed == preview.changed
    # (the same changes; PostgreSQL writes the rows of one multi-row statement in the order it
    # finds them, which a rolled-back preview can change)
    assert sorted((c.table, c.row_id, json.dumps(c.new, sort_keys=True)) for c in done.changes) == sorted(
        (c.table, c.row_id, json.dumps(c.new, sort_keys=True)) for c in preview.changes
    )


def test_close_where_closes_the_open_ones(demo_db: Path) -> None:
    cli = Cli(demo_db)
    open_ = _ids(cli, "解决什么", "--open")
    assert open_
    r = cli("close", "--kind", "解决什么", "--where", "时限<2099-01-01", "--reason", "集中办结", "--yes", ok=True)
    closed = [i for i in open_ if i in _ids(cli, "解决什么", "时限<2099-01-01")]
    assert f"已销号 {len(closed)} 个条目" in r.stderr
    assert not set(closed) & set(_ids(cli, "解决什么", "--open"))
    cli("undo", "--yes", ok=True)
    assert _ids(cli, "解决什么", "--open") == open_
