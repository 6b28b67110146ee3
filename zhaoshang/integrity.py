"""The database's health: ``zs check`` (SQLite's own checks, the search index's and the
app's derived tables), ``--repair`` of what is only derived (indexes, the search index,
``item_dates``), and ``zs backup`` — a consistent copy while others write — and its restore.

What can go wrong, and what fixes it:

* an index that no longer matches its table (``list --owner`` finds an item under a name
  it no longer has): ``REINDEX`` rebuilds it from the table — nothing is lost;
* the search index or ``item_dates`` out of step with the items: rebuilt from the tables;
* damaged pages of a table, rows pointing at missing rows: the data itself is damaged —
  restore the last backup (``zs backup FILE --restore``) or salvage what is readable with
  ``sqlite3 old.db .recover | sqlite3 new.db``.

Everything here returns result objects; the CLI renders them.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .counted import last_date
from .db import Database, refresh_item_dates, search_text
from .errors import ZsError
from .search import rebuild

#: a message of integrity_check about an index only (the table's rows are intact)
_INDEX_ONLY = re.compile(r"(missing from index|wrong # of entries in index|non-unique entry in index) (\S+)")
#: at most this many messages from integrity_check are kept
MAX_MESSAGES = 50


@dataclass
class Problem:
    """One thing found wrong.  ``check`` is which check found it (``integrity``,
    ``foreign_keys``, ``search_index``, ``item_dates``); ``repairable`` when only derived
    data is wrong (an index, the search index, item_dates), which ``repair`` rebuilds."""

    check: str
    text: str
    repairable: bool


@dataclass
class CheckResult:
    path: Path
    quick: bool
    #: where the database is, for people: the file's path or the server's URL
    where: str = ""
    #: the checks run, in the words people read
    ran: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    #: what ``repair`` rebuilt (empty when it was not asked or not needed)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def repairable(self) -> bool:
        """Every problem is in derived data only: nothing is lost, a rebuild fixes it."""
        return bool(self.problems) and all(p.repairable for p in self.problems)

    def advice(self) -> list[str]:
        """What to do, in the order to try it (empty when all is well)."""
        if self.ok:
            return []
        if self.repairable:
            return [
                "只是索引（或搜索索引、派生的日期表）与数据不一致，数据本身完好：运行 zs check --repair 重建即可",
            ]
        name = self.path.name
        return [
            f"数据本身已损坏。先停止使用这个数据库（别人也不要再写入），"
            f"把「{name}」连同 {name}-wal、{name}-shm 复制一份留底",
            "有备份时：zs backup 备份文件 --restore（先检查备份是否完好，当前文件另存一份，再恢复）",
            f"没有备份时，抢救能读出的数据：sqlite3 {name} .recover | sqlite3 抢救.db，再 zs --db 抢救.db check 检查",
        ]


def _integrity(db: Database, quick: bool) -> list[Problem]:
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = [str(r[0]) for r in db.conn.execute(f"PRAGMA {pragma}({MAX_MESSAGES})")]
    except sqlite3.DatabaseError as exc:  # the schema or page 1 itself unreadable
        return [Problem("integrity", f"无法读取数据库结构：{exc}", False)]
    if rows == ["ok"]:
        return []
    out = []
    for text in rows:
        m = _INDEX_ONLY.search(text)
        if m:
            out.append(Problem("integrity", f"索引 {m.group(2)} 与表中的数据不一致（{text}）", True))
        else:
            out.append(Problem("integrity", f"数据页损坏：{text}", False))
    return out


def _foreign_keys(db: Database) -> list[Problem]:
    try:
        rows = db.conn.execute("PRAGMA foreign_key_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [Problem("foreign_keys", f"无法检查关联：{exc}", False)]
    by: dict[tuple[str, str], list[int]] = {}
    for table, rowid, parent, _fk in rows:
        by.setdefault((table, parent), []).append(rowid)
    return [
        Problem(
            "foreign_keys",
            f"{table} 有 {len(ids)} 行指向 {parent} 中不存在的行（行号 {'、'.join(map(str, ids[:10]))}"
            f"{' …' if len(ids) > 10 else ''}）",
            False,
        )
        for (table, parent), ids in by.items()
    ]


def _search_index(db: Database) -> list[Problem]:
    if not db.dialect.server:  # FTS5's own check of its segments
        try:
            db.conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            return [Problem("search_index", f"搜索索引损坏（{exc}）", True)]
    missing = db.conn.execute("SELECT count(*) FROM items WHERE id NOT IN (SELECT rowid FROM items_fts)").fetchone()[0]
    extra = db.conn.execute("SELECT count(*) FROM items_fts WHERE rowid NOT IN (SELECT id FROM items)").fetchone()[0]
    # the index holds the title as a query is compared with it (db.search_text)
    stale = sum(
        1
        for title, indexed in db.conn.execute("SELECT i.title, f.title FROM items i JOIN items_fts f ON f.rowid = i.id")
        if indexed != search_text(title)
    )
    out = []
    if missing or extra or stale:
        parts = [
            f"{missing} 个条目搜不到" if missing else "",
            f"{extra} 条索引的条目已不存在" if extra else "",
            f"{stale} 个条目的名称与索引不符" if stale else "",
        ]
        out.append(Problem("search_index", "搜索索引与条目不一致：" + "，".join(p for p in parts if p), True))
    return out


#: items whose item_dates row differs from what their logs say (the latest move counted:
#: zhaoshang.counted)
_DATES_WRONG = """
SELECT count(*) FROM items i LEFT JOIN item_dates d ON d.item_id = i.id
LEFT JOIN activities a ON a.id = (
    SELECT b.id FROM activities b WHERE b.item_id = i.id ORDER BY b.date DESC, b.id DESC LIMIT 1)
