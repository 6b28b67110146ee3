"""The SQLite database: connection, versioned migrations, definitions sync and history.

Design
------
* One file, a plain relational schema with real foreign keys and ASCII column names.
  Common item columns live in ``items``; each kind's own fields live in ``kind_<key>``
  (``kind_targets`` …) whose primary key is also a foreign key to ``items.id``, so ids are
  global across kinds.
* Versioned migrations (``MIGRATIONS``) run in one transaction each; ``PRAGMA user_version``
  holds the schema version.  A database from a newer zhaoshang is refused, never touched.
* The kind tables follow the YAML definitions: a new field becomes a new column
  (``ALTER TABLE ADD COLUMN``); a removed field keeps its column and data.  The definitions
  each kind was built with are stored in ``definitions``.
* Every write happens inside :meth:`Database.command`, one transaction that first inserts a
  row in ``commands``.  Triggers on every tracked table copy the old and new row (as JSON)
  into ``changes`` under that command, which makes ``history`` complete and ``undo`` exact.
* WAL, ``busy_timeout`` and ``BEGIN IMMEDIATE`` let several processes write safely.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .definitions import IDENTITY_FIELD, Definitions, KindDef, kind_as_dict
from .engines import is_server
from .engines.base import DATES_TABLES as DATES_TABLES
from .engines.base import Connection, Dialect
from .engines.sqlite import SqliteConnection
from .errors import ZsError
from .names import fold
from .parse import to_simplified

BUSY_TIMEOUT_MS = 30_000
#: a write that has waited this long for another program's lock says so (Database.on_wait)
WAIT_NOTICE_MS = 1_500


def now() -> str:
    """Local wall-clock time, ISO format to the second (what people read in history)."""
    return datetime.now().isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------
# Migrations
# ---------------------------------------------------------------------------------------

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE definitions (
    kind       TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    definition TEXT NOT NULL,          -- JSON of the parsed YAML
    updated_at TEXT NOT NULL
);
CREATE TABLE commands (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,          -- e.g. "edit", "import"
    args       TEXT NOT NULL DEFAULT '',
    user       TEXT NOT NULL,
    at         TEXT NOT NULL,
    undone_by  INTEGER REFERENCES commands(id),
    undo_of    INTEGER REFERENCES commands(id)
);
CREATE TABLE changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id INTEGER NOT NULL REFERENCES commands(id),
    tbl        TEXT NOT NULL,
    row_id     INTEGER NOT NULL,
    item_id    INTEGER,               -- the item concerned, for `history ID`
    action     TEXT NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    old        TEXT,                  -- JSON of the row before
    new        TEXT                   -- JSON of the row after
);
CREATE INDEX changes_command ON changes(command_id);
CREATE INDEX changes_item ON changes(item_id);

CREATE TABLE chains (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    leader      TEXT,                 -- 包保领导 / 链长
    lead_unit   TEXT,                 -- 牵头单位
    coop_units  TEXT,                 -- 配合单位（、分隔）
    task_force  TEXT,                 -- 专班（组长、成员）
    description TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL DEFAULT '区县',  -- 区县 / 开发区 / 园区 / 专班 / 部门
    leader      TEXT,
    contact     TEXT,
    ranked      INTEGER NOT NULL DEFAULT 1,    -- 参加擂台赛排名
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE goals (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    chain_id  INTEGER REFERENCES chains(id) ON DELETE CASCADE,
    unit_id   INTEGER REFERENCES units(id) ON DELETE CASCADE,
    year      INTEGER NOT NULL,
    metric    TEXT NOT NULL,          -- e.g. signed_amount, funds_domestic, started
    value     REAL NOT NULL,
    CHECK ((chain_id IS NULL) != (unit_id IS NULL))
);
CREATE UNIQUE INDEX goals_unique ON goals(coalesce(chain_id, 0), coalesce(unit_id, 0), year, metric);

CREATE TABLE items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    chain_id    INTEGER NOT NULL REFERENCES chains(id),
    title       TEXT NOT NULL,
    status      TEXT NOT NULL,
    owner       TEXT,
    unit_id     INTEGER REFERENCES units(id),
    due         TEXT,                 -- ISO date
    notes       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    closed_at   TEXT,
    created_by  TEXT,
    updated_by  TEXT,
    origin      TEXT,                 -- identity of the database it was imported from
    origin_id   INTEGER               -- its id there
);
CREATE INDEX items_kind_status ON items(kind, status);
CREATE INDEX items_chain ON items(chain_id, kind);
CREATE INDEX items_unit ON items(unit_id);
CREATE INDEX items_owner ON items(owner);
CREATE INDEX items_due ON items(due) WHERE due IS NOT NULL AND closed_at IS NULL;
CREATE UNIQUE INDEX items_origin ON items(origin, origin_id) WHERE origin IS NOT NULL;

-- status changes; for the pipeline of 招什么 these are the stage moves
CREATE TABLE status_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    date        TEXT NOT NULL,        -- effective date (ISO)
    reason      TEXT,
    flag        TEXT,                 -- NULL, 'backward' or 'skip'
    user        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX status_log_item ON status_log(item_id, date);
CREATE INDEX status_log_to ON status_log(to_status, date);

-- 对接记录
CREATE TABLE activities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    type        TEXT NOT NULL,        -- 对接 / 走访 / 来访 / 推介 / 会办 / 电话
    date        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    next_date   TEXT,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX activities_item ON activities(item_id, date);
CREATE INDEX activities_date ON activities(date);

-- 到位资金：国内资金（万元）与外资（万美元）分列，绝不换算
CREATE TABLE funds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    month       TEXT NOT NULL,        -- YYYY-MM
    domestic    REAL,                 -- 万元
    foreign_usd REAL,                 -- 万美元
    user        TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (item_id, month)
);
CREATE INDEX funds_month ON funds(month);

CREATE VIRTUAL TABLE items_fts USING fts5(title, body, tokenize = 'trigram');
"""

