"""The county layouts of tests/test_layout_rows.py as clerks send them: HTML tables opened in
LibreOffice and saved as .xlsx, imported through the core — subtotals with a chain before them,
group headings across cells, the money unit in a note or the title, the reporting unit by its
seal and the filing date in the title."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_util import SOFFICE_BIN, html_table, libreoffice_sheets, make_city, open_db

from zhaoshang import items
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file
from zhaoshang.exchange.tables import RowClass

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE_BIN is None, reason="LibreOffice is not installed"),
]

HEADER = ["序号", "项目名称", "产业链", "投资额（万元）", "状态"]

PAGES: dict[str, str] = {
    "totals": html_table(
        [
            [("爱辉区2026年10月招商引资项目推进情况表", 5)],
            HEADER,
            [1, "爱辉区甜菜制糖项目", "大豆加工", 6000, "线索"],
            [2, "爱辉区汉麻加工项目", "大豆加工", 4000, "线索"],
            [None, "大豆加工产业链小计", "大豆加工", 10000, None],
            [3, "爱辉区铜箔项目", "有色金属", 5000, "线索"],
            [None, "有色金属小计（1个）", "有色金属", 5000, None],
            [None, "共计3个项目", None, 15000, None],
            [None, "累计完成", None, 15000, None],
            ["合  计", "3个", None, 15000, None],
            [4, "小计算机产业园项目", "有色金属", 100, "线索"],
        ]
    ),
    "groups": html_table(
        [
            [("北安市2026年10月招商引资项目推进情况表", 4)],
            ["序号", "项目名称", "投资额（万元）", "状态"],
            ["一", "有色金属产业链", 9000, None],
            [1, "北安市铜箔项目", 5000, "在谈"],
            [2, "北安市铝材项目", 4000, "线索"],
            ["（一）", "大豆加工", None, None],
            [3, "北安市豆粕项目", 800, "线索"],
        ]
    ),
    "note_unit": html_table(
        [
            [("爱辉区2026年10月项目表", 4)],
            ["项目名称", "产业链", "投资额", "状态"],
            ["爱辉区榛子加工项目", "大豆加工", 0.5, "线索"],
            [("注：金额均为亿元。", 4)],
        ]
    ),
    "title_unit": html_table(
        [
            [("爱辉区2026年10月招商引资项目推进情况表（单位：亿元）", 4)],
            ["项目名称", "产业链", "投资额", "状态"],
            ["爱辉区大豆种业项目", "大豆加工", 0.6, "线索"],
        ]
    ),
    "title_clash": html_table(
        [
            [("北安市2026年10月招商引资项目推进情况表（金额：万元）", 4)],
            ["项目名称", "产业链", "计划总投资（亿元）", "状态"],
            ["北安市大豆种业项目", "大豆加工", 0.6, "线索"],
        ]
    ),
    "seal": html_table(
        [
            [("爱辉区2026年10月招商引资项目推进情况表（填报日期：2026-10-29）", 4)],
            [("爱辉区商务局（盖章）\u3000\u3000\u3000单位：亿元", 4)],
            ["项目名称", "产业链", "投资额", "状态"],
            ["爱辉区中草药项目", "大豆加工", 0.35, "在谈"],
            [("填报人（签字）：张三", 4)],
        ]
    ),
}


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return libreoffice_sheets(tmp_path_factory.mktemp("layout"), PAGES, "xlsx")


@pytest.fixture
def city(tmp_path: Path) -> Iterator[Any]:
    path = tmp_path / "zs.db"
    make_city(path)
    db = open_db(path)
    yield db
    db.close()


def _run(db: Any, path: Path, **opts: Any) -> ImportReport:
    options = ImportOptions(kind="招什么", dry_run=opts.pop("dry_run", True), **opts)
    return import_file(db, path, options, user="测试员")


def _classes(report: ImportReport) -> dict[int, RowClass]:
    return {n: r.cls for r in report.sheets[0].rows for n in range(r.first, r.last + 1)}


def _item(db: Any, title: str) -> dict[str, Any]:
    row = db.conn.execute("SELECT id FROM items WHERE title = ?", (title,)).fetchone()
    assert row is not None, title
    return items.get(db, row[0])


def _reasons(report: ImportReport) -> list[str]:
    return [p.text() for p in report.problems]


def test_subtotals_with_a_chain_before_and_a_count_after_are_not_projects(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["totals"], dry_run=False)
    assert not report.problems, _reasons(report)
    classes = _classes(report)
    assert [classes[n] for n in (5, 7, 8, 9, 10)] == [RowClass.total] * 5
    assert report.total("added") == 4
    titles = {r[0] for r in city.conn.execute("SELECT title FROM items")}
    assert "小计算机产业园项目" in titles
    assert not titles & {"大豆加工产业链小计", "有色金属小计（1个）", "共计3个项目", "累计完成", "3个"}


def test_group_headings_across_cells_give_their_rows_the_chain(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["groups"], dry_run=False)
    assert not report.problems, _reasons(report)
    classes = _classes(report)
    assert classes[3] is RowClass.section and classes[6] is RowClass.section
    assert report.total("added") == 3
    assert _item(city, "北安市铜箔项目")["chain"] == "有色金属"
    assert _item(city, "北安市豆粕项目")["chain"] == "大豆加工"
    assert city.conn.execute("SELECT count(*) FROM items WHERE title LIKE '%产业链'").fetchone()[0] == 0


def test_a_note_with_the_money_unit_under_the_data_is_refused(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["note_unit"])
    assert any("「注：金额均为亿元。」说金额单位是亿元" in r for r in _reasons(report)), _reasons(report)


def test_the_money_unit_in_the_title_is_the_sheets(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["title_unit"], dry_run=False)
    assert not report.problems, _reasons(report)
    assert _item(city, "爱辉区大豆种业项目")["investment"] == 6000  # 0.6 亿元, not 0.6 万元


def test_a_title_unit_that_contradicts_a_columns_unit_is_refused(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["title_clash"])
    assert any("「金额：万元」与本列写的单位「亿元」矛盾" in r for r in _reasons(report)), _reasons(report)


def test_the_reporting_unit_by_its_seal_and_the_filing_date_in_the_title(city: Any, sheets: dict[str, Path]) -> None:
    report = _run(city, sheets["seal"], dry_run=False)
    assert not report.problems, _reasons(report)
    item = _item(city, "爱辉区中草药项目")
    assert item["unit"] == "爱辉区"  # 爱辉区商务局（盖章）: the office of 爱辉区
    assert item["investment"] == 3500
    said = [i.text for i in report.inferences]
    assert any("表头上方的「爱辉区商务局（盖章）」" in t for t in said), said
    assert any("2026-10-29" in t for t in said), said
