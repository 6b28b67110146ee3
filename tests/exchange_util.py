"""Helpers for the export/import tests: a small city with every kind of value, and ways to
read workbooks back and to build sheets the way people type them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zhaoshang.db import Database
from zhaoshang.definitions import load

TODAY = dt.date(2026, 4, 20)


def make_city(path: Path, *, user: str = "测试员") -> dict[str, int]:
    """Two chains, two units, one item of most kinds (money, dates, phones, enums, a
    reference), activities, funds, an approval and a team member.  Returns ids by name."""
    from zhaoshang import items, lookups
    from zhaoshang.pipeline import activities, approvals, funds, team

    db = Database.open(path, load())
    ids: dict[str, int] = {}
    with db.command("setup", user=user):
        lookups.create(db, lookups.CHAIN, "有色金属", {"leader": "王建国", "lead_unit": "市工信局"})
        lookups.create(db, lookups.CHAIN, "大豆加工", {})
        lookups.create(db, lookups.UNIT, "爱辉区", {})
        lookups.create(db, lookups.UNIT, "北安市", {"type": "区县"})
        ids["铜箔"] = items.add(
            db,
            "招什么",
            "年产5万吨铜箔项目",
            chain="有色金属",
            values={
                "投资额": "3.56亿",
                "优先级": "A",
                "状态": "在谈",
                "责任人": "王强",
                "责任单位": "爱辉区",
                "时限": "2026-06-30",
                "目标企业": "江西铜业集团",
                "重点项目": "是",
                "备注": "=SUM(A1:A9)",
            },
            on="2026-01-10",  # in talks since January
        )
        ids["蛋白"] = items.add(
            db,
            "招什么",
            "大豆分离蛋白项目",
            chain="大豆加工",
            values={
                "投资额": "1200.5",
                "外资额": "300",
                "责任单位": "北安市",
                "状态": "已签约",
                "签约日期": "2026-03-15",
            },
            on="2026-03-01",
            force=True,
        )
        ids["铜矿"] = items.add(
            db, "有什么", "多宝山铜矿", chain="有色金属", values={"类别": "资源", "联系电话": "13800138000"}
        )
        ids["张三"] = items.add(
            db,
            "找谁招",
            "张三",
            chain="有色金属",
            values={"类别": "乡贤企业家", "organization": "深圳黑龙江商会", "电话": "0456-8123456", "职务": "+86 会长"},
        )
        ids["用地"] = items.add(
            db, "解决什么", "用地指标不足", chain="有色金属", values={"类型": "土地", "关联项目": ids["铜箔"]}
        )
        ids["龙粤"] = items.add(db, "去哪招", "龙粤合作对接会", chain="大豆加工", values={"开始日期": "2026-03-01"})
        ids["政策"] = items.add(db, "配套什么", "标准厂房租金减免", chain="有色金属", values={"要素类型": "厂房"})
        ids["视频"] = items.add(db, "说什么", "有色金属产业推介视频", chain="有色金属", values={"形式": "视频"})
        activities.add_note(db, ids["铜箔"], "赴江西洽谈，对方有意向", today=TODAY, on="2026-03-10", type="对接")
        activities.add_note(
            db, ids["铜箔"], "电话跟进", today=TODAY, on="2026-04-02", type="电话", next_date="2026-05-01"
        )
        funds.record(db, ids["蛋白"], "2026-03", today=TODAY, domestic="500", foreign="20")
        approvals.record(db, ids["铜箔"], "立项", today=TODAY, on="2026-03-20")
        team.add_member(db, ids["铜箔"], "项目管家", "韩雪", org="市商务局", phone="13900001111")
    db.close()
    return ids


def open_db(path: Path) -> Database:
    return Database.open(path, load())


def sheet_rows(path: Path, name: str) -> list[list[Any]]:
    """A sheet's values (openpyxl), trailing empty cells kept as None."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    try:
        return [list(r) for r in wb[name].iter_rows(values_only=True)]
    finally:
        wb.close()


def records(path: Path, name: str) -> list[dict[str, Any]]:
    """Data rows of a sheet keyed by header (header = first row)."""
    rows = sheet_rows(path, name)
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:]]


