"""Helpers shared by the load, fault and hostile-input suites: running ``zs`` as a real
process, dumping a database completely, making large databases with the benchmark
generator, and counting what was tried so the suites can say it in their output."""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CJK = re.compile(r"[\u4e00-\u9fff]")


def packaged_definitions() -> Any:
    """The packaged definitions, read without the on-disk cache: for a test module's
    constants, made at collection — before any test's isolated cache folder exists — so it
    must leave nothing in the home (``load()`` is memoised: later calls get the same)."""
    from zhaoshang.definitions import load

    before = os.environ.get("ZHAOSHANG_CACHE")
    os.environ["ZHAOSHANG_CACHE"] = ""
    try:
        return load()
    finally:
        if before is None:
            del os.environ["ZHAOSHANG_CACHE"]
        else:
            os.environ["ZHAOSHANG_CACHE"] = before


def zs_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Environment for a ``python -m zhaoshang`` child: this checkout, no shared cache."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        ZHAOSHANG_CACHE=str(tmp / "_cache"),
        XDG_DATA_HOME=str(tmp / "_data"),
        ZHAOSHANG_USER="测试员",
        NO_COLOR="1",
        ZHAOSHANG_CONFIG=str(tmp / "_config" / "config.toml"),
    )
    for name in ("ZHAOSHANG_DB", "ZHAOSHANG_OFFICE", "ZHAOSHANG_PAGER", "PAGER"):
        env.pop(name, None)
    env.pop("ZHAOSHANG_DB", None)
    env.pop("ZHAOSHANG_DEBUG", None)
    env.update(extra)
    return env


def zs_argv(db: Path | str, *args: str) -> list[str]:
    return [PY, "-m", "zhaoshang", "--db", str(db), *args]


def run_zs(db: Path | str, *args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(zs_argv(db, *args), env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def in_terminal(argv: Sequence[str], *, columns: int, lines: int, env: dict[str, str], timeout: float = 60) -> str:
    """Run ``argv`` on a pseudo-terminal of ``columns`` × ``lines`` (stdout, stderr and
    stdin all the terminal, as when a person types the command) and return what it showed."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal's size is set before it starts
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
            os.execvpe(argv[0], list(argv), env)
        finally:
            os._exit(127)
    shown = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            if os.waitpid(pid, os.WNOHANG) != (0, 0):
                break
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        shown += data
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    os.close(fd)
    return shown.decode("utf-8", "replace").replace("\r\n", "\n")


def assert_clean_error(proc: subprocess.CompletedProcess[str], *, code: int = 1, says: str | None = None) -> None:
    """Exit ``code``, a short Chinese message on stderr, no traceback, nothing on stdout."""
    assert proc.returncode == code, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    err = proc.stderr.strip()
    assert "Traceback" not in err and "内部错误" not in err, err
    assert CJK.search(err), err
    assert len(err.splitlines()) <= 4, err
    if says is not None:
        assert says in err, err


def full_dump(path: Path | str) -> dict[str, Any]:
    """Everything a user could see in the file: schema, version and every row of every table
    (including the search index's contents), in rowid order."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out: dict[str, Any] = {
            "user_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "schema": sorted(
                conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
            ),
        }
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'items_fts_%' ORDER BY name"
            )
        ]
        for t in tables:
            out[t] = conn.execute(f'SELECT rowid, * FROM "{t}" ORDER BY rowid').fetchall()
        return out
    finally:
        conn.close()


def integrity(path: Path | str) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def copy_db(src: Path, dst: Path) -> Path:
    """Copy a database (checkpointed first, so the copy is one self-contained file)."""
    conn = sqlite3.connect(src)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = sqlite3.connect(dst)
        try:
            conn.backup(target)
        finally:
            target.close()
    finally:
        conn.close()
    return dst


_GENERATOR: Any = None


def generate(path: Path, n_items: int, seed: int = 1, **options: Any) -> dict[str, Any]:
    """A realistic database made by ``benchmarks/generate.py`` (``options``: its ``today``, ``fts``)."""
    global _GENERATOR
    if _GENERATOR is None:
        spec = importlib.util.spec_from_file_location("zs_bench_generate", ROOT / "benchmarks" / "generate.py")
        assert spec and spec.loader
        _GENERATOR = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_GENERATOR)
    return dict(_GENERATOR.generate(path, n_items, seed, **options))


def has_command(*words: str) -> bool:
    """Whether ``zs`` has this command (e.g. ``has_command("import")``, ``("report", "monthly")``)."""
    from typer.main import get_command

    from zhaoshang.cli import app

    cmd: Any = get_command(app)
    for w in words:
        sub = getattr(cmd, "commands", {})
        if w not in sub:
            return False
        cmd = sub[w]
    return True


class Tally(Counter[str]):
    """What a suite tried, injected and lost; printed at the end of the module."""

    def line(self, title: str, labels: Sequence[tuple[str, str]]) -> str:
        return f"【{title}】" + "，".join(f"{label} {self[key]:,}" for key, label in labels)


