"""Values that parse but cannot be meant: completion of names that are shell code, a fund
amount that rounds to nothing, a status made a synonym of its opposite, months outside any
plausible range or before the project existed or after today, approval steps out of order,
a unit ranked before it existed or scored on a rate with nothing to count."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from _harness import PY, zs_env
from conftest import Cli, dump
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.cli.complete import quote
from zhaoshang.db import Database
from zhaoshang.definitions import load

HOSTILE_CHAINS = ["$(touch x)", "*", "`touch y`", "a b", "it's", "新能源"]


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    from zhaoshang import lookups

    path = tmp_path / "hostile.db"
    db = Database.open(path, load())
    with db.command("setup", user="测试员"):
        for name in HOSTILE_CHAINS:
            lookups.create(db, lookups.CHAIN, name, {})
    db.close()
    return path


def _bash_completions(tmp_path: Path, db: Path, words: str) -> list[str]:
    env = {**zs_env(tmp_path), "_ZS_COMPLETE": "complete_bash", "COMP_WORDS": words, "ZHAOSHANG_DB": str(db)}
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    r = subprocess.run([PY, "-m", "zhaoshang"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout.splitlines()


def test_completion_quotes_chain_names_for_bash(tmp_path: Path, hostile_db: Path) -> None:
    got = _bash_completions(tmp_path, hostile_db, "zs list --chain ")
    assert sorted(got) == sorted(["\\$\\(touch\\ x\\)", "\\*", "\\`touch\\ y\\`", "a\\ b", "it\\'s", "新能源"])


def test_completed_names_run_through_bash_stay_literal(tmp_path: Path, hostile_db: Path) -> None:
    """The real script in a real bash, in a folder full of files: what it puts in COMPREPLY,
    inserted into a command line and run, is each name as it is — no file touched, no glob."""
    from zhaoshang.cli.complete import script

    work = tmp_path / "work"
    work.mkdir()
    for name in ("f1", "f2"):
        (work / name).write_text("")
    (work / "*").write_text("")  # a file literally named *: the old script turned \* into it
    env = {**zs_env(tmp_path), "ZHAOSHANG_DB": str(hostile_db), "PATH": f"{Path(PY).parent}:/usr/bin:/bin"}
    zs = tmp_path / "zs"
    zs.write_text(f'#!/bin/sh\nexec "{PY}" -m zhaoshang "$@"\n')
    zs.chmod(0o755)
    body = (
        script("bash")
        + f"""
