"""The PostgreSQL column: the everyday commands on a server database beside the same commands on
the SQLite file they were copied from, and beside the bare library, all in one run.

    ZHAOSHANG_BENCH_PG=postgresql://postgres@127.0.0.1:5432/postgres \\
        python benchmarks/server.py [--sizes 10000,100000] [--runs 5] [--workdir /tmp/zsbench]

For each size: the database made by ``benchmarks/generate.py`` (as ``run.py`` makes it) is copied
to a new database on the server with ``zs db copy`` (timed), then every command runs as a whole
process (``python -m zhaoshang --db …``), median of ``--runs``.  The floor is a Python process
that imports psycopg, connects and runs one query of the same kind.  The 100k import is the
monthly CSV export of the same city into an empty database on each engine.  Writes the table to
``benchmarks/RESULTS-server.md``; the server database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import AS_OF, PY, ROOT, ensure_db, machine, pick_ids, run_once  # noqa: E402

FLOOR = """\
import sys, psycopg
conn = psycopg.connect(sys.argv[1])
rows = conn.execute(sys.argv[2]).fetchall()
print(len(rows))
"""


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def _create(server: str, name: str) -> None:
    _admin(server, f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING UTF8 LC_CTYPE 'C.UTF-8' LC_COLLATE 'C'")


def _db_url(server: str, name: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(server)
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{info.get('host') or '127.0.0.1'}{port}/{name}"


def _median(argv: list[str], env: dict[str, str], runs: int, work: Path) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        s = run_once(argv, env, cwd=ROOT, log=work / "server-bench.log")
        if s.code != 0:
            raise SystemExit(f"失败：{' '.join(argv)}（见 {work / 'server-bench.log'}）")
        walls.append(s.wall)
        cpus.append(s.cpu)
    return statistics.median(walls), statistics.median(cpus)


def _fmt(pair: tuple[float, float] | None) -> str:
    if pair is None:
        return ""
    w, c = pair
    f = (lambda v: f"{v * 1000:.0f} ms") if w < 1 else (lambda v: f"{v:.2f} s")
    return f"{f(w)} / {f(c)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="服务器数据库（PostgreSQL）与文件数据库的同场对照")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", default="/tmp/zsbench")
    args = ap.parse_args(argv)
    server = os.environ.get("ZHAOSHANG_BENCH_PG")
    if not server:
        print("请设 ZHAOSHANG_BENCH_PG=postgresql://用户@主机:端口/postgres", file=sys.stderr)
        return 1
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ZHAOSHANG_USER": "bench", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    env.pop("ZHAOSHANG_DB", None)
    zs = [PY, "-m", "zhaoshang"]
    lines: list[str] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        file = ensure_db(work, size, log=print)
        show, edit, chain = pick_ids(file)
        name = f"zsbench_{size}"
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _create(server, name)
        url = _db_url(server, name)
        t = time.perf_counter()
        subprocess.run([*zs, "db", "copy", str(file), url], env=env, cwd=ROOT, check=True, capture_output=True)
        copy_s = time.perf_counter() - t
        print(f"{size:,} 条：zs db copy 到服务器 {copy_s:.1f} s")
        csv = work / f"src-{size}.csv"  # the CSV run.py imports (benchmarks/bare.py dump-csv)
        if not csv.exists():
            subprocess.run([PY, str(HERE / "bare.py"), "dump-csv", str(file), str(csv)], cwd=ROOT, check=True)
        cases: list[tuple[str, list[str], str | None]] = [
            ("zs show ID", ["show", str(show)], f"SELECT * FROM items WHERE id = {show}"),
            ("zs add 招什么 …", ["add", "招什么", "基准测试项目", "--chain", chain, "投资额=1亿"], None),
            ("zs edit ID 投资额=…", ["edit", str(edit), "投资额=2亿"], None),
            (
                f"zs list --chain {chain} -f tsv",
                ["list", "--chain", chain, "-f", "tsv"],
                f"SELECT i.* FROM items i JOIN chains c ON c.id = i.chain_id WHERE c.name = '{chain}'",
            ),
            ("zs search 铜", ["search", "铜"], "SELECT id FROM items_fts WHERE title LIKE '%铜%' LIMIT 200"),
            ("zs search 绿氢制储一体化", ["search", "绿氢制储一体化"], None),
            ("zs warn", ["warn"], "SELECT item_id, entered, act_date, next_date FROM item_dates"),
            ("zs report monthly -f json", ["report", "monthly", "-f", "json"], None),
        ]
        lines.append(f"\n### {size:,} 条目（zs db copy 到服务器 {copy_s:.1f} s）\n")
        lines.append(
            "| 操作 | 文件（SQLite）：墙钟 / CPU | 服务器（PostgreSQL）：墙钟 / CPU | psycopg 裸查询：墙钟 / CPU |"
        )
        lines.append("|---|---|---|---|")
        for label, cmd, floor in cases:
            on_file = _median([*zs, "--db", str(file), *cmd], env, args.runs, work)
            on_server = _median([*zs, "--db", url, *cmd], env, args.runs, work)
            bare = _median([PY, "-c", FLOOR, url, floor], env, args.runs, work) if floor else None
            lines.append(f"| {label} | {_fmt(on_file)} | {_fmt(on_server)} | {_fmt(bare)} |")
            print(lines[-1])
        # the import: the same CSV into the empty database run.py imports into (chains and
        # units, no items), on each engine
        empty_file = work / f"empty-{size}.db"
        empty_file.unlink(missing_ok=True)
        subprocess.run(
            [PY, str(HERE / "generate.py"), str(empty_file), "--items", "0"], check=True, capture_output=True
        )
        empty = f"zsbench_{size}_import"
        _admin(server, f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        _create(server, empty)
        empty_url = _db_url(server, empty)
        subprocess.run(
            [*zs, "db", "copy", str(empty_file), empty_url], env=env, cwd=ROOT, check=True, capture_output=True
        )
        on_file = _median([*zs, "--db", str(empty_file), "import", str(csv), *AS_OF], env, 1, work)
        on_server = _median([*zs, "--db", empty_url, "import", str(csv), *AS_OF], env, 1, work)
        lines.append(f"| zs import 全部.csv（空库，1 次） | {_fmt(on_file)} | {_fmt(on_server)} |  |")
        print(lines[-1])
        _admin(server, f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    m = machine()
    head = [
        "# 服务器数据库（PostgreSQL）性能对照",
        "",
        "由 `python benchmarks/server.py` 生成：同一台机器、同一次运行里，文件数据库与复制到本机 PostgreSQL 服务器上的",
        "同一份数据各跑一遍；每项是一个完整进程（含 Python 启动和导入），墙钟 / CPU（用户 + 系统）取中位数；",
        "“psycopg 裸查询”是导入 psycopg、连接、执行一条同类查询的最小进程。服务器的 CPU 不在客户端进程的 CPU 里。",
        "",
        "机器：" + "；".join(f"{k} {v}" for k, v in m.items()),
    ]
    (HERE / "RESULTS-server.md").write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    print(f"已写入 {HERE / 'RESULTS-server.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