def report(request: pytest.FixtureRequest, text: str) -> None:
    """Write a line into pytest's output (visible with -q; also kept in the junit/report)."""
    tr = request.config.pluginmanager.get_plugin("terminalreporter")
    cap = request.config.pluginmanager.get_plugin("capturemanager")
    if tr is None:  # pragma: no cover
        print(text)
        return
    with cap.global_and_fixture_disabled() if cap is not None else contextlib.nullcontext():
        tr.write_line("")
        tr.write_line(text)


def sparse_xlsx(path: Path, cells: list[tuple[str, str]], *, padding: int = 0) -> Path:
    """A minimal .xlsx written by hand (no library would write it): one sheet holding just
    ``cells`` [(ref, text)], each in its own row -- A1 and XFD1048576 make a 5 KB file whose
    used range is the whole of Excel's grid.  ``padding`` adds that many bytes of a highly
    compressible comment to the sheet (a zip bomb)."""
    import re as _re
    import zipfile

    def row_of(ref: str) -> int:
        m = _re.match(r"[A-Z]+(\d+)$", ref)
        assert m, ref
        return int(m.group(1))

    rows = "".join(
        f'<row r="{row_of(ref)}"><c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c></row>' for ref, text in cells
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData>" + (f"<!--{'x' * padding}-->" if padding else "") + "</worksheet>"
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
            'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="招什么" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def stale_index(path: Path | str, index: str, update: str, params: Sequence[Any] = ()) -> None:
    """Make ``index`` disagree with its table, as a damaged file can: the index is hidden
    from the schema (``writable_schema``), ``update`` changes the table without it, and the
    index comes back with its old entries (``list --owner`` then finds an item under a name
    it no longer has).  The update runs as an unrecorded command (no history left)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sql = "SELECT name, tbl_name, rootpage, sql FROM sqlite_master WHERE name = ?"
        row = conn.execute(sql, (index,)).fetchone()
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("DELETE FROM sqlite_master WHERE name = ?", (index,))
        conn.execute("PRAGMA writable_schema = OFF")
    finally:
        conn.close()
    conn = sqlite3.connect(path, isolation_level=None)  # a new connection: the schema without the index
    try:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO commands(name, args, user, at, active) VALUES ('x', '', 'x', 'x', 1)")
        conn.execute(update, params)
        conn.execute("DELETE FROM changes WHERE command_id = (SELECT max(id) FROM commands)")
        conn.execute("DELETE FROM commands WHERE id = (SELECT max(id) FROM commands)")
        conn.execute("COMMIT")
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) VALUES ('index', ?, ?, ?, ?)", row)
        conn.execute("PRAGMA writable_schema = OFF")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def damage_page(path: Path | str, table: str) -> int:
    """Overwrite the root page of ``table`` with garbage in the database file (checkpointed
    first), as a bad disk sector would; returns the page number."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = int(conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])
        size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    finally:
        conn.close()
    with open(path, "r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\xa5" * size)
    return page


# ---------------------------------------------------------------------------------------
# PostgreSQL: a throwaway database per test on the server named by ZHAOSHANG_TEST_PG
# ---------------------------------------------------------------------------------------

#: the server the PostgreSQL tests use (``postgresql://postgres@127.0.0.1:PORT/postgres``);
#: ``.ci/run`` starts one and sets it
PG_ENV = "ZHAOSHANG_TEST_PG"


def pg_server() -> str:
    """The test server's URL; the test is skipped without one — but fails under CI, where
    ``.ci/run`` must have started it."""
    url = os.environ.get(PG_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI 必须提供 PostgreSQL：{PG_ENV} 未设置（.ci/run 启动它）")
        pytest.skip(f"没有 PostgreSQL 服务器：设 {PG_ENV}=postgresql://用户@主机:端口/postgres 运行")
    if importlib.util.find_spec("psycopg") is None:
        pytest.fail('PostgreSQL 的测试需要 pip install ".[test]"（含 zhaoshang[pg]）')
    return url


def _pg_admin(url: str) -> Any:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    info["dbname"] = "postgres"
    return psycopg.connect(**info, autocommit=True)


def pg_database(name: str) -> str:
    """A new, empty database on the test server; its URL.  Dropped by :func:`drop_pg_database`."""
    from psycopg.conninfo import conninfo_to_dict

    url = pg_server()
    dbname = re.sub(r"[^a-z0-9_]", "_", name.lower())[:40] + "_" + os.urandom(4).hex()
    with _pg_admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}" TEMPLATE template0 ENCODING UTF8 LC_CTYPE "C.UTF-8" LC_COLLATE "C"')
    info = conninfo_to_dict(url)
    user = info.get("user") or ""
    host = info.get("host") or "127.0.0.1"
    port = info.get("port") or "5432"
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{dbname}"


def checklists_with_field(folder: Path, key: str, label: str, kind_file: str = "events.yaml") -> Path:
    """A copy of the shipped definitions in ``folder`` whose ``kind_file`` has one more field
    (for ZHAOSHANG_CHECKLISTS: a definition changed on disk)."""
    import shutil

    from zhaoshang.definitions import default_dir

    shutil.copytree(default_dir(), folder)
    path = folder / kind_file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("fields:\n", f"fields:\n  - key: {key}\n    label: {label}\n", 1), encoding="utf-8")
    return folder


