"""准入研判: the scoring template (checklists/_assess.yaml, validated with errors naming the
key), the pure scorer (bounds, veto, monotonic: hypothesis), `zs assess` recording the inputs,
each criterion's points and why, the score and the verdict, the item's 研判 fields, and the
leads that wait too long for their 研判."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Cli, dump
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_helpers import build_city, make, open_db, query

from zhaoshang.definitions import default_dir
from zhaoshang.errors import ZsError
from zhaoshang.pipeline import assess as core

pytestmark = pytest.mark.engines

TODAY = date.today()
DAY = (TODAY - timedelta(days=2)).isoformat()


def _template_data() -> Any:
    return yaml.safe_load((default_dir() / core.FILE).read_text(encoding="utf-8"))


TEMPLATE = core.parse_template(_template_data())

FULL = {
    "产业类别": "鼓励类",
    "科技水平": "国际领先",
    "投资规模": "10亿",
    "投资强度": 400,
    "投资主体": "世界500强",
    "环境影响": "无污染",
    "安全生产": "低风险",
    "土地利用": 10,
    "规划设计": 5,
    "税收贡献": 10,
    "就业带动": 300,
}


# ---------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------


def test_default_template_is_the_100_point_rules_with_vetoes() -> None:
    t = TEMPLATE
    assert t.total == 100
    assert [c.label for c in t.criteria][:10] == [
        "产业类别",
        "科技水平",
        "投资规模",
        "投资强度",
        "投资主体",
        "环境影响",
        "安全生产",
        "土地利用",
        "规划设计",
        "税收贡献",
    ]
    assert {c.label: c.max for c in t.criteria}["投资强度"] == 17
    assert [v.label for v in t.vetoes] == ["淘汰类", "高耗能"]
    assert t.due_days == 3 and t.waiting == ("线索", "在谈")


def _broken(change: Any) -> str:
    data = copy.deepcopy(_template_data())
    change(data)
    with pytest.raises(ZsError) as exc:
        core.parse_template(data)
    return exc.value.message


def test_template_errors_name_the_file_and_key() -> None:
    msg = _broken(lambda d: d["criteria"][0].update(maxx=5))
    assert msg.startswith("准入研判模板「_assess.yaml」中 criteria[0].maxx：是未知的键，是不是「max」？")
    msg = _broken(lambda d: d["criteria"][2]["steps"][1].update(points=30))
    assert "criteria[2].steps[1].points：30 超过本项满分 17" in msg
    msg = _broken(lambda d: d["criteria"][2]["steps"][1].update(points=1))
    assert "criteria[2].steps[1].points：数值越高得分不应越低" in msg
    msg = _broken(lambda d: d["criteria"][2]["steps"][1].update(at=1))
    assert "criteria[2].steps[1].at：档位应按 at 从小到大排列" in msg
    msg = _broken(lambda d: d.update(total=90))
    assert "total：满分 90 与各评分项 max 之和 100 不符" in msg
    msg = _broken(lambda d: d["verdicts"].reverse())
    assert "verdicts[1].at：结论应按 at 从高到低排列" in msg
    msg = _broken(lambda d: d["criteria"][1].update(label="产业类别"))
    assert "「产业类别」与 criteria[0] 重复" in msg
    msg = _broken(lambda d: d["criteria"][3].update(full_at=10))
    assert "criteria[3].full_at：choices、steps、full_at 只能写一个（已写了 steps）" in msg
    msg = _broken(lambda d: d.update(due_days="三天"))
    assert "due_days：「三天」应是正整数（天数）" in msg


# ---------------------------------------------------------------------------------------
# Scoring (pure)
# ---------------------------------------------------------------------------------------


def test_full_marks_and_the_reasons() -> None:
    s = core.score(TEMPLATE, core.read_inputs(TEMPLATE, FULL))
    assert (s.score, s.verdict, s.vetoes) == (100, "优先准入", ())
    why = {x.label: x.why for x in s.lines}
    assert why["投资强度"] == "400万元/亩 达到 400万元/亩 一档，得 17 分"
    assert why["税收贡献"] == "10万元/亩 达到满分线 10万元/亩，得 16 分"
    assert why["产业类别"] == "「鼓励类」得 5 分"
    assert why["土地利用"] == "评定 10 分"


def test_partial_inputs_say_what_was_missing() -> None:
    s = core.score(TEMPLATE, core.read_inputs(TEMPLATE, {"亩均税收": "8", "投资强度": "250万元/亩"}))
    lines = {x.label: x for x in s.lines}
    assert lines["税收贡献"].points == 12.8
    assert lines["税收贡献"].why == "8万元/亩 ÷ 满分线 10万元/亩 × 16，得 12.8 分"
    assert lines["投资强度"].points == 10
    assert lines["产业类别"].why == "未提供，0 分"
    assert s.score == 22.8 and s.verdict == "不予准入"


def test_a_veto_wins_whatever_the_score() -> None:
    s = core.score(TEMPLATE, core.read_inputs(TEMPLATE, {**FULL, "高耗能": "是"}))
    assert s.score == 100 and s.verdict == "一票否决" and s.vetoes == ("高耗能",)
    s = core.score(TEMPLATE, core.read_inputs(TEMPLATE, {**FULL, "产业类别": "淘汰"}))
    assert s.verdict == "一票否决" and s.vetoes == ("产业类别：淘汰类",)
    assert next(x for x in s.lines if x.key == "industry").why == "「淘汰类」得 0 分（一票否决）"


def test_inputs_people_type_are_read_or_refused_in_chinese() -> None:
    read = core.read_inputs(TEMPLATE, {"产业": "鼓励", "投资规模": "3.56亿", "就业": "１２０"})
    assert read == {"industry": "鼓励类", "scale": 35600.0, "jobs": 120.0}
    cases = {
        ("产业类别", "新兴类"): "「产业类别」没有「新兴类」这一选项：可选 鼓励类、允许类、限制类、淘汰类",
        ("投资强度", "很高"): "「投资强度」的值「很高」不是数字（单位 万元/亩）",
        ("土地利用", "12"): "「土地利用」由研判人员打分，应在 0 到 10 分之间（「12」）",
        ("高耗能", "也许"): "一票否决「高耗能」：无法识别的是/否值「也许」",
        ("税", "8"): "没有「税」这一项。是不是「税收贡献」？",
    }
    for (name, value), says in cases.items():
        with pytest.raises(ZsError) as exc:
            core.read_inputs(TEMPLATE, {name: value})
        assert says in exc.value.message, exc.value.message


_NUMERIC = [c for c in TEMPLATE.criteria if c.method != "choice"]
_CHOICE = [c for c in TEMPLATE.criteria if c.method == "choice"]


@st.composite
def inputs(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in _CHOICE:
        if draw(st.booleans()):
            out[c.key] = draw(st.sampled_from([x.name for x in c.choices]))
    for c in _NUMERIC:
        if draw(st.booleans()):
            top = c.max if c.method == "manual" else 1e6
            out[c.key] = draw(st.floats(min_value=0, max_value=top, allow_nan=False))
    for v in TEMPLATE.vetoes:
        if draw(st.booleans()):
            out[v.key] = draw(st.booleans())
    return out


@settings(max_examples=150, deadline=None)
@given(inputs())
def test_score_is_within_bounds(values: dict[str, Any]) -> None:
    s = core.score(TEMPLATE, values)
    assert 0 <= s.score <= TEMPLATE.total
    assert all(0 <= x.points <= x.max for x in s.lines)
    assert s.score == pytest.approx(min(TEMPLATE.total, sum(x.points for x in s.lines)), abs=0.011)


@settings(max_examples=150, deadline=None)
@given(inputs())
def test_a_veto_always_wins(values: dict[str, Any]) -> None:
    vetoed = {**values, "high_energy": True}
    assert core.score(TEMPLATE, vetoed).verdict == TEMPLATE.veto_verdict
    chosen = {**values, "industry": "淘汰类"}
    assert core.score(TEMPLATE, chosen).verdict == TEMPLATE.veto_verdict


@settings(max_examples=200, deadline=None)
@given(inputs(), st.sampled_from(_NUMERIC), st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_more_of_a_criterion_never_scores_less(values: dict[str, Any], c: core.Criterion, more: float) -> None:
    low = values.get(c.key, 0.0)
    high = min(c.max, low + more) if c.method == "manual" else low + more
    a = core.score(TEMPLATE, {**values, c.key: low})
    b = core.score(TEMPLATE, {**values, c.key: high})
    assert b.score >= a.score
    assert next(x for x in b.lines if x.key == c.key).points >= next(x for x in a.lines if x.key == c.key).points


@settings(max_examples=100, deadline=None)
@given(inputs())
def test_the_verdict_follows_the_thresholds(values: dict[str, Any]) -> None:
    s = core.score(TEMPLATE, values)
    if s.vetoes:
        return
    expected = next(v.name for v in TEMPLATE.verdicts if s.score >= v.at)
    assert s.verdict == expected


# ---------------------------------------------------------------------------------------
# Recording (core and command line)
# ---------------------------------------------------------------------------------------


@pytest.fixture
def city(cli: Cli, db_path: Path) -> Cli:
    build_city(db_path)
    make(db_path, "targets", "铜箔项目", investment="12亿", created=(TODAY - timedelta(days=10)).isoformat())  # 1
    make(db_path, "assets", "九三粮油", chain="大豆加工", category="企业")  # 2
    make(db_path, "targets", "豆油项目", chain="大豆加工", created=(TODAY - timedelta(days=2)).isoformat())  # 3
    return cli


def test_assess_records_inputs_points_reasons_and_the_item_fields(city: Cli, db_path: Path) -> None:
    db = open_db(db_path)
    try:
        with db.command("assess", user="测试员"):
            a = core.assess(db, 1, {"产业类别": "鼓励类", "投资强度": "320", "高耗能": "否"}, today=TODAY, on=DAY)
    finally:
        db.close()
    assert a.score == 5 + 17 + 14  # 12亿 taken from 投资额: the top step of 投资规模
    assert a.verdict == "不予准入"
    scale = next(x for x in a.lines if x.key == "scale")
    assert scale.why == "120000万元 达到 100000万元 一档，得 17 分（取自投资额 120000）"
    (row,) = query(db_path, "SELECT item_id, date, score, verdict, vetoes, inputs, points FROM assessments")
    assert row[:5] == (1, DAY, 36.0, "不予准入", None)
    assert json.loads(row[5]) == {"industry": "鼓励类", "intensity": 320.0, "high_energy": False, "scale": 120000.0}
    assert [p["points"] for p in json.loads(row[6])][:4] == [5, 0, 17, 14]
    fields = query(db_path, "SELECT assess_score, assess_verdict, assess_date FROM kind_targets WHERE id = 1")
    assert fields == [(36.0, "不予准入", DAY)]


def test_assess_command_wording_and_json(city: Cli) -> None:
    r = city("assess", "1", "--set", "产业类别=鼓励类", "--set", "高耗能=是", "--note", "能耗指标不足", ok=True)
    assert r.stderr.endswith("已记录研判：编号 1 22/100 分，一票否决\n")
    assert "一票否决：高耗能" in r.stdout and "研判意见：能耗指标不足" in r.stdout
    assert "投资规模  120000万元" in r.stdout
    data = json.loads(city("assess", "1", "-f", "json", ok=True).stdout)
    assert [(a["score"], a["verdict"], a["vetoes"]) for a in data] == [(22, "一票否决", ["高耗能"])]
    listed = json.loads(city("assess", "-f", "json", ok=True).stdout)
    assert [(x["id"], x["score"], x["verdict"]) for x in listed] == [(1, 22, "一票否决")]
    shown = city("show", "1", ok=True).stdout
    assert "研判得分        22" in shown and "【准入研判】" in shown
    csv = city("list", "招什么", "--columns", "编号,研判得分,研判结论", "-f", "csv", ok=True).stdout
    assert "1,22,一票否决" in csv


def test_assess_refusals_change_nothing(city: Cli, db_path: Path) -> None:
    before = dump(db_path)
    cases = [
        (("assess", "2", "--set", "产业类别=鼓励类"), "编号 2 是「有什么」清单的条目：准入研判只用于项目（招什么）"),
        (("assess", "1", "--set", "产业=新兴"), "「产业类别」没有「新兴」这一选项"),
        (("assess", "1", "--set", "土地利用=11"), "「土地利用」由研判人员打分，应在 0 到 10 分之间（「11」）"),
        (("assess", "1", "--set", "产业类别=鼓励类", "--date", "2099-01-01"), "晚于今天"),
        (("assess", "--set", "产业类别=鼓励类"), "记研判要写项目编号"),
        (("assess", "99", "--set", "产业类别=鼓励类"), "没有编号为 99 的条目"),
    ]
    for args, says in cases:
        r = city(*args, ok=False)
        assert r.exit_code == 1 and says in r.stderr, r.stderr
    assert dump(db_path) == before


def test_undo_removes_the_assessment_and_restores_the_fields(city: Cli, db_path: Path) -> None:
    city("assess", "1", "--set", "产业类别=鼓励类", ok=True)
    city("undo", "--yes", ok=True)
    assert query(db_path, "SELECT count(*) FROM assessments") == [(0,)]
    assert query(db_path, "SELECT assess_score, assess_verdict FROM kind_targets WHERE id = 1") == [(None, None)]


def test_leads_waiting_too_long_for_their_assessment(city: Cli, db_path: Path) -> None:
    db = open_db(db_path)
    try:
        found = core.waiting(db, today=TODAY)
    finally:
        db.close()
    assert [(w.id, w.elapsed, w.light) for w in found] == [(1, 10, "red"), (3, 2, None)]
    r = city("assess", "--waiting", ok=True)
    assert "待研判 2 个，超过 3 天时限的 1 个" in r.stderr
    city("assess", "1", "--set", "产业类别=鼓励类", ok=True)
    assert [w["id"] for w in json.loads(city("assess", "--waiting", "-f", "json", ok=True).stdout)] == [3]
    warn = city("warn", ok=True)
    assert "待研判超过时限" not in warn.stderr
    later = city("warn", "--today", (TODAY + timedelta(days=30)).isoformat(), ok=True)
    assert "准入与履约：待研判超过时限 1 个（红灯 1，zs assess --waiting）" in later.stderr


def test_an_office_edits_the_template_without_code(city: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "checklists"
    shutil.copytree(default_dir(), own)
    data = _template_data()
    data["criteria"] = [c for c in data["criteria"] if c["key"] != "jobs"]
    data["criteria"].append({"key": "output", "label": "亩均产出", "max": 5, "unit": "万元/亩", "full_at": 400})
    (own / core.FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("ZHAOSHANG_CHECKLISTS", str(own))
    r = city("assess", "1", "--set", "亩均产出=200", ok=True)
    assert "200万元/亩 ÷ 满分线 400万元/亩 × 5，得 2.5 分" in r.stdout
    data["criteria"][0]["max"] = "五"
    (own / core.FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = city("assess", "1", "--set", "产业类别=鼓励类", ok=False)
    assert r.stderr == "准入研判模板「_assess.yaml」中 criteria[0].max：「五」应是数字\n"


def test_a_broken_rules_file_is_said_in_chinese(city: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own, shipped = tmp_path / "checklists", default_dir()
    shutil.copytree(shipped, own)
    monkeypatch.setenv("ZHAOSHANG_CHECKLISTS", str(own))
    (own / core.FILE).write_text("name: 评分\ncriteria: [\n", encoding="utf-8")
    r = city("assess", "--rules", ok=False)
    assert "「_assess.yaml」第3行不是有效的 YAML：这里缺少内容" in r.stderr  # (every YAML there is read at start)
    shutil.copy(shipped / core.FILE, own / core.FILE)
    (own / "_contract.yaml").write_bytes("terms: 投资额".encode("gbk"))
    r = city("contract", ok=False)
    assert "「_contract.yaml」不是 UTF-8 编码：请另存为 UTF-8" in r.stderr
    (own / "_contract.yaml").unlink()
    (own / core.FILE).unlink()
    r = city("assess", "1", "--set", "产业类别=鼓励类", ok=False)
    assert "找不到准入研判模板" in r.stderr and "请恢复 checklists/_assess.yaml" in r.stderr
