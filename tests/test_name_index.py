"""The import's duplicate index (exchange.matching.NameIndex) kept on disk, not in memory.

It files each name under a 64-bit hash in a private SQLite file, with a Bloom filter in
front and the last rows waiting in memory.  Whatever the hashes (even all equal), the
batch size and the order of adds and lookups, it must answer what the plain in-memory
index answered: the first item, in the order added, named the same (exactly, then
loosely), skipping rows of another 编号."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang.exchange import matching
from zhaoshang.parse import normalize_name

NAMES = st.lists(st.sampled_from([*"铜箔光伏 （）Ａa", "项目", "有限公司", "集团", "铜箔"]), max_size=6).map("".join)
OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "find"]), NAMES, st.one_of(st.none(), st.integers(1, 4)), st.sampled_from([1, 2])
    ),
    max_size=60,
)


class Plain:
    """The index as it was: lists of (id, name, 编号) per (kind, chain, key)."""

    def __init__(self) -> None:
        self.exact: dict[tuple[int, str], list[tuple[int, str, int | None]]] = {}
        self.loose: dict[tuple[int, str], list[tuple[int, str, int | None]]] = {}

    def add(self, chain: int, title: str, rid: int, ref: int | None) -> None:
        key = normalize_name(title)
        self.exact.setdefault((chain, key), []).append((rid, title, ref))
        self.loose.setdefault((chain, matching.loosen(key)), []).append((rid, title, ref))

    def find(self, chain: int, key: str, ref: int | None) -> matching.Found | None:
        loose = matching.Likeness.loose
        for index, k, how in ((self.exact, key, matching.Likeness.exact), (self.loose, matching.loosen(key), loose)):
            for rid, name, other in index.get((chain, k), ()):
                if ref is not None and other is not None and ref != other:
                    continue
                return matching.Found(rid, name, how)
        return None


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from zhaoshang.db import Database
    from zhaoshang.definitions import load

    db = Database.open(tmp_path_factory.mktemp("names") / "n.db", load())
    yield db
    db.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPS, st.sampled_from([1, 3, 2000]), st.booleans())
def test_the_index_on_disk_answers_as_the_plain_one(
    empty_db: Any, ops: list[tuple[str, str, int | None, int]], flush: int, collide: bool
) -> None:
    index = matching.NameIndex(empty_db, None, below=10**9, before_read=lambda: None)
    index.FLUSH = flush  # type: ignore[misc]
    if collide:  # every name under the same two hashes: only the names themselves tell
        index_hash = lambda value: 42  # noqa: E731
    else:
        index_hash = hash
    plain = Plain()
    old = matching.__dict__.get("hash")
    matching.hash = index_hash  # type: ignore[attr-defined]
    try:
        rid = 0
        for op, name, ref, chain in ops:
            if op == "add":
                rid += 1
                index.add("targets", chain, name, rid, None, ref)
                plain.add(chain, name, rid, ref)
            else:
                key = normalize_name(name)
                assert index.find("targets", chain, key, ref) == plain.find(chain, key, ref)
    finally:
        if old is None:
            del matching.hash  # type: ignore[attr-defined]
        else:
            matching.hash = old  # type: ignore[attr-defined]
        index.close()


def test_an_import_finds_duplicates_across_batches_and_in_the_database(cli: Any, tmp_path: Path) -> None:
    """Through the command: a name already in the database and a name twice in the file,
    thousands of rows apart (past the batch kept in memory), are both found."""
    cli("chain", "add", "新能源", ok=True)
    cli("add", "招什么", "年产5万吨铜箔项目", "--chain", "新能源", ok=True)
    sheet = tmp_path / "a.csv"
    rows = [f"唯一项目{i},新能源" for i in range(5000)]
    rows.insert(10, "年产5万吨铜箔,新能源")  # loosely the database's item
    rows.insert(20, "远处重复的名称,新能源")
    rows.append("远处重复的名称,新能源")  # the same name 5,000 rows later
    sheet.write_text("项目名称,产业链\n" + "\n".join(rows) + "\n", encoding="utf-8")
    r = cli("import", str(sheet), "--kind", "招什么", "--dry-run")
    text = r.stdout + r.stderr
    assert "「a」第12行「年产5万吨铜箔」≈ 编号 1「年产5万吨铜箔项目」" in text  # the database's item
    # the name sent twice is the same item twice: one added, the second unchanged
    assert [line.split()[2:5] for line in r.stdout.splitlines() if line.startswith("a ")] == [["5001", "0", "1"]]


def test_a_full_temporary_directory_is_a_message(empty_db: Any) -> None:
    import sqlite3

    from zhaoshang.errors import ZsError

    class Full:
        def executemany(self, *_args: Any) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        def close(self) -> None:
            pass

    index = matching.NameIndex(empty_db, None, below=10**9, before_read=lambda: None)
    index.store.close()
    index.store = Full()  # type: ignore[assignment]
    with pytest.raises(ZsError, match=r"临时文件写不下.*SQLITE_TMPDIR.*没有写入任何数据"):
        for i in range(index.FLUSH):
            index.add("targets", 1, f"名称{i}", i + 1, None, None)
