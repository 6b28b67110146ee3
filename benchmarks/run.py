"""zhaoshang benchmarks: whole processes, median of several runs, peak memory, against the
bare libraries on the same machine in the same session.

    python benchmarks/run.py                      # 10k, 100k and 1M items (takes a while)
    python benchmarks/run.py --quick              # 10k and 100k items, 3 runs
    python benchmarks/run.py --sizes 10000,100000 --runs 5 --workdir /tmp/zsbench

Databases are made by ``benchmarks/generate.py`` (kept in the work directory and reused
while the generator and the schema are unchanged).  Every measurement is a separate process
(``python -m zhaoshang …``); its wall time is taken around the process and its peak memory
from ``wait4`` (``ru_maxrss``).  Commands that do not exist yet (import, export, warn,
report) are skipped with a note.  Prints ONE table and writes it, with the machine, to
``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable

#: the xlsx export measured is the monthly workbook an office sends: every item, with the
#: activities, funds and stage changes of this month (years of history would not fit a sheet:
#: Excel stops at 1,048,576 rows, and 1,000,000 items have 1.8 million stage changes)
XLSX_SELECTION = ["--month", time.strftime("%Y-%m")]
#: the day the generated city's stage moves without a date of their own happened (the import
#: refuses to date them by the day it runs without being told: --as-of)
AS_OF = ["--as-of", time.strftime("%Y-%m-%d")]

TYPER_HELLO = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str) -> None:
    """Say hello."""
    print(f"你好，{name}")


@app.command()
def bye() -> None:
    """Say goodbye."""
    print("再见")


app()
'''


# ---------------------------------------------------------------------------------------
# Running one process
# ---------------------------------------------------------------------------------------


@dataclass
class Sample:
    wall: float
    cpu: float  # user + system seconds of the process (and any it waited for)
    rss_mb: float  # peak resident set (ru_maxrss)
    anon_mb: float  # peak anonymous memory (RssAnon, polled): what the process itself holds
    code: int


TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def _anon_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _watch_anon(pid: int, wrapped: bool, done: threading.Event, peak: list[int]) -> None:
    """Poll the process's RssAnon every few milliseconds (Linux keeps no high-water mark of
    it): the file-backed pages of a memory-mapped database are not the program's memory."""
    target: int | None = None if wrapped else pid
    while not done.is_set():
        if target is None:  # the process GNU time started
            try:
                kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                target = int(kids[0]) if kids else None
            except (OSError, ValueError):
                target = None
        if target is not None:
            kb = _anon_kb(target)
            if kb is not None and kb > peak[0]:
                peak[0] = kb
        done.wait(0.004)


def run_once(argv: Sequence[str], env: dict[str, str], *, cwd: Path, log: Path) -> Sample:
    """Run a process to completion: wall and CPU time, its own peak RSS and peak anonymous
    memory.

    The RSS comes from GNU ``time`` (a tiny C launcher) when there is one: Linux carries a
    process's memory high-water mark across exec, so a child forked straight from this
    Python process would report this process's size instead of its own."""
    rss_file = log.with_suffix(".rss")
    rss_file.unlink(missing_ok=True)
    cmd = [TIME, "-f", "%M", "-o", str(rss_file), *argv] if TIME else list(argv)
    peak = [0]
    done = threading.Event()
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        watcher = threading.Thread(target=_watch_anon, args=(proc.pid, bool(TIME), done, peak), daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        watcher.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_kb = float(usage.ru_maxrss)
    # (the CPU of GNU time's child is in time's own usage: it waits for it)
    cpu = usage.ru_utime + usage.ru_stime
    if TIME and rss_file.exists():
        text = rss_file.read_text().strip().splitlines()
        if text and text[-1].isdigit():
            rss_kb = float(text[-1])
    return Sample(wall, cpu, rss_kb / 1024, peak[0] / 1024, proc.returncode)


@dataclass
class Result:
    name: str
    size: int
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    anon: list[float] = field(default_factory=list)
    failed: str | None = None

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus) if self.cpus else float("nan")

    @property
    def peak(self) -> float:
        return max(self.rss) if self.rss else float("nan")

    @property
    def peak_anon(self) -> float:
        return max(self.anon) if self.anon else float("nan")


