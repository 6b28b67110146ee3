"""A plain, non-editable `pip install .` works from any directory: console scripts `zhaoshang`
and `zs`, `python -m zhaoshang`, and the checklist definitions inside the installed package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
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
    # The inner venv is isolated (it does not see the system site: that is the *base* interpreter,
    # which on a fresh machine holds none of the dependencies).  It borrows the dependencies from
    # the environment running this test -- the one the README's command created -- through a .pth
    # line, so nothing is downloaded, and its own site-packages (where zhaoshang is installed)
    # comes first on sys.path.
    venv = tmp_path / "venv"
    # --without-pip: the venv's own bundled setuptools would shadow the environment's newer one.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    inner_python = bindir / "python"
    inner_site = subprocess.run(
        [str(inner_python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    outer_site = sysconfig.get_paths()["purelib"]
    Path(inner_site, "_outer_env.pth").write_text(outer_site + "\n", encoding="utf-8")
    pip = [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(inner_python),
        "install",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        str(src),
    ]
    r = subprocess.run(pip, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
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
    definitions = Path(json.loads(r.stdout)["definitions"]).resolve()
    assert definitions.is_relative_to(Path(inner_site).resolve()), definitions


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pipx") is None, reason="pipx is not installed here")
@pytest.mark.skipif(
    os.environ.get("ZHAOSHANG_NETWORK_TESTS") != "1",
    reason="pipx downloads the dependencies into its own venv: set ZHAOSHANG_NETWORK_TESTS=1 to allow it",
)
def test_pipx_install_as_the_readme_says(tmp_path: Path) -> None:
    """The README's everyday install: `pipx install .` puts zs on PATH in its own environment."""
    env = {**os.environ, "PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    env["ZHAOSHANG_DB"] = str(tmp_path / "x.db")
    r = subprocess.run(["pipx", "install", str(ROOT)], env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    zs = str(tmp_path / "bin" / "zs")
    r = subprocess.run([zs, "init", "--demo"], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0 and "已载入演示数据" in r.stderr, r.stderr