WHERE (d.item_id IS NULL AND (a.id IS NOT NULL OR EXISTS (SELECT 1 FROM status_log s WHERE s.item_id = i.id)))
   OR (d.item_id IS NOT NULL AND (d.entered IS NOT {entered}
       OR d.act_id IS NOT a.id OR d.act_date IS NOT a.date OR d.next_date IS NOT a.next_date))
""".replace("{entered}", last_date())


def _item_dates(db: Database) -> list[Problem]:
    if not db.dialect.columns(db.conn, "item_dates"):
        return []
    wrong = db.conn.execute(_DATES_WRONG).fetchone()[0]
    orphans = db.conn.execute("SELECT count(*) FROM item_dates WHERE item_id NOT IN (SELECT id FROM items)").fetchone()[
        0
    ]
    if not wrong and not orphans:
        return []
    return [
        Problem(
            "item_dates",
            f"预警用的日期表 item_dates 与阶段、对接记录不一致：{wrong + orphans} 个条目",
            True,
        )
    ]


def check(db: Database, *, quick: bool = False) -> CheckResult:
    """Check the database: SQLite's ``integrity_check`` (``quick_check`` when ``quick``:
    the pages only, not whether each index matches its table), and unless ``quick`` the
    foreign keys, the search index and ``item_dates``.  Writes nothing."""
    started = time.perf_counter()
    result = CheckResult(db.path, quick, db.where)
    if db.dialect.server:
        # a server keeps its own pages and foreign keys: what is the program's own is checked
        if not quick:
            result.ran += ["搜索索引", "预警日期表（item_dates）"]
            result.problems += _search_index(db)
            result.problems += _item_dates(db)
        result.seconds = time.perf_counter() - started
        return result
    result.ran.append("页面结构（quick_check）" if quick else "完整性（integrity_check，含每个索引与表是否一致）")
    result.problems += _integrity(db, quick)
    damaged = any(not p.repairable for p in result.problems)
    if not quick and not damaged:  # on damaged pages the other checks only repeat it, or fail
        result.ran += ["外键关联（foreign_key_check）", "搜索索引", "预警日期表（item_dates）"]
        result.problems += _foreign_keys(db)
        result.problems += _search_index(db)
        result.problems += _item_dates(db)
    result.seconds = time.perf_counter() - started
    return result


def repair(db: Database, result: CheckResult, *, user: str) -> CheckResult:
    """Rebuild what ``result`` found wrong when it is only derived data (indexes, the search
    index, item_dates) — one transaction — and check again.  Damaged data is never
    "repaired": a ZsError says to restore a backup instead."""
    if result.ok:
        return result
    if not result.repairable:
        raise ZsError(
            "数据本身已损坏，不能靠重建索引修复：" + "；".join(result.advice()[1:]),
        )
    done: list[str] = []
    with db.command("check --repair", user=user):
        kinds = {p.check for p in result.problems}
        if "integrity" in kinds:
            db.conn.execute("REINDEX")
            done.append("全部索引（REINDEX）")
        if "search_index" in kinds:
            rebuild(db)
            done.append("搜索索引")
        if "item_dates" in kinds:
            db.conn.execute("DELETE FROM item_dates")
            refresh_item_dates(db.conn)
            done.append("预警日期表（item_dates）")
    after = check(db, quick=False)
    after.repaired = done
    return after


def quick_problems(db: Database) -> CheckResult | None:
    """``quick_check`` of the pages; the result when something is wrong, else None."""
    result = check(db, quick=True)
    return None if result.ok else result


# ---------------------------------------------------------------------------------------
# Unclean shutdown
# ---------------------------------------------------------------------------------------


def left_hot(path: Path) -> bool:
    """Whether the database was left by a program that did not close it (a crash, a
    kill, a power cut): its write-ahead log is still there and nobody has it open.  SQLite
    replays that log on opening; this says whether to look at the pages afterwards.

    Cheap: a stat, and one test (not taken) of the lock every open connection holds on the
    ``-shm`` file.  Connections of this same process are not seen (POSIX locks), so it may
    say True for them: that only costs a quick check."""
    wal = Path(f"{path}-wal")
    shm = Path(f"{path}-shm")
    try:
        if wal.stat().st_size == 0:
            return False
    except OSError:
        return False
    try:
        import fcntl
        import struct
    except ImportError:  # Windows: no such test; say nothing rather than check every time
        return False
    try:
        fd = os.open(shm, os.O_RDWR)
    except OSError:
        return True  # a log without its index: certainly not closed properly
    try:
        # the "DMS" byte SQLite's unix VFS read-locks while a connection is open (offset 128)
        probe = struct.pack("hhllhh", fcntl.F_WRLCK, 0, 128, 1, 0, 0)
        got = fcntl.fcntl(fd, fcntl.F_GETLK, probe)
        return struct.unpack("hhllhh", got)[0] == fcntl.F_UNLCK
    except OSError:
        return False
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------
# Backup and restore
# ---------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    source: Path
    target: Path
    bytes: int
    seconds: float
    #: the target existed (an older backup) and was replaced
    replaced: bool
    #: the newest command the copy holds (None: none)
    last_command: int | None


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return a.resolve() == b.resolve() or (b.exists() and os.path.samefile(a, b))
    return False


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _live_names(path: Path) -> list[Path]:
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def _file_only(db: Database, command: str) -> None:
    if db.dialect.server:
        raise ZsError(
            f"{command} 用于数据库文件；「{db.where}」是服务器数据库：在服务器上用 pg_dump / pg_restore，"
            f"或 zs db copy {db.where} 备份.db 得到一个文件快照（见 README「服务器数据库」）"
        )


def backup(db: Database, target: str | os.PathLike[str]) -> BackupResult:
    """A consistent copy of the database at ``target`` while others keep writing: SQLite's
    online backup copies one snapshot (a read transaction; writers are not blocked), into a
    temporary file beside ``target`` that then replaces it in one step — never a half-written
    backup.  The copy is a single file (no write-ahead log) checked with ``quick_check``.
    Refuses the live database itself and an existing file that is not an SQLite database."""
    started = time.perf_counter()
    _file_only(db, "zs backup")
    dest = Path(target).expanduser()
    if any(_same_file(p, dest) for p in _live_names(db.path)):
        raise ZsError(f"「{dest}」就是正在使用的数据库（或它的日志文件）：备份请写到另一个文件，最好在另一块磁盘上")
    if dest.is_dir():
        raise ZsError(f"「{dest}」是一个目录：请给出备份文件的路径，如 {dest / (db.path.stem + '-备份.db')}")
    replaced = dest.exists()
    if replaced and not _is_sqlite(dest):
        raise ZsError(f"「{dest}」已存在且不是数据库文件：不覆盖它，请换一个文件名")
    if not dest.parent.exists():
        raise ZsError(f"备份目录「{dest.parent}」不存在：请先创建")
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        out = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.conn.backup(out)  # all pages in one step: one snapshot
            out.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            bad = out.execute("PRAGMA quick_check").fetchone()[0]
            if bad != "ok":
                raise ZsError(f"备份后检查副本不通过（{bad}）：没有生成备份；请先运行 zs check")
            last = out.execute("SELECT max(id) FROM commands").fetchone()[0]
        finally:
            out.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return BackupResult(db.path, dest, dest.stat().st_size, time.perf_counter() - started, replaced, last)


@dataclass
class RestoreResult:
    source: Path
    target: Path
    #: the copy of the database as it was just before the restore
    safety_copy: Path
    #: the newest command in the restored data (None: none), and when it ran
    last_command: int | None
    last_at: str | None


def restore(db: Database, source: str | os.PathLike[str]) -> RestoreResult:
    """Replace the data of the open database with the backup ``source``, after checking the
    backup completely (``integrity_check``: a damaged backup is refused) and after saving
    the current data beside the database (``<name>.恢复前-<time>.db``).  Done with SQLite's
    backup API into the live file, so other programs that have it open see the restored
    data on their next read, never a mixture."""
    _file_only(db, "zs backup --restore")
    src = Path(source).expanduser()
    if not src.is_file():
        raise ZsError(f"备份文件「{src}」不存在：请检查路径")
    if any(_same_file(p, src) for p in _live_names(db.path)):
        raise ZsError(f"「{src}」就是正在使用的数据库：请给出备份文件的路径")
    if not _is_sqlite(src):
        raise ZsError(f"「{src}」不是数据库文件：请给出 zs backup 生成的备份")
    from .db import schema_version

    conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True, isolation_level=None)
    try:
        try:
            verdict = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(5)")]
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            ident = conn.execute("SELECT value FROM meta WHERE key = 'db_id'").fetchone()
            last = conn.execute("SELECT id, at FROM commands ORDER BY id DESC LIMIT 1").fetchone()
        except sqlite3.DatabaseError as exc:
            raise ZsError(f"备份「{src}」已损坏或不是 zhaoshang 数据库（{exc}）：不能用它恢复") from None
        if verdict != ["ok"]:
            raise ZsError(f"备份「{src}」本身已损坏（{verdict[0]}）：不能用它恢复，请换一份更早的备份")
        if ident is None:
            raise ZsError(f"「{src}」不是 zhaoshang 数据库：不能用它恢复")
        if version > schema_version():
            raise ZsError(f"备份「{src}」来自更新版本的 zhaoshang（结构版本 {version}）：请先升级 zhaoshang")
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safety = db.path.with_name(f"{db.path.stem}.恢复前-{stamp}{db.path.suffix or '.db'}")
        backup(db, safety)
        conn.backup(db.conn)  # every page, as one write transaction of the live file
    finally:
        conn.close()
    return RestoreResult(src, db.path, safety, last[0] if last else None, last[1] if last else None)