@dataclass
class Bench:
    """One line of the table."""

    name: str  # shown in the table
    argv: Callable[[Context], list[str]]
    group: str  # "startup" | "query" | "write" | "exchange" | "baseline"
    baseline: str | None = None  # name of the row to compare with (its bare-library floor)
    target: float | None = None  # seconds at the largest size measured (CPU, or wall: ``metric``)
    needs: str | None = None  # zs command that must exist
    setup: Callable[[Context, int], None] | None = None  # before each run (not timed)
    heavy: bool = False  # fewer runs (import/export)
    per_size: bool = True  # measured at every size (else once, at the first)
    metric: str = "cpu"  # what ``target`` and ``ratio`` compare: "cpu" or "wall"
    mem: float | None = None  # peak anonymous memory (MB) allowed at every size
    ratio: float | None = None  # at most this many times the baseline, at the largest size
    linear: bool = False  # growth per 10× items must stay within 10× (linear)


@dataclass
class Context:
    size: int
    db: Path
    work: Path
    env: dict[str, str]
    show_id: int = 1
    edit_id: int = 1
    chain: str = "新能源"
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)

    def zs(self, *args: str, db: Path | None = None) -> list[str]:
        return [PY, "-m", "zhaoshang", "--db", str(db or self.db), *args]


# ---------------------------------------------------------------------------------------
# The benchmarks
# ---------------------------------------------------------------------------------------


def _fresh_copy(src_name: str, dst_name: str) -> Callable[[Context, int], None]:
    def setup(ctx: Context, _run: int) -> None:
        dst = ctx.files[dst_name]
        for suffix in ("", "-wal", "-shm"):
            Path(str(dst) + suffix).unlink(missing_ok=True)
        shutil.copyfile(ctx.files[src_name], dst)

    return setup


def _remove(name: str) -> Callable[[Context, int], None]:
    def setup(ctx: Context, _run: int) -> None:
        ctx.files[name].unlink(missing_ok=True)

    return setup


