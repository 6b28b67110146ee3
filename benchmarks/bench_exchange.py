"""Export and import of a province-sized database (default 100,000 items) against the bare
libraries doing the same reading and writing.

    python benchmarks/bench_exchange.py                     # 100,000 items
    python benchmarks/bench_exchange.py --sizes 10000,100000 --workdir /tmp/zsx

Every measurement is a whole process (start-up, imports, everything), timed around the
process; CPU seconds and peak memory come from ``os.wait4``.  The database comes from
``benchmarks/generate.py`` (kept in the work directory while the generator is unchanged):
items of all seven kinds plus their activities, funds, approvals, service teams and stage
history — so the full workbook holds several rows per item.

What is compared:

* ``zs export 全部.xlsx`` (every sheet, styled, validated) — with ``xlsxwriter`` in
  constant-memory mode writing the same rows straight from SQLite with ``write_row``;
* ``zs export 全部.csv`` (all kinds, one table) — with the ``csv`` module writing the same rows;
* ``zs import 全部.xlsx`` into an empty database (a roll-up: every row validated, history
  recorded, search index built) — with ``python-calamine`` reading the same sheets, and with
  calamine + ``sqlite3.executemany`` loading them into bare tables;
* ``zs import 全部.xlsx`` back into its own database (round trip: nothing to change);
* ``zs import 全部.csv`` into an empty database — with ``csv`` + ``executemany``.

The sub-commands ``bare-*`` are the baselines; they are run by this script itself.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
#: sheets import reads (汇总 and 阶段变更 are for people only)
SKIP_SHEETS = {"汇总", "阶段变更", "_meta", "_lists"}


# ---------------------------------------------------------------------------------------
# Baselines (run as sub-commands in their own process)
# ---------------------------------------------------------------------------------------


def _bare_rows(db: str) -> list[tuple[str, list[str], object]]:
    """(sheet name, header, cursor) for the same rows zs export writes."""
    conn = sqlite3.connect(db)
    out: list[tuple[str, list[str], object]] = []
    kinds = [r[0] for r in conn.execute("SELECT DISTINCT kind FROM items ORDER BY kind")]
    for kind in kinds:
        cur = conn.execute(
            "SELECT i.id, i.title, c.name, i.status, i.owner, u.name, i.due, k.*, i.notes, i.created_at, "
            "i.updated_at, i.closed_at FROM items i JOIN chains c ON c.id = i.chain_id "
            f"LEFT JOIN units u ON u.id = i.unit_id LEFT JOIN kind_{kind} k ON k.id = i.id "
            "WHERE i.kind = ? ORDER BY i.id",
            (kind,),
        )
        out.append((kind, [d[0] for d in cur.description], cur))
    for table in ("chains", "units", "activities", "funds", "approvals", "team_members", "status_log"):
        cur = conn.execute(f"SELECT * FROM {table} ORDER BY id")
        out.append((table, [d[0] for d in cur.description], cur))
    return out


def bare_write_xlsx(db: str, out: str) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    for name, header, cur in _bare_rows(db):
        ws = wb.add_worksheet(name[:31])
        ws.write_row(0, 0, header)
        for r, row in enumerate(cur, start=1):  # type: ignore[call-overload]
            ws.write_row(r, 0, row)
    wb.close()


def bare_write_csv(db: str, out: str) -> None:
    with open(out, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        for _name, header, cur in _bare_rows(db)[:7]:  # the items, as zs export 全部.csv
            w.writerow(header)
            w.writerows(cur)  # type: ignore[arg-type]


def bare_read_xlsx(path: str) -> int:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    n = 0
    for name in wb.sheet_names:
        if name in SKIP_SHEETS:
            continue
        for _row in wb.get_sheet_by_name(name).iter_rows():
            n += 1
    return n


def bare_import_xlsx(path: str, db: str) -> int:
    """calamine + executemany into one bare table per sheet, one transaction."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    n = 0
    for i, name in enumerate(wb.sheet_names):
        if name in SKIP_SHEETS:
            continue
        rows = wb.get_sheet_by_name(name).iter_rows()
        header = next(rows, None)
        if header is None:
            continue
        cols = ", ".join(f"c{j}" for j in range(len(header)))
        conn.execute(f"CREATE TABLE t{i} ({cols})")
        marks = ", ".join("?" * len(header))
        batch: list[list[object]] = []
        for row in rows:
            batch.append([None if v == "" else v for v in row])
            if len(batch) == 5000:
                conn.executemany(f"INSERT INTO t{i} VALUES ({marks})", batch)
                n += len(batch)
                batch = []
        conn.executemany(f"INSERT INTO t{i} VALUES ({marks})", batch)
        n += len(batch)
    conn.execute("COMMIT")
    return n


def bare_read_csv(path: str) -> int:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh))


def bare_import_csv(path: str, db: str) -> int:
    conn = sqlite3.connect(db, isolation_level=None)
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        conn.execute("BEGIN")
        conn.execute(f"CREATE TABLE t ({', '.join(f'c{j}' for j in range(len(header)))})")
        conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(header))})", rows)
        conn.execute("COMMIT")
    return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])


BARE = {
    "bare-write-xlsx": bare_write_xlsx,
    "bare-write-csv": bare_write_csv,
    "bare-read-xlsx": bare_read_xlsx,
    "bare-import-xlsx": bare_import_xlsx,
    "bare-read-csv": bare_read_csv,
    "bare-import-csv": bare_import_csv,
}


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------


@dataclass
class Sample:
    name: str
    wall: float
    cpu: float
    rss_mb: float
    code: int
    tail: str


