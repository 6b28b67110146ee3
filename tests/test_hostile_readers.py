"""Files that abort or run away, and readers' errors that were internal or English (issue 24).

Input is data, never code: every reader is bounded before its costly work, and each refusal is
one Chinese line naming the file, the place and the limit.  The hostile files are made here in
tmp_path; the real ones come from LibreOffice (``tests/fixtures/libreoffice.ods`` / ``.xls``:
``soffice --headless --convert-to ods|xls`` of a 300-row .xlsx written by openpyxl) and must
still read as before.  Whatever could abort or hang the test process runs in a child process
with a timeout and a memory cap.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from _harness import PY, ROOT, assert_clean_error, zs_env

from zhaoshang.errors import ZsError
from zhaoshang.exchange.readers import read_file

FIXTURES = Path(__file__).parent / "fixtures"
#: a hostile file is refused within this many seconds (loosely: the machine may be busy)
QUICK = 10.0


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def _city(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    db = tmp_path / "zs.db"
    env = zs_env(tmp_path)
    for args in (["init"], ["chain", "add", "有色金属"]):
        subprocess.run([PY, "-m", "zhaoshang", "--db", str(db), *args], env=env, check=True, capture_output=True)
    return db, env


def _import(tmp_path: Path, path: Path, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``zs import FILE --dry-run`` in a child process capped at 1 GB, timed."""
    db, env = _city(tmp_path)
    started = time.monotonic()
    proc = subprocess.run(
        [PY, "-m", "zhaoshang", "--db", str(db), "import", str(path), "--kind", "招什么", "--dry-run", *extra],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT, preexec_fn=_limit_memory,
    )  # fmt: skip
    proc.elapsed = time.monotonic() - started  # type: ignore[attr-defined]
    return proc


def _refused(tmp_path: Path, path: Path, says: str) -> str:
    proc = _import(tmp_path, path)
    assert_clean_error(proc, says=says)
    return proc.stderr


def _read_all(path: Path) -> list[list[list[object]]]:
    return [list(sheet.rows) for sheet in read_file(path)]


def _refusal(path: Path) -> str:
    started = time.monotonic()
    with pytest.raises(ZsError) as info:
        _read_all(path)
    assert time.monotonic() - started < QUICK
    message = str(info.value)
    assert "Traceback" not in message and not any(w in message for w in ("Error", "error", "invalid", "Invalid"))
    return message


# ---------------------------------------------------------------------------------------------
# .xls: calamine aborts the process (Rust OOM) on what a DIMENSIONS record or a cell claims


def _patched_xls(tmp_path: Path, *, rows: int | None = None, far_cell: bool = False) -> Path:
    data = bytearray((FIXTURES / "libreoffice.xls").read_bytes())
    if rows is not None:
        at = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, BIFF8: rwMic, rwMac (u32), colMic, colMac
        assert at > 0
        struct.pack_into("<I", data, at + 8, rows)
    if far_cell:
        second_sheet = data.rfind(b"\x00\x02\x0e\x00")
        at = data.rfind(b"\xfd\x00\x0a\x00", 0, second_sheet)  # the first sheet's last LabelSst: row, column
        assert at > 0
        struct.pack_into("<HH", data, at + 4, 65535, 65535)
    path = tmp_path / "bomb.xls"
    path.write_bytes(data)
    return path


def test_xls_claiming_two_billion_rows_is_refused_not_aborted(tmp_path: Path) -> None:
    """A 40 KB .xls whose DIMENSIONS says 2³¹ rows made calamine ask for 257 GB: exit 134 and a
    Rust backtrace.  Now refused from the OLE container before calamine sees it."""
    err = _refused(tmp_path, _patched_xls(tmp_path, rows=2**31), "声称有 2,147,483,648 行")
    assert "工作表「招什么」" in err and "65,536 行 × 256 列" in err


def test_xls_with_one_far_cell_is_refused_not_aborted(tmp_path: Path) -> None:
    """One cell moved to row 65,536, column 65,536: calamine's dense grid is 4.3 billion cells."""
    _refused(tmp_path, _patched_xls(tmp_path, far_cell=True), "65,536 行、65,536 列，却只有")


