"""Issue 25 (h25h): on a sheet from outside (not our export nor our template) a reference
column (关联项目 …) holding a number is never our 编号 — it is the county's own 序号 or code,
and taken as an id it would link any item, even of another list.  The number is refused with
a fix that does not ask for an integer; a project's name there is matched by name (exactly one
item of that name, listed as an inference), else refused naming what was found."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from exchange_util import write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang.errors import ZsError
from zhaoshang.exchange.resolve import foreign_ref
from zhaoshang.exchange.rows import RefName

HEADER = ["序号", "问题", "产业链", "关联项目", "责任单位", "办结时限"]


@pytest.fixture
def city(cli: Any) -> Any:
    cli("init", ok=True)
    cli("chain", "add", "对俄跨境物流", ok=True)
    cli("unit", "add", "爱辉区", "类型=区县", ok=True)
    cli("add", "招什么", "黑河跨境冷链物流园项目", "--chain", "对俄跨境物流", "责任单位=爱辉区", ok=True)  # 1
    cli("add", "招什么", "保税仓储项目", "--chain", "对俄跨境物流", ok=True)  # 2
    cli("add", "有什么", "非转基因大豆", "--chain", "对俄跨境物流", ok=True)  # 3
    return cli


def problems(cli: Any) -> list[dict[str, Any]]:
    return list(json.loads(cli("list", "解决什么", "-f", "json", ok=True).stdout))


def sheet(tmp_path: Path, related: Any) -> Path:
    return write_xlsx(
        tmp_path / "p.xlsx",
        {
            "解决什么": [
                ["爱辉区2026年10月项目问题清单"],
                ["填报单位：爱辉区商务局　填报日期：2026年11月4日"],
                HEADER,
                [3, "冷链物流园用地指标不足", "对俄跨境物流", related, "爱辉区", "2026-11-30"],
            ]
        },
    )


@pytest.mark.parametrize("related", [3, "3", "３", 1.0, "1"])
def test_a_number_in_a_reference_column_is_refused(city: Any, tmp_path: Path, related: Any) -> None:
    result = city("import", str(sheet(tmp_path, related)))
    assert result.exit_code == 1, result.stdout
    said = result.stderr
    assert "「关联项目」写的是数字" in said and "不是本库的编号" in said and "名称" in said, said
    assert "整数" not in said, said
    assert "第4行" in said and "关联项目" in said, said
    assert problems(city) == []


def test_a_projects_name_is_matched_by_name(city: Any, tmp_path: Path) -> None:
    result = city("import", str(sheet(tmp_path, "黑河跨境冷链物流园项目")), "--dry-run", ok=True)
    out = result.stdout + result.stderr
    assert "按名称对应编号 1" in out, out
    city("import", str(sheet(tmp_path, "黑河 跨境冷链物流园项目")), "--no-review", ok=True)
    assert [p["project"] for p in problems(city)] == [1]


@pytest.mark.parametrize(
    ("related", "says"),
    [
        ("黑河跨境冷链物流园有限公司项目", "名称相近"),
        ("不存在的项目", "本库没有这个名称的项目"),
    ],
)
def test_a_name_that_is_not_one_items_is_refused(city: Any, tmp_path: Path, related: str, says: str) -> None:
    result = city("import", str(sheet(tmp_path, related)))
    assert result.exit_code == 1, result.stdout
    assert says in result.stderr and "整数" not in result.stderr, result.stderr
    assert problems(city) == []


def test_two_items_of_the_name_are_refused(city: Any, tmp_path: Path) -> None:
    city("add", "有什么", "保税仓储项目", "--chain", "对俄跨境物流", ok=True)
    result = city("import", str(sheet(tmp_path, "保税仓储项目")))
    assert result.exit_code == 1, result.stdout
    assert "分不清是哪一个" in result.stderr, result.stderr


def test_our_own_export_keeps_its_numbers(city: Any, tmp_path: Path) -> None:
    city("add", "解决什么", "用地指标不足", "--chain", "对俄跨境物流", "关联项目=1", ok=True)
    path = tmp_path / "own.xlsx"
    city("export", str(path), "--kind", "解决什么", ok=True)
    city("import", str(path), ok=True)
    assert [p["project"] for p in problems(city)] == [1]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.integers(0, 10**9), st.floats(0, 1e6, allow_nan=False), st.from_regex(r"\A[0-9０-９]{1,6}\Z")))
def test_foreign_ref_never_takes_a_number(value: Any) -> None:
    with pytest.raises(ZsError, match="不是本库的编号"):
        foreign_ref("关联项目", value)


@given(st.text(alphabet="黑河冷链物流园项目保税仓储 ", min_size=1, max_size=20).filter(str.strip))
def test_foreign_ref_keeps_a_name(value: str) -> None:
    got = foreign_ref("关联项目", value)
    assert isinstance(got, RefName) and got == " ".join(value.split())


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_our_text_export_keeps_its_numbers(city: Any, tmp_path: Path, ext: str) -> None:
    """A csv / json export carries no _meta: its 关联项目 numbers are still our 编号."""
    city("add", "解决什么", "用地指标不足", "--chain", "对俄跨境物流", "关联项目=1", ok=True)
    path = tmp_path / f"own.{ext}"
    city("export", str(path), "--kind", "解决什么", ok=True)
    city("import", str(path), ok=True)
    assert [p["project"] for p in problems(city)] == [1]