def run(name: str, argv: list[str], *, cwd: Path) -> Sample:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ZHAOSHANG_USER": "benchmark"}
    log = cwd / "last.log"
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    tail = log.read_text(errors="replace").strip().splitlines()
    return Sample(name, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, tail[-1] if tail else "")


def zs(db: Path, *args: str) -> list[str]:
    return [PY, "-m", "zhaoshang", "--db", str(db), *args]


def me(*args: str) -> list[str]:
    return [PY, str(Path(__file__).resolve()), *args]


def fresh(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    return dst


def ensure_db(work: Path, size: int) -> Path:
    stamp = int((HERE / "generate.py").stat().st_mtime)
    path = work / f"items-{size}-{stamp}.db"
    if not path.exists():
        print(f"生成 {size:,} 个条目的数据库 …", file=sys.stderr)
        subprocess.run(
            [PY, str(HERE / "generate.py"), str(path), "--items", str(size)], check=True, stdout=subprocess.DEVNULL
        )
    return path


def bench(size: int, work: Path) -> list[tuple[Sample, Sample | None]]:
    w = work / f"x{size}"
    w.mkdir(parents=True, exist_ok=True)
    db = ensure_db(work, size)
    empty = w / "empty.db"
    if not empty.exists():
        subprocess.run(
            [PY, str(HERE / "generate.py"), str(empty), "--items", "0"], check=True, stdout=subprocess.DEVNULL
        )
    xlsx, csv_ = w / "全部.xlsx", w / "全部.csv"
    rows: list[tuple[Sample, Sample | None]] = []
    for p in (xlsx, csv_, w / "bare.xlsx", w / "bare.csv"):
        p.unlink(missing_ok=True)

    def pair(ours: Sample, bare: Sample | None) -> None:
        rows.append((ours, bare))
        for s in (ours, bare):
            if s is not None:
                flag = "" if s.code == 0 else f"  失败（{s.code}）：{s.tail}"
                print(f"  {s.name:<44} {s.wall:7.1f} s  {s.rss_mb:6.0f} MB{flag}", file=sys.stderr)

    ex = run("zs export 全部.xlsx", zs(db, "export", str(xlsx)), cwd=w)
    bx = run("xlsxwriter 写同样的行（constant_memory）", me("bare-write-xlsx", str(db), str(w / "bare.xlsx")), cwd=w)
    pair(ex, bx)
    ec = run("zs export 全部.csv", zs(db, "export", str(csv_)), cwd=w)
    bc = run("csv 模块写同样的行", me("bare-write-csv", str(db), str(w / "bare.csv")), cwd=w)
    pair(ec, bc)
    target = fresh(empty, w / "import.db")
    ix = run("zs import 全部.xlsx（空库，汇总导入）", zs(target, "import", str(xlsx)), cwd=w)
    rx = run("python-calamine 读同样的工作表", me("bare-read-xlsx", str(xlsx)), cwd=w)
    pair(ix, rx)
    bare_db = w / "bare.db"
    bare_db.unlink(missing_ok=True)
    pair(run("  对照：calamine + executemany 入裸表", me("bare-import-xlsx", str(xlsx), str(bare_db)), cwd=w), None)
    rt = fresh(db, w / "roundtrip.db")
    pair(run("zs import 全部.xlsx（原库，往返无变化）", zs(rt, "import", str(xlsx)), cwd=w), rx)
    target = fresh(empty, w / "import.db")
    ic = run("zs import 全部.csv（空库）", zs(target, "import", str(csv_)), cwd=w)
    bare_db.unlink(missing_ok=True)
    rc = run("csv + executemany 入裸表", me("bare-import-csv", str(csv_), str(bare_db)), cwd=w)
    pair(ic, rc)
    return rows


def table(results: dict[int, list[tuple[Sample, Sample | None]]]) -> str:
    lines = [
        "| 规模 | 操作 | 用时 | CPU | 峰值内存 | 对照（裸库） | 用时 | 峰值内存 | 倍数 |",
        "|---:|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for size, rows in results.items():
        for ours, bare in rows:
            ratio = f"{ours.wall / bare.wall:.1f}×" if bare and bare.wall else ""
            b = (bare.name, f"{bare.wall:.1f} s", f"{bare.rss_mb:.0f} MB") if bare else ("", "", "")
            fail = "" if ours.code == 0 else f"（失败：{ours.tail[:60]}）"
            lines.append(
                f"| {size:,} | {ours.name}{fail} | {ours.wall:.1f} s | {ours.cpu:.1f} s | {ours.rss_mb:.0f} MB | "
                f"{b[0]} | {b[1]} | {b[2]} | {ratio} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in BARE:
        result = BARE[argv[0]](*argv[1:])  # type: ignore[operator]
        if result is not None:
            print(result)
        return 0
    ap = argparse.ArgumentParser(description="导入导出性能测试（与裸库对照）")
    ap.add_argument("--sizes", default="100000", help="条目数，逗号分隔（默认 100000）")
    ap.add_argument("--workdir", default="/tmp/zs-bench-exchange", help="工作目录（数据库与文件保留以便复用）")
    args = ap.parse_args(argv)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    results: dict[int, list[tuple[Sample, Sample | None]]] = {}
    for size in (int(x) for x in args.sizes.split(",")):
        print(f"{size:,} 个条目：", file=sys.stderr)
        results[size] = bench(size, work)
    load = os.getloadavg()
    machine = platform.processor() or platform.machine()
    print(f"机器：{machine}，{os.cpu_count()} 核，Python {platform.python_version()}，负载 {load[0]:.1f}")
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