_V2 = """
-- 前期手续：每个项目每一步手续的办结日期
CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    step        TEXT NOT NULL,        -- 立项 / 用地预审 / 土地出让合同 / 规划许可 / 施工许可 …
    date        TEXT,                 -- obtained on (ISO); NULL = not yet
    note        TEXT,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (item_id, step)
);
CREATE INDEX approvals_step ON approvals(step, date);

-- 服务专班（多对一）：包保市领导、部门负责人、挂点处长、区县联络员、项目管家 …
CREATE TABLE team_members (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    name        TEXT NOT NULL,
    org         TEXT,
    phone       TEXT,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX team_members_item ON team_members(item_id);
CREATE INDEX team_members_name ON team_members(name);

-- 问题升级（大事集中会办）
CREATE TABLE escalations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    from_level  TEXT,
    to_level    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    date        TEXT NOT NULL,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX escalations_item ON escalations(item_id);
CREATE INDEX escalations_date ON escalations(date);
CREATE INDEX activities_next ON activities(next_date) WHERE next_date IS NOT NULL;
"""

_V3 = """
-- 1 while the command's transaction runs, 0 once it commits: the history triggers attach
-- changes to the open command only, so a write outside db.command() is refused
ALTER TABLE commands ADD COLUMN active INTEGER NOT NULL DEFAULT 0;
"""

_V4 = """
-- the words an office uses for an enum value or a status (部委工作人员 → 在京人员), taught with
-- zs synonym add; Database.open adds them to the definitions' aliases
CREATE TABLE synonyms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,          -- kind key
    field      TEXT NOT NULL,          -- field key, or 'status'
    value      TEXT NOT NULL,          -- the canonical value
    word       TEXT NOT NULL,          -- the office's word for it, as typed
    created_at TEXT NOT NULL,
    UNIQUE (kind, field, word)
);
"""

_V5 = """
-- an insert of many rows at once (a bulk import) is ONE change: the rows row_id..last_row_id
-- of tbl, all new in that command, whose values are the rows themselves (not a copy)
ALTER TABLE changes ADD COLUMN last_row_id INTEGER;
-- how many rows the range holds
ALTER TABLE changes ADD COLUMN n_rows INTEGER;
CREATE INDEX changes_range ON changes(tbl, row_id) WHERE last_row_id IS NOT NULL;
"""

_V6 = """
-- each item's latest dates, derived from status_log and activities and kept by the
-- dates_* triggers (install_item_dates): what zs warn reads instead of a lookup in both
-- logs per item.  Not tracked in history: undo, restore and rm change the logs, and the
-- triggers follow them.
CREATE TABLE item_dates (
    item_id   INTEGER PRIMARY KEY,  -- items.id (no foreign key: rows go with the item's logs)
    entered   TEXT,                 -- the latest stage move's effective date (max status_log.date)
    act_id    INTEGER,              -- the latest activity (latest date, then highest id)
    act_date  TEXT,                 -- its date
    next_date TEXT                  -- its next follow-up date
);
"""

_V7 = """
-- the search index holds each item's text as search_text() makes it (NFKC, invisible
-- characters removed, traditional to simplified, casefolded), the same form a query is
-- put in: 「黑龍江年產５萬噸銅箔項目」 is found by 铜箔, 銅箔, 产 and 5万吨.  The old index
-- held the text as typed: it is refolded here (see search_index_functions).
CREATE TEMP TABLE fts_v7 AS SELECT rowid AS id, title, body FROM items_fts;
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5(title, body, tokenize = 'trigram');
INSERT INTO items_fts(rowid, title, body)
    SELECT id, zs_search_text(title), zs_search_text(body) FROM temp.fts_v7 ORDER BY id;
DROP TABLE temp.fts_v7;
"""

_V8 = """
-- 报送 → 认定: a stage move or a fund figure another unit reported counts only once the office
-- confirmed it (zhaoshang.counted is the one definition of what counts; zhaoshang.review the
-- queue).  Every row written before counts as it did: confirmed.
ALTER TABLE status_log ADD COLUMN review TEXT NOT NULL DEFAULT 'confirmed'
    CHECK (review IN ('pending', 'confirmed', 'returned'));
ALTER TABLE status_log ADD COLUMN reviewed_by TEXT;
ALTER TABLE status_log ADD COLUMN reviewed_at TEXT;
-- the reviewer's opinion; for a returned row the reason (required)
ALTER TABLE status_log ADD COLUMN review_note TEXT;
-- where the figure came from: file / sheet / row, or who typed it in
ALTER TABLE status_log ADD COLUMN source TEXT;
-- the evidence the sheet gives: 合同编号, 入统编号, a note
ALTER TABLE status_log ADD COLUMN evidence TEXT;
-- the submission: the command (an import) that brought the row
ALTER TABLE status_log ADD COLUMN submitted_by INTEGER;
CREATE INDEX IF NOT EXISTS status_log_review ON status_log(review, item_id) WHERE review != 'confirmed';
ALTER TABLE funds ADD COLUMN review TEXT NOT NULL DEFAULT 'confirmed'
    CHECK (review IN ('pending', 'confirmed', 'returned'));
ALTER TABLE funds ADD COLUMN reviewed_by TEXT;
ALTER TABLE funds ADD COLUMN reviewed_at TEXT;
ALTER TABLE funds ADD COLUMN review_note TEXT;
ALTER TABLE funds ADD COLUMN source TEXT;
ALTER TABLE funds ADD COLUMN evidence TEXT;
ALTER TABLE funds ADD COLUMN submitted_by INTEGER;
CREATE INDEX IF NOT EXISTS funds_review ON funds(review, item_id) WHERE review != 'confirmed'
"""