def benches() -> list[Bench]:
    s = "python -c 'import sqlite3'"
    th = "Typer hello（运行命令）"
    bare = [PY, str(HERE / "bare.py")]
    return [
        # start-up and the baselines it is compared with
        Bench(s, lambda c: [PY, "-c", "import sqlite3"], "baseline", per_size=False),
        Bench("Typer hello --help", lambda c: [PY, str(c.work / "hello.py"), "--help"], "baseline", per_size=False),
        Bench(th, lambda c: [PY, str(c.work / "hello.py"), "hello", "世界"], "baseline", per_size=False),
        Bench("zs --help", lambda c: c.zs("--help"), "startup", "Typer hello --help", per_size=False, ratio=1.1),
        Bench(
            "zs list --chain 新能源",
            lambda c: c.zs("list", "--chain", c.chain),
            "query",
            "sqlite3 列出同一条产业链",
            0.5,
            mem=60,
        ),
        Bench("sqlite3 列出同一条产业链", lambda c: [*bare, "list-chain", str(c.db), c.chain], "baseline"),
        Bench(
            "zs list 招什么 --chain … --status 已签约 优先级=A",
            lambda c: c.zs("list", "招什么", "--chain", c.chain, "--status", "已签约", "优先级=A"),
            "query",
            th,
            0.3,
        ),
        Bench("zs list（全部条目，表格）", lambda c: c.zs("list"), "query", heavy=True, mem=60),
        Bench("zs list -f json（全部条目）", lambda c: c.zs("list", "-f", "json"), "query", heavy=True, mem=60),
        Bench("zs show ID", lambda c: c.zs("show", str(c.show_id)), "query", th, 0.3, metric="wall"),
        Bench(
            "zs add 招什么 …",
            lambda c: c.zs("add", "招什么", "基准测试铜箔项目", "--chain", c.chain, "投资额=3.56亿", "优先级=A"),
            "write",
            th,
            0.3,
            metric="wall",
        ),
        Bench(
            "zs edit ID 投资额=…",
            lambda c: c.zs("edit", str(c.edit_id), f"投资额={1000 + time.time_ns() % 1_000_000}"),
            "write",
            th,
            0.3,
            metric="wall",
        ),
        Bench("zs search 铜（1 字）", lambda c: c.zs("search", "铜"), "query", "sqlite3 找标题含「铜」的 200 条", 0.2),
        Bench("sqlite3 找标题含「铜」的 200 条", lambda c: [*bare, "search", str(c.db), "铜"], "baseline"),
        Bench("zs search 光伏（2 字）", lambda c: c.zs("search", "光伏"), "query", th, 0.2),
        Bench("zs search 绿氢制储一体化", lambda c: c.zs("search", "绿氢制储一体化"), "query", th, 0.2),
        Bench(
            "zs warn",
            lambda c: c.zs("warn"),
            "query",
            "sqlite3 读未办结条目的阶段和对接日期",
            1.0,
            needs="warn",
            mem=100,
        ),
        Bench("sqlite3 读未办结条目的阶段和对接日期", lambda c: [*bare, "open-items", str(c.db)], "baseline"),
        Bench(
            "zs report monthly",
            lambda c: c.zs("report", "monthly"),
            "query",
            "sqlite3 汇总本月阶段、对接、资金",
            1.0,
            needs="report monthly",
            mem=100,
        ),
        Bench(
            "sqlite3 汇总本月阶段、对接、资金",
            lambda c: [*bare, "month", str(c.db), time.strftime("%Y-%m")],
            "baseline",
        ),
        # export / import of every item (xlsx and csv) against the bare libraries
        Bench(
            "zs export 本月.xlsx（全部条目）",
            lambda c: c.zs("export", str(c.files["zs_xlsx"]), *XLSX_SELECTION),
            "exchange",
            "xlsxwriter 写同样单元格",
            needs="export",
            setup=_remove("zs_xlsx"),
            heavy=True,
            ratio=1.0,
        ),
        Bench(
            "xlsxwriter 写同样单元格",
            lambda c: [*bare, "write-xlsx", str(c.files["cells"]), str(c.files["bare_xlsx"])],
            "baseline",
            setup=_remove("bare_xlsx"),
            heavy=True,
        ),
        Bench(
            "zs export 全部.csv",
            lambda c: c.zs("export", str(c.files["zs_csv"])),
            "exchange",
            "csv 模块写同样单元格",
            needs="export",
            setup=_remove("zs_csv"),
            heavy=True,
        ),
        Bench(
            "csv 模块写同样单元格",
            lambda c: [*bare, "write-csv", str(c.files["src_csv"]), str(c.files["bare_csv"])],
            "baseline",
            setup=_remove("bare_csv"),
            heavy=True,
        ),
        Bench(
            "zs import 本月.xlsx（空库）",
            lambda c: c.zs("import", str(c.files["src_xlsx"]), *AS_OF, db=c.files["import_db"]),
            "exchange",
            "python-calamine 读 + executemany 写入",
            needs="import",
            setup=_fresh_copy("empty_db", "import_db"),
            heavy=True,
            ratio=2.0,
            linear=True,
        ),
        Bench(
            "python-calamine 读 + executemany 写入",
            lambda c: [*bare, "load-xlsx", str(c.files["src_xlsx"]), str(c.files["bare_db"])],
            "baseline",
            setup=_remove("bare_db"),
            heavy=True,
        ),
        Bench(
            "python-calamine 读同一文件",
            lambda c: [*bare, "read-xlsx", str(c.files["src_xlsx"])],
            "baseline",
            heavy=True,
        ),
        Bench(
            "zs import 全部.csv（空库）",
            lambda c: c.zs("import", str(c.files["src_csv"]), *AS_OF, db=c.files["import_db"]),
            "exchange",
            "csv 模块读 + executemany 写入",
            needs="import",
            setup=_fresh_copy("empty_db", "import_db"),
            heavy=True,
            ratio=3.0,
            linear=True,
        ),
        Bench(
            "csv 模块读 + executemany 写入",
            lambda c: [*bare, "load-csv", str(c.files["src_csv"]), str(c.files["bare_db"])],
            "baseline",
            setup=_remove("bare_db"),
            heavy=True,
        ),
        Bench(
            "csv 模块读同一文件",
            lambda c: [*bare, "read-csv", str(c.files["src_csv"])],
            "baseline",
            heavy=True,
        ),
    ]