def pg_test_database(name: str) -> Iterator[str]:
    """A fixture's body: a new database on the test server for one test, dropped afterwards
    (``yield from pg_test_database(request.node.name)``)."""
    pg_server()
    url = pg_database(name)
    try:
        yield url
    finally:
        drop_pg_database(url)


def drop_pg_database(url: str) -> None:
    """Drop the database and its group roles (``zs_<db_id>_*``: role names are the cluster's,
    they outlive the database)."""
    dbname = url.rsplit("/", 1)[1]
    with contextlib.suppress(Exception), _pg_admin(pg_server()) as conn:
        prefix = None
        with contextlib.suppress(Exception), _pg_connect_as_admin(dbname) as there:
            prefix = there.execute("SELECT zs_group('')").fetchone()[0]
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        if prefix:
            for (role,) in conn.execute("SELECT rolname FROM pg_roles WHERE starts_with(rolname, %s)", (prefix,)):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _pg_connect_as_admin(dbname: str) -> Any:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(pg_server())
    info["dbname"] = dbname
    return psycopg.connect(**info, autocommit=True)


def pg_url_as(url: str, login: str) -> str:
    """``url`` (a test database's) with ``login`` as the user, as that person would connect."""
    rest = url.split("://", 1)[1].split("@", 1)[-1]
    return f"postgresql://{login}@{rest}"


# ------------------------------------------------------------------ documents on paper (LibreOffice)

#: invisible characters the 通报 writer puts where a line must not break (U+2060 WORD JOINER)
JOINERS = "\u2060\u200d"


def read_docx(path: Path) -> Any:
    """A .docx as python-docx reads it, without the invisible word joiners between a number and
    its unit: a test compares the text a reader sees (「24个」, not 「24\\u2060个」)."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    for t in doc.element.body.iter(qn("w:t")):
        if t.text and any(j in t.text for j in JOINERS):
            t.text = t.text.translate({ord(j): None for j in JOINERS})
    return doc


def has_writer() -> bool:
    """LibreOffice with its word processor (libreoffice-writer): calc alone cannot open .docx."""
    import shutil

    soffice = shutil.which("soffice")
    return soffice is not None and (Path(os.path.realpath(soffice)).parent / "libswlo.so").exists()


def libreoffice(test: Any) -> Any:
    """A test that prints through LibreOffice: slow, and skipped without it."""
    test = pytest.mark.skipif(not has_writer(), reason="LibreOffice Writer is not installed")(test)
    return pytest.mark.slow(pytest.mark.libreoffice(test))


def to_pdf(files: Sequence[Path], outdir: Path, *, timeout: float = 600) -> dict[str, Path]:
    """``files`` converted to PDF by ONE LibreOffice run with a private profile (beside any other
    soffice); the PDFs by file stem."""
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{outdir}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = {p.stem: p for p in outdir.glob("*.pdf")}
    missing = [f.stem for f in files if f.stem not in out]
    assert not missing, (missing, done.stderr)
    return out


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (``pdftotext -layout``)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


#: a page number line of the 公文 (「— 2 —」)
_PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


def printed_lines(pdf: Path) -> list[str]:
    """The text lines of a printed document in reading order, page after page, without the page
    numbers and the invisible joiners."""
    out = []
    for page in pdf_pages(pdf):
        for line in page.splitlines():
            line = line.translate({ord(j): None for j in JOINERS}).strip()
            if line and not _PAGE_NUMBER.match(line):
                out.append(line)
    return out


#: what may not begin the line after a line that ends in a number: the rest of the number, its
#: percent sign, its unit (any Chinese character: 个, 亿元, 万元, 件, 家, 年 …) or closing punctuation
_NUMBER_GOES_ON = re.compile(r"[\d.,%％）)、，。；：]|[\u3400-\u9fff]")


def broken_numbers(lines: Sequence[str]) -> list[tuple[str, str]]:
    """Where a line ends inside a number or between a number and what belongs to it: the end of
    the line and the start of the next (「年累计签约项目 1」 over 「6 个」, 「97.5」 over 「%」,
    「8.5」 over 「0亿元」, 「10.05亿」 over 「元」)."""
    bad = []
    for this, following in itertools.pairwise(lines):
        ends_in_number = re.search(r"\d[.,]?$", this)
        if (ends_in_number and _NUMBER_GOES_ON.match(following)) or (
            re.search(r"\d\s*[亿万]$", this) and re.match(r"美?元", following)
        ):
            bad.append((this[-12:], following[:12]))
    return bad


def rows(db: Path | str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """The rows of one query on a test's database, a file or (a module marked ``engines``) a
    server's URL."""
    if isinstance(db, str) and db.startswith("postgresql://"):
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        from zhaoshang.engines.postgres import translate

        with psycopg.connect(**conninfo_to_dict(db)) as conn:
            return [tuple(r) for r in conn.execute(translate(sql, params=bool(params)), list(params) or None)]
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()