_V9 = """
-- (IF NOT EXISTS: a database set back to an earlier version by hand, as tests do, keeps these tables)
-- 准入研判：每次按 checklists/_assess.yaml 评分的记录（输入、各项得分及理由、总分、结论）
CREATE TABLE IF NOT EXISTS assessments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    date        TEXT NOT NULL,        -- the day of the assessment (ISO)
    template    TEXT NOT NULL,        -- the template's name (团风县招商项目准入评分 …)
    inputs      TEXT NOT NULL,        -- JSON {criterion key: value as read}
    points      TEXT NOT NULL,        -- JSON [{key, label, points, max, why}]
    score       REAL NOT NULL,
    max_score   REAL NOT NULL,
    verdict     TEXT NOT NULL,
    vetoes      TEXT,                 -- the vetoes that applied (一票否决), 、-joined; NULL = none
    note        TEXT,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assessments_item ON assessments(item_id, date);
CREATE INDEX IF NOT EXISTS assessments_date ON assessments(date);

-- 履约：签约项目每年报来的实绩（亩均税收、产值、实际用地 …），按 checklists/_contract.yaml 的指标
CREATE TABLE IF NOT EXISTS performance (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    term        TEXT NOT NULL,        -- the term's key in _contract.yaml
    value       REAL NOT NULL,
    date        TEXT NOT NULL,        -- the day it was reported (ISO)
    note        TEXT,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL,
    UNIQUE (item_id, year, term)
);
CREATE INDEX IF NOT EXISTS performance_date ON performance(date);
"""

_V10 = """
-- 增资只计增加的金额（三明签约项目甄别）: a dated change of a signed project's investment
-- amount.  An increase (增资) counts in the signing amount figures of the month it happened,
-- only its increment; a correction (更正) only puts right the amount of the first signing.
-- Reported ones wait for 认定 like stage moves (zhaoshang.counted, zhaoshang.increments);
-- the item's amount field holds its first signing amount plus every confirmed change.
CREATE TABLE IF NOT EXISTS invest_changes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    field       TEXT NOT NULL,        -- the money field of the kind (investment, foreign_investment)
    change      TEXT NOT NULL CHECK (change IN ('increase', 'correction')),
    date        TEXT NOT NULL,        -- when it happened (the supplementary agreement; ISO)
    old         REAL,                 -- the amount before, as reported
    new         REAL NOT NULL,        -- the amount after
    note        TEXT,
    review      TEXT NOT NULL DEFAULT 'confirmed' CHECK (review IN ('pending', 'confirmed', 'returned')),
    reviewed_by TEXT,
    reviewed_at TEXT,
    review_note TEXT,
    source      TEXT,
    evidence    TEXT,
    submitted_by INTEGER,
    user        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS invest_changes_item ON invest_changes(item_id, date);
CREATE INDEX IF NOT EXISTS invest_changes_review ON invest_changes(review, item_id) WHERE review != 'confirmed'
"""

_V11 = """
-- 报送 → 认定 of a month already counted: a unit's change of a confirmed month of 到位资金 waits
-- for 认定 while the confirmed figure keeps counting (zhaoshang.counted.fund_amount): these
-- hold it (NULL: nothing confirmed before); 认定 clears them, a return leaves them counting.
ALTER TABLE funds ADD COLUMN confirmed_domestic REAL;
ALTER TABLE funds ADD COLUMN confirmed_foreign_usd REAL;
-- a unit's correction of the date of a confirmed stage move is a row of its own (to the same
-- status), waiting for 认定: ``corrects`` is the confirmed date it would replace (NULL: a
-- move).  The confirmed move keeps counting on its date until 认定 moves it; a confirmed
-- correction stays in the log, so a closed month's report lists what left it
ALTER TABLE status_log ADD COLUMN corrects TEXT
"""

#: (version, description, SQL).  Append; never edit a released entry.
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "初始结构：清单条目、产业链、招商主体、阶段、对接记录、到位资金、历史", _V1),
    (2, "前期手续、服务专班、问题升级", _V2),
    (3, "历史只记在进行中的命令名下（不在命令内的写入被拒绝）", _V3),
    (4, "各地对可选值的叫法（同义词）", _V4),
    (5, "批量导入的新增行按行号区间记入历史，不再逐行复制", _V5),
    (6, "每个条目最近的阶段日期和对接日期（预警直接读取）", _V6),
    (7, "搜索索引按规范化的文字建立（繁简、全角半角、不可见字符）", _V7),
    (8, "报送与认定：其他单位报送的阶段变更和到位资金待认定后才计入", _V8),
    (9, "准入研判记录、履约实绩（按年）", _V9),
    (10, "增资：签约项目投资额的变更按日期记录，增资只计增加的金额，报送的待认定", _V10),
    (11, "已认定的到位资金、阶段日期被报送更改时，认定前仍计原认定数", _V11),
]

#: Tables each migration adds to history tracking.
_TRACKED_BY_VERSION = {
    1: ["chains", "units", "goals", "items", "status_log", "activities", "funds"],
    2: ["approvals", "team_members", "escalations"],
    # the triggers of every table, rebuilt to use commands.active (kind tables: see _upgrade)
    3: [
        "chains",
        "units",
        "goals",
        "items",
        "status_log",
        "activities",
        "funds",
        "approvals",
        "team_members",
        "escalations",
    ],
    4: ["synonyms"],
    # new columns: the triggers' row copies must hold them (undo puts them back)
    8: ["status_log", "funds"],
    9: ["assessments", "performance"],
    10: ["invest_changes"],
    11: ["funds", "status_log"],
}


#: the version of the first zhaoshang that ran on a server: older server databases do not exist
#: outside development builds, and are not upgraded
FIRST_SERVER_VERSION = 9


def schema_version() -> int:
    """The schema version this zhaoshang writes."""
    return MIGRATIONS[-1][0]


# ---------------------------------------------------------------------------------------
# History triggers
# ---------------------------------------------------------------------------------------


def _columns(conn: Connection, table: str) -> list[str]:
    return conn.dialect.columns(conn, table)


def drop_history_triggers(conn: Connection, table: str) -> bool:
    """Stop the history capture of ``table`` (for a bulk write recorded as a range); True
    when it was capturing — to be put back with :func:`install_history_triggers`."""
    return conn.dialect.pause_history(conn, table)


def record_range(
    conn: Connection, command_id: int, table: str, action: str, first: int, last: int, n_rows: int
) -> None:
    """Record rows ``first``..``last`` of ``table`` (``n_rows`` of them) as inserted or
    deleted at once by ``command_id``: one change, no copy of each row (schema v5)."""
    conn.execute(
        "INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new, last_row_id, n_rows) "
        "VALUES (?, ?, ?, NULL, ?, NULL, NULL, ?, ?)",
        (command_id, table, first, action, last, n_rows),
    )