# ---------------------------------------------------------------------------------------
# Preparing databases and files
# ---------------------------------------------------------------------------------------


def _generator_stamp() -> str:
    h = hashlib.sha1()
    for p in [HERE / "generate.py", ROOT / "zhaoshang" / "db.py", *sorted((ROOT / "checklists").glob("*.yaml"))]:
        h.update(p.read_bytes())
    return h.hexdigest()[:10]


def ensure_db(work: Path, size: int, *, log: Callable[[str], None], shape: str = "generated") -> Path:
    prefix = "items" if shape == "generated" else f"items-{shape}"
    path = work / f"{prefix}-{size}-{_generator_stamp()}.db"
    if path.exists():
        return path
    for old in work.glob(f"{prefix}-{size}-*.db*"):
        old.unlink()
    log(f"生成 {size:,} 条目的数据库（{shape}）…")
    t = time.perf_counter()
    subprocess.run(
        [PY, str(HERE / "generate.py"), str(path), "--items", str(size), "--shape", shape],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"  用时 {time.perf_counter() - t:.1f} s")
    return path


def available(env: dict[str, str], work: Path) -> set[str]:
    """The zs commands that exist (``report monthly`` as two words)."""
    found: set[str] = set()
    for args, prefix in ((["--help"], ""), (["report", "--help"], "report ")):
        proc = subprocess.run([PY, "-m", "zhaoshang", *args], env=env, cwd=work, capture_output=True, text=True)
        if proc.returncode != 0:
            continue
        section = proc.stdout.split("命令:")[-1] if "命令:" in proc.stdout else proc.stdout.split("Commands:")[-1]
        for line in section.splitlines():
            parts = line.split()
            if line.startswith("  ") and parts:
                found.add(prefix + parts[0])
    return found