def test_a_libreoffice_xls_still_reads(tmp_path: Path) -> None:
    sheets = read_file(FIXTURES / "libreoffice.xls")
    rows = list(sheets[0].rows)
    assert len(rows) == 301 and rows[1][:2] == ["年产1万吨铜箔项目", "有色金属"]


# ---------------------------------------------------------------------------------------------
# .ods: repeats expand a tiny file into millions of cells


def _ods(path: Path, body: str) -> Path:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="招什么">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    return path


def _cell(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'


_HEADER = f"<table:table-row>{_cell('项目名称')}{_cell('产业链')}</table:table-row>"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        # 878 bytes, a million rows with content (243 s before)
        (
            _HEADER + f'<table:table-row table:number-rows-repeated="1048575">{_cell("铜箔")}{_cell("有色金属")}'
            "</table:table-row>",
            "扩展成了至少",
        ),
        # a thousand rows of 16,384 repeated cells (2 GB in calamine)
        (
            _HEADER + f'<table:table-row table:number-rows-repeated="1000">{_cell("x", 16384)}</table:table-row>',
            "扩展成了至少",
        ),
        # content, a million empty rows, content 50 columns wide: a dense grid of 50 million cells
        (
            _HEADER + '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
            'table:number-columns-repeated="50"/></table:table-row><table:table-row><table:table-cell '
            f'table:number-columns-repeated="49"/>{_cell("x")}</table:table-row>',
            "却只有 3 个单元格有内容",
        ),
    ],
)
def test_ods_repeats_are_refused_before_calamine_builds_them(tmp_path: Path, body: str, says: str) -> None:
    path = _ods(tmp_path / "repeat.ods", body)
    assert path.stat().st_size < 2000
    proc = _import(tmp_path, path, timeout=60)
    assert_clean_error(proc, says=says)
    assert proc.elapsed < QUICK * 2  # type: ignore[attr-defined]  # two processes' start-up included


def test_a_libreoffice_ods_with_its_empty_trailing_repeats_still_reads() -> None:
    """LibreOffice ends each sheet with a million empty repeated rows and each row with 16,000
    empty repeated cells: those cost nothing and must not be refused."""
    started = time.monotonic()
    sheets = read_file(FIXTURES / "libreoffice.ods")
    rows = list(sheets[0].rows)
    assert time.monotonic() - started < QUICK
    assert len(rows) == 301 and rows[300] == ["年产300万吨铜箔项目", "有色金属", "在谈", 30000]
    assert b"number-rows-repeated" in zipfile.ZipFile(FIXTURES / "libreoffice.ods").read("content.xml")


def test_calamines_own_cell_limit_is_not_called_a_wrong_extension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past our own check (switched off here), calamine's cell cap is worded as what it is."""
    from zhaoshang.exchange import bombs

    monkeypatch.setattr(bombs, "check", lambda path: None)
    path = _ods(
        tmp_path / "huge.ods",
        _HEADER + f'<table:table-row table:number-rows-repeated="1048575">{_cell("x", 16384)}</table:table-row>',
    )
    message = _refusal(path)
    assert "单元格太多" in message and "扩展名与内容不符" not in message and "Cell limit" not in message


# ---------------------------------------------------------------------------------------------
# YAML: aliases and merge keys


def test_yaml_merge_keys_on_every_row_are_refused(tmp_path: Path) -> None:
    lines = ["base: &b"] + [f"  k{i}: {'v' * 40}{i}" for i in range(400)] + ["rows:"]
    lines += [f"  - <<: *b\n    项目名称: p{i}" for i in range(5000)]
    path = tmp_path / "merge.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "展开别名" in _refusal(path)


def test_yaml_alias_to_a_long_string_is_refused(tmp_path: Path) -> None:
    lines = [f"s: &s {'铜' * 30_000}", "rows:"] + ["  - {项目名称: *s, 产业链: *s}"] * 5000
    path = tmp_path / "alias.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = _refusal(path)
    assert "展开别名" in message and "第" in message


def test_yaml_billion_laughs_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert "展开别名" in _refusal(path)