def edit_cell(path: Path, sheet: str, id_value: int, header: str, value: Any, *, out: Path | None = None) -> Path:
    """Change one cell (row found by 编号) with openpyxl, keeping the rest of the workbook."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    heads = [c.value for c in ws[1]]
    col = heads.index(header) + 1
    for row in ws.iter_rows(min_row=2):
        if row[0].value == id_value:
            row[col - 1].value = value
            break
    else:
        raise AssertionError(f"no row with 编号 {id_value}")
    target = out or path
    wb.save(target)
    return target


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook typed by a person (openpyxl): rows as given, optional merged ranges."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # typed as text ('=…), not a formula
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------
# County sheets made the way clerks make them: an HTML table opened in LibreOffice and saved
# as .xlsx, .xls or .ods (merged title cells, text typed as text, formulas with their values).

SOFFICE_BIN = __import__("shutil").which("soffice") or __import__("shutil").which("libreoffice")
_FILTERS = {"xlsx": "xlsx:Calc MS Excel 2007 XML", "xls": "xls:MS Excel 97", "ods": "ods"}


def html_table(rows: list[list[Any]], *, title: str = "Sheet1") -> str:
    """An HTML page with one table; a cell may be ``(text, colspan)`` or ``(text, colspan,
    rowspan)``; ``None`` is empty; ``...`` is a cell covered by a rowspan above (no <td>)."""
    import html

    out = [f'<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body><table border="1">']
    for row in rows:
        cells = []
        for cell in row:
            if cell is Ellipsis:
                continue
            span, down = 1, 1
            if isinstance(cell, tuple):
                cell, span, *more = cell
                down = more[0] if more else 1
            text = "" if cell is None else html.escape(str(cell))
            attrs = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{down}"' if down > 1 else "")
            cells.append(f"<td{attrs}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></body></html>")
    return "\n".join(out)


def libreoffice_sheets(tmp: Path, pages: dict[str, str], fmt: str) -> dict[str, Path]:
    """Convert every HTML page (name -> html) to ``fmt`` in ONE LibreOffice run."""
    import subprocess

    assert SOFFICE_BIN is not None
    src = tmp / "html"
    src.mkdir(parents=True, exist_ok=True)
    out = tmp / fmt
    out.mkdir(exist_ok=True)
    files = []
    for name, page in pages.items():
        p = src / f"{name}.html"
        p.write_text(page, encoding="utf-8")
        files.append(str(p))
    args = [SOFFICE_BIN, f"-env:UserInstallation={(tmp / 'lo_profile').as_uri()}", "--headless"]
    args += ["--infilter=HTML (StarCalc)", "--convert-to", _FILTERS[fmt], "--outdir", str(out), *files]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    made = {name: out / f"{name}.{fmt}" for name in pages}
    missing = [str(p) for p in made.values() if not p.exists()]
    assert not missing, (missing, proc.stdout, proc.stderr)
    return made


def libreoffice_resave(path: Path, tmp: Path, fmt: str = "xlsx") -> Path:
    """Open ``path`` in LibreOffice and save it as ``fmt`` (hidden rows and sheets kept)."""
    import subprocess

    assert SOFFICE_BIN is not None
    out = tmp / f"resaved_{fmt}"
    out.mkdir(parents=True, exist_ok=True)
    args = [SOFFICE_BIN, f"-env:UserInstallation={(tmp / 'lo_profile').as_uri()}", "--headless"]
    args += ["--convert-to", _FILTERS[fmt], "--outdir", str(out), str(path)]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    made = out / f"{path.stem}.{fmt}"
    assert made.exists(), (proc.stdout, proc.stderr)
    return made


def in_every_format(xlsx: Path, tmp: Path) -> dict[str, Path]:
    """``xlsx`` as itself and saved by LibreOffice as .xls and .ods (only the .xlsx without it)."""
    out = {"xlsx": xlsx}
    if SOFFICE_BIN is not None:
        out["xls"] = libreoffice_resave(xlsx, tmp, "xls")
        out["ods"] = libreoffice_resave(xlsx, tmp, "ods")
    return out


def open_city(path: Path) -> Iterator[Database]:
    """:func:`make_city` opened, closed after the test (``yield from open_city(db_path)`` in a fixture)."""
    make_city(path)
    db = Database.open(path, load())
    try:
        yield db
    finally:
        db.close()


def import_sheet(db: Database, path: Path, **opts: Any) -> Any:
    """``import_file`` of a 招什么 sheet by 测试员 (the report; raises ZsError when refused)."""
    from zhaoshang.exchange.importer import ImportOptions, import_file

    opts.setdefault("kind", "招什么")
    return import_file(db, path, ImportOptions(**opts), user="测试员")
