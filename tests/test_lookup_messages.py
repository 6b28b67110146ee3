"""Two small things a fresh tester saw: a unit edited by its name was said to be "taken by its
number", and a search without hits printed an empty table."""

from __future__ import annotations

from conftest import Cli


def test_a_unit_edited_by_its_name_is_not_said_to_be_a_guess(cli: Cli) -> None:
    cli("unit", "add", "爱辉区", ok=True)
    r = cli("unit", "edit", "爱辉区", "负责人=张三", ok=True)
    assert "按编号" not in r.stderr and "已修改：负责人" in r.stderr, r.stderr
    r = cli("unit", "edit", "1", "负责人=李四", ok=True)  # (a number typed is taken as the id, and said)
    assert "招商主体「1」按编号认作「爱辉区」" in r.stderr, r.stderr


def test_a_search_without_hits_prints_no_empty_table(cli: Cli) -> None:
    cli("chain", "add", "新能源", ok=True)
    cli("add", "招什么", "铜箔项目", "--chain", "新能源", ok=True)
    r = cli("search", "没有这个词", ok=True)
    assert r.stdout.strip() == "" and "找到 0 条" in r.stderr, (r.stdout, r.stderr)
    r = cli("search", "没有这个词", "-f", "json", ok=True)
    assert r.stdout.strip() == "[]"