def test_yaml_recursive_anchor_and_repeated_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "self.yaml"
    path.write_text("- &r {项目名称: 铜箔, 子项: *r}\n", encoding="utf-8")
    assert "引用了它自己" in _refusal(path)
    path = tmp_path / "twice.yaml"
    path.write_text("- 项目名称: 铜箔\n  产业链: 有色金属\n  项目名称: 钼\n", encoding="utf-8")
    message = _refusal(path)
    assert "键「项目名称」" in message and "第3行" in message and "第1行" in message


def test_an_honest_yaml_with_an_anchor_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        "招什么:\n  - &c {产业链: 有色金属, 项目名称: 铜箔}\n  - {<<: *c, 项目名称: 钼}\n",
        encoding="utf-8",
    )
    sheet = next(s for s in read_file(path, sheet="招什么"))
    assert list(sheet.rows) == [["产业链", "项目名称"], ["有色金属", "铜箔"], ["有色金属", "钼"]]


def test_checklist_definitions_go_through_the_bounded_loader(tmp_path: Path) -> None:
    from zhaoshang.definitions import _read_yaml

    path = tmp_path / "targets.yaml"
    path.write_text(f"s: &s {'x' * 30_000}\nfields:\n" + "  - *s\n" * 5000, encoding="utf-8")
    with pytest.raises(ZsError, match=r"清单定义文件「targets\.yaml」展开别名"):
        _read_yaml(path)
    path.write_text("key: a\nkey: b\n", encoding="utf-8")
    with pytest.raises(ZsError, match="键「key」"):
        _read_yaml(path)
    path.write_bytes(b"# " + b"x" * (5 * 1024 * 1024))
    with pytest.raises(ZsError, match="超过上限"):
        _read_yaml(path)


