"""Items at the terminal: add, list (filters, formats), show, edit, close, reopen, rm, restore."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from conftest import Cli, dump

pytestmark = pytest.mark.engines


@pytest.fixture
def city(cli: Cli) -> Cli:
    """An empty database with two chains and two units."""
    cli("chain", "add", "有色金属", "包保领导=王建国", "牵头单位=市工信局", ok=True)
    cli("chain", "add", "大豆加工", ok=True)
    cli("unit", "add", "爱辉区", ok=True)
    cli("unit", "add", "北安市", ok=True)
    return cli


def test_add_prints_new_id_and_stores_parsed_values(city: Cli) -> None:
    r = city(
        "add",
        "招什么",
        "年产5万吨铜箔项目",
        "--chain",
        "有色金属",
        "投资额=3.56亿",
        "优先级=A",
        "责任人=王强",
        "责任单位=爱辉区",
        "时限=2026年6月30日",
        ok=True,
    )
    assert r.stdout == "1\n"
    assert "编号 1" in r.stderr
    rec = json.loads(city("show", "1", "--format", "json", ok=True).stdout)
    assert rec["id"] == 1
    assert rec["kind"] == "targets"
    assert rec["chain"] == "有色金属"
    assert rec["title"] == "年产5万吨铜箔项目"
    assert rec["status"] == "线索"
    assert rec["investment"] == 35600
    assert rec["priority"] == "A"
    assert rec["owner"] == "王强"
    assert rec["unit"] == "爱辉区"
    assert rec["due"] == "2026-06-30"
    assert rec["category"] == "项目"  # YAML default
    assert rec["status_log"][0]["to_status"] == "线索"


def test_ids_are_global_across_kinds(city: Cli) -> None:
    ids = [
        city("add", "有什么", "铜矿资源", "--chain", "有色金属", ok=True).stdout.strip(),
        city("add", "解决什么", "用地审批慢", "--chain", "有色金属", ok=True).stdout.strip(),
        city("add", "找谁招", "王振华", "--chain", "大豆加工", ok=True).stdout.strip(),
    ]
    assert ids == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("招什麼", "投資額=1億"),
        ("targets", "investment=10000"),
        ("项目", "总投资＝1亿元"),
        ("招什么", "投资额：10000万"),
    ],
)
def test_traditional_and_aliases_and_fullwidth_separators(city: Cli, kind: str, field: str) -> None:
    city("add", kind, "项目甲", "--chain", "有色金属", field, ok=True)
    rec = json.loads(city("show", "1", "--format", "json", ok=True).stdout)
    assert rec["investment"] == 10000


def test_money_in_usd_field_and_currency_mixup_is_an_error(city: Cli) -> None:
    city("add", "招什么", "外资项目", "--chain", "有色金属", "外资额=36.5亿美元", ok=True)
    assert json.loads(city("show", "1", "-f", "json").stdout)["foreign_investment"] == 365000
    before = dump(city.db)
    r = city("add", "招什么", "错币种", "--chain", "有色金属", "投资额=2000万美元", ok=False)
    assert r.exit_code == 1
    assert "投资额" in r.stderr and "美元" in r.stderr
    assert dump(city.db) == before


def test_list_filters_and_json_shape(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", "投资额=3亿", "责任人=王强", "责任单位=爱辉区", ok=True)
    city("add", "招什么", "钼精矿项目", "--chain", "有色金属", "投资额=8000", "优先级=C", ok=True)
    city("add", "招什么", "大豆蛋白项目", "--chain", "大豆加工", "投资额=6亿", "时限=2020-01-01", ok=True)
    city("add", "解决什么", "用地审批慢", "--chain", "有色金属", "时限=2020-01-01", ok=True)

    def ids(*args: str) -> list[int]:
        return [r["id"] for r in json.loads(city("list", *args, "--format", "json", ok=True).stdout)]

    assert ids() == [1, 2, 3, 4]
    assert ids("targets") == [1, 2, 3]
    assert ids("--chain", "有色金属") == [1, 2, 4]
    assert ids("--chain", "大豆") == [3]  # a unique part of the name
    assert ids("--owner", "王强") == [1]
    assert ids("--unit", "爱辉区") == [1]
    assert ids("--overdue") == [3, 4]
    assert ids("targets", "投资额>=10000") == [1, 3]
    assert ids("targets", "投資額<10000") == [2]
    assert ids("targets", "优先级=C") == [2]
    assert ids("targets", "优先级!=C") == [1, 3]
    assert ids("targets", "名称~项目") == [1, 2, 3]
    # what Chinese input methods type: no shell quoting needed
    assert ids("targets", "投资额≥10000") == ids("targets", "投资额＞＝10000") == [1, 3]
    assert ids("targets", "投资额≤8000") == ids("targets", "投资额＜10000") == [2]
    assert ids("targets", "投资额＞30000") == [3]
    assert ids("targets", "优先级≠C") == ids("targets", "优先级！＝C") == [1, 3]
    assert ids("targets", "名称～蛋白") == [3]
    assert ids("targets", "--sort", "投资额", "--desc") == [3, 1, 2]
    assert ids("--status", "在谈") == []
    rows = json.loads(city("list", "targets", "-f", "json").stdout)
    assert isinstance(rows[0]["investment"], int | float)
    assert rows[2]["due"] == "2020-01-01"
    assert {"id", "kind", "chain", "title", "status", "owner", "unit", "due"} <= rows[0].keys()


def test_list_formats(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", "投资额=3亿", ok=True)
    out = city("list", "targets", "--format", "csv", "--keys", ok=True).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["id"] == "1" and rows[0]["title"] == "铜箔项目" and rows[0]["investment"] == "30000"
    tsv = city("list", "targets", "--format", "tsv", ok=True).stdout
    assert tsv.splitlines()[1].split("\t")[:3] == ["1", "targets", "有色金属"]
    data = yaml.safe_load(city("list", "targets", "--format", "yaml", ok=True).stdout)
    assert data[0]["title"] == "铜箔项目"
    table = city("list", "targets", ok=True).stdout
    assert table.splitlines()[0].split()[:4] == ["编号", "产业链", "项目名称", "状态"]
    assert "\x1b[" not in table  # no colour off a terminal
    assert city("list", "targets", ok=True).stderr.strip() == "共 1 条"


def test_empty_list_is_success(city: Cli) -> None:
    r = city("list", "problems", "--format", "json", ok=True)
    assert json.loads(r.stdout) == []


def test_edit_changes_only_given_fields_and_reports_them(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", "投资额=3亿", ok=True)
    r = city("edit", "1", "责任人=李四", "投资额=30000", ok=True)
    assert r.stderr.strip() == "编号 1 已修改：责任人"
    r = city("edit", "1", "投资额=", ok=True)  # empty value clears
    assert json.loads(city("show", "1", "-f", "json").stdout)["investment"] is None
    r = city("edit", "1", "产业链=大豆加工", ok=True)
    assert json.loads(city("show", "1", "-f", "json").stdout)["chain"] == "大豆加工"


def test_pipeline_rules_on_status_edit(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", ok=True)
    before = dump(city.db)
    r = city("edit", "1", "状态=已开工", ok=False)
    assert "跨阶段" in r.stderr and "--force" in r.stderr
    assert dump(city.db) == before
    city("edit", "1", "状态=在谈", ok=True)
    city("edit", "1", "状态=已开工", "--force", ok=True)
    log = json.loads(city("show", "1", "-f", "json").stdout)["status_log"]
    assert [(x["to_status"], x["flag"]) for x in log] == [("线索", None), ("在谈", None), ("已开工", "skip")]
    r = city("edit", "1", "状态=退库", ok=False)
    assert "原因" in r.stderr


def test_close_and_reopen(city: Cli) -> None:
    city("add", "解决什么", "用地审批慢", "--chain", "有色金属", ok=True)
    city("edit", "1", "状态=办理中", ok=True)
    r = city("close", "1", ok=False)
    assert "原因" in r.stderr  # 销号 needs a resolution
    city("close", "1", "--reason", "已协调解决", ok=True)
    rec = json.loads(city("show", "1", "-f", "json").stdout)
    assert rec["status"] == "已销号" and rec["closed_at"]
    assert rec["status_log"][-1]["reason"] == "已协调解决"
    r = city("close", "1", ok=False)
    assert "已是「已销号」" in r.stderr
    city("reopen", "1", ok=True)
    rec = json.loads(city("show", "1", "-f", "json").stdout)
    assert rec["status"] == "办理中" and rec["closed_at"] is None


def test_rm_restore_and_undo(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", "投资额=3亿", ok=True)
    city("edit", "1", "状态=在谈", ok=True)
    full = dump(city.db)["kind_targets"]
    city("rm", "1", ok=True)
    r = city("show", "1", ok=False)
    assert "已删除" in r.stderr and "zs restore 1" in r.stderr
    city("restore", "1", ok=True)
    rec = json.loads(city("show", "1", "-f", "json").stdout)
    assert rec["status"] == "在谈" and len(rec["status_log"]) == 2
    assert dump(city.db)["kind_targets"] == full
    city("rm", "1", ok=True)
    city("undo", "--yes", ok=True)
    assert json.loads(city("show", "1", "-f", "json").stdout)["title"] == "铜箔项目"


def test_show_table_lists_fields_and_sections(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", "投资额=3.56亿", "优先级=A", ok=True)
    out = city("show", "1", ok=True).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["编号", "1"]
    assert "投资额（万元）  35600" in out
    assert "【状态变更】" in out


def test_search_any_length(city: Cli) -> None:
    city("add", "招什么", "年产5万吨高纯铜箔项目", "--chain", "有色金属", "目标企业=江西铜业", ok=True)
    city("add", "有什么", "铜矿资源", "--chain", "有色金属", ok=True)
    city("add", "招什么", "大豆分离蛋白项目", "--chain", "大豆加工", "备注=对接山东禹王", ok=True)

    def ids(text: str) -> list[int]:
        return sorted(r["id"] for r in json.loads(city("search", text, "-f", "json", ok=True).stdout))

    assert ids("铜") == [1, 2]
    assert ids("铜矿") == [2]
    assert ids("高纯铜箔") == [1]
    assert ids("江西铜业") == [1]  # a kind field
    assert ids("山东禹王") == [3]  # notes
    assert ids("銅礦") == [2]  # traditional input
    assert ids("铜 项目") == [1]  # all words
    assert ids("不存在的词") == []
    assert ids("100%") == []


def test_search_stays_current_after_edit_and_rm(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", ok=True)
    city("edit", "1", "名称=铝箔项目", ok=True)
    assert json.loads(city("search", "铜箔", "-f", "json").stdout) == []
    assert len(json.loads(city("search", "铝箔项目", "-f", "json").stdout)) == 1
    city("rm", "1", ok=True)
    assert json.loads(city("search", "铝箔项目", "-f", "json").stdout) == []
    city("undo", "--yes", ok=True)
    assert len(json.loads(city("search", "铝箔项目", "-f", "json").stdout)) == 1


def test_kinds_lists_seven_kinds(cli: Cli) -> None:
    out = cli("kinds", ok=True).stdout
    for name in ("有什么", "招什么", "去哪招", "说什么", "找谁招", "配套什么", "解决什么"):
        assert name in out
    data = json.loads(cli("kinds", "-f", "json", ok=True).stdout)
    assert [k["key"] for k in data] == ["assets", "targets", "events", "pitches", "contacts", "supports", "problems"]
    targets = data[1]
    names = [s["name"] for s in targets["statuses"]][:7]
    assert names == ["谋划储备", "线索", "在谈", "已签约", "已入统", "已开工", "已投产"]


def test_info_reports_path_version_counts(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", ok=True)
    data = json.loads(city("info", "-f", "json", ok=True).stdout)
    assert data["path"] == str(city.db)  # a file's path, or the server's URL
    assert data["schema_version"] >= 2
    assert data["counts"]["targets"] == 1 and data["counts"]["chains"] == 2


def test_readme_filter_examples_survive_bash(tmp_path: Path) -> None:
    """Every `zs list` filter example in the README, pasted into bash, reaches zs whole: a bare
    `>` would be a redirect that creates a file and drops the condition."""
    import re
    import shutil
    import subprocess
    import sys

    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    lines = [ln.strip().removeprefix("$ ") for ln in readme.splitlines()]
    # " > 文件.csv" at the end is a redirect meant as one
    examples = [
        ln.split(" > ")[0]
        for ln in lines
        if re.match(r"zs (list|export|edit)\b", ln) and re.search(r"[<>≥≤＞＜≠]", ln.split(" > ")[0])
    ]
    assert examples, "the README shows filter examples"
    stub = tmp_path / "bin" / "zs"
    stub.parent.mkdir()
    # a stand-in zs that prints the arguments it received, one per line
    stub.write_text(f"#!{sys.executable}\nimport sys\nprint('\\n'.join(sys.argv[1:]))\n", encoding="utf-8")
    stub.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": f"{stub.parent}:/usr/bin:/bin", "HOME": str(tmp_path)}
    for line in examples:
        r = subprocess.run(["bash", "-c", line], cwd=work, env=env, capture_output=True, text=True, check=True)
        args = r.stdout.splitlines()
        assert any(re.search(r"[<>≥≤＞＜≠]", a) for a in args), (line, args)
        assert list(work.iterdir()) == [], f"「{line}」 created {list(work.iterdir())}"


def test_synonyms_taught_listed_used_and_undone(cli: Cli) -> None:
    cli("chain", "add", "有色金属", ok=True)
    r = cli("add", "找谁招", "王五", "--chain", "有色金属", "类别=部委工作人员", ok=False)
    assert "「部委工作人员」不是可选值" in r.stderr and "zs synonym add 清单 类别" in r.stderr
    r = cli("synonym", "add", "找谁招", "类别", "在京人员", "部委工作人员", "驻京人员", ok=True)
    assert (
        r.stderr
        == "已添加：「找谁招」类别「部委工作人员」→「在京人员」\n已添加：「找谁招」类别「驻京人员」→「在京人员」\n"
    )
    r = cli("synonym", "add", "找谁招", "类别", "商会", "驻京人员", ok=False)
    assert r.stderr == "「驻京人员」已经表示「在京人员」，不能再表示「商会」\n"
    r = cli("synonym", "add", "找谁招", "备注", "x", "y", ok=False)
    assert "不是可选值字段" in r.stderr
    cli("add", "找谁招", "王五", "--chain", "有色金属", "类别=部委工作人员", ok=True)
    r = cli("list", "找谁招", "类别=驻京人员", "--columns", "姓名,类别", "-f", "csv", "--keys", ok=True)
    assert r.stdout.splitlines() == ["title,category", "王五,在京人员"]
    r = cli("synonym", "list", "-f", "json", ok=True)
    assert [s["word"] for s in json.loads(r.stdout)] == ["部委工作人员", "驻京人员"]
    cli("synonym", "rm", "找谁招", "驻京人员", ok=True)
    cli("undo", "-y", ok=True)  # takes the removal back
    r = cli("synonym", "list", "-f", "csv", "--no-header", ok=True)
    assert r.stdout.count("驻京人员") == 1
