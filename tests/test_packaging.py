"""A plain, non-editable `pip install .` works from any directory: console scripts `zhaoshang`
and `zs`, `python -m zhaoshang`, and the checklist definitions inside the installed package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_non_editable_install_works_anywhere(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "*.egg-info",
            "__pycache__",
            ".mypy_cache",
            ".ruff_cache",
            ".pytest_cache",
            ".hypothesis",
            "benchmarks",
        ),
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    pip = [str(bindir / "python"), "-m", "pip", "install", "-q", "--no-deps", str(src)]
    subprocess.run(pip, check=True, cwd=tmp_path, capture_output=True, timeout=300)
    shutil.rmtree(src)  # nothing may depend on the source tree
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ZHAOSHANG_CHECKLISTS")}
    env["ZHAOSHANG_DB"] = str(work / "x.db")

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(cmd), cwd=work, env=env, capture_output=True, text=True, timeout=120)

    for script in ("zs", "zhaoshang"):
        r = run(str(bindir / script), "--help")
        assert r.returncode == 0 and r.stdout.startswith("用法："), r.stderr
    r = run(str(bindir / "python"), "-m", "zhaoshang", "kinds", "-f", "json")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 7
    r = run(str(bindir / "zs"), "init", "--demo")
    assert r.returncode == 0, r.stderr
    r = run(str(bindir / "zs"), "info", "-f", "json")
    assert "site-packages" in json.loads(r.stdout)["definitions"]
