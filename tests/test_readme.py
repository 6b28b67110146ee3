"""The README's library example runs as written."""

from __future__ import annotations

import json
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


def test_demo_summary_equals_info_and_readme(tmp_path: Path) -> None:
    """What `zs init --demo` prints is what `zs info` counts, and what the README shows."""
    import subprocess
    import sys

    env = {**__import__("os").environ, "ZHAOSHANG_DB": str(tmp_path / "d.db")}
    run = [sys.executable, "-m", "zhaoshang"]
    init = subprocess.run([*run, "init", "--demo"], env=env, capture_output=True, text=True, check=True)
    summary = init.stderr.splitlines()[0]
    info = json.loads(
        subprocess.run([*run, "info", "-f", "json"], env=env, capture_output=True, text=True, check=True).stdout
    )["counts"]
    numbers = [int(n) for n in re.findall(r"\d+", summary)]
    kinds = ["assets", "targets", "events", "pitches", "contacts", "supports", "problems"]
    expected = [
        info["chains"],
        info["units"],
        info["items"],
        *(info[k] for k in kinds),
        info["moves"],
        info["activities"],
        info["funds"],
    ]
    assert numbers == expected, (summary, info)
    # The README's first tour block shows this line.  Chains, units and items do not depend on the
    # day the demo is built; its moves, activities and funds do (they stop at today).
    shown = re.search(r"\$ zs init --demo\n(已载入演示数据：.*)\n", README.read_text(encoding="utf-8"))
    assert shown is not None
    assert [int(n) for n in re.findall(r"\d+", shown.group(1))][:10] == numbers[:10], (shown.group(1), summary)
