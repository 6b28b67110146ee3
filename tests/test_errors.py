"""Every bad input: one Chinese message on stderr naming what is wrong and what is right,
exit 1, nothing written, never a traceback.  Usage errors exit 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import Cli, dump


@pytest.fixture
def city(cli: Cli) -> Cli:
    cli("chain", "add", "有色金属", ok=True)
    cli("unit", "add", "爱辉区", ok=True)
    cli("add", "招什么", "铜箔项目", "--chain", "有色金属", ok=True)
    return cli


CASES = [
    (["add", "招商", "x", "--chain", "有色金属"], ["没有「招商」这个清单", "targets（招什么）"]),
    (["add", "招什么", "x", "--chain", "有色"], []),  # a unique part of the chain name is fine
    (["add", "招什么", "x", "--chain", "钢铁"], ["没有名为「钢铁」的产业链", "有色金属", "zs chain add 钢铁"]),
    (["add", "招什么", "x", "--chain", "有色金属", "投资=1"], ["没有「投资」这个字段", "投资额"]),
    (["add", "招什么", "x", "--chain", "有色金属", "投资额=很多"], ["投资额", "很多"]),
    (["add", "招什么", "x", "--chain", "有色金属", "时限=2026-02-30"], ["时限", "2026-02-30"]),
    (["add", "招什么", "x", "--chain", "有色金属", "优先级=D"], ["优先级", "「D」不是可选值", "A、B、C"]),
    (["add", "招什么", "x", "--chain", "有色金属", "责任单位=火星"], ["没有名为「火星」的招商主体"]),
    (["add", "招什么", "x", "--chain", "有色金属", "--status", "完成"], ["没有「完成」这个状态", "线索"]),
    (["add", "招什么", "x"], ["--chain"]),
    (["add", "招什么", "x", "--chain", "有色金属", "无等号"], ["字段=值"]),
    (["add", "招什么", "x", "--chain", "有色金属", "编号=5"], ["由系统维护"]),
    (["add", "解决什么", "x", "--chain", "有色金属", "关联项目=999"], ["没有编号为 999 的条目"]),
    (["show", "999"], ["没有编号为 999 的条目"]),
    (["edit", "999", "责任人=王"], ["没有编号为 999 的条目"]),
    (["edit", "1", "状态=已投产"], ["跨阶段推进", "--force"]),
    (["close", "1"], ["原因", "--reason"]),
    (["reopen", "1"], ["并未销号"]),
    (["restore", "1"], ["并未删除"]),
    (["list", "--status", "完成"], ["没有「完成」这个状态"]),
    (["list", "targets", "优先级>>A"], []),
    (["list", "targets", "不存在的字段=1"], ["没有「不存在的字段」这个字段"]),
    (["chain", "rm", "有色金属"], ["还有 1 个条目", "不能删除"]),
    (["chain", "add", "有色金属"], ["已存在"]),
    (["chain", "edit", "有色金属", "颜色=红"], ["没有「颜色」这一项"]),
    (["unit", "add", "新区", "类型=星球"], ["类型「星球」不可用"]),
    (["kinds", "火星"], ["没有「火星」这个清单"]),
]


@pytest.mark.parametrize(("args", "needles"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_user_errors(city: Cli, args: list[str], needles: list[str]) -> None:
    before = dump(city.db)
    r = city(*args)
    if not needles:
        assert r.exit_code in (0, 1)
        return
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert r.stdout == ""
    message = r.stderr.strip()
    assert 0 < len(message.splitlines()) <= 3, message
    for needle in needles:
        assert needle in message, message
    assert dump(city.db) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["frobnicate"], "没有命令「frobnicate」"),
        (["list", "--bogus"], "没有选项 --bogus"),
        (["show"], "缺少参数"),
        (["show", "abc"], "不是整数"),
        (["list", "--format", "xml"], "无效"),
    ],
)
def test_usage_errors_exit_2_in_chinese(cli: Cli, args: list[str], needle: str) -> None:
    r = cli(*args)
    assert r.exit_code == 2
    assert needle in r.stderr, r.stderr
    assert "用法：" in r.stderr
    assert "--help" in r.stderr


def test_help_is_chinese(cli: Cli) -> None:
    out = cli("--help", ok=True).stdout
    assert out.startswith("用法：zs [选项] 命令 [参数]...")
    for word in ("选项", "命令", "显示帮助并退出", "init", "list", "undo"):
        assert word in out
    assert "Show this message" not in out
    sub = cli("add", "--help", ok=True).stdout
    assert "参数" in sub and "--chain" in sub and "Options" not in sub


def test_newer_database_is_refused(db_path: Path, cli: Cli) -> None:
    cli("info", ok=True)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    r = cli("list", ok=False)
    assert r.exit_code == 1
    assert "更新版本的 zhaoshang" in r.stderr and "99" in r.stderr


def test_corrupt_and_foreign_files(tmp_path: Path, cli: Cli) -> None:
    from conftest import Cli as C

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    r = C(junk)("list")
    assert r.exit_code == 1 and "不是有效的 zhaoshang 数据库" in r.stderr
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    r = C(other)("list")
    assert r.exit_code == 1 and "不是 zhaoshang 数据库" in r.stderr
    r = C(tmp_path)("list")
    assert r.exit_code == 1 and "是一个目录" in r.stderr


def test_unexpected_errors_have_no_traceback(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import zhaoshang.items as items

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("模拟故障")

    monkeypatch.setattr(items, "iter_items", boom)
    r = cli("list")
    assert r.exit_code == 1
    assert "内部错误" in r.stderr and "模拟故障" in r.stderr
    assert "Traceback" not in r.stderr