def install_history_triggers(conn: Connection, table: str) -> None:
    """(Re)create the capture (triggers) that copies rows of ``table`` into ``changes`` under
    the current command."""
    conn.dialect.install_history(conn, table)


# ---------------------------------------------------------------------------------------
# Search index text (schema v7)
# ---------------------------------------------------------------------------------------


def search_text(text: str | None) -> str:
    """Text as the search index holds it and as a query is compared with it: the name's
    :func:`~zhaoshang.names.fold` (NFKC, invisible characters removed), traditional to
    simplified, casefolded.  ``search_text("黑龍江年產５萬噸銅箔") == "黑龙江年产5万吨铜箔"``."""
    if not text:
        return ""
    return to_simplified(fold(text)).casefold()


def search_index_functions(conn: sqlite3.Connection) -> None:
    """Give ``conn`` the SQL function ``zs_search_text`` (:func:`search_text`) that the
    statements filling ``items_fts`` (and migration 7) use."""
    conn.create_function("zs_search_text", 1, search_text, deterministic=True)


# ---------------------------------------------------------------------------------------
# Derived dates (schema v6): each item's latest stage move and activity
# ---------------------------------------------------------------------------------------

#: the item_dates row of each item chosen by ``{where}`` (on ``i``), computed from the logs
_ITEM_DATES = (
    "INSERT INTO item_dates(item_id, entered, act_id, act_date, next_date) "
    "SELECT i.id, {entered}, a.id, a.date, a.next_date "
    "FROM items i LEFT JOIN activities a ON a.id = (SELECT b.id FROM activities b WHERE b.item_id = i.id "
    "ORDER BY b.date DESC, b.id DESC LIMIT 1) WHERE {where} "
    "ON CONFLICT(item_id) DO UPDATE SET entered = excluded.entered, act_id = excluded.act_id, "
    "act_date = excluded.act_date, next_date = excluded.next_date"
)


def _item_dates_sql(conn: Connection, where: str) -> str:
    """:data:`_ITEM_DATES` for ``where``: the latest move counted (zhaoshang.counted: confirmed
    moves only, from schema 8 on; every move before, when there was no review state)."""
    from .counted import last_date

    reviewed = "review" in _columns(conn, "status_log")
    entered = last_date() if reviewed else "(SELECT max(s.date) FROM status_log s WHERE s.item_id = i.id)"
    return _ITEM_DATES.format(entered=entered, where=where)


def install_item_dates(conn: Connection) -> None:
    """(Re)create the triggers that keep ``item_dates`` equal to what the logs say: any
    insert, update or delete of a stage move or an activity recomputes its item's row (two
    index lookups), and an item's deletion removes it."""
    conn.dialect.install_item_dates(conn, lambda where: _item_dates_sql(conn, where))


def pause_item_dates(conn: Connection) -> None:
    """Stop keeping ``item_dates`` for a bulk write of many log rows, which then calls
    :func:`refresh_item_dates` for the items it touched and :func:`install_item_dates` —
    same transaction (a per-row recomputation would cost seconds per 100,000 rows)."""
    conn.dialect.pause_item_dates(conn)


def refresh_item_dates(conn: Connection, where: str = "1 = 1", params: Sequence[Any] = ()) -> None:
    """Recompute ``item_dates`` for the items chosen by ``where`` (SQL on ``i``, the items
    table; all by default).  (A deleted item's row goes with it: ``dates_items_delete``.)"""
    conn.execute(_item_dates_sql(conn, where), params)


# ---------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------


@dataclass
class CommandInfo:
    id: int
    name: str
    user: str
    #: names the command resolved by a guess (a unique prefix of a chain or unit name …):
    #: :class:`zhaoshang.lookups.Guess` objects, for the confirmation to name what was chosen
    guesses: list[Any] = field(default_factory=list)


