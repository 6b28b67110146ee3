"""`zs report bulletin`: the 通报 written from the report's own figures, laid out per GB/T 9704,
reopened and checked paragraph by paragraph and run by run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _harness import read_docx
from conftest import Cli

docx = pytest.importorskip("docx")

MONTH = ("--month", "2026-11", "--today", "2026-11-15")


def _bulletin(cli: Cli, tmp_path: Path, *extra: str) -> tuple[Any, dict[str, Any]]:
    out = tmp_path / "通报.docx"
    r = cli("report", "bulletin", *MONTH, "--out", str(out), *extra, ok=True)
    assert r.stdout == "" and f"已生成「{out}」" in r.stderr
    data = json.loads(cli("report", "monthly", *MONTH, "-f", "json", ok=True).stdout)
    return read_docx(out), data


def test_the_layout_is_gb_t_9704(demo_db: Path, tmp_path: Path) -> None:
    doc, _ = _bulletin(Cli(demo_db), tmp_path)
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    margins = [round(m.mm) for m in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)]
    assert margins == [37, 35, 28, 26]
    title = doc.paragraphs[0]
    assert title.text == "关于2026年11月招商引资工作情况的通报" and title.alignment == 1  # centred
    qn = docx.oxml.ns.qn

    def east_asia(run: Any) -> str:
        return str(run._element.rPr.rFonts.get(qn("w:eastAsia")))

    assert east_asia(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    headings = [p for p in doc.paragraphs if re.match(r"^[一二三四]、", p.text)]
    assert [p.text for p in headings] == ["一、总体情况", "二、各地各专班情况", "三、存在问题", "四、下步打算"]
    assert all(east_asia(p.runs[0]) == "黑体" for p in headings)
    body = [p for p in doc.paragraphs[1:] if p.text and not re.match(r"^[一二三四]、", p.text)][:-2]
    # the text in 仿宋, a run-in second-level heading 「（一）项目签约。」 in 楷体
    fonts = {"仿宋_GB2312"} | {"楷体_GB2312"}
    assert body and all(east_asia(r) in fonts and r.font.size.pt == 16 for p in body for r in p.runs)
    assert any(east_asia(r) == "楷体_GB2312" and r.text.startswith("（一）") for p in body for r in p.runs)
    assert all(p.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05) for p in body)
    table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    for font, alt in (("方正小标宋简体", "宋体"), ("仿宋_GB2312", "仿宋")):  # what shows where the font is missing
        assert re.search(rf'w:name="{font}"><w:altName w:val="{alt}"/>', table), table[-600:]
    footer = sec.footer.paragraphs[0]
    assert footer.text == "— 1 —" and "PAGE" in footer._element.xml and "fldChar" in footer._element.xml


def _paragraph(doc: Any, heading: str) -> list[str]:
    paras = list(doc.paragraphs)
    i = [p.text for p in paras].index(heading)
    out = []
    for p in paras[i + 1 :]:
        t = p.text
        if re.match(r"^[一二三四]、", t) or p.alignment == 2:
            break  # the next section, or the signature and date (right-aligned) under the text
        if t:
            out.append(t)
    return out


def test_every_sentence_carries_the_reports_figures(demo_db: Path, tmp_path: Path) -> None:
    from zhaoshang.reports import numbers
    from zhaoshang.reports.metrics import BY_KEY

    doc, data = _bulletin(Cli(demo_db), tmp_path)
    total = data["total"]
    overall = "".join(_paragraph(doc, "一、总体情况"))
    assert overall.count("时序进度为") == 1  # said once
    assert f"时序进度为{numbers.percent(data['time_progress'])}" in overall
    ytd = total["year_to_date"]
    assert f"年累计签约项目{numbers.prose(ytd['signed'], BY_KEY['signed'])}" in overall
    assert f"签约额{numbers.prose(ytd['signed_amount'], BY_KEY['signed_amount'])}" in overall
    comp = total["completion"]["signed_amount"]
    gap = comp - data["time_progress"]
    assert f"完成年度目标的{numbers.percent(comp)}，{'超过' if gap > 0 else '落后'}{numbers.points(gap)}" in overall
    assert f"到位资金{numbers.prose(total['period']['funds_domestic'], BY_KEY['funds_domestic'])}" in overall
    assert "增长-" not in overall and "增加-" not in overall  # a fall is written 下降 / 减少
    ranks = _paragraph(doc, "二、各地各专班情况")[0]
    top = data["ranking"]["rows"][:3]
    assert ranks.startswith(
        "（一）擂台赛排名。2026年1—11月累计得分前三名："
        + "、".join(f"{r['name']}（{numbers.score(r['score'])}分）" for r in top)
    )
    problems = "".join(_paragraph(doc, "三、存在问题"))
    for u in data["units"]:
        if u["period"]["problems_overdue"]:
            assert f"{u['name']}{u['period']['problems_overdue']}件" in problems
    assert _paragraph(doc, "四、下步打算") == ["【待填写：下步打算由办公室根据本期情况撰写，系统不代拟。】"]
    stalled = json.loads(Cli(demo_db)("warn", "--today", data["asof"], "--type", "停滞", "-f", "json", ok=True).stdout)
    projects = [w for w in stalled if w["kind"] == "targets"]
    if projects:
        assert f"阶段停滞超过时限的项目{len(projects)}个" in problems


def test_every_number_in_the_text_comes_from_the_report(demo_db: Path, tmp_path: Path) -> None:
    """No number that the JSON does not give: a value, or the difference / ratio of two of its
    values for the same indicator, or a date of the period."""
    doc, data = _bulletin(Cli(demo_db), tmp_path)
    allowed: set[str] = set()

    from zhaoshang.reports import numbers as fmt

    def forms(v: float) -> set[str]:
        # as the 通报 writes it (zhaoshang.reports.numbers): a count, money, 亿元, a percentage, a score
        return {fmt.grouped(v, 0), fmt.amount(v), fmt.grouped(v * 100, 1), fmt.score(v), fmt.grouped(v / 10_000, 2)}

    def walk(x: Any) -> None:
        if isinstance(x, bool):
            return
        if isinstance(x, int | float):
            allowed.update(forms(float(x)))
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            allowed.update(re.findall(r"\d+", x))

    walk(data)
    progress = data["time_progress"]
    for scope in [data["total"], *data["units"], *data["chains"]]:
        for key, cur in scope["period"].items():
            for other in (scope["previous"].get(key), scope["last_year"].get(key)):
                if isinstance(cur, int | float) and isinstance(other, int | float):
                    allowed.update(forms(abs(cur - other)))
                    if other:
                        allowed.update(forms(abs(cur - other) / abs(other)))
        for comp in scope["completion"].values():
            if comp is not None:
                allowed.update(forms(abs(comp - progress)))
    text = "\n".join(p.text for p in doc.paragraphs)
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", text)
    strays = [n for n in numbers if n not in allowed and n.rstrip("0").rstrip(".") not in allowed]
    assert strays == [], strays


def test_a_fall_is_written_as_a_fall(cli: Cli, tmp_path: Path) -> None:
    from pipeline_helpers import build_city

    build_city(cli.db)
    for title, day in (("去年项目一", "2025-11-03"), ("去年项目二", "2025-11-04"), ("今年项目", "2026-11-05")):
        cli(
            "add",
            "招什么",
            title,
            "--chain",
            "绿色矿业",
            "--status",
            "已签约",
            f"签约日期={day}",
            "--date",
            day,
            "投资额=1亿",
            "--force",
            ok=True,
        )
    out = tmp_path / "t.docx"
    cli("report", "bulletin", *MONTH, "--out", str(out), ok=True)
    overall = "".join(_paragraph(read_docx(out), "一、总体情况"))
    assert "签约项目1个" in overall and "同比下降50.0%" in overall, overall


def test_next_steps_are_the_offices_own_text(demo_db: Path, tmp_path: Path) -> None:
    plan = tmp_path / "下步打算.txt"
    plan.write_text("一是抓签约落地。\n\n二是抓问题销号。\n", encoding="utf-8")
    doc, _ = _bulletin(Cli(demo_db), tmp_path, "--next-steps", str(plan))
    assert _paragraph(doc, "四、下步打算") == ["一是抓签约落地。", "二是抓问题销号。"]


def test_an_offices_own_template(demo_db: Path, tmp_path: Path) -> None:
    template = tmp_path / "红头.docx"
    t = docx.Document()
    t.add_paragraph("黑河市商务局文件")
    t.add_paragraph("{{ title }}")
    t.add_paragraph("{%p for s in sections %}")
    t.add_paragraph("{{ s.heading }}")
    t.add_paragraph("{%p for para in s.paragraphs %}")
    t.add_paragraph("{{ para }}")
    t.add_paragraph("{%p endfor %}")
    t.add_paragraph("{%p endfor %}")
    t.save(str(template))
    doc, _ = _bulletin(Cli(demo_db), tmp_path, "--template", str(template))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:3] == ["黑河市商务局文件", "关于2026年11月招商引资工作情况的通报", "一、总体情况"]
    assert "四、下步打算" in texts and not any("{{" in t or "{%" in t for t in texts)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--out", "通报.txt"], "应以 .docx 结尾"),
        (["--out", "x.docx", "--month", "2026-11", "--quarter", "2026Q4"], "只能写一种"),
        (["--out", "x.docx", "--template", "没有.docx"], "找不到模板"),
        (["--out", "x.docx", "--next-steps", "没有.txt"], "读不了"),
    ],
)
def test_mistakes_are_messages(
    demo_db: Path, tmp_path: Path, args: list[str], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    r = Cli(demo_db)("report", "bulletin", *args, ok=False)
    assert says in r.stderr and r.exit_code == 1
    assert not (tmp_path / "x.docx").exists()


def _has_writer() -> bool:
    """LibreOffice with its word processor (libreoffice-writer): calc alone cannot open .docx."""
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(os.path.realpath(soffice)).parent / "libswlo.so").exists()


@pytest.mark.skipif(not _has_writer(), reason="LibreOffice Writer is not installed")
def test_libreoffice_opens_the_bulletin(demo_db: Path, tmp_path: Path) -> None:
    _bulletin(Cli(demo_db), tmp_path)
    r = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "通报.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = tmp_path / "通报.pdf"
    assert pdf.exists(), r.stderr
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    assert 1 <= pages <= 4, pages  # the demo month's 通报: two pages of A4
