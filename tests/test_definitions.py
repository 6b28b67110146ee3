"""The YAML definitions: validated strictly, and a new field is usable everywhere with no
code change; a changed definition never loses stored data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _harness import rows as db_rows
from conftest import Cli

from zhaoshang.definitions import default_dir, load
from zhaoshang.errors import ZsError

pytestmark = pytest.mark.engines


@pytest.fixture
def defs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "checklists"
    shutil.copytree(default_dir(), target)
    monkeypatch.setenv("ZHAOSHANG_CHECKLISTS", str(target))
    return target


def test_the_seven_kinds_load_with_traditional_aliases() -> None:
    defs = load()
    assert [k.name for k in defs.kinds] == ["有什么", "招什么", "去哪招", "说什么", "找谁招", "配套什么", "解决什么"]
    for name in ("有什麼", "招什麼", "找誰招", "配套什麼", "解決什麼"):
        assert defs.kind(name).name == name.replace("麼", "么").replace("誰", "谁").replace("決", "决")
    targets = defs.kind("targets")
    assert defs.field(targets, "投資額").key == "investment"
    assert defs.field(targets, "名称").key == "title"
    assert defs.field(targets, "项目名称").key == "title"
    assert [s.name for s in targets.statuses if s.terminal] == ["已投产", "退库"]


@pytest.mark.parametrize(
    ("edit", "needles"),
    [
        (("targets.yaml", "close_status: 退库", "close_status: 退库\ncolour: red"), ["targets.yaml", "colour"]),
        (("targets.yaml", "    type: money\n", "    type: currency\n"), ["targets.yaml", "currency", "type"]),
        (
            ("targets.yaml", "  - key: company\n", "  - key: company\n    lable: x\n"),
            ["targets.yaml", "lable", "label"],
        ),
        (("problems.yaml", "default: 本级", "default: 乡级"), ["problems.yaml", "default", "乡级"]),
        (("events.yaml", "key: events", "key: Events"), ["events.yaml", "key"]),
        (("pitches.yaml", "close_status: 已停用", "close_status: 可用"), ["pitches.yaml", "close_status"]),
        (("contacts.yaml", "limit_days: 90", "limit_days: -1"), ["contacts.yaml", "limit_days"]),
        (("assets.yaml", "key: assets", "key: assets\n  bad: [yaml"), ["assets.yaml", "YAML"]),
    ],
)
def test_bad_definitions_are_one_line_errors(defs_dir: Path, edit: tuple[str, str, str], needles: list[str]) -> None:
    name, old, new = edit
    path = defs_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ZsError) as info:
        load(defs_dir)
    message = str(info.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message


def test_bad_definition_reaches_the_user_as_a_message(defs_dir: Path, cli: Cli) -> None:
    path = defs_dir / "targets.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nunknown_key: 1\n", encoding="utf-8")
    r = cli("list", ok=False)
    assert r.exit_code == 1
    assert "targets.yaml" in r.stderr and "unknown_key" in r.stderr


ADDED_FIELD = """  - key: land_area
    label: 用地面积
    aliases: [占地面积, 用地（亩）]
    type: number
  - key: approval_level
    label: 审批层级
    type: enum
    values: [市级, 省级]
