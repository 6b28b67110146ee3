"""Round trips (export → edit in Excel/LibreOffice → import) and roll-ups (a county's export
imported by the city, month after month)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import Cli, dump
from exchange_util import edit_cell, make_city, open_db, records

from zhaoshang import items

pytestmark = pytest.mark.engines


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def _item(db_path: Path, item_id: int) -> dict[str, object]:
    return items.get(open_db(db_path), item_id)


@pytest.mark.parametrize(
    ("name", "extra"),
    [("全部.xlsx", []), ("全部.csv", []), ("项目.csv", ["--kind", "招什么"]), ("全部.json", []), ("全部.yaml", [])],
)
def test_export_then_import_changes_nothing(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path, name: str, extra: list[str]
) -> None:
    out = tmp_path / name
    cli("export", str(out), *extra, ok=True)
    before = dump(db_path)
    r = cli("import", str(out), *extra, ok=True)
    assert "没有变化：文件内容与数据库一致，未写入任何数据" in r.stderr
    assert "可用 zs undo" not in r.stderr
    assert dump(db_path) == before  # not even an empty entry in history


def test_an_edited_cell_updates_exactly_that_field(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    out = tmp_path / "清单.xlsx"
    cli("export", str(out), ok=True)
    edit_cell(out, "招什么", city["铜箔"], "投资额（万元）", 41000)
    before_item = _item(db_path, city["铜箔"])
    before = dump(db_path)
    r = cli("import", str(out), ok=True)
    assert f"「招什么」第2行 编号 {city['铜箔']}「年产5万吨铜箔项目」：投资额 35600 → 41000" in r.stdout
    assert "已导入：新增 0，修改 1，不变 " in r.stderr
    after_item = _item(db_path, city["铜箔"])
    changed = {k for k in after_item if after_item[k] != before_item[k]}
    assert "investment" in changed and changed <= {"investment", "updated_at"}  # same second: same time
    assert after_item["investment"] == 41000
    hist = cli("history", str(city["铜箔"]), ok=True).stdout
    assert "投资额" in hist and "35600" in hist and "41000" in hist
    undo = cli("undo", "--yes", ok=True)
    assert undo.exit_code == 0
    after_undo = dump(db_path)
    assert after_undo["items"] == before["items"] and after_undo["kind_targets"] == before["kind_targets"]


def test_new_rows_are_added_and_deleted_rows_delete_nothing(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    out = tmp_path / "清单.xlsx"
    cli("export", str(out), ok=True)
    wb = openpyxl.load_workbook(out)
    ws = wb["招什么"]
    ws.delete_rows(3)  # 大豆分离蛋白项目 gone from the sheet
    ws.append([None, "新增的铝型材项目", "有色金属", None, None, None, "2026-12-31"])
    wb.save(out)
    r = cli("import", str(out), ok=True)
    assert "新增 1" in r.stderr
    db = open_db(db_path)
    assert db.conn.execute("SELECT 1 FROM items WHERE id = ?", (city["蛋白"],)).fetchone() == (1,)
    new = db.conn.execute("SELECT status, due FROM items WHERE title = '新增的铝型材项目'").fetchone()
    assert new == ("线索", "2026-12-31")


def test_blank_cells_keep_values_unless_asked(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    out = tmp_path / "清单.xlsx"
    cli("export", str(out), ok=True)
    edit_cell(out, "招什么", city["铜箔"], "目标企业", None)
    r = cli("import", str(out), ok=True)
    assert "没有变化" in r.stderr
    assert "有 1 个空单元格对应的原值未清空" in r.stderr and "--blank clear" in r.stderr
    assert _item(db_path, city["铜箔"])["company"] == "江西铜业集团"
    r = cli("import", str(out), "--blank", "clear", ok=True)
    assert "目标企业 江西铜业集团 → （空）" in r.stdout
    assert _item(db_path, city["铜箔"])["company"] is None


def test_status_edited_in_the_sheet_is_a_recorded_stage_move(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    out = tmp_path / "清单.xlsx"
    cli("export", str(out), ok=True)
    edit_cell(out, "招什么", city["铜箔"], "状态", "已开工")
    r = cli("import", str(out), ok=True)
    assert "状态 在谈 → 已开工" in r.stdout
    db = open_db(db_path)
    move = db.conn.execute(
        "SELECT from_status, to_status, flag, reason FROM status_log WHERE item_id = ? ORDER BY id DESC LIMIT 1",
        (city["铜箔"],),
    ).fetchone()
    assert move[:3] == ("在谈", "已开工", "skip")
    assert "清单.xlsx" in move[3]


def test_masked_export_never_overwrites_phones(cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path) -> None:
    out = tmp_path / "m.xlsx"
    cli("export", str(out), "--mask", ok=True)
    r = cli("import", str(out), ok=True)
    assert "没有变化" in r.stderr
    assert "在导出时已隐藏（--mask），导入时忽略" in r.stderr
    assert _item(db_path, city["铜矿"])["phone"] == "13800138000"


# ---------------------------------------------------------------------------------------
# LibreOffice
# ---------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _resave(path: Path, tmp_path: Path) -> Path:
    """Open and save the workbook with LibreOffice, as an office worker would."""
    outdir = tmp_path / "lo"
    outdir.mkdir(exist_ok=True)
    profile = (tmp_path / "lo_profile").as_uri()
    assert SOFFICE is not None
    args = [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx"]
    proc = subprocess.run(
        [*args, "--outdir", str(outdir), str(path)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    out = outdir / path.name
    assert out.exists(), proc.stdout + proc.stderr
    return out


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_round_trip_survives_a_libreoffice_resave(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    out = tmp_path / "清单.xlsx"
    cli("export", str(out), ok=True)
    edit_cell(out, "招什么", city["蛋白"], "外资额（万美元）", 450.25)
    edit_cell(out, "有什么", city["铜矿"], "所在地", "嫩江市多宝山镇")
    saved = _resave(out, tmp_path)
    wb = openpyxl.load_workbook(saved)
    assert "_meta" in wb.sheetnames and wb["_meta"].sheet_state == "hidden"
    before = dump(db_path)
    r = cli("import", str(saved), ok=True)
    assert "来源：本库导出的文件" in r.stderr
    assert "已导入：新增 0，修改 2，" in r.stderr
    assert "外资额 300 → 450.25" in r.stdout and "所在地 （空） → 嫩江市多宝山镇" in r.stdout
    after = dump(db_path)
    assert after["activities"] == before["activities"] and after["funds"] == before["funds"]
    fresh = tmp_path / "fresh.xlsx"
    cli("export", str(fresh), ok=True)
    r = cli("import", str(_resave(fresh, tmp_path)), ok=True)
    assert "没有变化" in r.stderr


# ---------------------------------------------------------------------------------------
# Roll-up: a county's database exported and imported by the city
# ---------------------------------------------------------------------------------------


@pytest.fixture
def county(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "county.db"
    ids = make_city(path, user="县招商局")
    return path, ids


def test_roll_up_keeps_origin_and_updates_next_month(
    cli: Cli, county: tuple[Path, dict[str, int]], tmp_path: Path, db_path: Path
) -> None:
    county_db, ids = county
    county_cli = Cli(county_db)
    march = tmp_path / "县3月.xlsx"
    county_cli("export", str(march), ok=True)
    cli("init", ok=True)
    cli("chain", "add", "有色金属", "包保领导=市领导", ok=True)  # the city's own chain stays the city's
    r = cli("import", str(march), ok=True)
    assert "其他数据库「county.db」导出的文件（汇总导入，保留来源）" in r.stderr
    assert "新建产业链：大豆加工" in r.stderr
    assert "新建招商主体：爱辉区、北安市" in r.stderr
    assert "已导入：新增 8，修改 0，" in r.stderr
    city = open_db(db_path)
    origin = open_db(county_db).identity
    rows = city.conn.execute("SELECT origin, origin_id, title FROM items ORDER BY origin_id").fetchall()
    assert len(rows) == 8 and {r[0] for r in rows} == {origin}
    assert [r[1] for r in rows] == sorted(ids.values())
    copper = city.conn.execute("SELECT id FROM items WHERE origin_id = ?", (ids["铜箔"],)).fetchone()[0]
    assert _item(db_path, copper)["investment"] == 35600
    assert city.conn.execute("SELECT count(*) FROM activities WHERE item_id = ?", (copper,)).fetchone()[0] == 2
    problem = city.conn.execute("SELECT id FROM items WHERE origin_id = ?", (ids["用地"],)).fetchone()[0]
    assert _item(db_path, problem)["project"] == copper  # a reference follows the item, not the county's number
    assert city.conn.execute("SELECT leader FROM chains WHERE name = '有色金属'").fetchone() == ("市领导",)
    r = cli("import", str(march), ok=True)
    assert "没有变化" in r.stderr
    # next month in the county: one edit, one new item, one deletion
    cdb = open_db(county_db)
    with cdb.command("edit", user="县招商局"):
        items.edit(cdb, ids["铜箔"], {"投资额": "4亿"})
        items.add(cdb, "招什么", "新来的石墨烯项目", chain="有色金属")
        items.remove(cdb, ids["视频"])
    cdb.close()
    april = tmp_path / "县4月.xlsx"
    county_cli("export", str(april), ok=True)
    r = cli("import", str(april), ok=True)
    assert "已导入：新增 1，修改 1，" in r.stderr
    assert "投资额 35600 → 40000" in r.stdout
    city = open_db(db_path)
    assert city.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 9  # deleted there, kept here
    assert _item(db_path, copper)["investment"] == 40000
    # an older export after a newer one would turn the clock back
    r = cli("import", str(march), ok=False)
    assert "比上次导入的那份" in r.stderr and "--force" in r.stderr
    r = cli("import", str(march), "--force", "--dry-run", ok=True)
    assert "投资额 40000 → 35600" in r.stdout


def test_roll_up_json_and_activity_natural_keys(
    cli: Cli, county: tuple[Path, dict[str, int]], tmp_path: Path, db_path: Path
) -> None:
    county_db, ids = county
    out = tmp_path / "县.json"
    Cli(county_db)("export", str(out), ok=True)
    cli("init", ok=True)
    cli("import", str(out), ok=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    data["activities"].append({"item_id": ids["铜箔"], "type": "走访", "date": "2026-04-15", "summary": "实地踏勘"})
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = cli("import", str(out), "--force", ok=True)
    assert "已导入：新增 0，修改 0，不变 8，拒绝 0；" in r.stderr and "：新增 1，修改 0，不变 9" in r.stderr
    assert open_db(db_path).conn.execute("SELECT count(*) FROM activities").fetchone()[0] == 3


def test_roll_up_flags_items_the_city_entered_itself(
    cli: Cli, city: dict[str, int], county: tuple[Path, dict[str, int]], tmp_path: Path, db_path: Path
) -> None:
    """The city typed in the same items as the county: identical ones are simply unchanged,
    a differing one is a suspected duplicate; --on-duplicate update links them all."""
    county_db, ids = county
    with open_db(county_db) as cdb, cdb.command("edit", user="县"):
        items.edit(cdb, ids["铜箔"], {"投资额": "4亿"})
    out = tmp_path / "县.xlsx"
    Cli(county_db)("export", str(out), ok=True)
    with open_db(county_db) as cdb:
        origin = cdb.identity
    before = dump(db_path)
    r = cli("import", str(out), ok=False)
    assert "发现 1 个疑似重复" in r.stderr
    assert f"「招什么」第2行「年产5万吨铜箔项目」≈ 编号 {city['铜箔']}「年产5万吨铜箔项目」" in r.stderr
    assert "没有编号" not in r.stderr  # its activities are not reported again
    assert dump(db_path) == before
    r = cli("import", str(out), "--on-duplicate", "update", ok=True)
    assert "新增 0，修改 1，" in r.stderr and "与来源关联 8" in r.stderr
    db = open_db(db_path)
    linked = db.conn.execute("SELECT id, origin_id FROM items WHERE origin = ? ORDER BY id", (origin,)).fetchall()
    assert [x[0] for x in linked] == sorted(city.values())  # the city's items now carry the county's numbers
    assert _item(db_path, city["铜箔"])["investment"] == 40000
    r = cli("import", str(out), ok=True)
    assert "没有变化" in r.stderr


def test_roll_up_is_one_undoable_command(
    cli: Cli, county: tuple[Path, dict[str, int]], tmp_path: Path, db_path: Path
) -> None:
    county_db, _ids = county
    out = tmp_path / "县.xlsx"
    Cli(county_db)("export", str(out), ok=True)
    cli("init", ok=True)
    before = dump(db_path)
    cli("import", str(out), ok=True)
    assert len(records(out, "招什么")) == 2
    cli("undo", "--yes", ok=True)
    after = dump(db_path)
    for table in ("items", "kind_targets", "chains", "units", "activities", "funds", "approvals", "team_members"):
        assert after[table] == before[table], table


def test_roll_up_keeps_the_offices_stage_dates(
    cli: Cli, county: tuple[Path, dict[str, int]], tmp_path: Path, db_path: Path
) -> None:
    """A county project signed in March is in the city's March figures, not on the day of
    the import; next month's move comes with its own date too."""
    county_db, ids = county
    with open_db(county_db) as cdb, cdb.command("stage", user="县招商局"):
        items.set_status(cdb, ids["铜箔"], "已签约", on="2026-03-15", force=True)
    march = tmp_path / "县3月.xlsx"
    Cli(county_db)("export", str(march), ok=True)
    cli("init", ok=True)
    r = cli("import", str(march), ok=True)
    assert "「阶段变更」中的日期用作汇总条目的阶段变更记录" in r.stderr
    city = open_db(db_path)
    copper = city.conn.execute("SELECT id FROM items WHERE origin_id = ?", (ids["铜箔"],)).fetchone()[0]
    log = city.conn.execute(
        "SELECT from_status, to_status, date, user FROM status_log WHERE item_id = ? ORDER BY id", (copper,)
    ).fetchall()
    with open_db(county_db) as cdb:
        theirs = cdb.conn.execute(
            "SELECT from_status, to_status, date, user FROM status_log WHERE item_id = ? ORDER BY id", (ids["铜箔"],)
        ).fetchall()
    assert log == theirs and log[-1][1:3] == ("已签约", "2026-03-15")
    total = city.conn.execute("SELECT count(*) FROM status_log").fetchone()[0]
    # one row each; 铜箔 moved twice, 蛋白 signed
    assert total == city.conn.execute("SELECT count(*) FROM items").fetchone()[0] + 3
    with open_db(county_db) as cdb, cdb.command("stage", user="县招商局"):
        items.set_status(cdb, ids["铜箔"], "已入统", on="2026-04-10", force=True)
    april = tmp_path / "县4月.xlsx"
    Cli(county_db)("export", str(april), ok=True)
    r = cli("import", str(april), ok=True)
    assert "状态 已签约 → 已入统" in r.stdout
    city = open_db(db_path)
    last = city.conn.execute(
        "SELECT from_status, to_status, date, flag FROM status_log WHERE item_id = ? ORDER BY id DESC LIMIT 1",
        (copper,),
    ).fetchone()
    assert last == ("已签约", "已入统", "2026-04-10", None)
    # a roll-up waits for 认定 by itself: the item shows its confirmed state until then
    assert _item(db_path, copper)["status"] == "线索"
    cli("review", "confirm", "--all", ok=True)
    assert _item(db_path, copper)["status"] == "已入统"
