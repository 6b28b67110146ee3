"""Search finds what was typed however it was typed: the index and the query are put in one
form (zhaoshang.db.search_text: NFKC, invisible characters removed, traditional to
simplified, casefolded), results say where they matched, and a database of schema 6 has
its index refolded on upgrade."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang.db import Database, schema_version, search_text
from zhaoshang.definitions import load
from zhaoshang.search import matching_ids

pytestmark = pytest.mark.engines

TITLE = "黑龍江年產５萬噸銅箔項目"
PLOT = "１号地块标准厂房项目"


@pytest.fixture
def city(cli: Cli) -> Cli:
    cli("chain", "add", "有色金属", ok=True)
    cli("add", "招什么", TITLE, "--chain", "有色金属", ok=True)  # 1
    cli("add", "招什么", PLOT, "--chain", "有色金属", ok=True)  # 2
    cli("add", "招什么", "大豆蛋白项目", "--chain", "有色金属", "备注=對接山東禹王", "目标企业=ＡＢＣ集团", ok=True)
    cli("add", "招什么", "铜\u200b\u00ad线\u200e缆项目", "--chain", "有色金属", ok=True)  # 4
    return cli


def found(cli: Cli, text: str) -> list[int]:
    return sorted(r["id"] for r in json.loads(cli("search", "-f", "json", "--", text, ok=True).stdout))


@pytest.mark.parametrize("query", ["銅箔", "铜箔", "產", "产", "５萬噸", "5万吨", "黑龙江", "铜箔项目"])
def test_a_title_typed_traditional_and_fullwidth_is_found(city: Cli, query: str) -> None:
    assert found(city, query) == [1]


@pytest.mark.parametrize("query", ["１号地块", "1号地块", "1号", "１"])
def test_fullwidth_digits_match_either_width(city: Cli, query: str) -> None:
    assert found(city, query) == [2]


def test_notes_and_fields_are_normalised_too(city: Cli) -> None:
    assert found(city, "山东禹王") == [3]
    assert found(city, "abc集团") == [3]
    assert found(city, "ABC") == [3]
    assert found(city, "铜线缆") == [4]  # invisible characters in the title do not split it
    assert found(city, "线缆") == [4]


def test_results_say_where_they_matched(city: Cli) -> None:
    rows = {r["id"]: r for r in json.loads(city("search", "-f", "json", "项目", ok=True).stdout)}
    assert rows[1]["matched"].split("、")[0] == "名称"
    rows = json.loads(city("search", "-f", "json", "禹王", ok=True).stdout)
    assert [(r["id"], r["matched"]) for r in rows] == [(3, "备注")]
    rows = json.loads(city("search", "-f", "json", "abc", ok=True).stdout)
    assert [(r["id"], r["matched"]) for r in rows] == [(3, "目标企业")]
    rows = json.loads(city("search", "-f", "json", "大豆 禹王", ok=True).stdout)
    assert rows[0]["matched"] == "名称、备注"
    out = city("search", "禹王", ok=True).stdout
    assert "匹配于" in out and "备注" in out


@pytest.mark.sqlite_only
def test_an_index_of_schema_6_is_refolded_on_upgrade(city: Cli, db_path: Path) -> None:
    # as an older zhaoshang left it: the text as typed, schema version 6
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM items_fts")
    conn.execute(
        "INSERT INTO items_fts(rowid, title, body) SELECT id, title, coalesce(notes, '') || ' ' || coalesce(owner, '') "
        "FROM items"
    )
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    db = Database.open(db_path, load())
    try:
        assert db.upgraded_from == 6
        assert db.version == schema_version()  # (and on to the latest)
        title = db.conn.execute("SELECT title FROM items_fts WHERE rowid = 1").fetchone()[0]
        assert title == "黑龙江年产5万吨铜箔项目"
        assert matching_ids(db, "銅箔") == [1]
        assert matching_ids(db, "禹王") == [3]
    finally:
        db.close()


# ------------------------------------------------------------------------------ properties

#: (simplified, traditional) characters that convert one to one, whatever their neighbours
PAIRS = [("铜", "銅"), ("产", "產"), ("万", "萬"), ("吨", "噸"), ("项", "項"), ("龙", "龍"), ("区", "區"), ("园", "園")]
PLAIN = list("箔目黑江年号地块标准厂房新材料") + list("0123456789ABCxyz")
INVISIBLES = list("\u200b\u200c\u200d\u200e\u200f\u00ad\u180e\ufeff\u2060\u202e\u2066")


def _wide(c: str) -> str:
    return chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c


@st.composite
def typed(draw: st.DrawFn) -> tuple[str, str]:
    """(a simplified half-width text, the same text as someone might have typed it)."""
    chars = draw(st.lists(st.sampled_from([p[0] for p in PAIRS] + PLAIN), min_size=1, max_size=12))
    base = "".join(chars)
    out = []
    trad = dict(PAIRS)
    for c in chars:
        form = draw(st.sampled_from(["same", "other"]))
        c2 = trad.get(c, _wide(c)) if form == "other" else c
        out.append(draw(st.sampled_from(["", *INVISIBLES])) + c2)
    return base, "".join(out)


@settings(max_examples=200, deadline=None)
@given(typed())
def test_search_text_is_the_same_for_every_way_of_typing(pair: tuple[str, str]) -> None:
    base, variant = pair
    assert search_text(variant) == search_text(base) == base.casefold()
    assert search_text(search_text(variant)) == search_text(variant)


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    path = tmp_path_factory.mktemp("search") / "zs.db"
    db = Database.open(path, load())
    with db.command("chain", user="测试员"):
        db.conn.execute("INSERT INTO chains(name, created_at, updated_at) VALUES ('链', '', '')")
    return db


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed(), st.data())
def test_matcher_finds_any_part_typed_any_way(shared_db: Database, pair: tuple[str, str], data: st.DataObject) -> None:
    """An item titled as typed is found by any part of its text, typed either way, and an
    item titled in plain form by any part typed the other way."""
    from zhaoshang import items

    base, variant = pair
    with shared_db.command("add", user="测试员"):
        typed_id = items.add(shared_db, "招什么", variant, chain="链", user="测试员")
        plain_id = items.add(shared_db, "招什么", base, chain="链", user="测试员")
    lo = data.draw(st.integers(0, len(base) - 1))
    hi = data.draw(st.integers(lo + 1, len(base)))
    part = base[lo:hi]
    wide = "".join(_wide(c) for c in part)
    for query in (part, wide):
        hits = set(matching_ids(shared_db, query))
        assert {typed_id, plain_id} <= hits, (variant, query)