class Database:
    """An open zhaoshang database.

    >>> db = Database.open("city.db", defs)          # creates or upgrades it
    >>> with db.command("edit", user="张三"):          # one recorded, atomic command
    ...     db.conn.execute("UPDATE items SET owner = ? WHERE id = ?", ("李四", 7))
    """

    def __init__(self, conn: Connection, path: Path, defs: Definitions) -> None:
        self.conn: Any = conn
        #: the SQL that differs per engine (zhaoshang.engines)
        self.dialect: Dialect = conn.dialect
        self.path = path
        #: where the database is, for people: the file's path or the server's URL (no password)
        self.where = str(path)
        self.defs = defs
        #: the definitions as loaded, before the office's synonyms are added
        self.base_defs = defs
        self.current: CommandInfo | None = None
        #: opened from read-only media: reads only (see :meth:`open`)
        self.read_only = False
        #: the schema version this opening upgraded from (None: it was up to date)
        self.upgraded_from: int | None = None
        #: this opening created the database (a new file, or a server database's schema)
        self.created = False
        #: the definitions (checklists/*.yaml) changed and the tables were synced on opening
        self.synced = False
        #: the id of the last command this connection committed (what an interrupt kept)
        self.committed: int | None = None
        #: told (a message for people) when a write has to wait for another program's lock
        self.on_wait: Callable[[str], None] | None = None
        #: the write-ahead log this connection uses (device, inode), to notice its deletion
        self.wal_id: tuple[int, int] | None = None
        #: a server database's account of the connected login (zhaoshang.accounts): its 姓名 is
        #: the user history records, whatever the client claims; a 填报 account's moves wait
        self.account_name: str | None = None
        self.entries_wait = False
        #: a server database's connected login, as people read it (None: a file), and the
        #: role of its account (admin, review, entry, read; None: a file, or no account)
        self.login: str | None = None
        self.account_role: str | None = None

    # -- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str], defs: Definitions, *, create: bool = True) -> Database:
        """Open (creating or upgrading when ``create``) the database at ``path``."""
        if is_server(str(path)):
            return cls._open_server(str(path), defs, create=create)
        p = Path(path).expanduser()
        if p.is_dir():
            raise ZsError(f"数据库路径「{p}」是一个目录：请给出文件路径，如 {p / 'zhaoshang.db'}")
        exists = p.exists()
        if exists and not p.is_file():  # /dev/null, a pipe, a socket: nothing SQLite can keep data in
            raise ZsError(f"数据库路径「{p}」不是普通文件：请给出数据库文件的路径，如 zhaoshang.db")
        if not os.environ.get("ZHAOSHANG_ALLOW_NETWORK_FS"):
            from .netfs import network_fs

            remote = network_fs(p)
            if remote:
                raise ZsError(
                    f"数据库「{p}」在网络文件系统（{remote}）上：SQLite 在共享文件夹上加锁不可靠，几个人同时写入"
                    "可能损坏数据库。请把数据库放在一台电脑的本地磁盘上，大家在那台电脑上使用（远程登录），或各自用"
                    "本地数据库、按月 zs export / zs import 汇总（见 README「多人使用」）"
                )
        if not exists and not create:
            raise ZsError(f"数据库「{p}」不存在：先运行 zs init（或 zs --db {p} init）创建")
        if not exists and not p.parent.exists():
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ZsError(f"无法创建数据库目录「{p.parent}」：{exc.strerror}") from None
        readonly = exists and _on_read_only_media(p)
        try:
            if readonly:
                # WAL needs its -shm file beside the database, which read-only media cannot hold;
                # immutable=1 reads the file as it is, without locks (nobody can write there)
                conn = sqlite3.connect(
                    f"file:{urllib.parse.quote(str(p.resolve()))}?mode=ro&immutable=1",
                    uri=True,
                    isolation_level=None,
                    check_same_thread=False,
                    factory=SqliteConnection,
                )
            else:
                conn = sqlite3.connect(
                    str(p),
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                    factory=SqliteConnection,
                )
        except sqlite3.Error as exc:
            raise ZsError(f"无法打开数据库「{p}」：{exc}") from None
        db = cls(conn, p, defs)
        db.read_only = readonly
        try:
            if readonly:
                db._check_readable()
            else:
                db._configure()
                db._upgrade()
                db.sync_definitions()
            db.load_synonyms()
            if not readonly:  # (after a read: the log exists from the first one on)
                db.wal_id = wal_identity(p)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _db_error(p, exc) from None
        except BaseException:
            conn.close()
            raise
        return db

    @classmethod
    def _open_server(cls, url: str, defs: Definitions, *, create: bool) -> Database:
        """Open the server database at ``url`` (zhaoshang.engines.postgres), creating its
        schema when it is empty and ``create``."""
        from .engines.postgres import connect

        conn = connect(url)
        db = cls(conn, Path(conn.label), defs)
        db.where = conn.label
        try:
            try:
                version = db.dialect.schema_version(conn)
            except Exception as exc:
                if db.dialect.refused(exc) is None:
                    raise
                login = conn.execute("SELECT session_user").fetchone()[0]
                raise ZsError(
                    f"登录名「{login}」在数据库「{conn.label}」里没有 zs 账号（或账号已删除），不能读写这个库："
                    f"请管理员用 zs account add {login} --name 姓名 --role 角色 为它建账号"
                ) from None
            if version == 0:
                if not create:
                    raise ZsError(f"数据库「{conn.label}」里还没有 zhaoshang 的表：先运行 zs --db {conn.label} init")
                db._create_server_schema()
            elif version > schema_version():
                raise ZsError(
                    f"数据库「{conn.label}」由更新版本的 zhaoshang 创建（结构版本 {version}，"
                    f"本程序支持到 {schema_version()}）：请升级 zhaoshang（pip install -U zhaoshang）"
                )
            elif version < FIRST_SERVER_VERSION:
                raise ZsError(
                    f"数据库「{conn.label}」的结构版本是 {version}，早于服务器数据库的第一个版本"
                    f"（{FIRST_SERVER_VERSION}）：请用与它同版本的 zhaoshang 把它 zs db copy 成文件，再复制到新库"
                )
            elif version < schema_version():
                with db._admin_only(f"要升级到结构版本 {schema_version()}（本程序的版本）"):
                    db._upgrade()
            db._open_rights()
            with db._admin_only("的表要随清单定义（checklists）的改动加列"):
                db.sync_definitions()
            db.load_synonyms()
        except BaseException:
            conn.close()
            raise
        return db

    @contextlib.contextmanager
    def _admin_only(self, change: str) -> Iterator[None]:
        """A change of a server database's tables on opening (a migration, new definitions'
        columns) that its rights refused the connected login: said for people."""
        try:
            yield
        except Exception as exc:
            if self.dialect.refused(exc) is None:
                raise
            raise ZsError(
                f"数据库「{self.where}」{change}：这只有管理员能做。请管理员先运行一次 zs 命令"
                "（或由数据库的所有者运行）；这次没有改动"
            ) from None

    def _open_rights(self) -> None:
        """A server database's accounts (made here when missing and the login may), and the
        connected login's: its 姓名 for history, its role for what waits for 认定."""
        from .engines import postgres

        if not postgres.rights_installed(self.conn) and postgres.manages_roles(self.conn):
            self._write_begin()
            try:
                if not postgres.rights_installed(self.conn):  # (again, under the lock)
                    postgres.install_rights(self.conn, self.identity or uuid.uuid4().hex)
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        account = postgres.account_of(self.conn)
        login = str(self.conn.execute("SELECT session_user").fetchone()[0])
        if account is not None:
            self.account_name = account.name
            self.account_role = account.role
            self.entries_wait = account.role == "entry"
            unit = f"，{account.unit}" if account.unit else ""
            self.login = f"{login}（{account.name}，{account.role_name}{unit}）"
        else:
            self.login = f"{login}（没有 zs account 账号：数据库的所有者或其授权者，历史记 --user 的名字）"
            self.account_role = "admin" if postgres.trusted(self.conn) else None

    def _create_server_schema(self) -> None:
        """The schema a new SQLite file of this version has, translated, with history and
        ``item_dates`` kept by the server's own triggers — one transaction."""
        statements, tables = reference_schema(self.base_defs)
        tracked = sorted({t for v, ts in _TRACKED_BY_VERSION.items() if v <= schema_version() for t in ts})
        self._write_begin()
        try:
            if self.dialect.schema_version(self.conn) == 0:  # (again, under the lock)
                self.created = True
                self.dialect.create_schema(self.conn, statements, tables)
                for t in tracked:
                    install_history_triggers(self.conn, t)
                install_item_dates(self.conn)
                self.conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('db_id', ?), ('created_at', ?)", (uuid.uuid4().hex, now())
                )
                self.dialect.set_schema_version(self.conn, schema_version())
                from .engines import postgres

                if postgres.manages_roles(self.conn):  # accounts and rights (zs account)
                    postgres.install_rights(self.conn, self.identity)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def load_synonyms(self) -> None:
        """Add the office's words for values (``synonyms``) to :attr:`defs`."""
        from .definitions import with_synonyms

        try:
            rows = self.conn.execute("SELECT kind, field, value, word FROM synonyms ORDER BY id").fetchall()
        except sqlite3.OperationalError:  # a read-only database of an older version has none
            return
        self.defs = with_synonyms(self.base_defs, [tuple(r) for r in rows])

    def _check_readable(self) -> None:
        """On read-only media nothing can be upgraded: the file must be of this version."""
        version = self.dialect.schema_version(self.conn)
        if version != schema_version():
            raise ZsError(
                f"数据库「{self.path}」在只读的位置，它的结构版本是 {version}（本程序为 {schema_version()}），"
                "需要升级才能使用：请把它复制到可写的位置再运行"
            )
        self.conn.execute("PRAGMA foreign_keys = ON")

    def _configure(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        c.execute("PRAGMA foreign_keys = ON")
        mode = c.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            # a read-only file or directory: reading still works
            with contextlib.suppress(sqlite3.OperationalError):
                c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = NORMAL")
        search_index_functions(c)

    def _upgrade(self) -> None:
        version = self.dialect.schema_version(self.conn)
        latest = schema_version()
        if version > latest:
            raise ZsError(
                f"数据库「{self.path}」由更新版本的 zhaoshang 创建（结构版本 {version}，"
                f"本程序支持到 {latest}）：请升级 zhaoshang（pip install -U zhaoshang）"
            )
        if version == latest:
            return
        if version == 0 and self._has_foreign_tables():
            raise ZsError(f"「{self.path}」不是 zhaoshang 数据库（里面已有其他表）：请换一个文件名")
        self.created = version == 0
        if version > 0:
            self.dialect.check_before_upgrade(self.conn, str(self.path))
        for v, _desc, sql in MIGRATIONS:
            if v <= version:
                continue
            self._write_begin()
            # Re-read under the write lock: another process opening the same database (the
            # first morning after an upgrade, six commands at once) may have migrated it since.
            if self.dialect.schema_version(self.conn) >= v:
                self.conn.execute("COMMIT")
                continue
            if self.upgraded_from is None:
                self.upgraded_from = version
            try:
                # (first: a new table's id triggers call this version's functions)
                self.dialect.before_migration(self.conn)
                # from v3 on, a migration's data changes are recorded as one "upgrade" command
                cid = self._open_upgrade_command(v, _desc) if v > 3 else None
                for stmt in _split_sql(sql):
                    if not _column_there(self.conn, stmt):
                        self.dialect.run_migration(self.conn, stmt)
                if cid is not None:
                    self._close_upgrade_command(cid)
                if v == 1:
                    self.conn.execute(
                        "INSERT INTO meta(key, value) VALUES ('db_id', ?), ('created_at', ?)",
                        (uuid.uuid4().hex, now()),
                    )
                tables = list(_TRACKED_BY_VERSION.get(v, []))
                if v == 3:
                    tables += self.dialect.tables(self.conn, "kind_")
                for t in tables:
                    install_history_triggers(self.conn, t)
                if v in (6, 8):  # (8: the latest move counted is the latest confirmed one;
                    install_item_dates(self.conn)  # every row is confirmed then: nothing to refresh)
                if v == 6:
                    refresh_item_dates(self.conn)
                self.dialect.set_schema_version(self.conn, v)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def _open_upgrade_command(self, version: int, description: str) -> int:
        cid = self.dialect.insert_id(
            self.conn,
            "INSERT INTO commands(name, args, user, at, active) VALUES ('upgrade', ?, 'zhaoshang', ?, 1)",
            (f"升级到结构版本 {version}：{description}", now()),
        )
        self.dialect.start_command(self.conn, cid)
        return cid

    def _close_upgrade_command(self, cid: int) -> None:
        if self.conn.execute("SELECT 1 FROM changes WHERE command_id = ? LIMIT 1", (cid,)).fetchone() is None:
            self.conn.execute("DELETE FROM commands WHERE id = ?", (cid,))
            # nobody saw that id: give it back, so a new database's first command is still #1
            self.dialect.give_back_ids(self.conn, "commands")
        else:
            self.conn.execute("UPDATE commands SET active = 0 WHERE id = ?", (cid,))

    def _has_foreign_tables(self) -> bool:
        rows = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
        return bool(rows[0])

    def _write_begin(self) -> None:
        """Take the write lock.  When another program holds it (a long import), say so after
        :data:`WAIT_NOTICE_MS` through :attr:`on_wait` and keep waiting up to the busy timeout."""
        if self.dialect.server:
            say = self.on_wait

            def waiting() -> None:
                if say is not None:
                    say(
                        f"数据库「{self.where}」正被另一个程序写入（可能是一次大的导入或别人的命令），"
                        f"正在等待它完成（最多 {BUSY_TIMEOUT_MS // 1000} 秒）…"
                    )

            self.dialect.begin_write(
                self.conn, waiting if say else None, notice_ms=WAIT_NOTICE_MS, timeout_ms=BUSY_TIMEOUT_MS
            )
            return
        if self.on_wait is not None:
            self.conn.execute(f"PRAGMA busy_timeout = {WAIT_NOTICE_MS}")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise _db_error(self.path, exc) from None
                self.on_wait(
                    f"数据库「{self.path.name}」正被另一个程序写入（可能是一次大的导入或别人的命令），"
                    f"正在等待它完成（最多 {BUSY_TIMEOUT_MS // 1000} 秒）…"
                )
            finally:
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS - WAIT_NOTICE_MS}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _db_error(self.path, exc) from None
        finally:
            if self.on_wait is not None:
                self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    # -- definitions -------------------------------------------------------------------
    def sync_definitions(self) -> None:
        """Make the kind tables match the YAML definitions (new fields become columns;
        nothing is ever dropped) and record the definitions used."""
        stored = dict(self.conn.execute("SELECT kind, fingerprint FROM definitions").fetchall())
        wanted = {k.key: _kind_fingerprint(k) for k in self.defs.kinds}
        if stored.keys() >= wanted.keys() and all(stored[k] == v for k, v in wanted.items()):
            return
        self._write_begin()
        try:
            # again under the write lock: another process may have synced them meanwhile
            stored = dict(self.conn.execute("SELECT kind, fingerprint FROM definitions").fetchall())
            for kind in self.defs.kinds:
                if stored.get(kind.key) == wanted[kind.key]:
                    continue
                self.synced = True
                self._sync_kind(kind)
                self.conn.execute(
                    "INSERT INTO definitions(kind, fingerprint, definition, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(kind) DO UPDATE SET "
                    "fingerprint = excluded.fingerprint, definition = excluded.definition, "
                    "updated_at = excluded.updated_at",
                    (
                        kind.key,
                        wanted[kind.key],
                        json.dumps(kind_as_dict(kind), ensure_ascii=False, default=str),
                        now(),
                    ),
                )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _sync_kind(self, kind: KindDef) -> None:
        table = kind.table
        existing = _columns(self.conn, table)
        if not existing:
            cols = ", ".join(f'"{f.key}" {self.dialect.sql_type(f.sql_type)}' for f in kind.fields)
            sep = ", " if cols else ""
            self.conn.execute(
                f'CREATE TABLE "{table}" (id {self.dialect.sql_type("INTEGER")} PRIMARY KEY '
                f"{self.dialect.sql_type('REFERENCES items(id) ON DELETE CASCADE')}{sep}{cols})"
            )
        else:
            for f in kind.fields:
                if f.key not in existing:
                    self.conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{f.key}" {self.dialect.sql_type(f.sql_type)}')
        for f in kind.fields:
            # links between items (关联项目) are followed both ways; 项目编码 identifies a project
            if f.type == "ref" or f.key == IDENTITY_FIELD:
                self.conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}_{f.key}" ON "{table}"("{f.key}")')
        install_history_triggers(self.conn, table)

    def kind_columns(self, kind: KindDef) -> list[str]:
        """The stored columns of a kind's table (may include fields no longer defined)."""
        return [c for c in _columns(self.conn, kind.table) if c != "id"]

    # -- commands ----------------------------------------------------------------------
    @contextmanager
    def command(self, name: str, *, user: str, args: Sequence[str] | str = "") -> Iterator[CommandInfo]:
        """One atomic, recorded command.  Everything written inside is one transaction;
        an exception (or a kill) leaves the database as it was.  A command that changed
        nothing leaves no trace in history."""
        if self.current is not None:  # nested: part of the enclosing command
            yield self.current
            return
        if self.read_only:
            raise ZsError(
                f"数据库「{self.path}」在只读的位置（只读光盘、U 盘或目录）：只能查看，不能修改。"
                "要修改请把它复制到可写的位置，用 --db 指定"
            )
        from .config import check_user_name

        check_user_name(user, "程序传入的操作人")
        if self.account_name is not None:  # (the server's account, not the name claimed)
            user = self.account_name
        try:
            self._write_begin()  # (refused to an account that may not write: said below)
            text = args if isinstance(args, str) else " ".join(args)
            cid = self.dialect.insert_id(
                self.conn,
                "INSERT INTO commands(name, args, user, at, active) VALUES (?, ?, ?, ?, 1)",
                (name, text, user, now()),
            )
            self.dialect.start_command(self.conn, cid)
            info = CommandInfo(cid, name, user)
            self.current = info
            yield info
            changed = (
                self.conn.execute("SELECT 1 FROM changes WHERE command_id = ? LIMIT 1", (info.id,)).fetchone()
                is not None
            )
            if not changed:
                self.conn.execute("DELETE FROM commands WHERE id = ?", (info.id,))
            else:
                self.conn.execute("UPDATE commands SET active = 0 WHERE id = ?", (info.id,))
            check_wal_kept(self.conn, self.path, self.wal_id)
            self.conn.execute("COMMIT")
            if changed:
                self.committed = info.id
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            refused = self.dialect.refused(exc, self.account_role)  # (a server's account lacking the right)
            if refused is not None:
                raise refused from None
            raise
        finally:
            self.current = None

    # -- small helpers -----------------------------------------------------------------
    def file_size(self) -> int:
        """Bytes on disk: the database file and its write-ahead log."""
        on_server = self.dialect.size(self.conn)
        if on_server is not None:
            return on_server
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += os.stat(f"{self.path}{suffix}").st_size
        return total

    def vacuum(self) -> int:
        """Give free pages back to the disk (merge the search index's segments, VACUUM, then
        truncate the log); returns the bytes on disk afterwards.  Needs the write lock and,
        for a moment, room for a copy."""
        if self.current is not None or self.conn.in_transaction:
            raise RuntimeError("vacuum runs outside a command")
        if self.dialect.server:
            self.conn.execute("VACUUM (ANALYZE)")  # (the server keeps its own files)
            return self.file_size()
        try:
            # the search index keeps deleted rows' entries in its segments until they are merged
            self.conn.execute("INSERT INTO items_fts(items_fts) VALUES ('optimize')")
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise vacuum_error(self.path, exc) from None
        return self.file_size()

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def identity(self) -> str:
        return self.meta("db_id") or ""

    @property
    def version(self) -> int:
        return self.dialect.schema_version(self.conn)

    def insert_id(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an ``INSERT`` of one row into a table with an ``id`` key; the new row's id."""
        return self.dialect.insert_id(self.conn, sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        cur = self.conn.execute(sql, params)
        cur.row_factory = sqlite3.Row
        return list(cur.fetchall())

    def sqlite_utils(self) -> Any:
        """The same connection as a ``sqlite_utils.Database``, for exploring the schema and
        data from Python (``db.sqlite_utils()["items"].rows_where("kind = ?", ["targets"])``).
        Writes through it bypass ``command()`` and are refused by the history triggers."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reference_schema(defs: Definitions) -> tuple[list[str], list[str]]:
    """The ``CREATE TABLE`` and ``CREATE INDEX`` statements of a new database of this version
    built with ``defs`` (the SQLite migrations are the schema's one definition), in order, and
    its tables — without SQLite's own tables, the search index and the triggers."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="zs-schema-") as tmp:
        ref = Database.open(Path(tmp) / "schema.db", defs)
        try:
            rows = ref.conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'items\\_fts%' ESCAPE '\\' "
                "ORDER BY rowid"
            ).fetchall()
        finally:
            ref.close()
    return [r[2] for r in rows], [r[1] for r in rows if r[0] == "table"]


def _kind_fingerprint(kind: KindDef) -> str:
    import hashlib

    return hashlib.sha1(
        json.dumps(kind_as_dict(kind), sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside our literals)."""
    out: list[str] = []
    for part in script.split(";\n"):
        lines = [ln for ln in part.splitlines() if not ln.strip().startswith("--")]
        stmt = "\n".join(lines).strip().rstrip(";")
        if stmt:
            out.append(stmt)
    return out


_ADD_COLUMN = re.compile(r"^ALTER TABLE (\w+) ADD COLUMN (\w+)", re.IGNORECASE)


def _column_there(conn: Connection, stmt: str) -> bool:
    """``stmt`` adds a column the table already has (a migration run again on a database
    whose version number was set back): nothing to do."""
    m = _ADD_COLUMN.match(stmt)
    return m is not None and m.group(2) in _columns(conn, m.group(1))


def _on_read_only_media(path: Path) -> bool:
    """The file cannot be written there: a read-only file system or folder (root included)."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):  # no statvfs (Windows)
        pass
    return not os.access(path, os.W_OK) and not os.access(path.parent, os.W_OK)


def _db_error(path: Path, exc: sqlite3.Error) -> ZsError:
    text = str(exc)
    if "file is not a database" in text or "malformed" in text:
        return ZsError(f"「{path}」不是有效的 zhaoshang 数据库（文件已损坏或不是 SQLite 文件）：请检查路径或从备份恢复")
    if "readonly" in text or "read-only" in text:
        return ZsError(f"数据库「{path}」是只读的：请检查文件权限，或用 --db 指定可写的位置")
    if "locked" in text or "busy" in text:
        return ZsError(f"数据库「{path}」正被其他程序长时间占用：请稍后重试")
    if "disk is full" in text or "database or disk is full" in text:
        return ZsError(
            f"磁盘已满，数据库「{path}」无法写入：这次操作没有写入任何数据。"
            "请清理磁盘空间（或用 --db 把数据库移到空间充足的位置）后重试"
        )
    if "unable to open" in text:
        return ZsError(f"无法打开数据库「{path}」：请检查路径是否存在、是否有权限")
    return ZsError(f"数据库「{path}」出错：{text}")


def wal_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the database's write-ahead log (None: there is none, e.g. on
    read-only media).  While any connection is open SQLite keeps that file; only a person
    or a cleaning program deletes it then."""
    try:
        st = os.stat(f"{path}-wal")
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def check_wal_kept(conn: sqlite3.Connection, path: Path, wal_id: tuple[int, int] | None) -> None:
    """Refuse to commit when the write-ahead log this connection has open was deleted (or
    replaced) meanwhile: what was saved in it and not yet copied into the database file is
    already lost to every other program, and this command's write would go the same way.
    (SQLite cannot protect against a deleted log: see README「数据在哪里」.)"""
    deleted = _wal_unlinked(path)
    if deleted is None:  # no /proc: compare with the log seen on opening
        deleted = (
            wal_id is not None
            and wal_identity(path) != wal_id
            and conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        )
    if deleted:
        raise ZsError(
            f"数据库的日志文件「{path.name}-wal」在这条命令运行期间被删除或替换了：这次操作没有写入。"
            "日志里已保存、还没并入数据库文件的修改可能已经丢失：请不要删除 -wal、-shm 文件；"
            "运行 zs check 检查，并与最近的备份核对（zs backup 备份文件 --restore 可恢复）"
        )


def _wal_unlinked(path: Path) -> bool | None:
    """Whether this process holds the database's write-ahead log open although the file was
    deleted (Linux: /proc/self/fd; None where that cannot be seen).  A program that switches
    its own connection out of WAL closes the log first, so only a deletion by someone else
    is seen."""
    fds = "/proc/self/fd"
    if not os.path.isdir(fds):
        return None
    gone = os.path.realpath(f"{path}-wal") + " (deleted)"
    for fd in os.listdir(fds):
        with contextlib.suppress(OSError):
            if os.readlink(f"{fds}/{fd}") == gone:
                return True
    return False


def vacuum_error(path: Path, exc: sqlite3.Error) -> ZsError:
    """Why VACUUM failed.  It changes no data either way (it only rewrites the file), so
    never the "nothing was written" of a failed command: the caller says what was saved."""
    text = str(exc)
    if "full" in text:
        return ZsError(f"磁盘空间不足：收回空间（VACUUM）需要约与数据库「{path.name}」一样大的临时空间，数据库没有变小")
    if "locked" in text or "busy" in text:
        return ZsError(f"数据库「{path.name}」正被其他程序读写：收回空间（VACUUM）需要独占，数据库没有变小")
    return ZsError(f"收回空间（VACUUM）失败（{text}），数据库没有变小")


def translate_error(path: Path, exc: sqlite3.Error) -> ZsError:
    """Public form of the SQLite error translation, for the CLI boundary."""
    return _db_error(path, exc)