"""


def test_a_field_added_in_yaml_works_everywhere(defs_dir: Path, cli: Cli, db_path: Path) -> None:
    cli("chain", "add", "有色金属", ok=True)
    cli("add", "招什么", "旧项目", "--chain", "有色金属", "投资额=1亿", ok=True)
    path = defs_dir / "targets.yaml"
    path.write_text(path.read_text(encoding="utf-8") + ADDED_FIELD, encoding="utf-8")

    cli("add", "招什么", "新项目", "--chain", "有色金属", "占地面积=120.5", "审批层级=省级", ok=True)
    cli("edit", "1", "用地面积=30", ok=True)
    rows = json.loads(cli("list", "targets", "用地面积>=100", "-f", "json", ok=True).stdout)
    assert [(r["id"], r["land_area"], r["approval_level"]) for r in rows] == [(2, 120.5, "省级")]
    assert "用地面积" in cli("kinds", "targets", ok=True).stdout
    r = cli("add", "招什么", "x", "--chain", "有色金属", "审批层级=国家级", ok=False)
    assert "市级、省级" in r.stderr
    # the old item kept its data; the database recorded the new definition
    assert json.loads(cli("show", "1", "-f", "json").stdout)["investment"] == 10000
    stored = json.loads(db_rows(db_path, "SELECT definition FROM definitions WHERE kind = 'targets'")[0][0])
    assert "land_area" in [f["key"] for f in stored["fields"]]
    columns = _columns(db_path)
    assert "land_area" in columns


def test_a_removed_field_keeps_its_data(defs_dir: Path, cli: Cli, db_path: Path) -> None:
    cli("chain", "add", "有色金属", ok=True)
    cli("add", "招什么", "项目", "--chain", "有色金属", "来源=亚布力论坛", ok=True)
    path = defs_dir / "targets.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - key: source")
    end = text.index("  - key: industry")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    cli("edit", "1", "责任人=王强", ok=True)
    assert db_rows(db_path, "SELECT source FROM kind_targets WHERE id = 1")[0][0] == "亚布力论坛"
    # putting the field back shows the data again
    path.write_text(text, encoding="utf-8")
    assert json.loads(cli("show", "1", "-f", "json").stdout)["source"] == "亚布力论坛"


def test_definitions_cache_is_used_and_invalidated(
    tmp_path: Path, defs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zhaoshang.definitions as d

    cache = tmp_path / "cache"
    monkeypatch.setenv("ZHAOSHANG_CACHE", str(cache))
    d._LOADED.clear()
    first = load(defs_dir)
    assert len(list(cache.glob("definitions-*.json"))) == 1
    d._LOADED.clear()
    assert load(defs_dir) == first  # from the cache
    path = defs_dir / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 去哪招", "name: 去哪儿招"), encoding="utf-8")
    d._LOADED.clear()
    assert load(defs_dir).kind("events").name == "去哪儿招"


def test_a_kinds_own_label_beats_a_common_alias(cli: Cli) -> None:
    defs = load()
    assert defs.field(defs.kind("找谁招"), "单位").key == "organization"
    assert defs.field(defs.kind("配套什么"), "牵头单位").key == "lead_unit"
    assert defs.field(defs.kind("招什么"), "单位").key == "unit"  # no own field: the common alias
    cli("chain", "add", "有色金属", ok=True)
    cli("add", "找谁招", "王振华", "--chain", "有色金属", "单位=深圳华创投资", ok=True)
    assert json.loads(cli("show", "1", "-f", "json").stdout)["organization"] == "深圳华创投资"


def test_every_field_type_is_described_once_and_parses() -> None:
    """The registry (zhaoshang.fieldtypes) is complete: every type has its SQL type, cell,
    hint and a parser that reads a typical value and gives None for a blank."""
    from zhaoshang.definitions import FIELD_TYPES, SQL_TYPES, EnumValue, FieldDef
    from zhaoshang.exchange.layout import CELL_TYPES
    from zhaoshang.fieldtypes import TYPES
    from zhaoshang.values import to_display, to_json, to_storage

    samples = {
        "text": ("文字", "文字"), "integer": ("12", 12), "number": ("1.5", 1.5), "money": ("3.56亿", 35600.0),
        "date": ("2026年3月15日", "2026-03-15"), "enum": ("甲", "甲"), "multi": ("甲、乙", "甲、乙"),
        "phone": (" 13800138000 ", "13800138000"), "bool": ("是", 1), "ref": ("7", 7),
        "credit_code": ("91230100ma1bxxxx0w", "91230100MA1BXXXX0W"),
    }  # fmt: skip
    assert set(FIELD_TYPES) == set(TYPES) == set(samples) == set(SQL_TYPES)
    for name, t in TYPES.items():
        assert t.cell in CELL_TYPES and t.hint and t.label and t.sql in ("TEXT", "INTEGER", "REAL")
        f = FieldDef(key="x", label="字段", type=name, values=(EnumValue("甲"), EnumValue("乙")))
        raw, stored = samples[name]
        assert to_storage(f, raw) == stored, name
        assert to_storage(f, "  ") is None, name
        assert to_display(f, stored) != "" and to_json(f, stored) is not None


def _columns(db: Path) -> list[str]:
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    with Database.open(db, load(), create=False) as opened:
        return opened.dialect.columns(opened.conn, "kind_targets")


def test_kind_as_dict_is_what_asdict_gives() -> None:
    """The fingerprints stored in every database are made from kind_as_dict: it must stay what
    dataclasses.asdict gave (else every database would take its definitions as changed)."""
    import dataclasses

    from zhaoshang.definitions import kind_as_dict

    for kind in load().kinds:
        assert kind_as_dict(kind) == dataclasses.asdict(kind)
        assert json.dumps(kind_as_dict(kind), sort_keys=True, ensure_ascii=False, default=str) == json.dumps(
            dataclasses.asdict(kind), sort_keys=True, ensure_ascii=False, default=str
        )
