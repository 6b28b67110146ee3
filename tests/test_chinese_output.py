"""What a clerk sees is Chinese (issue 29, round 2): CSV for people, --keys for machines;
show and info as people write things; Click's English bits said in Chinese; --by in Chinese."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import Cli

pytestmark = pytest.mark.engines


def test_csv_on_stdout_is_for_a_clerk(demo_db: Path) -> None:
    cli = Cli(demo_db)
    out = cli("list", "--owner", "张磊", "--open", "--format", "csv", ok=True).stdout
    assert out.startswith("\ufeff")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(out[1:])))
    assert rows[0][:5] == ["编号", "清单", "产业链", "名称", "状态"]
    assert rows[1][1] in {"招什么", "解决什么", "有什么", "去哪招", "说什么", "找谁招", "配套什么"}
    created = rows[0].index("创建时间")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[1][created])
    assert not re.search(r"\b(targets|problems|true|false)\b", out)


def test_keys_give_machines_ascii(demo_db: Path) -> None:
    cli = Cli(demo_db)
    out = cli("list", "--owner", "张磊", "--open", "--format", "csv", "--keys", ok=True).stdout
    assert not out.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"id", "kind", "title"} <= rows[0].keys() and rows[0]["kind"] in {"targets", "problems", "assets"}
    tsv = cli("list", "--owner", "张磊", "--format", "tsv", ok=True).stdout
    assert tsv.startswith("id\tkind\t")


def test_a_csv_for_people_imports_back(demo_db: Path, tmp_path: Path) -> None:
    cli = Cli(demo_db)
    path = tmp_path / "招什么.csv"
    path.write_text(cli("list", "招什么", "-f", "csv", ok=True).stdout, encoding="utf-8")
    fresh = Cli(tmp_path / "new.db")
    fresh("init", ok=True)
    # a list for people carries no dates of its stages: the import asks for them
    r = fresh("import", str(path), "--dry-run", "--create-missing", ok=False)
    assert "没有日期" in r.stderr and "--as-of" in r.stderr
    r = fresh("import", str(path), "--dry-run", "--create-missing", "--as-of", "2026-11-30", ok=True)
    assert "新增 37" in r.stderr


def test_show_says_things_as_people_do(demo_db: Path) -> None:
    cli = Cli(demo_db)
    problem = next(r for r in json.loads(cli("list", "解决什么", "-f", "json", ok=True).stdout) if r.get("project"))
    out = cli("show", str(problem["id"]), ok=True).stdout
    assert "（problems）" not in out and re.search(r"^清单\s+解决什么$", out, re.M)
    assert "T09:" not in out and re.search(r"^创建时间\s+\d{4}-\d\d-\d\d \d\d:\d\d$", out, re.M)
    title = json.loads(cli("show", str(problem["project"]), "-f", "json", ok=True).stdout)["title"]
    assert re.search(rf"^关联项目\s+{problem['project']} {re.escape(title)}$", out, re.M)


def test_info_lines_up(demo_db: Path) -> None:
    out = Cli(demo_db)("info", ok=True).stdout
    from zhaoshang.render import width

    counts = out.split("\n\n")[1].splitlines()
    assert len({width(line) for line in counts}) == 1  # the numbers end in one column
    assert "T" not in next(line for line in out.splitlines() if line.startswith("创建时间"))


def test_click_ranges_are_said_in_chinese(cli: Cli) -> None:
    r = cli("list", "--limit", "0", ok=False)
    assert "≥1" in r.stderr and "x>=" not in r.stderr
    r = cli("report", "ranking", "--year", "1999", ok=False)
    assert "2000–2100" in r.stderr and "<=x" not in r.stderr
    assert "x>=" not in cli("search", "--help", ok=True).stdout


def test_the_confirmation_prompt_is_chinese(demo_db: Path) -> None:
    r = Cli(demo_db)("undo", input="\n")
    assert "[y/N]" not in r.stderr and "输入 y 确认" in r.stderr


def test_by_takes_the_chinese_word(demo_db: Path) -> None:
    cli = Cli(demo_db)
    assert "■ 包保领导" in cli("warn", "--by", "领导", ok=True).stdout
    assert "【按产业链】" in cli("ledger", "--by", "产业链", ok=True).stdout
    assert json.loads(cli("report", "ranking", "--by", "产业链", "-f", "json", ok=True).stdout)["level"] == "chain"
