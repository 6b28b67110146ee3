"""The console script's collector pause (zhaoshang.entry): start-up runs without the cyclic
garbage collector, the command's own work with it, and a library user's process is never
touched.  Each case is a process of its own (the command line builds only the command it
runs, once per process)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests._harness import PY, ROOT, zs_env

# runs `zs --db DB ARGS` through ENTRY ("entry": the console script; "cli": the command line
# as a library user calls it) and prints what the collector was doing at each point
PROBE = """\
import gc, json, sys
entry, db, *args = sys.argv[1:]
if entry == "cli":
    gc.enable()
from zhaoshang.cli import _app
from zhaoshang.db import Database

seen = {}
opened = Database.open
def spy_open(*a, **k):
    out = opened(*a, **k)
    seen["at_open"] = gc.isenabled()
    return out
Database.open = staticmethod(spy_open)
begins = _app.work_begins
def spy_begins():
    begins()
    seen["at_work"] = gc.isenabled()
    seen["frozen_at_work"] = gc.get_freeze_count()
_app.work_begins = spy_begins
sys.argv = ["zs", "--db", db, *args]
try:
    if entry == "entry":
        from zhaoshang.entry import main
    else:
        from zhaoshang.cli import main
    main()
except SystemExit as exc:
    seen["code"] = exc.code
seen["after"] = gc.isenabled()
print(json.dumps(seen), file=sys.stderr)
"""


def _probe(tmp_path: Path, entry: str, *args: str) -> dict[str, object]:
    db = tmp_path / "x.db"
    env = zs_env(tmp_path)
    if not db.exists():
        subprocess.run(
            [PY, "-m", "zhaoshang", "--db", str(db), "init"], env=env, cwd=ROOT, check=True, capture_output=True
        )
    done = subprocess.run(
        [PY, "-c", PROBE, entry, str(db), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    seen: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    assert seen["code"] in (0, None), done.stderr
    return seen


def test_the_console_script_pauses_the_collector_only_for_start_up(tmp_path: Path) -> None:
    seen = _probe(tmp_path, "entry", "list")
    assert seen["at_open"] is False  # paused while the command line and the database start …
    assert seen["at_work"] is True  # … and running for the command's own work
    assert isinstance(seen["frozen_at_work"], int) and seen["frozen_at_work"] > 10_000  # start-up's objects set aside


def test_a_library_user_keeps_the_collector_as_it_was(tmp_path: Path) -> None:
    seen = _probe(tmp_path, "cli", "list")
    assert seen == {"at_open": True, "at_work": True, "frozen_at_work": 0, "code": 0, "after": True}
