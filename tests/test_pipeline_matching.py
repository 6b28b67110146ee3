"""政策匹配: each structured condition of a policy is checked against a project and
explained (符合 / 不符合 with the values), lapsed policies fit nothing, and a policy lists
the projects it fits."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import Cli
from pipeline_helpers import build_city, make, open_db

from zhaoshang.pipeline import matching

TODAY = date(2026, 6, 30)


@pytest.fixture
def city(cli: Cli, db_path: Path) -> Cli:
    build_city(db_path)
    make(db_path, "targets", "铜箔项目", investment="3.56亿", status="在谈", unit="爱辉区", segment="中游")  # 1
    make(db_path, "targets", "钼精矿项目", investment="1.2亿", status="已签约", key_project="是")  # 2
    make(db_path, "targets", "豆油项目", chain="大豆加工", investment="4800", status="已开工")  # 3
    make(db_path, "targets", "退库项目", investment="9亿", status="退库")  # 4
    make(
        db_path,
        "supports",
        "工业用地弹性出让",
        chains="绿色矿业",
        min_investment="5000",
        stages="已签约、已入统、已开工、已投产",
        conditions="需符合园区规划",
        valid_until="2027-12-31",
    )  # 5
    make(db_path, "supports", "重点项目电价优惠", chains="绿色矿业、大豆加工", key_only="是")  # 6
    make(db_path, "supports", "开发区厂房减免", units="爱辉区", segments="中游、下游", categories="项目")  # 7
    make(db_path, "supports", "人才公寓", valid_until="2026-01-31")  # 8: lapsed
    make(db_path, "supports", "普惠政策")  # 9: no conditions
    make(db_path, "supports", "已废止的政策", status="已失效")  # 10
    return cli


def checks(db_path: Path, target: int, policy: int) -> str:
    db = open_db(db_path)
    try:
        found = matching.match_target(db, target, today=TODAY, include_all=True)
        return next(m.explanation for m in found if m.policy_id == policy)
    finally:
        db.close()


def test_every_condition_is_explained_with_the_values(city: Cli, db_path: Path) -> None:
    assert checks(db_path, 1, 5) == (
        "产业链：符合（绿色矿业）；投资额≥5000万元：符合（35600万元）；"
        "阶段：不符合（需已签约及以后，当前在谈）；有效期：符合（至 2027-12-31）"
    )
    assert checks(db_path, 3, 5) == (
        "产业链：不符合（限绿色矿业，本项目属大豆加工）；投资额≥5000万元：不符合（4800万元）；"
        "阶段：符合（已开工）；有效期：符合（至 2027-12-31）"
    )
    assert checks(db_path, 2, 6) == "产业链：符合（绿色矿业）；重点项目：符合（是）"
    assert checks(db_path, 1, 6) == "产业链：符合（绿色矿业）；重点项目：不符合（仅限重点项目，本项目不是）"
    assert checks(db_path, 1, 7) == "区域：符合（爱辉区）；类别：符合（项目）；链环节：符合（中游）"
    assert checks(db_path, 2, 7) == (
        "区域：不符合（限爱辉区，本项目未填责任单位）；类别：符合（项目）；链环节：不符合（限中游、下游，本项目未填链环节）"
    )
    assert checks(db_path, 1, 8) == "未设结构化条件（普遍适用）；有效期：不符合（已于 2026-01-31 到期）"
    assert checks(db_path, 1, 9) == "未设结构化条件（普遍适用）"
    assert checks(db_path, 1, 10) == "未设结构化条件（普遍适用）；政策状态：不符合（已失效）"


def test_match_lists_fitting_policies_then_those_one_condition_short(city: Cli) -> None:
    r = city("match", "1", "--today", TODAY.isoformat(), ok=True)
    assert r.stdout.splitlines() == [
        "编号 1「铜箔项目」（绿色矿业，在谈）",
        "",
        "【适用的政策（2 项）】",
        "  7  开发区厂房减免",
        "      区域：符合（爱辉区）；类别：符合（项目）；链环节：符合（中游）",
        "  9  普惠政策",
        "      未设结构化条件（普遍适用）",
        "",
        "【差一个条件的政策（2 项）】",
        "  5  工业用地弹性出让",
        "      产业链：符合（绿色矿业）；投资额≥5000万元：符合（35600万元）；阶段：不符合（需已签约及以后，当前在谈）；"
        "有效期：符合（至 2027-12-31）",
        "      其他条件：需符合园区规划（需人工核实）",
        "  6  重点项目电价优惠",
        "      产业链：符合（绿色矿业）；重点项目：不符合（仅限重点项目，本项目不是）",
    ]
    assert r.stderr == "适用政策 2 项\n"


def test_match_json_and_all(city: Cli) -> None:
    data = json.loads(city("match", "2", "--today", TODAY.isoformat(), "-f", "json", ok=True).stdout)
    fits = [d["policy_id"] for d in data if d["fits"]]
    assert fits == [5, 6, 9]
    first = data[0]
    assert first["conditions"][0] == {"name": "产业链", "ok": True, "detail": "绿色矿业"}
    every = json.loads(city("match", "2", "--all", "--today", TODAY.isoformat(), "-f", "json", ok=True).stdout)
    assert sorted(d["policy_id"] for d in every) == [5, 6, 7, 8, 9, 10]


def test_signing_makes_the_land_policy_fit(city: Cli) -> None:
    before = [d["policy_id"] for d in json.loads(city("match", "1", "-f", "json").stdout) if d["fits"]]
    assert 5 not in before
    city("stage", "1", "已签约", ok=True)
    after = [d["policy_id"] for d in json.loads(city("match", "1", "-f", "json").stdout) if d["fits"]]
    assert 5 in after


def test_match_policy_lists_the_projects_it_fits(city: Cli) -> None:
    r = city("match", "--policy", "6", "--today", TODAY.isoformat(), ok=True)
    assert r.stdout.splitlines() == [
        "政策 6「重点项目电价优惠」",
        "条件：产业链限绿色矿业、大豆加工；仅限重点项目",
        "",
        "编号  项目名称    产业链    阶段    投资额（万元）  责任单位",
        "────  ──────────  ────────  ──────  ──────────────  ────────",
        "   2  钼精矿项目  绿色矿业  已签约           12000",
    ]
    everyone = json.loads(city("match", "--policy", "9", "-f", "json", ok=True).stdout)
    assert [d["target_id"] for d in everyone] == [1, 2, 3]  # 退库 excluded
    assert json.loads(city("match", "--policy", "8", "--today", TODAY.isoformat(), "-f", "json").stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "请给出项目编号（zs match 编号）或政策编号（zs match --policy 编号），二者选一\n"),
        (["1", "--policy", "5"], "请给出项目编号（zs match 编号）或政策编号（zs match --policy 编号），二者选一\n"),
        (
            ["5"],
            "编号 5 是「配套什么」清单的条目：只能为项目（招什么）匹配政策；"
            "查某项政策适用的项目请用 zs match --policy 编号\n",
        ),
        (["--policy", "1"], "编号 1 是「招什么」清单的条目：请给出一项政策（配套什么）的编号\n"),
        (["77"], "没有编号为 77 的条目：用 zs list 或 zs search 查找编号\n"),
    ],
)
def test_match_errors(city: Cli, args: list[str], message: str) -> None:
    r = city("match", *args, ok=False)
    assert (r.exit_code, r.stderr) == (1, message)


def test_demo_policies_have_structured_conditions_that_match(cli: Cli, demo_db: Path) -> None:
    data = json.loads(cli("match", "16", "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    fitting = [d for d in data if d["fits"]]
    assert fitting
    assert all(not d["general"] for d in fitting)
    assert any("投资额≥" in d["explanation"] for d in fitting)
