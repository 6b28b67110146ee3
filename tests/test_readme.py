"""The README's library example runs as written."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.testing

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
    init = subprocess.run(
        [*run, "init", "--demo", "--demo-date", DEMO_DATE], env=env, capture_output=True, text=True, check=True
    )
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
    # The README's first tour block shows this line: the demo built for the same day, number for number.
    shown = re.search(
        rf"\$ zs init --demo --demo-date {DEMO_DATE}\n(已载入演示数据：.*)\n", README.read_text(encoding="utf-8")
    )
    assert shown is not None
    assert [int(n) for n in re.findall(r"\d+", shown.group(1))] == numbers, (shown.group(1), summary)


# ---------------------------------------------------------------------------------------
# The README's console samples are real output: each ```console block's commands run, in
# order, on the demo built with --demo-date 2026-12-01, on that day at 14:43:26, as 王芳, in a
# window 80 columns wide -- and print exactly what the block shows.  Regenerate the blocks
# after a change in output with:  python tests/test_readme.py
# ---------------------------------------------------------------------------------------

DEMO_DATE = "2026-12-01"
README_NOW = "2026-12-01 14:43:26"
README_HOME = "/home/wf/.local/share"  # the data directory the samples show
#: blocks that need files the README does not ship (an office's own workbooks): not run
NEEDS_FILES = ("目标.xlsx", "爱辉区11月.xlsx", "爱辉区.xlsx", "十一月.xlsx", "月报.xlsx")


def console_blocks(text: str) -> list[tuple[int, str]]:
    """(offset, body) of every ```console block."""
    return [(m.start(1), m.group(1)) for m in re.finditer(r"```console\n(.*?)```", text, re.S)]


def _commands(body: str) -> list[str]:
    return [line[2:] for line in body.splitlines() if line.startswith("$ ")]


def runnable(body: str) -> bool:
    return bool(_commands(body)) and not any(name in body for name in NEEDS_FILES)


def run_block(body: str, session: dict[str, Any]) -> str:
    """The block as the commands print it now: each ``$ command`` line, then its output."""
    import shlex

    from typer.testing import CliRunner

    from zhaoshang.cli import app

    shown: list[str] = []
    segments = re.split(r"^(?=\$ )", body, flags=re.M)
    for segment in segments:
        if not segment.startswith("$ "):
            continue
        command = segment.splitlines()[0][2:]
        shown.append(f"$ {command}")
        for part in command.split(" && "):
            argv = shlex.split(part)
            assert argv[0] == "zs", command
            if argv[1:3] == ["init", "--demo"]:  # a new demo city, pinned to DEMO_DATE
                session["n"] = session.get("n", 0) + 1
                session["db"] = session["root"] / f"city{session['n']}" / "zhaoshang" / "zhaoshang.db"
                session["db"].parent.mkdir(parents=True)
                if "--demo-date" not in argv:
                    argv = [*argv, "--demo-date", DEMO_DATE]
            env = {"ZHAOSHANG_DB": str(session["db"]), "ZHAOSHANG_USER": "王芳"}
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(sys, "argv", argv)  # the command line history records
                r = CliRunner().invoke(app, argv[1:], env=env)
            text = r.output.replace(str(session["db"].parent.parent), README_HOME)
            shown.extend(line.rstrip() for line in text.rstrip("\n").splitlines())  # unseen: trailing spaces
        if segment.endswith("\n\n"):  # the blank line the README leaves after a command
            shown.append("")
    return "\n".join(shown) + "\n"


class _WriteThrough(typer.testing._NamedTextIOWrapper):
    """stdout and stderr written in the order a terminal shows them (CliRunner buffers stdout)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "write_through": True})


def readme_samples(root: Path) -> list[tuple[int, str, str]]:
    """(offset, shown, real) of every runnable console block, run in order."""
    import time_machine

    from zhaoshang.cli import output, pipeline_people, reports

    text = README.read_text(encoding="utf-8")
    session: dict[str, Any] = {"root": root}
    found = []
    with (
        time_machine.travel(README_NOW, tick=False),
        pytest.MonkeyPatch.context() as mp,
    ):
        window = os.terminal_size((80, 40))
        for module in (output, pipeline_people):
            mp.setattr(module, "terminal_size", lambda: window)
        mp.setattr(reports, "_width", lambda: window.columns)
        mp.setenv("NO_COLOR", "1")
        mp.setattr(typer.testing, "_NamedTextIOWrapper", _WriteThrough)
        for offset, body in console_blocks(text):
            if runnable(body):
                found.append((offset, body, run_block(body, session)))
    return found


def test_console_samples_are_real_output(tmp_path: Path) -> None:
    samples = readme_samples(tmp_path)
    assert len(samples) >= 12
    wrong = [(shown, real) for _, shown, real in samples if shown != real]
    assert not wrong, "\n\n".join(f"README:\n{s}\nreal:\n{r}" for s, r in wrong[:3])


def test_quick_start_demo_is_dated_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The quick start (`zs init --demo && zs report monthly`) on any real day: the demo is
    built around today, so this month's report has figures, whatever day it is."""
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    monkeypatch.setenv("ZHAOSHANG_DB", str(tmp_path / "q.db"))
    assert CliRunner().invoke(app, ["init", "--demo"]).exit_code == 0
    r = CliRunner().invoke(app, ["report", "monthly", "--month", "本月", "-f", "json"])
    assert r.exit_code == 0, r.output
    figures = json.loads(r.stdout)
    assert figures["period"]["start"][:7] == __import__("datetime").date.today().isoformat()[:7]
    assert any(v for v in figures["total"]["period"].values()), figures["total"]["period"]


if __name__ == "__main__":  # rewrite the README's runnable console blocks from real output
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        text = README.read_text(encoding="utf-8")
        for offset, shown, real in reversed(readme_samples(Path(tmp))):
            text = text[:offset] + real + text[offset + len(shown) :]
        README.write_text(text, encoding="utf-8")
