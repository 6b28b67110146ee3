"""Writes at the terminal (issue 29, round 2): guesses named in the confirmation, the total
when --limit cuts a listing, several ids in one command, a past 对接记录 changed or
removed, long text in $EDITOR, what falls due soon, saved filters."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from _harness import rows
from conftest import Cli, dump

pytestmark = pytest.mark.engines


def _commands(db: Path) -> list[tuple[int, str]]:
    return rows(db, "SELECT id, name FROM commands ORDER BY id")


def _item(cli: Cli, item_id: int) -> dict[str, object]:
    return dict(json.loads(cli("show", str(item_id), "-f", "json", ok=True).stdout))


# ---------------------------------------------------------------------------------------
# item 5: a name taken from a unique prefix is named
# ---------------------------------------------------------------------------------------


def test_edit_names_the_chain_a_prefix_was_taken_for(demo_db: Path) -> None:
    cli = Cli(demo_db)
    r = cli("edit", "15", "产业链=新", ok=True)
    assert "产业链「新」按唯一前缀认作「新能源」" in r.stderr
    assert "编号 15 已修改：产业链" in r.stderr
    assert _item(cli, 15)["chain"] == "新能源"


def test_add_names_the_chain_and_unit_guessed(demo_db: Path) -> None:
    cli = Cli(demo_db)
    r = cli("add", "招什么", "测试项目", "-c", "新", "责任单位=爱辉", ok=True)
    assert "产业链「新」按唯一前缀认作「新能源」" in r.stderr
    assert "责任单位「爱辉」按唯一前缀认作「爱辉区」" in r.stderr
    new = _item(cli, int(r.stdout.strip()))
    assert (new["chain"], new["unit"]) == ("新能源", "爱辉区")


def test_a_part_of_a_name_and_an_id_are_named_too(demo_db: Path) -> None:
    cli = Cli(demo_db)
    r = cli("edit", "15", "责任单位=自贸区", ok=True)
    assert "责任单位「自贸区」按名称中唯一含有它认作「中俄自贸区黑河片区」" in r.stderr
    r = cli("edit", "15", "产业链=4", ok=True)
    assert "产业链「4」按编号认作「新能源」" in r.stderr


def test_a_full_name_is_not_a_guess(demo_db: Path) -> None:
    r = Cli(demo_db)("edit", "15", "产业链=新能源", "责任单位=爱辉区", ok=True)
    assert "认作" not in r.stderr


def test_bulk_edit_and_dry_run_name_the_guess(demo_db: Path) -> None:
    cli = Cli(demo_db)
    r = cli("edit", "--where", "责任人=吴昊", "产业链=新", "--dry-run", ok=True)
    assert "产业链「新」按唯一前缀认作「新能源」" in r.stderr
    r = cli("edit", "15", "16", "产业链=新", "--dry-run", ok=True)
    assert "产业链「新」按唯一前缀认作「新能源」" in r.stderr


# ---------------------------------------------------------------------------------------
# item 6: the total when --limit cut the listing
# ---------------------------------------------------------------------------------------


def test_list_limit_says_the_total(demo_db: Path) -> None:
    cli = Cli(demo_db)
    total = len(json.loads(cli("list", "招什么", "-f", "json", ok=True).stdout))
    assert total > 3
    r = cli("list", "招什么", "-n", "3", ok=True)
    assert f"显示 3 条，共 {total} 条" in r.stderr
    r = cli("list", "招什么", "-n", str(total), ok=True)
    assert f"共 {total} 条" in r.stderr and "显示" not in r.stderr
    r = cli("list", "招什么", "--status", "在谈", "--where", "优先级=A", "-n", "1", ok=True)
    n = len(json.loads(cli("list", "招什么", "--status", "在谈", "--where", "优先级=A", "-f", "json").stdout))
    assert (f"显示 1 条，共 {n} 条" if n > 1 else "共 1 条") in r.stderr


# ---------------------------------------------------------------------------------------
# item 10: several ids, one command, one undo
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["close", "15", "17", "-r", "测试"],
        ["close", "15,17", "-r", "测试"],
        ["edit", "15", "17", "优先级=C"],
        ["edit", "15-17", "责任人=李静"],
        ["stage", "17", "18", "已入统"],
        ["rm", "LAST-1", "LAST"],
    ],
    ids=" ".join,
)
def test_several_ids_are_one_command_and_one_undo(demo_db: Path, argv: list[str]) -> None:
    cli = Cli(demo_db)
    last = max(r["id"] for r in json.loads(cli("list", "-f", "json", ok=True).stdout))  # (nothing refers to it)
    argv = [{"LAST": str(last), "LAST-1": str(last - 1)}.get(a, a) for a in argv]
    before = dump(demo_db)
    commands = _commands(demo_db)
    r = cli(*argv, ok=True)
    assert len(_commands(demo_db)) == len(commands) + 1
    assert "是一次操作" in r.stderr
    cli("undo", "--yes", ok=True)
    after = dump(demo_db)
    assert {k: v for k, v in after.items() if k not in ("commands", "changes")} == {
        k: v for k, v in before.items() if k not in ("commands", "changes")
    }


def test_reopen_several(demo_db: Path) -> None:
    cli = Cli(demo_db)
    cli("close", "15", "17", "-r", "测试", ok=True)
    r = cli("reopen", "15", "17", ok=True)
    assert "编号 15：退库 → 在谈" in r.stderr and "编号 17：退库 → 已签约" in r.stderr


def test_one_bad_id_changes_none(demo_db: Path) -> None:
    cli = Cli(demo_db)
    before = dump(demo_db)
    r = cli("close", "15", "99999", "-r", "测试", ok=False)
    assert "99999" in r.stderr
    assert dump(demo_db) == before


def test_ids_are_checked(demo_db: Path) -> None:
    cli = Cli(demo_db)
    assert "范围写成" in cli("close", "17-15", ok=False).stderr
    assert "不是条目编号" in cli("rm", "15", "abc", ok=False).stderr
    assert "一次最多" in cli("rm", "1-99999999", ok=False).stderr


# ---------------------------------------------------------------------------------------
# item 10: a past 对接记录 changed or removed, recorded and undoable
# ---------------------------------------------------------------------------------------


def _first_note(cli: Cli, item_id: int) -> dict[str, object]:
    return dict(json.loads(cli("notes", str(item_id), "-f", "json", ok=True).stdout)[0])


def test_note_edit_and_undo(demo_db: Path) -> None:
    cli = Cli(demo_db)
    note = _first_note(cli, 15)
    before = dump(demo_db)["activities"]
    r = cli("note", "edit", str(note["id"]), "改正后的内容", "--type", "走访", ok=True)
    assert f"已修改编号 15 的对接记录 {note['id']}" in r.stderr
    assert f"内容：{note['summary']} → 改正后的内容" in r.stderr
    assert _first_note(cli, 15)["summary"] == "改正后的内容"
    assert _first_note(cli, 15)["type"] == "走访"
    cli("undo", "--yes", ok=True)
    assert dump(demo_db)["activities"] == before


def test_note_edit_checks_like_note(demo_db: Path) -> None:
    cli = Cli(demo_db)
    note = _first_note(cli, 15)
    before = dump(demo_db)
    assert "应晚于" in cli("note", "edit", str(note["id"]), "--next", "2000-01-01", ok=False).stderr
    assert "请写出要改什么" in cli("note", "edit", str(note["id"]), ok=False).stderr
    assert "没有记录号为 999999" in cli("note", "edit", "999999", "x", ok=False).stderr
    assert "只写记录号" in cli("note", "rm", str(note["id"]), "--date", "昨天", ok=False).stderr
    assert dump(demo_db) == before


def test_note_rm_and_undo(demo_db: Path) -> None:
    cli = Cli(demo_db)
    note = _first_note(cli, 15)
    before = dump(demo_db)["activities"]
    r = cli("note", "rm", str(note["id"]), ok=True)
    assert f"已删除编号 15 的对接记录 {note['id']}" in r.stderr
    assert note["id"] not in [n["id"] for n in json.loads(cli("notes", "15", "-f", "json").stdout)]
    cli("undo", "--yes", ok=True)
    assert dump(demo_db)["activities"] == before


def test_note_rm_keeps_a_visit_problems_came_from(demo_db: Path) -> None:
    cli = Cli(demo_db)
    aid = cli("note", "15", "走访了企业", "-t", "走访", "-p", "用地指标不足", ok=True).stdout.split()[0]
    r = cli("note", "rm", aid, ok=False)
    assert "登记过问题" in r.stderr


# ---------------------------------------------------------------------------------------
# item 10: long text in $EDITOR
# ---------------------------------------------------------------------------------------


def _editor(tmp_path: Path, text: str) -> str:
    """An $EDITOR that keeps the file's comment lines, shows the rest, and writes ``text``."""
    script = tmp_path / "editor.sh"
    seen = tmp_path / "seen.txt"
    script.write_text(f'#!/bin/sh\ncp "$1" "{seen}"\nprintf "%s\\n" "{text}" > "$1"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_note_text_from_the_editor(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "编辑器里写的一段长内容"))
    monkeypatch.delenv("VISUAL", raising=False)
    cli = Cli(demo_db)
    r = cli("note", "15", "--edit", ok=True)
    aid = int(r.stdout.split()[0])
    assert _first_note(cli, 15)["summary"] == "编辑器里写的一段长内容"
    r = cli("note", "edit", str(aid), "--edit", ok=True)  # opens with the stored text
    assert "编辑器里写的一段长内容" in (tmp_path / "seen.txt").read_text(encoding="utf-8")


def test_field_from_the_editor(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "第二轮洽谈已完成"))
    monkeypatch.delenv("VISUAL", raising=False)
    cli = Cli(demo_db)
    r = cli("edit", "15", "--edit", "进展", ok=True)
    assert "编号 15 已修改" in r.stderr
    assert "第二轮洽谈已完成" in json.dumps(_item(cli, 15), ensure_ascii=False)
    assert "一次只编辑一个条目" in cli("edit", "15", "16", "--edit", "进展", ok=False).stderr


