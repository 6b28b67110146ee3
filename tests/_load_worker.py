"""One worker process of the load test (tests/test_load.py).

    python tests/_load_worker.py DB WORKER START_AT SECONDS OWN_ID SHARED_ID MODE OUT.jsonl

Until ``START_AT + SECONDS`` (wall clock) it cycles through commands that each leave a
distinct, checkable trace — a new item, a new value on its own item, a note and an edit on
the item every worker shares, an import of new rows — and writes one JSON line per command
(what it ran, exit code, output) to OUT.  MODE ``inproc`` runs the CLI inside this process
(many commands, each opening its own connection, like separate runs); ``spawn`` starts a
real ``python -m zhaoshang`` process for every command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    db, worker, start_at, seconds, own_id, shared_id, mode, out = sys.argv[1:9]
    w = int(worker)
    user = f"压测{w}"
    csv_dir = Path(out).parent / f"w{w}"
    csv_dir.mkdir(exist_ok=True)
    have_import = os.environ.get("ZS_LOAD_IMPORT") == "1"

    if mode == "inproc":
        from typer.testing import CliRunner

        from zhaoshang.cli import app

        runner = CliRunner()

        def run(args: list[str]) -> tuple[int, str, str]:
            r = runner.invoke(app, ["--db", db, "--user", user, *args])
            err = r.stderr
            if r.exception is not None and not isinstance(r.exception, SystemExit):
                err += f"\nTraceback: {type(r.exception).__name__}: {r.exception}"
            return r.exit_code, r.stdout, err
    else:

        def run(args: list[str]) -> tuple[int, str, str]:
            p = subprocess.run(
                [sys.executable, "-m", "zhaoshang", "--db", db, "--user", user, *args],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            return p.returncode, p.stdout, p.stderr

    while time.time() < float(start_at):
        time.sleep(0.01)
    deadline = float(start_at) + float(seconds)
    i = 0
    with open(out, "w", encoding="utf-8") as fh:
        while time.time() < deadline:
            tag = f"{w}-{i}"
            steps: list[tuple[str, list[str]]] = [
                ("add", ["add", "招什么", f"压测项目{tag}", "--chain", "新能源", f"投资额={i + 1}"]),
                ("edit_own", ["edit", own_id, f"投资额={1000 * w + i + 1}"]),
                ("note", ["note", shared_id, f"压测对接{tag}", "--type", "电话"]),
                ("edit_shared", ["edit", shared_id, f"备注=压测备注{tag}"]),
            ]
            if have_import and i % 3 == 0:
                sheet = csv_dir / f"import-{i}.csv"
                rows = "".join(f"压测导入{tag}-{k},新能源,{k + 1}\n" for k in range(3))
                sheet.write_text("项目名称,产业链,投资额\n" + rows, encoding="utf-8-sig")
                steps.append(("import", ["import", str(sheet), "--kind", "招什么"]))
            for op, args in steps:
                code, stdout, stderr = run(args)
                fh.write(
                    json.dumps(
                        {"op": op, "tag": tag, "args": args, "code": code, "out": stdout[-300:], "err": stderr[-500:]},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                fh.flush()
            i += 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
