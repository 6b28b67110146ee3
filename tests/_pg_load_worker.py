"""One client of the PostgreSQL load test (tests/test_pg_load.py).

    python tests/_pg_load_worker.py URL WORKER GO_FILE SECONDS OWN_ID SHARED_ID MODE OUT.jsonl

Once ready (the modules each command needs loaded) it waits for GO_FILE to hold the
starting time (wall clock) and until ``SECONDS`` after it it cycles through commands that each leave a
distinct, checkable trace on the server — a new project (its own 责任人, so its bulk edits
touch only its own), its own counter raised by one, a note on the item every client shares,
a stage move of its own project, an import of three new rows, the undo of its own add, a bulk
edit (``--where``) of its own projects — with reads between them (list, search, a report).
One JSON line per command (what it ran, exit code, output, and for a write what it means to
have committed) goes to OUT.  MODE ``inproc`` runs the CLI inside this process (each command
opens its own connection, as separate runs do); ``spawn`` starts a real ``python -m
zhaoshang`` for every command.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHAIN = "新能源"


def main() -> int:
    url, worker, start_at, seconds, own_id, shared_id, mode, out = sys.argv[1:9]
    w = int(worker)
    user = f"压测{w}"
    csv_dir = Path(out).parent / f"w{w}"
    csv_dir.mkdir(exist_ok=True)

    if mode == "inproc":
        from typer.testing import CliRunner

        from zhaoshang.cli import app

        runner = CliRunner()

        def run(args: list[str]) -> tuple[int, str, str]:
            r = runner.invoke(app, ["--db", url, "--user", user, *args])
            err = r.stderr
            if r.exception is not None and not isinstance(r.exception, SystemExit):
                import traceback

                ctx = r.exception.__context__
                err += "\nTraceback: " + "".join(traceback.format_exception(ctx or r.exception))[-3000:]
            return r.exit_code, r.stdout, err
    else:

        def run(args: list[str]) -> tuple[int, str, str]:
            p = subprocess.run(
                [sys.executable, "-m", "zhaoshang", "--db", url, "--user", user, *args],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            return p.returncode, p.stdout, p.stderr

    if mode == "inproc":  # the modules each kind of command loads, before the clock starts
        sheet = csv_dir / "warm.csv"
        sheet.write_text(f"项目名称,产业链,投资额\n预热,{CHAIN},1\n", encoding="utf-8-sig")
        for args in (["import", str(sheet), "--kind", "招什么", "--dry-run"], *READS.values()):
            run(args)
    Path(f"{out}.ready").touch()
    go = Path(start_at)  # the test writes the starting time there when every client is ready
    while not go.exists() or not go.read_text():
        time.sleep(0.05)
    deadline = float(go.read_text()) + float(seconds)
    while time.time() < deadline - float(seconds):
        time.sleep(0.01)
    state = {"counter": 0, "stage": "线索"}  # its own counter (投资额 of OWN_ID) and stage, as committed
    i = 0
    with open(out, "w", encoding="utf-8") as fh:

        def step(op: str, args: list[str], **extra: Any) -> tuple[int, str]:
            if time.time() >= deadline:  # (stops within a round: the run stays bounded)
                raise TimeoutError
            began = time.monotonic()
            code, stdout, stderr = run(args)
            took = round(time.monotonic() - began, 3)
            record = {"op": op, "tag": f"{w}-{i}", "args": args, "code": code, "s": took, "out": stdout[-2000:]}
            record.update(err=stderr[-4000:], **extra)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            return code, stdout

        try:
            while True:
                i = _round(w, i, step, own_id, shared_id, csv_dir, state)
        except TimeoutError:
            pass
    return 0


def _round(w: int, i: int, step: Any, own_id: str, shared_id: str, csv_dir: Path, state: dict[str, Any]) -> int:
    """Command ``i`` of client ``w``'s cycle (``step`` runs one and records it); the next ``i``.
    Each client starts the cycle at a different place, so that every kind of command runs
    from the first seconds on."""
    tag = f"{w}-{i}"
    op = CYCLE[(i + w) % len(CYCLE)]
    if op == "add":
        step("add", ["add", "招什么", f"压测项目{tag}", "--chain", CHAIN, f"责任人=压测人{w}", f"投资额={i + 1}"])
    elif op == "counter":
        if step("counter", ["edit", own_id, f"投资额={state['counter'] + 1}"], value=state["counter"] + 1)[0] == 0:
            state["counter"] += 1
    elif op == "note":
        step("note", ["note", shared_id, f"压测对接{tag}", "--type", "电话"])
    elif op == "stage":
        if state["stage"] == "线索":
            move = ["stage", own_id, "在谈"]
        else:
            move = ["stage", own_id, "线索", "--force", "--reason", f"压测回退{tag}"]
        if step("stage", move, value=move[2])[0] == 0:
            state["stage"] = move[2]
    elif op == "import":
        sheet = csv_dir / f"import-{i}.csv"
        rows = "".join(f"压测导入{tag}-{k},{CHAIN},{k + 1}\n" for k in range(3))
        sheet.write_text("项目名称,产业链,投资额\n" + rows, encoding="utf-8-sig")
        step("import", ["import", str(sheet), "--kind", "招什么"])
    elif op == "bulk":  # its own projects (its counter's too: never none)
        step("bulk", ["edit", "--where", f"责任人=压测人{w}", f"备注=压测批量{tag}", "--yes"], value=tag)
    elif op == "undo":  # a project added for it, undone by its number in history
        code, stdout = step(
            "add", ["add", "招什么", f"压测项目{tag}", "--chain", CHAIN, f"责任人=压测人{w}", f"投资额={i + 1}"]
        )
        if code == 0:
            added = stdout.split()[0]
            code, stdout = step("history", ["history", "list", added, "-n", "1", "-f", "json"])
            if code == 0:
                step("undo", ["undo", str(json.loads(stdout)[0]["id"]), "--yes"], item=added)
    else:
        step(op, READS[op])
    return i + 1


#: the commands a client cycles through (reads between writes)
CYCLE = ("add", "counter", "list", "note", "stage", "search", "import", "bulk", "report", "undo")


READS = {
    "list": ["list", "招什么", "--chain", CHAIN, "-n", "20", "-f", "json"],
    "search": ["search", "压测"],
    "report": ["report", "monthly", "--month", "本月", "-f", "json"],
}


if __name__ == "__main__":
    raise SystemExit(main())
