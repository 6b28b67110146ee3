"""Names that look the same are one name (zhaoshang.names.fold under parse.normalize_key),
names may not hold control characters or be only invisible characters, and bidirectional
controls reach the terminal inert."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import Cli
from exchange_util import open_db, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.errors import ParseError
from zhaoshang.names import BIDI_CONTROLS, check_name, control_character, fold
from zhaoshang.parse import normalize_key, normalize_name
from zhaoshang.render import inert

TITLE = "工业园区铜箔项目"
#: the same title as five people's sheets held it (issue 24.9), and once decomposed (NFD)
LOOKALIKES = [
    "\u200e工业园区铜箔项目",  # LRM
    "工业园区铜\u00ad箔项目",  # soft hyphen
    "工业园区\u202e铜箔项目",  # RLO
    "\u2f2f业园区铜箔项目",  # ⼯ KANGXI RADICAL WORK
    "工业园区铜箔\u180e项目",  # MONGOLIAN VOWEL SEPARATOR
    "工业\u200b园区铜箔项目\ufeff",  # ZWSP, BOM
]
CAFE = ("Caf\u00e9铜箔项目", "Cafe\u0301铜箔项目")  # NFC, NFD

INVISIBLE_CHARS = list("\u200b\u200c\u200d\u200e\u200f\u00ad\u180e\ufeff\u2060\u202a\u202e\u2066\u2069\u034f\ufe0f")


def test_every_format_character_is_dropped() -> None:
    missing = [
        f"U+{c:04X}" for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf" and fold(chr(c)) != ""
    ]
    assert missing == []


def test_the_fast_path_knows_every_printable_invisible() -> None:
    import re

    from zhaoshang.names import INVISIBLE

    every = re.compile(f"[{INVISIBLE}]")
    printable = [chr(c) for c in range(sys.maxunicode + 1) if every.match(chr(c)) and chr(c).isprintable()]
    assert printable and all(fold("a" + c + "铜") == "a铜" for c in printable)


@pytest.mark.parametrize("variant", LOOKALIKES)
def test_lookalikes_are_one_name(variant: str) -> None:
    assert normalize_key(variant) == normalize_key(TITLE)
    assert normalize_name(variant) == normalize_name(TITLE)


def test_nfc_and_nfd_are_one_name() -> None:
    assert normalize_name(CAFE[0]) == normalize_name(CAFE[1])


@settings(max_examples=300, deadline=None)
@given(st.text(), st.lists(st.tuples(st.integers(0, 200), st.sampled_from(INVISIBLE_CHARS)), max_size=5))
def test_invisible_characters_never_change_a_name(s: str, inserts: list[tuple[int, str]]) -> None:
    typed = s
    for at, c in inserts:
        at = at % (len(typed) + 1)
        typed = typed[:at] + c + typed[at:]
    assert normalize_key(typed) == normalize_key(s)
    assert normalize_name(typed) == normalize_name(s)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fold_is_idempotent_and_leaves_nothing_invisible(s: str) -> None:
    once = fold(s)
    assert fold(once) == once
    assert not any(unicodedata.category(c) == "Cf" for c in once)
    assert once == once.strip() and "  " not in once
    assert unicodedata.is_normalized("NFKC", once)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_check_name_refuses_exactly_controls_and_invisible_only(s: str) -> None:
    bad = any(unicodedata.category(c) == "Cc" for c in s) or fold(s) == ""
    try:
        assert check_name(s) == s
        assert not bad
    except ParseError as exc:
        assert bad
        assert "U+" in exc.message or "没有文字" in exc.message


def test_control_character_allows_line_breaks_only_where_asked() -> None:
    assert control_character("一行\n两行") == "\n"
    assert control_character("一行\n两行\t", multiline=True) is None
    assert control_character("响铃\x07", multiline=True) == "\x07"
    assert control_character("C1\x9b") == "\x9b"
    assert control_character("正常的名称 ABC") is None


def test_bidi_controls_are_shown_inert() -> None:
    shown = inert("工业园区\u202e铜箔项目\u200e")
    assert not any(c in shown for c in BIDI_CONTROLS)
    assert shown == "工业园区\\u202e铜箔项目\\u200e"


# ------------------------------------------------------------------------------ in use


@pytest.fixture
def city(cli: Cli) -> Cli:
    cli("chain", "add", "有色金属", ok=True)
    cli("unit", "add", "爱辉区", ok=True)
    return cli


def test_import_sees_lookalike_titles_as_one_item(city: Cli, tmp_path: Path, db_path: Path) -> None:
    # each lookalike row brings one fact more (two figures for one project would be refused)
    facts = ["1", "2", "王强", "备注", "A", "2026-06-30"]
    rows: list[list[object]] = [["项目名称", "产业链", "投资额", "外资额", "责任人", "备注", "优先级", "时限"]]
    rows += [[TITLE, "有色金属"]]
    rows += [[t, "有色金属", *([None] * i), facts[i]] for i, t in enumerate(LOOKALIKES)]
    path = write_xlsx(tmp_path / "a.xlsx", {"招什么": rows})
    r = city("import", str(path), ok=False)
    assert f"发现 {len(LOOKALIKES)} 个疑似重复" in r.stderr
    city("import", str(path), "--on-duplicate", "update", ok=True)
    db = open_db(db_path)
    titles = [r[0] for r in db.conn.execute("SELECT title FROM items WHERE kind = 'targets'")]
    db.close()
    assert titles == [TITLE]


def test_lookalike_chain_and_unit_names_are_refused_as_existing(city: Cli) -> None:
    r = city("chain", "add", "有色\u200b金属", ok=False)
    assert "已存在" in r.stderr and "有色金属" in r.stderr
    r = city("unit", "add", "\u202e爱辉区", ok=False)
    assert "已存在" in r.stderr
    r = city("unit", "add", "\u2f2f业园区", ok=True)
    r = city("unit", "add", "工业园区", ok=False)
    assert "已存在" in r.stderr
    # and found by either spelling
    assert "\u2f2f业园区" in city("unit", "show", "工业园区", ok=True).stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["add", "招什么", "\x00\x00\x00", "--chain", "有色金属"], "字段「项目名称」：含有控制字符 U+0000（NUL）"),
        (["add", "招什么", "铜箔\x1b[2J项目", "--chain", "有色金属"], "U+001B（ESC）"),
        (["add", "招什么", "铜箔\n项目", "--chain", "有色金属"], "U+000A（换行）"),
        (["add", "招什么", "\u200b\u200b", "--chain", "有色金属"], "只有空格或看不见的字符"),
        (
            ["add", "招什么", "铜箔项目", "--chain", "有色金属", "责任人=王\x07强"],
            "字段「责任人」：含有控制字符 U+0007（BEL）",
        ),
        (["unit", "add", "北安\x1b市"], "招商主体名称含有控制字符 U+001B（ESC）"),
        (["chain", "add", "\u200d"], "产业链名称只有空格或看不见的字符"),
        (["chain", "add", "石墨", "包保领导=王\x00"], "产业链包保领导含有控制字符 U+0000（NUL）"),
    ],
)
def test_names_with_control_characters_are_refused(city: Cli, db_path: Path, args: list[str], says: str) -> None:
    from conftest import dump

    before = dump(db_path)
    r = city(*args, ok=False)
    assert says in r.stderr, r.stderr
    assert dump(db_path) == before


def test_an_edit_cannot_put_a_control_character_in_a_title(city: Cli) -> None:
    city("add", "招什么", "铜箔项目", "--chain", "有色金属", ok=True)
    r = city("edit", "1", "名称=铜箔\x9b项目", ok=False)
    assert "U+009B" in r.stderr


def test_import_refuses_a_title_of_control_characters(city: Cli, tmp_path: Path, db_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("项目名称,产业链\n\x01\x02,有色金属\n铜箔项目,有色金属\n", encoding="utf-8")
    r = city("import", str(path), "--kind", "招什么", ok=False)
    assert "U+0001" in r.stderr + r.stdout
    db = open_db(db_path)
    assert db.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0
    db.close()


def test_office_with_a_control_character_is_refused(city: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHAOSHANG_OFFICE", "黑河市\x1b[31m商务局")
    r = city("info", ok=False)
    assert "环境变量 ZHAOSHANG_OFFICE（单位名称）含有控制字符 U+001B（ESC）" in r.stderr


def test_a_title_with_rlo_is_kept_as_typed_and_shown_inert(city: Cli) -> None:
    city("add", "招什么", "工业园区\u202e铜箔项目", "--chain", "有色金属", ok=True)
    rows = json.loads(city("list", "-f", "json", ok=True).stdout)
    assert rows[0]["title"] == "工业园区\u202e铜箔项目"  # stored and exported as typed
    out = city("list", ok=True).stdout
    assert "\u202e" not in out and "\\u202e" in out
