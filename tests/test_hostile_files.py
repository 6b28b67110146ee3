"""Files the user did not mean to write: ``--errors`` pointing at the imported file itself
(same path, hard link, symbolic link), and symbolic links planted where a writer puts its
temporary file or at its target.  The source is never touched; a writer never writes
through a link; the finished file still replaces its target in one step, keeping its mode."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
from conftest import Cli, dump
from exchange_util import make_city, write_xlsx

from zhaoshang.errors import ZsError
from zhaoshang.files import writing

BAD = [
    ["项目名称", "产业链", "投资额"],
    ["好项目", "有色金属", "1000"],
    ["金额坏了", "有色金属", "三亿"],
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def bad_sheet(db_path: Path, tmp_path: Path) -> Path:
    make_city(db_path)
    return write_xlsx(tmp_path / "县里的表.xlsx", {"招什么": BAD})


# ---------------------------------------------------------------------------------------
# A. --errors is never the source
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "relative", "hardlink", "symlink", "source_is_link"])
def test_errors_file_that_is_the_source_is_refused_before_any_work(
    cli: Cli, db_path: Path, tmp_path: Path, bad_sheet: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    source = bad_sheet
    errors = tmp_path / "错误.xlsx"
    if how == "same":
        errors = source
    elif how == "relative":
        monkeypatch.chdir(tmp_path)
        (tmp_path / "sub").mkdir()
        errors = Path("sub/../县里的表.xlsx")
    elif how == "hardlink":
        os.link(source, errors)
    elif how == "symlink":
        errors.symlink_to(source)
    else:  # the imported name is a link to the errors file
        link = tmp_path / "链接.xlsx"
        link.symlink_to(source)
        errors, source = source, link
    before_file, before_db = _digest(bad_sheet), dump(db_path)
    mtime = bad_sheet.stat().st_mtime_ns
    r = cli("import", str(source), "--errors", str(errors), ok=False)
    assert r.exit_code == 1
    assert "就是要导入的文件" in r.stderr and "另起一个文件名" in r.stderr, r.stderr
    assert "公式" in r.stderr and "隐藏的工作表" in r.stderr
    assert "行" not in r.stderr.split("：")[0]  # refused before reading: no row-by-row problems
    assert "三亿" not in r.stderr
    assert _digest(bad_sheet) == before_file and bad_sheet.stat().st_mtime_ns == mtime
    assert dump(db_path) == before_db


def test_errors_file_says_what_it_does_not_carry_over(cli: Cli, tmp_path: Path, bad_sheet: Path) -> None:
    errors = tmp_path / "错误.xlsx"
    r = cli("import", str(bad_sheet), "--errors", str(errors), ok=False)
    assert errors.is_file()
    assert "整个文件已写回" in r.stderr
    assert "只有单元格的值" in r.stderr and "公式" in r.stderr and "格式" in r.stderr
    assert "隐藏的工作表" in r.stderr and "原文件未改动" in r.stderr


def test_errors_file_through_a_planted_link_replaces_the_link_not_its_target(
    cli: Cli, tmp_path: Path, bad_sheet: Path
) -> None:
    victim = tmp_path / "别的文件.xlsx"
    victim.write_bytes(b"keep me")
    errors = tmp_path / "错误.xlsx"
    errors.symlink_to(victim)
    cli("import", str(bad_sheet), "--errors", str(errors), ok=False)
    assert victim.read_bytes() == b"keep me"
    assert not errors.is_symlink() and errors.stat().st_size > 1000


# ---------------------------------------------------------------------------------------
# B. temporary files: never a predictable name, never a link followed
# ---------------------------------------------------------------------------------------


def _plant(folder: Path, name: str, victim: Path) -> list[Path]:
    """Links at every name the old writers used for their temporary file (any pid near ours)."""
    links = []
    for pid in range(max(1, os.getpid() - 5), os.getpid() + 5):
        link = folder / f".{name}.{pid}.tmp"
        link.symlink_to(victim)
        links.append(link)
    return links


def test_writing_does_not_follow_a_link_planted_at_the_temporary_name(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("secret")
    victim.chmod(0o600)
    target = tmp_path / "报表.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    links = _plant(tmp_path, target.name, victim)
    with writing(target) as tmp:
        assert tmp.parent != target.parent  # a folder of its own
        assert stat.S_IMODE(tmp.parent.stat().st_mode) == 0o700
        assert not tmp.exists()
        tmp.write_bytes(b"new")
    assert victim.read_text() == "secret"
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the mode of the file it replaced
    assert all(link.is_symlink() for link in links)
    assert {p.name for p in tmp_path.iterdir()} == {"victim.txt", "报表.xlsx", *(lnk.name for lnk in links)}


def test_writing_replaces_a_link_at_the_target_without_writing_through_it(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("secret")
    victim.chmod(0o600)
    target = tmp_path / "报表.xlsx"
    target.symlink_to(victim)
    with writing(target) as tmp:
        tmp.write_bytes(b"new")
    assert victim.read_text() == "secret"
    assert not target.is_symlink() and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) != 0o777  # not the link's own mode


def test_writing_a_new_file_gets_the_ordinary_mode_and_a_failure_leaves_nothing(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        target = tmp_path / "新.xlsx"
        with writing(target) as tmp:
            tmp.write_bytes(b"x")
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        with pytest.raises(RuntimeError), writing(target) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("boom")
        assert target.read_bytes() == b"x"
        assert [p.name for p in tmp_path.iterdir()] == ["新.xlsx"]
    finally:
        os.umask(umask)


def test_writing_into_an_unwritable_folder_is_a_clean_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ZsError, match="没有写入权限"), writing(folder / "a.xlsx") as tmp:
            tmp.write_bytes(b"x")
    finally:
        folder.chmod(0o700)


def test_export_through_planted_links_writes_nothing_through_them(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    make_city(db_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("secret")
    target = tmp_path / "清单.xlsx"
    _plant(tmp_path, target.name, victim)
    cli("export", str(target), ok=True)
    assert victim.read_text() == "secret"
    assert target.stat().st_size > 1000


def test_cache_text_is_written_through_an_exclusive_temporary_file(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("secret")
    cache = tmp_path / "ranking-x.json"
    _plant(tmp_path, cache.name, victim)
    from zhaoshang.files import replace_text

    replace_text(cache, "{}")
    assert victim.read_text() == "secret"
    assert cache.read_text() == "{}"


def test_definition_and_ranking_caches_do_not_follow_planted_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhaoshang import definitions
    from zhaoshang.reports import config

    cache_dir = tmp_path / "_cache"
    monkeypatch.setattr(definitions, "_LOADED", {})
    defs = definitions.load()
    config.load(defs)
    made = sorted(cache_dir.glob("*.json"))
    assert {p.name.split("-")[0] for p in made} == {"definitions", "ranking"}
    victim = tmp_path / "victim.txt"
    victim.write_text("secret")
    for cache in made:  # the names the old code wrote to: {stem}.{pid}.tmp beside the cache
        cache.unlink()
        for pid in range(max(1, os.getpid() - 5), os.getpid() + 5):
            cache.with_suffix(f".{pid}.tmp").symlink_to(victim)
    monkeypatch.setattr(definitions, "_LOADED", {})
    config.load(definitions.load())
    assert victim.read_text() == "secret"
    assert all(p.is_file() and not p.is_symlink() for p in made)