def test_an_emptied_editor_cancels(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", _editor(tmp_path, ""))
    monkeypatch.delenv("VISUAL", raising=False)
    before = dump(demo_db)
    r = Cli(demo_db)("note", "15", "--edit", ok=False)
    assert "已取消" in r.stderr
    assert dump(demo_db) == before


# ---------------------------------------------------------------------------------------
# item 10: what falls due soon
# ---------------------------------------------------------------------------------------


def test_agenda_lists_follow_ups_and_deadlines_ahead(demo_db: Path) -> None:
    cli = Cli(demo_db)
    new = cli("add", "招什么", "测试项目", "-c", "新能源", ok=True).stdout.strip()
    cli("note", new, "谈了价格", "--date", "2026-11-10", "--next", "2026-11-15", ok=True)
    cli("edit", "17", "时限=2026-11-19", ok=True)
    rows = json.loads(cli("agenda", "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    assert ("2026-11-15", "follow_up", int(new)) in {(r["date"], r["what"], r["id"]) for r in rows}
    assert all(r["date"] == "2026-11-15" for r in rows)
    rows = json.loads(cli("agenda", "--today", "2026-11-15", "--week", "-f", "json", ok=True).stdout)
    assert ("2026-11-19", "due", 17) in {(r["date"], r["what"], r["id"]) for r in rows}
    assert all("2026-11-15" <= r["date"] <= "2026-11-21" for r in rows)
    r = cli("agenda", "--today", "2026-11-15", "--week", ok=True)
    assert "时限到期" in r.stdout and "跟进" in r.stdout and "7 天内" in r.stderr
    assert "只写一个" in cli("agenda", "--week", "--days", "3", ok=False).stderr


# ---------------------------------------------------------------------------------------
# item 10: saved filters
# ---------------------------------------------------------------------------------------


def test_saved_filter(demo_db: Path) -> None:
    cli = Cli(demo_db)
    wanted = json.loads(cli("list", "招什么", "--owner", "李静", "--open", "-f", "json", ok=True).stdout)
    r = cli("list", "招什么", "--owner", "李静", "--open", "--save", "李静在办", ok=True)
    assert "已保存筛选「李静在办」" in r.stderr
    assert Path(os.environ["ZHAOSHANG_CONFIG"]).with_name("filters.toml").exists()
    got = json.loads(cli("list", "@李静在办", "-f", "json", ok=True).stdout)
    assert [g["id"] for g in got] == [w["id"] for w in wanted]
    level = f"优先级={wanted[0]['priority']}"
    narrower = json.loads(cli("list", "@李静在办", level, "-f", "json", ok=True).stdout)
    same = json.loads(cli("list", "招什么", "--owner", "李静", "--open", level, "-f", "json", ok=True).stdout)
    assert narrower == same and 0 < len(narrower) <= len(wanted)
    assert "已有：@李静在办" in cli("list", "@别的", ok=False).stderr
    assert "不可用" in cli("list", "--owner", "李静", "--save", "有 空格", ok=False).stderr


def test_notes_limit_says_the_total(demo_db: Path) -> None:
    cli = Cli(demo_db)
    total = len(json.loads(cli("notes", "-f", "json", ok=True).stdout))
    r = cli("notes", "-n", "2", ok=True)
    assert f"显示 2 条对接记录，共 {total} 条对接记录" in r.stderr
    assert f"共 {total} 条对接记录" in cli("notes", "-n", str(total), ok=True).stderr
