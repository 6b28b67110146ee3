"""The README's library example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_library_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from zhaoshang import Database, load_definitions
    from zhaoshang.demo import load_demo

    db = Database.open(tmp_path / "city.db", load_definitions())
    with db.command("init --demo", user="测试员"):
        load_demo(db)
    db.close()
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## 作为库使用\n\n```python\n(.*?)```", text, re.S)
    assert block is not None
    monkeypatch.chdir(tmp_path)
    exec(compile(block.group(1), "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "35600"
    assert "年产2万吨铜箔项目" in out[1]