# ---------------------------------------------------------------------------------------------
# impossible dates and numbers: a message naming the row and the field, not 内部错误


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("date.yaml", "- {项目名称: 铜箔, 产业链: 有色金属, 时限: 2026-02-30}\n", "第2行 C列「时限」 值「2026-02-30」"),
        (
            "time.yaml",
            "- {项目名称: 铜箔, 产业链: 有色金属, 时限: 2026-01-01 25:00:00}\n",
            "「时限」 值「2026-01-01 25:00:00」",
        ),
        ("big.json", '[{"编号": ' + "9" * 5000 + ', "项目名称": "铜箔", "产业链": "有色金属"}]', "有 5,000 位数字"),
        ("big.csv", "编号,项目名称,产业链\n" + "9" * 5000 + ",铜箔,有色金属\n", "有 5,000 位数字"),
        ("big.yaml", "- {编号: " + "9" * 5000 + ", 项目名称: 铜箔, 产业链: 有色金属}\n", "有 5,000 位数字"),
    ],
)
def test_impossible_values_are_named_not_internal_errors(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    proc = _import(tmp_path, path)
    assert proc.returncode == 1 and says in proc.stderr, proc.stderr[-800:]
    assert "内部错误" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_5000_digit_integer_field_is_a_message(tmp_path: Path) -> None:
    """Any integer field (here 解决什么's 来源走访), not only 编号: parse_int reads at most 30 digits."""
    db, env = _city(tmp_path)
    proc = subprocess.run(
        [PY, "-m", "zhaoshang", "--db", str(db), "add", "解决什么", "用地问题", "--chain", "有色金属",
         "来源走访=" + "9" * 5000],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert_clean_error(proc, says="无法识别的整数")


def test_duplicate_json_keys_are_refused_with_the_place(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text(
        '[\n  {"项目名称": "铜箔", "产业链": "有色金属"},\n  {"项目名称": "铜箔", "项目名称": "钼"}\n]\n',
        encoding="utf-8",
    )
    message = _refusal(path)
    assert "键「项目名称」出现了不止一次" in message and "第3行" in message


def test_json_records_each_with_a_new_key_are_refused(tmp_path: Path) -> None:
    """6,000 records, each with a key of its own: a 150 KB file, a table of 36 million cells."""
    path = tmp_path / "keys.json"
    path.write_text(json.dumps([{f"k{i}": i} for i in range(6000)]), encoding="utf-8")
    assert "拼成表格有 36,000,000 格" in _refusal(path)


def test_json_syntax_errors_are_chinese(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[{"项目名称": "铜箔",}]', encoding="utf-8")
    message = _refusal(path)
    assert "第1行第" in message and "Expecting" not in message


# ---------------------------------------------------------------------------------------------
# CSV: a row of a million cells, a line of hundreds of MB, a GBK row in a UTF-8 file


def test_csv_row_of_a_million_cells_is_refused_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("项目名称,产业链\n铜箔,有色金属\n" + ",".join(["a"] * 1_000_000) + "\n", encoding="utf-8")
    message = _refusal(path)
    assert "第3行有 1,000,000 列，超过 16,384 列的上限" in message


def test_csv_endless_line_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("项目名称,产业链\n")
        for _ in range(60):
            f.write("a" * 1_000_000)
        f.write("\n")
    tracemalloc.start()
    try:
        message = _refusal(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "第2行（一条记录）超过 8,388,608 个字符" in message
    assert peak < 200 * 1024 * 1024, peak  # the 60 MB line is never held whole


def test_csv_field_over_the_limit_is_chinese(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('项目名称,产业链\n"铜箔,' + "x" * 1_100_000 + "\n", encoding="utf-8")
    message = _refusal(path)
    assert "第2行有一个单元格超过 1,048,576 个字符" in message


def test_a_gbk_row_in_a_utf8_csv_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    body = "项目名称,产业链\n" + "".join(f"项目{i},有色金属\n" for i in range(50))
    path.write_bytes(body.encode("utf-8") + "坏行,有色金属\n".encode("gbk") + "后面,有色金属\n".encode())
    message = _refusal(path)
    assert "第52行却不是" in message and "CSV UTF-8" in message and "第1行" not in message


def test_a_whole_gbk_csv_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("项目名称,产业链\n铜箔,有色金属\n".encode("gbk"))
    assert _read_all(path) == [[["项目名称", "产业链"], ["铜箔", "有色金属"]]]


# ---------------------------------------------------------------------------------------------
# files that are not files; English from libraries


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_importing_a_fifo_is_refused_not_hung(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = _import(tmp_path, fifo, timeout=30)
    assert_clean_error(proc, says="是一个管道（FIFO），不是普通文件")


def test_a_broken_zip_says_so_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    message = _refusal(path)
    assert "Zip" not in message and "EOCD" not in message and "不是有效的" in message


# ---------------------------------------------------------------------------------------------
# the config file


def _info(tmp_path: Path, config: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = zs_env(tmp_path, ZHAOSHANG_CONFIG=str(config))
    return subprocess.run(
        [PY, "-m", "zhaoshang", "--db", str(tmp_path / "zs.db"), "info"],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('user = "王芳"\noffice = 黑河\n', "第2行第10列：值无效（文字要加英文双引号）"),
        ('db = "C:\\Users\\王芳\\招商.db"\n', "要写成 \\\\（Windows 路径可改用单引号"),
        ('user = "王芳\n', "第1行第"),
        ("a = " + "[" * 30_000 + "]" * 30_000 + "\n", "嵌套层数过深"),
    ],
)
def test_config_errors_are_chinese_with_the_position(tmp_path: Path, content: str, says: str) -> None:
    from zhaoshang.config import read_config

    path = tmp_path / "config.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ZsError) as info:
        read_config(path)
    message = str(info.value)
    assert says in message, message
    assert "Invalid" not in message and "line" not in message and "column" not in message


def test_a_huge_config_is_refused_unread(tmp_path: Path) -> None:
    """A 50 MB config cost 24 s on every command; it is refused from its size."""
    path = tmp_path / "config.toml"
    with path.open("wb") as f:
        f.write(b'user = "x"\n#')
        f.truncate(50 * 1024 * 1024)  # sparse: nothing is written
    started = time.monotonic()
    proc = _info(tmp_path, path)
    assert time.monotonic() - started < QUICK
    assert_clean_error(proc, says="超过上限 65,536 字节")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_config_is_refused_not_hung(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    assert_clean_error(_info(tmp_path, fifo), says="是一个管道（FIFO）")


def test_an_unreadable_config_path_is_chinese(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    proc = _info(tmp_path, tmp_path / "file" / "config.toml")
    assert_clean_error(proc, says="路径中有一段不是文件夹")
    assert "Not a directory" not in proc.stderr


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="FIFOs, rlimits and sparse files are POSIX")