COMP_WORDS=(zs list --chain ""); COMP_CWORD=3
_zs_completion {zs}
for w in "${{COMPREPLY[@]}}"; do eval "printf '%s\\n' $w"; done
"""
    )
    r = subprocess.run(["bash", "--norc", "-c", body], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert sorted(r.stdout.splitlines()) == sorted(HOSTILE_CHAINS)
    assert sorted(p.name for p in work.iterdir()) == ["*", "f1", "f2"]  # no x, no y


def test_completion_quotes_for_zsh_and_powershell() -> None:
    assert quote("a\\", "zsh") == "a\\\\"  # the backslash the _arguments eval would eat
    assert quote("$(touch x)", "powershell") == "'$(touch x)'"
    assert quote("it's", "powershell") == "'it''s'"
    assert quote("新能源", "powershell") == quote("新能源", "bash") == "新能源"
    assert quote("a\nb", "bash") == "$'a\\x0ab'"


def test_completion_of_a_comma_list_keeps_quoting(tmp_path: Path, demo_db: Path) -> None:
    got = _bash_completions(tmp_path, demo_db, "zs list 招什么 --status 在谈,已")
    assert got == ["在谈,已签约", "在谈,已入统", "在谈,已开工", "在谈,已投产"]


def test_completion_script_for_bash_uses_mapfile(cli: Cli) -> None:
    r = cli("completion", "bash", ok=True)
    assert "mapfile -t COMPREPLY" in r.stdout and "$( env" not in r.stdout


# ---------------------------------------------------------------------------------------
# 到位资金: an amount that rounds to nothing, a month before the project existed
# ---------------------------------------------------------------------------------------


@pytest.fixture
def project(cli: Cli) -> Cli:
    for args in (
        ("chain", "add", "新能源"),
        ("add", "招什么", "储能项目", "--chain", "新能源"),
        ("stage", "1", "在谈", "--force", "--date", "2026-02-10"),
        ("fund", "1", "--month", "2026-03", "--domestic", "500"),
    ):
        cli(*args, ok=True)
    return cli


@pytest.mark.parametrize("amount", ["1e-10", "0.0000001", "0.00000000001亿"])
def test_an_amount_that_rounds_to_zero_is_refused_not_a_deletion(project: Cli, db_path: Path, amount: str) -> None:
    before = dump(db_path)
    r = project("fund", "1", "--month", "2026-03", "--domestic", amount, ok=False)
    assert f"「{amount}」太小" in r.stderr and "请把金额写为 0" in r.stderr, r.stderr
    assert dump(db_path) == before


def test_adding_down_to_zero_does_not_delete_the_month(project: Cli, db_path: Path) -> None:
    before = dump(db_path)
    r = project("fund", "1", "--month", "2026-03", "--domestic", "-500", "--add", ok=False)
    assert "累加后 2026-03 的到位资金为 0" in r.stderr and "没有改动" in r.stderr
    assert dump(db_path) == before
    r = project("fund", "1", "--month", "2026-03", "--domestic", "0", ok=True)
    assert "记录已删除" in r.stderr


def test_a_fund_month_before_the_project_existed_is_refused(project: Cli, db_path: Path) -> None:
    before = dump(db_path)
    r = project("fund", "1", "--month", "1999-01", "--domestic", "5", ok=False)
    assert "月份 1999-01 早于编号 1 最早的记录（2026-02-10" in r.stderr, r.stderr
    assert "补记它更早的阶段日期" in r.stderr
    assert dump(db_path) == before
    project("fund", "1", "--month", "2026-02", "--domestic", "5", ok=True)  # the month it began


# ---------------------------------------------------------------------------------------
# 同义词: never a status's opposite, never a status of the other side
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "word", "says"),
    [
        ("解决什么", "已销号", "未销号", "「未销号」是「已销号」的否定说法"),
        ("解决什么", "已销号", "尚未销号", "「尚未销号」是「已销号」的否定说法"),
        ("招什么", "已签约", "未簽約", "「未簽約」是「已签约」的否定说法"),
        ("招什么", "在谈", "不在谈", "「不在谈」是「在谈」的否定说法"),
        ("解决什么", "待办", "已经销号", "「已经销号」说的是「已销号」（已办结），而「待办」是未办结的状态"),
        ("解决什么", "办理中", "取消了", "「取消了」说的是「已取消」（已办结），而「办理中」是未办结的状态"),
        ("招什么", "在谈", "投产了", "「投产了」说的是「已投产」（已办结）"),
        ("解决什么", "已销号", "办理中", "「办理中」已经表示「办理中」"),
    ],
)
def test_a_synonym_that_says_the_opposite_is_refused(
    cli: Cli, db_path: Path, kind: str, value: str, word: str, says: str
) -> None:
    cli("init", ok=True)
    before = dump(db_path)
    r = cli("synonym", "add", kind, "状态", value, word, ok=False)
    assert says in r.stderr, r.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("kind", "field", "value", "word"),
    [
        ("解决什么", "状态", "待办", "未销号"),  # not closed: an open status, the right side
        ("解决什么", "状态", "已销号", "销号完毕"),
        ("招什么", "状态", "在谈", "洽谈中"),
        ("找谁招", "类别", "在京人员", "部委工作人员"),
    ],
)
def test_ordinary_synonyms_are_still_taught(cli: Cli, kind: str, field: str, value: str, word: str) -> None:
    cli("init", ok=True)
    r = cli("synonym", "add", kind, field, value, word, ok=True)
    assert f"「{word}」→「{value}」" in r.stderr


# ---------------------------------------------------------------------------------------
# Report periods: a plausible year, never a period still to come
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["monthly", "--month", "1900-01"], "统计期「1900年1月」早于 2000 年"),
        (["monthly", "--month", "1999-12"], "统计期「1999年12月」早于 2000 年"),
        (["monthly", "--month", "2027-01"], "统计期「2027年1月」还没开始（从 2027-01-01 起，今天是 2026-11-15）"),
        (["quarterly", "--quarter", "2027Q1"], "统计期「2027年第一季度」还没开始"),
        (["period", "2026-12上半月"], "统计期「2026年12月上半月」还没开始"),
        (["ranking", "--year", "2027"], "统计期「2027年」还没开始"),
        (["ranking", "--year", "2000"], None),
        (["monthly", "--month", "2026-11"], None),  # the month under way
    ],
)
def test_report_periods_outside_any_plausible_range_are_refused(
    cli: Cli, demo_db: Path, args: list[str], says: str | None
) -> None:
    r = cli("report", *args, "--today", "2026-11-15")
    if says is None:
        assert r.exit_code == 0, r.stderr
        return
    assert r.exit_code == 1 and says in r.stderr, r.stderr
    assert "1899" not in r.stderr and "请检查年份" in r.stderr


# ---------------------------------------------------------------------------------------
# 前期手续: a step dated out of the configured order
# ---------------------------------------------------------------------------------------


@pytest.fixture
def approving(cli: Cli) -> Cli:
    for args in (
        ("chain", "add", "新能源"),
        ("add", "招什么", "储能项目", "--chain", "新能源"),
        ("stage", "1", "在谈", "--force", "--date", "2026-02-10"),
        ("approve", "1", "立项", "--date", "2026-03-01"),
        ("approve", "1", "施工许可", "--date", "2026-06-01"),
    ):
        cli(*args, ok=True)
    return cli


@pytest.mark.parametrize(
    ("step", "day", "says"),
    [
        ("土地出让合同", "2026-02-28", "的办结日期 2026-02-28 早于前面的「立项」（2026-03-01）"),
        ("规划许可", "2026-06-02", "的办结日期 2026-06-02 晚于后面的「施工许可」（2026-06-01）"),
        ("立项", "2026-06-05", "「立项」的办结日期 2026-06-05 晚于后面的「施工许可」（2026-06-01）"),
    ],
)
def test_an_approval_step_out_of_order_is_refused_unless_forced(
    approving: Cli, db_path: Path, step: str, day: str, says: str
) -> None:
    before = dump(db_path)
    r = approving("approve", "1", step, "--date", day, ok=False)
    assert says in r.stderr and "加 --force 登记" in r.stderr, r.stderr
    assert dump(db_path) == before
    approving("approve", "1", step, "--date", day, "--force", ok=True)
    rows = __import__("json").loads(approving("approvals", "1", "-f", "json", ok=True).stdout)
    assert all(s["days"] is None or s["days"] >= 0 for s in rows)  # never 「距上一步 -1」
    assert any(s["state"] == "已办结（早于前一步）" for s in rows)


def test_approval_steps_in_order_and_on_the_same_day_are_accepted(approving: Cli) -> None:
    approving("approve", "1", "用地预审", "--date", "2026-03-01", ok=True)
    approving("approve", "1", "土地出让合同", "--date", "2026-04-01", ok=True)
    approving("approve", "1", "规划许可", "--date", "2026-06-01", ok=True)


# ---------------------------------------------------------------------------------------
# 擂台赛: only units that existed; a rate with nothing to count is not full points
# ---------------------------------------------------------------------------------------


def _exec(db_path: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    db = Database.open(db_path, load())
    with db.command("setup", user="测试员"):
        db.conn.execute(sql, params)
    db.close()


@pytest.fixture
def contest(cli: Cli, db_path: Path) -> Cli:
    for args in (
        ("chain", "add", "新能源"),
        ("unit", "add", "爱辉区"),
        ("unit", "add", "北安市"),
        ("unit", "add", "新设园区"),
        ("add", "招什么", "储能项目", "--chain", "新能源", "责任单位=爱辉区"),
        ("stage", "1", "在谈", "--force", "--date", "2026-03-02"),
        ("note", "1", "洽谈", "--type", "对接", "--date", "2026-03-05"),
        ("add", "招什么", "光伏项目", "--chain", "新能源", "责任单位=北安市"),
        ("stage", "2", "在谈", "--force", "--date", "2026-03-03"),
        ("note", "2", "洽谈", "--type", "对接", "--date", "2026-03-06"),
        ("add", "解决什么", "用地", "--chain", "新能源", "责任单位=北安市", "--date", "2026-04-01"),
    ):
        cli(*args, ok=True)
    # the units were set up long ago, except 新设园区: on 1 December
    _exec(db_path, "UPDATE units SET created_at = '2026-01-01T09:00:00' WHERE name != '新设园区'")
    _exec(db_path, "UPDATE units SET created_at = '2026-12-01T09:00:00' WHERE name = '新设园区'")
    return cli


def test_a_unit_ranks_only_from_the_period_it_existed(contest: Cli) -> None:
    import json

    nov = json.loads(contest("report", "ranking", "--today", "2026-11-30", "-f", "json", ok=True).stdout)
    assert "新设园区" not in [r["name"] for r in nov["rows"]]
    dec = json.loads(contest("report", "ranking", "--today", "2026-12-05", "-f", "json", ok=True).stdout)
    new = next(r for r in dec["rows"] if r["name"] == "新设园区")
    assert new["previous_rank"] is None  # not ranked at the end of November either
    monthly = json.loads(
        contest("report", "monthly", "--month", "2026-11", "--today", "2026-12-05", "-f", "json", ok=True).stdout
    )
    assert "新设园区" not in [r["name"] for r in monthly["ranking"]["rows"]]


def test_a_rate_with_nothing_to_count_is_not_full_points(contest: Cli) -> None:
    import json

    data = json.loads(contest("report", "ranking", "--today", "2026-11-30", "-f", "json", ok=True).stdout)
    rows = {r["name"]: r for r in data["rows"]}
    aihui, beian = rows["爱辉区"], rows["北安市"]
    # both: one contact each (best → 10 of 10), nothing else; 北安市's problem is open (0 of
    # 10), 爱辉区 has none: 销号率 不计, its 10 points scaled by 116/106 (the highest score
    # there is, with 销号率 and without it)
    assert "close_rate" not in aihui["points"] and "销号率无统计对象，不计（总分按其余指标折算）" in aihui["notes"]
    assert beian["points"]["close_rate"] == 0.0
    assert aihui["score"] == round(10 * 116 / 106, 2) and beian["score"] == 10.0
    assert aihui["score"] < 10 + 10  # never the old full marks for having no problems
    shown = contest("report", "ranking", "--today", "2026-11-30", "--explain", ok=True).stdout
    assert "不计" in shown and "无，满分" not in shown
    assert "没有统计对象时（本年没有问题）不计" in shown and "只有在统计截止日之前已存在的单位" in shown


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1))
def test_any_name_quoted_for_bash_reads_back_as_itself(name: str) -> None:
    """Whatever a chain is called, the word completion inserts is that name to bash."""
    word = quote(name, "bash")
    r = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"printf '%s' {word}"],
        capture_output=True,
        timeout=10,
        cwd="/",
    )
    assert r.returncode == 0 and r.stdout.decode("utf-8", "surrogateescape") == name, (name, word, r.stderr)