def prepare(ctx: Context, have: set[str], log: Callable[[str], None]) -> None:
    """Files the exchange benchmarks need: zs's own export when it exists (so the bare
    libraries handle the very same cells), else a plain dump of the items."""
    f = ctx.files
    w = ctx.work / f"x{ctx.size}"
    w.mkdir(exist_ok=True)
    for name, fname in {
        "zs_xlsx": "zs.xlsx",
        "zs_csv": "zs.csv",
        "bare_xlsx": "bare.xlsx",
        "bare_csv": "bare.csv",
        "cells": "cells.jsonl",
        "src_xlsx": "src.xlsx",
        "src_csv": "src.csv",
        "empty_db": "empty.db",
        "import_db": "import.db",
        "su_db": "su.db",
        "bare_db": "bare.db",
    }.items():
        f[name] = w / fname
    env, cwd = ctx.env, ctx.work
    if not f["empty_db"].exists():
        subprocess.run(
            [PY, str(HERE / "generate.py"), str(f["empty_db"]), "--items", "0"], check=True, stdout=subprocess.DEVNULL
        )
    made_by = "zs export"
    if "export" in have:
        for key in ("src_xlsx", "src_csv"):
            extra = XLSX_SELECTION if key == "src_xlsx" else []
            proc = subprocess.run(ctx.zs("export", str(f[key]), *extra), env=env, cwd=cwd, capture_output=True)
            if proc.returncode != 0:
                ctx.notes.append(f"zs export {f[key].name} 失败：{proc.stderr.decode(errors='replace')[-300:]}")
                made_by = ""
    if "export" not in have or not made_by:
        made_by = "bare.py dump（zs export 尚不存在）"
        subprocess.run([PY, str(HERE / "bare.py"), "dump-xlsx", str(ctx.db), str(f["src_xlsx"])], check=True, cwd=cwd)
        subprocess.run([PY, str(HERE / "bare.py"), "dump-csv", str(ctx.db), str(f["src_csv"])], check=True, cwd=cwd)
    cells = subprocess.run(
        [PY, str(HERE / "bare.py"), "cells", str(f["src_xlsx"]), str(f["cells"])],
        check=True,
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    rows_xlsx = int(cells.stdout.split()[-1])
    with f["src_csv"].open(encoding="utf-8-sig", newline="") as fh:
        rows_csv = sum(1 for _ in csv.reader(fh)) - 1
    ctx.rows = {"csv": rows_csv, "xlsx": rows_xlsx}
    ctx.notes.append(
        f"{ctx.size:,} 条目：文件由 {made_by} 生成；CSV {rows_csv:,} 行；xlsx 全部工作表共 {rows_xlsx:,} 行"
    )
    log(ctx.notes[-1])


def pick_ids(db: Path) -> tuple[int, int, str]:
    conn = sqlite3.connect(db)
    try:
        n = conn.execute("SELECT max(id) FROM items").fetchone()[0] or 1
        row = conn.execute(
            "SELECT id FROM items WHERE kind = 'targets' AND status = '已开工' AND id >= ? ORDER BY id LIMIT 1",
            (n // 2,),
        ).fetchone()
        show = row[0] if row else 1
        row = conn.execute(
            "SELECT id FROM items WHERE kind = 'targets' AND id > ? ORDER BY id LIMIT 1", (show,)
        ).fetchone()
        edit = row[0] if row else show
        chain = conn.execute("SELECT name FROM chains WHERE name = '新能源'").fetchone()
        return show, edit, chain[0] if chain else conn.execute("SELECT name FROM chains LIMIT 1").fetchone()[0]
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------


def measure(
    ctx: Context, todo: list[Bench], runs: int, heavy_runs: int, log: Callable[[str], None]
) -> dict[str, Result]:
    """Light benchmarks in interleaved rounds (so drift hits all alike); heavy ones in a row."""
    out = {b.name: Result(b.name, ctx.size) for b in todo}
    logdir = ctx.work / "logs"
    logdir.mkdir(exist_ok=True)

    def once(b: Bench, i: int) -> None:
        r = out[b.name]
        if r.failed:
            return
        if b.setup:
            b.setup(ctx, i)
        s = run_once(b.argv(ctx), ctx.env, cwd=ctx.work, log=logdir / "last.log")
        if s.code != 0:
            text = (logdir / "last.log").read_text(errors="replace").strip().splitlines()
            r.failed = f"退出码 {s.code}：{text[-1] if text else ''}"[:200]
            return
        if i >= 0:
            r.walls.append(s.wall)
            r.cpus.append(s.cpu)
            r.rss.append(s.rss_mb)
            r.anon.append(s.anon_mb)

    light = [b for b in todo if not b.heavy]
    for b in light:  # warm-up (definitions cache, page cache)
        once(b, -1)
    for i in range(runs):
        for b in light:
            once(b, i)
    for b in [b for b in todo if b.heavy]:
        log(f"  {b.name} …")
        for i in range(heavy_runs):
            once(b, i)
    return out


# ---------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, ValueError, IndexError):
        pass
    import typer

    return {
        "CPU": f"{cpu or '?'} × {os.cpu_count()}（nproc {len(os.sched_getaffinity(0))}）",
        "内存": mem,
        "系统": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "Typer": typer.__version__,
        "日期": time.strftime("%Y-%m-%d %H:%M"),
    }


def _fmt_s(v: float) -> str:
    if v != v:  # nan
        return "—"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s" if v < 10 else f"{v:.1f} s"


def _metric(r: Result | None, metric: str) -> float:
    if r is None:
        return float("nan")
    return r.cpu if metric == "cpu" else r.wall


def table(results: dict[int, dict[str, Result]], todo: list[Bench], sizes: list[int], have: set[str]) -> list[str]:
    ref = sizes[-1]
    heads = [
        "操作",
        *(f"{n:,} 条：墙钟 / CPU" for n in sizes),
        f"裸库对照（{ref:,} 条时）：墙钟 / CPU",
        "倍数",
        "增长（每 10 倍条目）",
        "峰值匿名内存",
        "峰值 RSS",
        "目标",
    ]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    first = sizes[0]
    for b in todo:
        per = {n: results[n].get(b.name) for n in sizes}
        if b.needs and b.needs not in have:
            lines.append(f"| {b.name} | " + " | ".join(["—"] * (len(heads) - 2)) + f" | 未测：zs {b.needs} 尚不存在 |")
            continue
        cells = []
        for n in sizes:
            r = per[n] if b.per_size else (per[first] if n == first else None)
            if r is None:
                cells.append("")
            elif r.failed:
                cells.append(f"失败：{r.failed}")
            else:
                cells.append(f"{_fmt_s(r.wall)} / {_fmt_s(r.cpu)}")
        at = per[ref] if b.per_size else per[first]
        base = None
        if b.baseline:
            base = results[ref].get(b.baseline) or results[first].get(b.baseline)
        base_s = f"{b.baseline} {_fmt_s(base.wall)} / {_fmt_s(base.cpu)}" if base and base.walls else ""
        ratio_v = _metric(at, b.metric) / _metric(base, b.metric) if at and at.walls and base and base.walls else None
        ratio = f"{ratio_v:.1f}×（{'CPU' if b.metric == 'cpu' else '墙钟'}）" if ratio_v is not None else ""
        growth: list[float] = []
        if b.per_size:
            for a, c in itertools.pairwise(sizes):
                ra, rc = per[a], per[c]
                if ra and rc and ra.cpus and rc.cpus:
                    growth.append((rc.cpu / ra.cpu) ** (1 / max(1e-9, _log10(c / a))))
        runs = [r for r in (per.values() if b.per_size else [at]) if r is not None and r.rss]
        anon = "/".join(f"{r.peak_anon:.0f}" for r in runs) + " MB" if runs else ""
        rss = "/".join(f"{r.peak:.0f}" for r in runs) + " MB" if runs else ""
        goals: list[str] = []
        if at and at.walls:
            value = _metric(at, b.metric)
            if b.target is not None:
                word = "CPU" if b.metric == "cpu" else "墙钟"
                goals.append(f"{word} < {_fmt_s(b.target)} {'✓' if value < b.target else '✗'}")
            if b.mem is not None:
                worst = max(r.peak_anon for r in runs)
                goals.append(f"匿名内存 < {b.mem:.0f} MB {'✓' if worst < b.mem else '✗'}")
            if b.ratio is not None and ratio_v is not None:
                goals.append(f"≤ {b.ratio:g}× 对照 {'✓' if ratio_v <= b.ratio else '✗'}")
            if b.linear and growth:
                goals.append(f"增长 ≤ 10× {'✓' if max(growth) <= 10.05 else '✗'}")
        lines.append(
            f"| {b.name} | "
            + " | ".join([*cells, base_s, ratio, " → ".join(f"{g:.1f}×" for g in growth), anon, rss, "；".join(goals)])
            + " |"
        )
    return lines


def _log10(x: float) -> float:
    import math

    return math.log10(x)


# ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="zhaoshang 性能基准：整个进程计时，取中位数，记峰值内存，与裸库对照")
    ap.add_argument("--sizes", default=None, help="条目数，逗号分隔（默认 10000,100000,1000000）")
    ap.add_argument("--quick", action="store_true", help="只测 10000 和 100000 条，每项 3 次")
    ap.add_argument("--runs", type=int, default=None, help="每项运行次数（默认 7，--quick 时 3）")
    ap.add_argument(
        "--heavy-runs", type=int, default=None, help="导入导出和全部列表每项运行次数（默认 3；1,000,000 条时 1）"
    )
    ap.add_argument("--workdir", default=None, help="数据库和临时文件放在哪里（默认 $TMPDIR/zsbench）")
    ap.add_argument("--only", default=None, help="只测名称含此文字的项（逗号分隔）")
    ap.add_argument("--no-write", action="store_true", help="不写 benchmarks/RESULTS.md")
    ap.add_argument(
        "--shape",
        choices=("generated", "backlog"),
        default="generated",
        help="数据库形态（见 generate.py）：generated（默认）或 backlog（真实积压，约六成超期）",
    )
    args = ap.parse_args(argv)
    sizes = (
        [int(x) for x in args.sizes.split(",")]
        if args.sizes
        else ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    )
    runs = args.runs or (3 if args.quick else 7)
    work = Path(args.workdir or Path(os.environ.get("TMPDIR", "/tmp")) / "zsbench").resolve()
    work.mkdir(parents=True, exist_ok=True)
    (work / "hello.py").write_text(TYPER_HELLO, encoding="utf-8")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        ZHAOSHANG_CACHE=str(work / "cache"),
        ZHAOSHANG_USER="benchmark",
        NO_COLOR="1",
        PYTHONDONTWRITEBYTECODE="",
    )
    env.pop("ZHAOSHANG_DB", None)
    have = available(env, work)
    todo = benches()
    if args.only:
        keys = args.only.split(",")
        todo = [b for b in todo if any(k in b.name for k in keys)]
    results: dict[int, dict[str, Result]] = {}
    notes: list[str] = []
    for i, n in enumerate(sizes):
        db = ensure_db(work, n, log=log, shape=args.shape)
        show, edit, chain = pick_ids(db)
        ctx = Context(n, db, work, env, show, edit, chain)
        wanted = [b for b in todo if (b.per_size or i == 0) and (b.needs is None or b.needs in have)]
        if any(b.heavy for b in wanted):
            prepare(ctx, have, log)
        heavy_runs = args.heavy_runs or (1 if n >= 1_000_000 else 3)
        log(f"测量 {n:,} 条目（{runs} 次取中位数）…")
        results[n] = measure(ctx, wanted, runs, heavy_runs, log)
        notes.extend(ctx.notes)
    info = machine()
    lines = table(results, todo, sizes, have)
    print("\n".join(lines))
    if not args.no_write:
        md = [
            "# zhaoshang 性能基准结果",
            "",
            "由 `python benchmarks/run.py"
            + (f" --sizes {','.join(map(str, sizes))}" if args.sizes else " --quick" if args.quick else "")
            + (f" --shape {args.shape}" if args.shape != "generated" else "")
            + "` 生成。每项是一个完整进程（含 Python 启动和导入）：墙钟时间和 CPU 时间（用户 + 系统）各取 "
            f"{runs} 次中位数（导入导出和全部条目的列表 {args.heavy_runs or 3} 次，1,000,000 条时 1 次）；"
            "峰值匿名内存是每 4 ms 读一次 /proc/PID/status 的 RssAnon 的最大值"
            "（程序自己占的内存，不含映射的数据库文件页），"
            "峰值 RSS 是 GNU time 报告的 ru_maxrss（含 mmap 映射的文件页）。"
            "“裸库对照”是同一会话里裸库或最小程序做同样的事；“倍数”= zhaoshang ÷ 对照（按目标所用的 CPU 或墙钟）；"
            "“增长”= 条目数每增加 10 倍，CPU 时间变为几倍（10× 为线性，1× 为与规模无关）。目标在最大规模时判定。",
            "",
            "机器：" + "；".join(f"{k} {v}" for k, v in info.items()),
            "",
            *lines,
            "",
            *(f"- {n}" for n in notes),
            "",
        ]
        (HERE / "RESULTS.md").write_text("\n".join(md), encoding="utf-8")
        log(f"已写入 {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
