"""`zs report bulletin --template`: an office's template is data.  It is filled in a sandbox
(no code, no internals), with autoescape, within bounds of size, loops, memory and time, and
its mistakes are reported in Chinese with the tag and the paragraph.  Both writers also survive
text XML cannot hold."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from _harness import read_docx
from conftest import Cli
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.errors import ZsError
from zhaoshang.reports.bulletin import Bulletin, Section
from zhaoshang.reports.bulletin_docx import write_default, write_template, xml_safe
from zhaoshang.reports.bulletin_template import Limits

docx = pytest.importorskip("docx")

UNIT = "爱辉区（研发&孵化）"
MONTH = ("--month", "2026-11", "--today", "2026-11-15")


def _bulletin(office: str = UNIT, paragraph: str = f"{UNIT}签约项目3个，<第一>名 \"领先\" 'A'。") -> Bulletin:
    return Bulletin(
        title="关于2026年11月招商引资工作情况的通报",
        office=office,
        period="2026年11月",
        asof="2026年11月15日",
        sections=[Section("一、总体情况", [paragraph]), Section("二、各地各专班情况", ["无"])],
        placeholder=False,
    )


def _template(path: Path, *paragraphs: str) -> Path:
    doc = docx.Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def _texts(path: Path) -> list[str]:
    return [p.text for p in read_docx(path).paragraphs]


def _refused(tmp_path: Path, *paragraphs: str, limits: Limits | None = None) -> str:
    template = _template(tmp_path / "红头.docx", *paragraphs)
    out = tmp_path / "通报.docx"
    with pytest.raises(ZsError) as info:
        write_template(_bulletin(), template, out, limits)
    assert not out.exists() and not list(tmp_path.glob(".通报.docx*"))  # nothing half-written left
    return str(info.value)


OFFICE_TEMPLATE = (
    "黑河市商务局文件",
    "{{ title }}",
    "{%p for s in sections %}",
    "{{ s.heading }}",
    "{%p for para in s.paragraphs %}",
    "{{ para }}",
    "{%p endfor %}",
    "{%p endfor %}",
    "{{ office }}",
    "{{ asof }}",
)


def test_the_offices_template_is_filled_and_text_comes_out_whole(tmp_path: Path) -> None:
    """& < > and quotes in a value: the old code cut the sentence at the &."""
    template = _template(tmp_path / "红头.docx", *OFFICE_TEMPLATE)
    out = tmp_path / "通报.docx"
    write_template(_bulletin(), template, out)
    texts = _texts(out)
    assert texts[:3] == ["黑河市商务局文件", "关于2026年11月招商引资工作情况的通报", "一、总体情况"]
    assert f"{UNIT}签约项目3个，<第一>名 \"领先\" 'A'。" in texts
    assert texts[-2:] == [UNIT, "2026年11月15日"]


def test_the_office_template_from_the_cli(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHAOSHANG_OFFICE", UNIT)
    template = _template(tmp_path / "红头.docx", *OFFICE_TEMPLATE)
    out = tmp_path / "通报.docx"
    Cli(demo_db)("report", "bulletin", *MONTH, "--out", str(out), "--template", str(template), ok=True)
    texts = _texts(out)
    assert texts[1] == f"{UNIT}关于2026年11月招商引资工作情况的通报" and UNIT in texts
    assert not any("{{" in t or "{%" in t for t in texts)


def test_code_in_a_template_does_not_run(tmp_path: Path) -> None:
    """The issue's template: cycler's globals reach os.popen; the old code put `id`'s output
    in the document."""
    marker = tmp_path / "ran"
    says = _refused(tmp_path, "红头", f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}; id').read() }}}}")
    assert not marker.exists()
    assert says.startswith("模板「红头.docx」第 2 段的标签 {{ cycler.__init__.__globals__")
    assert "不能执行代码" in says and "__init__" in says


def test_python_internals_are_out_of_reach(tmp_path: Path) -> None:
    """``''.__class__.__mro__[1].__subclasses__()`` listed 614 classes with the old code."""
    says = _refused(tmp_path, "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    assert "「__class__」" in says and "不能执行代码" in says


def test_the_values_cannot_be_changed(tmp_path: Path) -> None:
    says = _refused(tmp_path, "{{ sections.append(1) }}{{ sections }}")
    assert "不能执行代码" in says


def test_a_huge_loop_is_refused_at_once(tmp_path: Path) -> None:
    """``range(10**9)`` never ended with the old code."""
    start = time.perf_counter()
    says = _refused(tmp_path, "正文", "{% for x in range(10**9) %}{{ x }}{% endfor %}")
    assert time.perf_counter() - start < 10
    assert "第 2 段" in says and "{% for x in range(10**9) %}" in says and "超过上限 10,000 次" in says


@pytest.mark.parametrize(
    ("tag", "says"),
    [("{{ 'x' * 10**10 }}", "过长"), ("{{ '%0999999999d' % 1 }}", "格式宽度过大"), ("{{ 2 ** (10**9) }}", "乘方")],
)
def test_a_huge_value_is_refused(tmp_path: Path, tag: str, says: str) -> None:
    start = time.perf_counter()
    message = _refused(tmp_path, tag)
    assert f"第 1 段的标签 {tag} 有误" in message and says in message, message
    assert time.perf_counter() - start < 10


def test_too_much_output_is_refused(tmp_path: Path) -> None:
    says = _refused(
        tmp_path,
        "{% for a in range(10000) %}{% for b in range(10000) %}填写{% endfor %}{% endfor %}",
        limits=Limits(output_chars=1_000_000),
    )
    assert "超过 1,000,000 个字符" in says


def test_a_runaway_template_is_stopped_in_time(tmp_path: Path) -> None:
    """Loops within every bound that still run for minutes: the child process is ended."""
    start = time.perf_counter()
    says = _refused(
        tmp_path,
        "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        limits=Limits(seconds=2),
    )
    assert time.perf_counter() - start < 8
    assert "超过 2 秒仍未完成，已中止" in says


def test_a_template_that_eats_memory_is_stopped(tmp_path: Path) -> None:
    says = _refused(
        tmp_path,
        "{{ range(10000) | map('string') | join('x' * 100000) | length }}",
        limits=Limits(memory_bytes=200 * 1024**2),
    )
    assert "内存" in says and "已中止" in says


def _pad(template: Path, xml_bytes: int) -> Path:
    """``template`` with its document.xml grown to ``xml_bytes`` of ordinary paragraphs."""
    with zipfile.ZipFile(template) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    body = parts["word/document.xml"].decode()
    para = "<w:p><w:r><w:t>{{ title }} 正文正文正文</w:t></w:r></w:p>"
    cut = body.index("<w:sectPr")
    parts["word/document.xml"] = (body[:cut] + para * (xml_bytes // len(para.encode())) + body[cut:]).encode()
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return template


def test_a_huge_template_is_refused_before_rendering(tmp_path: Path) -> None:
    """A 3 MB template took 7.8 GB with the old code."""
    template = _pad(_template(tmp_path / "大.docx", "{{ title }}"), 3 * 1024**2)
    start = time.perf_counter()
    with pytest.raises(ZsError, match=r"模板「大.docx」的正文、页眉、页脚解压后有 3.0 MB，超过上限 1 MB"):
        write_template(_bulletin(), template, tmp_path / "通报.docx")
    assert time.perf_counter() - start < 2


def test_a_zip_bomb_template_is_refused(tmp_path: Path) -> None:
    template = _template(tmp_path / "炸弹.docx", "{{ title }}")
    with zipfile.ZipFile(template, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/image1.png", b"\0" * (200 * 1024**2))
    with pytest.raises(ZsError, match=r"模板「炸弹.docx」解压后有 201 MB，超过上限 100 MB"):
        write_template(_bulletin(), template, tmp_path / "通报.docx")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"just text", "「红头.docx」不是 .docx 文件（Word 文档）：请用 Word/WPS 把模板另存为 .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "「红头.docx」是旧版 Word（.doc）文件，不是 .docx"),
        (None, "「红头.docx」是 zip 压缩包，但里面没有 word/document.xml，不是 Word 文档"),
    ],
)
def test_a_file_that_is_not_a_docx_says_so(tmp_path: Path, content: bytes | None, says: str) -> None:
    template = tmp_path / "红头.docx"
    if content is None:
        with zipfile.ZipFile(template, "w") as zf:
            zf.writestr("xl/workbook.xml", "<workbook/>")
    else:
        template.write_bytes(content)
    with pytest.raises(ZsError) as info:
        write_template(_bulletin(), template, tmp_path / "通报.docx")
    assert says in str(info.value) and "请检查模板中的标签" not in str(info.value)


@pytest.mark.parametrize(
    ("paragraph", "says"),
    [
        ("正文 {{ foo.bar( }}", "第 3 段（「正文 {{ foo.bar( }}」）的标签 {{ foo.bar( }} 有误：写法不对"),
        ("{{ titel }}", "第 3 段的标签 {{ titel }} 有误：没有「titel」这一项：可用的是 office、title"),
        ("落款 {{ office.name }}", "第 3 段（「落款 {{ office.name }}」）的标签 {{ office.name }} 有误：没有「name」"),
        ("{%p fro s in sections %}", "第 3 段的标签 {%p fro s in sections %} 有误：不认识的标签「fro」"),
        ("{%p for s in sections %}", "中有 {% for %} 或 {% if %} 没有结束（缺少 endfor）：请在模板里补上对应的"),
    ],
)
def test_a_mistake_names_the_tag_and_the_paragraph(tmp_path: Path, paragraph: str, says: str) -> None:
    """The old code said English TemplateSyntaxError text and 「请检查模板中的标签」."""
    message = _refused(tmp_path, "黑河市商务局文件", "{{ title }}", paragraph)
    assert message.startswith("模板「红头.docx」") and says in message, message
    assert "Error" not in message


@pytest.mark.parametrize("writer", ["default", "template"])
def test_control_characters_do_not_stop_the_bulletin(tmp_path: Path, writer: str) -> None:
    """A control character in a unit name or in ``office``: lxml refused the whole document
    ("All strings must be XML compatible")."""
    bulletin = _bulletin(office="黑河市\x00商务局\x1b", paragraph="爱辉区\x07（研发\x0b孵化）签约\ud800项目3个。")
    out = tmp_path / "通报.docx"
    if writer == "default":
        write_default(bulletin, out)
    else:
        write_template(bulletin, _template(tmp_path / "红头.docx", *OFFICE_TEMPLATE), out)
    texts = _texts(out)
    assert "黑河市商务局" in texts and "爱辉区（研发 孵化）签约项目3个。" in texts


@given(st.text())
def test_xml_safe_keeps_what_xml_can_hold(text: str) -> None:
    from lxml import etree

    cleaned = xml_safe(_bulletin(office=text, paragraph=text))
    el = etree.Element("t")
    el.text = cleaned.office  # raises for any character XML cannot hold
    assert cleaned.sections[0].paragraphs == [cleaned.office]
    legal = all(c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff" for c in text)
    if legal:
        assert cleaned.office == text


def test_a_mistake_in_the_header_is_placed_there(tmp_path: Path) -> None:
    template = _template(tmp_path / "红头.docx", "{{ title }}")
    doc = docx.Document(str(template))
    doc.sections[0].header.paragraphs[0].text = "黑河市商务局 {{ ofice }}"
    doc.save(str(template))
    with pytest.raises(ZsError) as info:
        write_template(_bulletin(), template, tmp_path / "通报.docx")
    says = "模板「红头.docx」页眉第 1 段（「黑河市商务局 {{ ofice }}」）的标签 {{ ofice }} 有误"
    assert str(info.value).startswith(says)


def test_the_cli_says_it_without_a_traceback(demo_db: Path, tmp_path: Path) -> None:
    template = _template(tmp_path / "红头.docx", "{{ cycler.__init__.__globals__.os.popen('id').read() }}")
    out = tmp_path / "通报.docx"
    r = Cli(demo_db)("report", "bulletin", *MONTH, "--out", str(out), "--template", str(template), ok=False)
    assert r.exit_code == 1 and "不能执行代码" in r.stderr and "Traceback" not in r.stderr
    assert "uid=" not in r.stderr and not out.exists()


def test_the_documents_properties_are_filled_unescaped(tmp_path: Path) -> None:
    template = _template(tmp_path / "红头.docx", "{{ title }}")
    doc = docx.Document(str(template))
    doc.core_properties.title = "{{ office }}"
    doc.save(str(template))
    out = tmp_path / "通报.docx"
    write_template(_bulletin(), template, out)
    assert docx.Document(str(out)).core_properties.title == UNIT
