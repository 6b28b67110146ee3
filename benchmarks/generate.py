"""Generate a realistic zhaoshang database of any size, for benchmarks and load tests.

    python benchmarks/generate.py OUT.db --items 100000 [--seed 1] [--shape backlog] [--force]

The database is created through :meth:`zhaoshang.db.Database.open`, so the schema, the
history triggers and the definitions are the real ones.  Everything is written with
``executemany`` inside ONE ``db.command("generate")`` (so, like an import, every row is also
in ``changes``, as one range of rowids per table), then the search index is rebuilt.  The
data looks like a province's lists:
15 industry chains, about 20 units, items of every kind in realistic proportions
(招什么 the largest), Chinese titles, companies and amounts, stage histories for targets,
activities, funds in place, approvals, service teams, problems linked to projects and
escalated, and annual goals.  Deterministic for a given ``seed`` and ``today``.

Two shapes (``--shape``): ``generated`` (the default, as before: few items late) and
``backlog``, shaped like a province's real backlog as offices have it: mostly targets, every
target with a 时限 spread over the year before, this one and the next (so about 60% are
overdue), a stalled share that has not moved stage for over a year, more problems still open,
notes on half the items, and funds arriving over up to two years per registered project.

Library use: ``generate(path, 100_000, seed=1, shape="backlog") -> dict`` of counts and seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from zhaoshang.db import Database, install_item_dates, now, pause_item_dates, refresh_item_dates  # noqa: E402
from zhaoshang.definitions import FieldDef, KindDef  # noqa: E402
from zhaoshang.definitions import load as load_definitions  # noqa: E402
from zhaoshang.stages import date_fields, reached_stages  # noqa: E402

USER = "benchmark"
BATCH = 20_000

#: share of each kind among the items (sums to 1)
KIND_SHARES = {
    "targets": 0.40,
    "assets": 0.15,
    "problems": 0.15,
    "contacts": 0.12,
    "events": 0.06,
    "supports": 0.06,
    "pitches": 0.06,
}

CHAINS: list[tuple[str, list[str]]] = [
    # chain, products (used in project titles)
    ("绿色矿业", ["高纯铜箔", "钼精矿深加工", "石墨负极材料", "尾矿综合利用", "萤石精粉", "稀土永磁材料"]),
    ("大豆精深加工", ["大豆分离蛋白", "非转基因豆油", "大豆肽", "大豆低聚糖", "植物基饮品", "豆制品"]),
    ("对俄跨境物流", ["跨境冷链物流园", "跨境电商产业园", "保税仓储", "公路口岸物流中心", "粮食物流通道"]),
    ("新能源", ["风电", "光伏发电", "生物质热电联产", "绿氢制储一体化", "储能电站", "分布式光伏"]),
    ("寒地汽车测试", ["寒区汽车试验场", "冬季轮胎测试中心", "电池低温测试", "测试车辆改装基地", "冰雪测试道"]),
    ("生物医药（北药）", ["北五味子提取物", "刺五加注射液", "中药饮片加工", "中药材种苗繁育", "人参皂苷"]),
    ("绿色食品", ["有机杂粮加工", "蓝莓深加工", "鲜食玉米", "肉牛屠宰加工", "乳制品", "山特产品"]),
    ("冰雪旅游", ["冰雪旅游度假区", "滑雪场", "温泉康养小镇", "冰雪装备制造", "中俄风情街区"]),
    ("数字经济", ["云计算数据中心", "跨境电商直播基地", "工业互联网平台", "智慧农业大数据", "算力中心"]),
    ("高端装备制造", ["农机装备", "矿山机械", "风电装备", "智能制造产业园", "精密铸造"]),
    ("新材料", ["石墨烯材料", "碳纤维复合材料", "硅基新材料", "高性能合金", "生物降解材料"]),
    ("木材加工", ["俄罗斯木材精深加工", "实木家具", "木结构建筑构件", "生物质颗粒燃料", "人造板"]),
    ("现代农业", ["高标准农田", "智能温室", "种子繁育基地", "农产品冷链", "黑土地保护利用"]),
    ("节能环保", ["垃圾焚烧发电", "污水处理", "固废资源化利用", "餐厨垃圾处理", "余热回收"]),
    ("现代服务业", ["商贸物流综合体", "总部经济大厦", "职业技能培训基地", "会展中心", "康养中心"]),
]
DISTRICTS = [
    "爱辉区", "北安市", "五大连池市", "嫩江市", "逊克县", "孙吴县", "南岗区", "道里区", "香坊区",
    "阿城区", "双城区", "尚志市", "五常市",
]  # fmt: skip
ZONES = ["黑河经济开发区", "中俄自贸区黑河片区", "哈尔滨新区"]
DEPARTMENTS = ["市自然资源局", "市发改委", "市生态环境局", "市住建局"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国立新海涛晓东文博志红春梅宏亮雪颖洁斌鹏宇浩"
PLACES = [
    "北京", "上海", "深圳", "广州", "杭州", "苏州", "南京", "天津", "青岛", "宁波", "成都", "武汉", "西安",
    "长沙", "厦门", "大连", "沈阳", "长春", "哈尔滨", "济南", "郑州", "合肥", "福州", "无锡", "佛山",
]  # fmt: skip
BRAND = [
    "华创", "恒瑞", "中科", "鑫源", "东方", "远大", "金石", "瑞丰", "宏达", "天成", "博源", "正泰", "海川",
    "凯盛", "嘉禾", "同心", "北辰", "新希望", "九鼎", "德力", "龙腾", "盛世", "华信", "永泰", "安泰",
]  # fmt: skip
TRADE = ["新材料科技", "能源", "农业科技", "食品", "物流", "医药", "智能装备", "投资", "实业", "环保科技", "数字科技"]
COMPANY_FORM = ["有限公司", "股份有限公司", "集团有限公司", "（集团）股份有限公司"]
METHODS = ["产业链招商", "以商招商", "委托招商", "中介招商", "乡情招商", "基金招商", "驻点招商", "网络招商"]
SOURCES = ["亚布力论坛", "中俄博览会", "乡贤推荐", "龙粤合作对接会", "网络招商", "驻点招商", "企业来访", "商会推荐"]
ACTIVITY_TYPES = ["对接", "走访", "来访", "推介", "会办", "电话"]
SUMMARIES = [
    "与企业高层会谈，对方表示有意向，需进一步考察选址",
    "企业来访考察园区，提出用地和电价诉求",
    "电话沟通项目进展，对方正在内部决策",
    "赴企业总部推介产业链配套条件",
    "双方就合作协议条款进行磋商",
    "陪同企业踏勘项目地块，初步确定选址",
    "召开项目专题会办会，协调要素保障",
    "对接项目可研报告编制进度，约定下周提交初稿",
    "企业大走访：了解生产经营情况，收集用地、用工诉求",
]
PROBLEM_TEMPLATES = [
    ("用地规划调整审批慢", "规划"),
    ("施工许可证办理卡在消防审查", "审批"),
    ("环评批复需省厅审批", "环保"),
    ("变电站接入容量不足", "要素保障"),
    ("设备购置补贴未兑现", "政策兑现"),
    ("项目融资缺口", "资金"),
    ("用工缺口", "用工"),
    ("林地占用手续需省林草局审批", "土地"),
    ("天然气管道未接入园区", "要素保障"),
    ("土地征收补偿未完成", "土地"),
]
EVENT_NAMES = [
    "中国—俄罗斯博览会", "亚布力中国企业家论坛年会", "龙粤合作产业对接会", "中国国际进口博览会",
    "中俄地方合作论坛", "长三角产业链招商路演", "京津冀产业考察", "粤港澳大湾区招商推介会", "哈洽会",
    "世界5G大会", "中国国际服务贸易交易会", "东北亚博览会",
]  # fmt: skip
PITCH_FORMS = {"视频": "mp4", "图册": "pdf", "PPT": "pptx", "文稿": "docx"}
SUPPORT_NAMES = [
    ("工业用地弹性出让", "土地"), ("重点项目电价优惠", "电"), ("招商引资奖励办法", "奖补"),
    ("标准厂房租金减免", "厂房"), ("人才公寓保障", "人才"), ("中小企业贷款贴息", "金融"),
    ("跨境物流补贴", "奖补"), ("天然气价格优惠", "气"), ("工业用水保障", "水"), ("税收地方留成返还", "税收"),
]  # fmt: skip
#: the kinds of a real backlog: a province's list is mostly targets, with their problems
BACKLOG_KIND_SHARES = {
    "targets": 0.80,
    "problems": 0.12,
    "assets": 0.03,
    "contacts": 0.03,
    "events": 0.01,
    "supports": 0.005,
    "pitches": 0.005,
}
SHAPES = ("generated", "backlog")
CONTACT_CATEGORIES = ["乡贤企业家", "校友企业家", "在京人员", "委托招商", "商会", "中介机构", "其他"]
TEAM_ROLES = ["包保市领导", "部门负责人", "挂点处长", "区县联络员", "项目管家"]


class FastRandom(random.Random):
    """``choice`` and ``randint`` without rejection sampling: three times faster, and the
    tiny bias does not matter for test data."""

    def choice(self, seq: Any) -> Any:
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: Any = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return int(start + int(self.random() * (stop - start)))


class Gen:
    """Random but realistic values, reproducible from a seed."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = FastRandom(seed)
        self.today = today

    def person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def company(self) -> str:
        r = self.rng
        return r.choice(PLACES) + r.choice(BRAND) + r.choice(TRADE) + r.choice(COMPANY_FORM)

    def amount(self) -> float:
        """Investment in 万元: log-normal, median about 3 亿, from 500 万 to 300 亿."""
        v = self.rng.lognormvariate(10.3, 1.2)
        return float(round(min(max(v, 500.0), 3_000_000.0), -1))

    def day(self, back_min: int, back_max: int) -> date:
        return self.today - timedelta(days=self.rng.randint(back_min, back_max))

    def phone(self) -> str:
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))


def _generic(g: Gen, f: FieldDef) -> Any:
    """A plausible value for a field the generator has no special rule for."""
    r = g.rng
    if f.type in ("enum", "multi"):
        return r.choice(f.values).name if f.values else None
    if f.type == "money":
        return g.amount() if r.random() < 0.7 else None
    if f.type in ("integer", "number"):
        return r.randint(1, 1000)
    if f.type == "date":
        return g.day(-200, 700).isoformat()
    if f.type == "bool":
        return int(r.random() < 0.3)
    if f.type == "phone":
        return g.phone()
    if f.type == "ref":
        return None
    return None


def _own_values(g: Gen, kind: KindDef, cols: list[str], special: dict[str, Any]) -> list[Any]:
    fields = {f.key: f for f in kind.fields}
    out: list[Any] = []
    for c in cols:
        if c in special:
            out.append(special[c])
        elif c in fields:
            out.append(_generic(g, fields[c]))
        else:
            out.append(None)
    return out


def _months_back(today: date, n: int) -> str:
    total = today.year * 12 + today.month - 1 - n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


class Builder:
    """Accumulates rows per table and flushes them with executemany in batches."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.sql: dict[str, str] = {}
        self.counts: dict[str, int] = {}

    def table(self, name: str, cols: list[str]) -> None:
        quoted = ", ".join(f'"{c}"' for c in cols)
        self.sql[name] = f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" * len(cols))})'
        self.rows[name] = []
        self.counts[name] = 0

    def add(self, name: str, row: tuple[Any, ...]) -> None:
        self.rows[name].append(row)

    def flush(self) -> None:
        # items first: the other tables refer to them
        for name in sorted(self.rows, key=lambda n: n != "items"):
            rows = self.rows[name]
            if rows:
                self.db.conn.executemany(self.sql[name], rows)
                self.counts[name] += len(rows)
                rows.clear()


def _kind_plan(n_items: int, shares: dict[str, float] = KIND_SHARES) -> list[str]:
    """Kinds of the items to make, in proportion to ``shares`` (the rest are targets)."""
    plan: list[str] = []
    for key, share in shares.items():
        if key != "targets":
            plan.extend([key] * int(n_items * share))
    plan.extend(["targets"] * (n_items - len(plan)))
    return plan


def generate(
    db_path: str | Path,
    n_items: int,
    seed: int = 1,
    *,
    today: date | None = None,
    fts: bool = True,
    shape: str = "generated",
) -> dict[str, Any]:
    """Create a new database at ``db_path`` holding ``n_items`` items and everything around
    them, in ``shape`` (see the module's doc).  Returns counts per table and the seconds taken."""
    if shape not in SHAPES:
        raise ValueError(shape)
    started = time.perf_counter()
    today = today or date.today()
    g = Gen(seed, today)
    defs = load_definitions()
    db = Database.open(db_path, defs)
    db.conn.execute("PRAGMA cache_size = -262144")  # 256 MB: index pages stay in memory at 1M items
    # a new file written in one transaction: a rollback journal has almost nothing to save,
    # whereas WAL would write every page twice (WAL, then checkpoint); back to WAL at the end
    db.conn.execute("PRAGMA journal_mode = DELETE")
    try:
        if db.conn.execute("SELECT 1 FROM items LIMIT 1").fetchone():
            raise SystemExit(f"「{db_path}」已有条目：请给一个新文件（或加 --force 覆盖）")
        args = f"generate --items {n_items} --seed {seed} --shape {shape}"
        with db.command("generate", user=USER, args=args) as cmd:
            tracked = _drop_history_triggers(db)
            pause_item_dates(db.conn)  # each item's latest dates: computed once, at the end
            counts = _fill(db, g, n_items, today, backlog=shape == "backlog")
            _record_history(db, cmd.id, tracked)
            refresh_item_dates(db.conn)
            install_item_dates(db.conn)
            if fts:
                from zhaoshang.search import rebuild

                counts["items_fts"] = rebuild(db)
        db.conn.execute("PRAGMA optimize")
        db.conn.execute("PRAGMA journal_mode = WAL")
    finally:
        db.close()
    counts["seconds"] = round(time.perf_counter() - started, 2)
    return counts


def _drop_history_triggers(db: Database) -> list[str]:
    """Drop the per-row history triggers for the bulk insert (they cost ~50 µs a row);
    returns the tracked tables, in the order their rows must be recorded."""
    names = [
        r[0]
        for r in db.conn.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'hist_%_insert' ORDER BY rowid"
        )
    ]
    for table in names:
        for action in ("insert", "update", "delete"):
            db.conn.execute(f'DROP TRIGGER IF EXISTS "hist_{table}_{action}"')
    first = ["chains", "units", "goals", "items"]
    return [t for t in first if t in names] + [t for t in names if t not in first]


def _record_history(db: Database, command_id: int, tables: list[str]) -> None:
    """Record, as an import does, every row this command inserted: one change per table
    holding the range of its rowids (see zhaoshang.exchange.bulk), then put the triggers
    back — same transaction."""
    from zhaoshang.db import install_history_triggers

    for table in tables:
        db.conn.execute(
            "INSERT INTO changes(command_id, tbl, row_id, item_id, action, old, new, last_row_id, n_rows) "
            f"SELECT ?, '{table}', min(rowid), NULL, 'insert', NULL, NULL, max(rowid), count(*) FROM \"{table}\" "
            "HAVING count(*) > 0",
            (command_id,),
        )
        install_history_triggers(db.conn, table)


def _fill(db: Database, g: Gen, n_items: int, today: date, *, backlog: bool = False) -> dict[str, Any]:
    r = g.rng
    ts = now()
    conn = db.conn
    # chains and units
    leaders = [g.person() for _ in CHAINS]
    conn.executemany(
        "INSERT INTO chains(name, leader, lead_unit, coop_units, task_force, description, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                name,
                f"{leaders[i]}（副市长）",
                r.choice(["市工信局", "市商务局", "市发改委", "市农业农村局", "市文旅局"]),
                "、".join(r.sample(DEPARTMENTS, 2)),
                f"{name}专班（组长：{g.person()}）",
                f"{name}产业链",
                ts,
                ts,
            )
            for i, (name, _products) in enumerate(CHAINS)
        ],
    )
    units = [(u, "区县") for u in DISTRICTS] + [(u, "开发区") for u in ZONES] + [(u, "部门") for u in DEPARTMENTS]
    conn.executemany(
        "INSERT INTO units(name, type, leader, contact, ranked, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(u, t, g.person(), g.phone(), 0 if t == "部门" else 1, ts, ts) for u, t in units],
    )
    chain_ids = [row[0] for row in conn.execute("SELECT id FROM chains ORDER BY id")]
    unit_ids = [row[0] for row in conn.execute("SELECT id FROM units WHERE ranked = 1 ORDER BY id")]
    dept_ids = [row[0] for row in conn.execute("SELECT id FROM units WHERE ranked = 0 ORDER BY id")]
    year = today.year
    goals: list[tuple[Any, ...]] = []
    for uid in unit_ids:
        goals += [
            (None, uid, year, "signed_amount", r.choice([2e5, 3e5, 4e5]) * max(1, n_items / 20_000)),
            (None, uid, year, "funds_domestic", r.choice([5e4, 8e4, 1e5]) * max(1, n_items / 20_000)),
            (None, uid, year, "started", float(r.choice([3, 4, 5]) * max(1, n_items // 20_000))),
        ]
    goals += [(cid, None, year, "signed_amount", r.choice([3e5, 5e5]) * max(1, n_items / 20_000)) for cid in chain_ids]
    conn.executemany("INSERT INTO goals(chain_id, unit_id, year, metric, value) VALUES (?, ?, ?, ?, ?)", goals)

    b = Builder(db)
    item_cols = [
        "id", "kind", "chain_id", "title", "status", "owner", "unit_id", "due", "notes",
        "created_at", "updated_at", "closed_at", "created_by", "updated_by",
    ]  # fmt: skip
    b.table("items", item_cols)
    kind_cols: dict[str, list[str]] = {}
    for kind in db.defs.kinds:
        kind_cols[kind.key] = db.kind_columns(kind)
        b.table(kind.table, ["id", *kind_cols[kind.key]])
    b.table("status_log", ["item_id", "from_status", "to_status", "date", "reason", "flag", "user", "at"])
    b.table("activities", ["item_id", "type", "date", "summary", "next_date", "user", "at"])
    b.table("funds", ["item_id", "month", "domestic", "foreign_usd", "user", "at"])
    b.table("approvals", ["item_id", "step", "date", "note", "user", "at"])
    b.table("team_members", ["item_id", "role", "name", "org", "phone", "user", "at"])
    b.table("escalations", ["item_id", "from_level", "to_level", "reason", "date", "user", "at"])

    start_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]) + 1
    shares = BACKLOG_KIND_SHARES if backlog else KIND_SHARES
    plan = _kind_plan(n_items, shares)
    # backlog: 时限 from 1 January of last year to 31 December of next year (2025–2027 in 2026)
    due_from = date(today.year - 1, 1, 1)
    due_span = (date(today.year + 1, 12, 31) - due_from).days
    r.shuffle(plan)
    targets = db.defs.kind("targets")
    stages = [s.name for s in targets.statuses if not (s.terminal and s.requires_reason)]
    recent_targets: list[int] = []  # ids problems can refer to
    staff = [g.person() for _ in range(max(40, n_items // 250))]
    kinds = {k.key: k for k in db.defs.kinds}

    for offset, key in enumerate(plan):
        item_id = start_id + offset
        kind = kinds[key]
        chain_ix = r.randrange(len(CHAINS))
        chain_name, products = CHAINS[chain_ix]
        created = g.day(0, 3 * 365)
        created_ts = f"{created.isoformat()}T{r.randint(8, 17):02d}:{r.randint(0, 59):02d}:00"
        owner = r.choice(staff)
        unit = r.choice(unit_ids) if r.random() < 0.92 else r.choice(dept_ids)
        due: str | None = None
        notes: str | None = None
        status = kind.default_status
        closed: str | None = None
        history: list[tuple[str | None, str, str, str | None]] = []  # from, to, date, reason
        special: dict[str, Any] = {}
        if key == "targets":
            company = g.company()
            product = r.choice(products)
            size = r.choice(["年产5万吨", "年产10万吨", "年产20万吨", "100MW", "二期", "扩建", "", "", ""])
            title = f"{company[:-4] if company.endswith('有限公司') else company}{size}{product}项目"
            amount = g.amount()
            reach = r.choices(range(6), weights=[30, 28, 16, 10, 10, 6])[0]
            when = created
            history.append((None, stages[0], when.isoformat(), None))
            span = max(1, (today - created).days)
            if backlog and r.random() < 0.35 and span > 400:
                # stalled: every stage move it made was in its first months, none for over a year
                span = r.randint(30, span - 365)
            for s in range(1, reach + 1):
                when = min(today, when + timedelta(days=r.randint(1, max(2, span // (reach + 1)))))
                history.append((stages[s - 1], stages[s], when.isoformat(), None))
            status = stages[reach]
            if status in ("在谈", "已签约") and r.random() < 0.08:
                when = min(today, when + timedelta(days=r.randint(5, 60)))
                history.append((status, "退库", when.isoformat(), "企业投资计划调整，暂缓投资"))
                status = "退库"
            if status in ("已投产", "退库"):
                closed = f"{when.isoformat()}T18:00:00"
            if backlog:
                due = (due_from + timedelta(days=r.randint(0, due_span))).isoformat()
            else:
                due = (today + timedelta(days=r.randint(-60, 240))).isoformat() if r.random() < 0.6 else None
            special = {
                "category": "项目" if r.random() < 0.8 else "企业",
                "company": company,
                "investment": amount,
                "foreign_investment": round(amount / 70, 1) if r.random() < 0.08 else None,
                "priority": r.choices(["A", "B", "C"], weights=[2, 5, 3])[0],
                "method": r.choice(METHODS),
                "source": r.choice(SOURCES),
                "industry": chain_name,
                "leader": leaders[chain_ix],
                "butler": r.choice(staff),
                "key_project": int(amount >= 100_000),
                "location": r.choice(DISTRICTS + ZONES),
                "segment": r.choice(["上游", "中游", "下游", "配套"]),
            }
            # the stage date fields are what the history says (field and log are one fact)
            for st, field_key in date_fields(kind).items():
                names = reached_stages(kind, st)
                special[field_key] = min((d for _f, t, d, _ in history if t in names), default=None)
            reached = len(history) - 1
            _target_extras(b, g, item_id, status, reached, history, amount, today, ts, months=24 if backlog else 8)
            if amount >= 100_000:
                for role in r.sample(TEAM_ROLES, 3):
                    b.add("team_members", (item_id, role, g.person(), r.choice(DEPARTMENTS), g.phone(), USER, ts))
            recent_targets.append(item_id)
            if len(recent_targets) > 500:
                recent_targets.pop(0)
        elif key == "assets":
            category = r.choices(["资源", "产品", "企业", "园区", "平台"], weights=[1, 1, 6, 1, 1])[0]
            place = r.choice(DISTRICTS)
            title = {
                "资源": f"{place}{r.choice(['铜', '钼', '石墨', '萤石', '金', '地热', '森林'])}资源",
                "产品": f"{r.choice(products)}（{place}）",
                "企业": g.company(),
                "园区": f"{place}{chain_name}产业园",
                "平台": f"{place}{r.choice(['公共检测', '跨境电商', '科技孵化', '物流信息'])}平台",
            }[category]
            status = "在册" if r.random() < 0.95 else "已注销"
            history.append((None, status, created.isoformat(), None))
            special = {
                "category": category,
                "segment": r.choice(["上游", "中游", "下游", "配套"]),
                "scale": f"年产 {r.randint(1, 200)} 万吨",
                "output_value": g.amount() / 3,
                "location": place,
                "leader": leaders[chain_ix],
                "butler": r.choice(staff),
                "phone": g.phone(),
            }
            if r.random() < 0.3:
                _activity(b, g, item_id, "走访", today, ts)
        elif key == "problems":
            text, ptype = r.choice(PROBLEM_TEMPLATES)
            project = r.choice(recent_targets) if recent_targets and r.random() < 0.8 else None
            title = f"{r.choice(products)}项目{text}"
            level = r.choices(["本级", "市级", "省级", "国家"], weights=[6, 3, 2, 1])[0]
            due = (created + timedelta(days=30)).isoformat()
            history.append((None, "待办", created.isoformat(), None))
            roll = r.random()
            if roll < (0.35 if backlog else 0.55):
                done = min(today, created + timedelta(days=r.randint(3, 60)))
                history.append(("待办", "已销号", done.isoformat(), "已协调解决，企业确认"))
                status, closed = "已销号", f"{done.isoformat()}T17:00:00"
            elif roll < 0.8:
                status = "办理中"
                history.append(("待办", "办理中", min(today, created + timedelta(days=2)).isoformat(), None))
            if level in ("省级", "国家") and r.random() < 0.5:
                b.add(
                    "escalations",
                    (item_id, "本级", level, "需上级部门协调解决", min(today, created + timedelta(days=7)).isoformat(),
                     USER, ts),
                )  # fmt: skip
            unit = r.choice(dept_ids)
            special = {
                "type": ptype,
                "source": r.choice(["企业反映", "大走访", "项目调度会", "12345热线"]),
                "project": project,
                "level": level,
                "progress": "已召开协调会，责任单位正在办理",
            }
        elif key == "contacts":
            category = r.choice(CONTACT_CATEGORIES)
            person = category not in ("委托招商", "商会", "中介机构")
            org = g.company()
            title = g.person() if person else org
            status = r.choices(["待联系", "已联系", "长期合作", "已失效"], weights=[3, 4, 2, 1])[0]
            history.append((None, status, created.isoformat(), None))
            special = {
                "category": category,
                "organization": org,
                "position": r.choice(["董事长", "总经理", "副总裁", "处长", "会长", "秘书长"]) if person else None,
                "relation": f"籍贯{r.choice(DISTRICTS)}" if category == "乡贤企业家" else None,
                "phone": g.phone(),
                "agreement": f"委托招商协议（{today.year}—{today.year + 1}）" if category == "委托招商" else None,
            }
            if r.random() < 0.4:
                _activity(b, g, item_id, "电话", today, ts)
        elif key == "events":
            start = today + timedelta(days=r.randint(-700, 200))
            title = f"{start.year}{r.choice(EVENT_NAMES)}（{chain_name}专场）"
            status = "已举办" if start < today else r.choice(["计划", "筹备中"])
            history.append((None, status, created.isoformat(), None))
            special = {
                "organizer": r.choice(["商务部", "黑龙江省商务厅", "市政府", "市商务局"]),
                "venue": r.choice(PLACES),
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=r.randint(0, 4))).isoformat(),
                "attendees": "、".join(r.sample(staff, 2)),
            }
        elif key == "pitches":
            form = r.choice(list(PITCH_FORMS))
            title = f"{chain_name}产业链招商推介{form}（{created.year}版）"
            status = r.choice(["编制中", "可用", "可用", "已停用"])
            history.append((None, status, created.isoformat(), None))
            special = {
                "form": form,
                "scope": r.choice(["整体", "产业", "项目"]),
                "scene": r.choice(["展会", "推介会", "来访接待", "高层拜访"]),
                "duration": f"{r.randint(3, 30)}分钟" if form in ("视频", "PPT") else None,
                "audience": r.choice(["目标企业", "各类投资者", "商协会", "在京央企"]),
                "file": f"推介材料/{title}.{PITCH_FORMS[form]}",
            }
        else:  # supports (and any kind added later)
            name, factor = r.choice(SUPPORT_NAMES)
            title = f"{r.choice(DISTRICTS + ZONES)}{name}（{created.year}）"
            status = "有效" if r.random() < 0.85 else kind.close_status
            history.append((None, status, created.isoformat(), None))
            special = {
                "factor": factor,
                "content": f"{name}：符合条件的项目按规定给予支持",
                "level": r.choice(["国家", "省级", "市级", "县级"]),
                "conditions": r.choice(["投资额≥5000万元的工业项目", "已签约项目", "已入统企业", "新能源项目"]),
                "valid_until": date(created.year + 2, 12, 31).isoformat(),
                "lead_unit": r.choice(DEPARTMENTS),
            }
        if status != kind.default_status and history[-1][1] != status:
            history.append((history[-1][1], status, created.isoformat(), None))
        if kind.status(status).terminal and closed is None:
            closed = f"{history[-1][2]}T17:00:00"
        if r.random() < (0.5 if backlog else 0.15):
            notes = r.choice(SUMMARIES)
        updated_ts = max(created_ts, f"{history[-1][2]}T18:00:00")
        b.add(
            "items",
            (item_id, key, chain_ids[chain_ix], title, status, owner, unit, due, notes, created_ts, updated_ts,
             closed, USER, USER),
        )  # fmt: skip
        b.add(kind.table, (item_id, *_own_values(g, kind, kind_cols[key], special)))
        for frm, to, day_, reason in history:
            b.add("status_log", (item_id, frm, to, day_, reason, None, USER, ts))
        if (offset + 1) % BATCH == 0:
            b.flush()
    b.flush()
    out: dict[str, Any] = {"chains": len(chain_ids), "units": len(units), "goals": len(goals)}
    out.update(b.counts)
    out["kinds"] = {k: plan.count(k) for k in shares}
    return out


def _activity(b: Builder, g: Gen, item_id: int, kind: str | None, today: date, ts: str) -> None:
    r = g.rng
    when = g.day(0, 365)
    nxt = (when + timedelta(days=r.randint(7, 45))).isoformat() if r.random() < 0.6 else None
    b.add(
        "activities",
        (item_id, kind or r.choice(ACTIVITY_TYPES), when.isoformat(), r.choice(SUMMARIES), nxt, g.person(), ts),
    )


def _target_extras(
    b: Builder,
    g: Gen,
    item_id: int,
    status: str,
    reached: int,
    history: list[tuple[str | None, str, str, str | None]],
    amount: float,
    today: date,
    ts: str,
    months: int = 8,
) -> None:
    """Activities, approvals and funds of a target, consistent with how far it got (funds
    over up to ``months`` months)."""
    r = g.rng
    for _ in range(r.randint(0, 1) if reached == 0 else r.randint(1, 2 + reached)):
        _activity(b, g, item_id, None, today, ts)
    if reached >= 2:  # signed: approvals in order
        when = date.fromisoformat(history[min(2, len(history) - 1)][2])
        steps = ["立项", "用地预审", "土地出让合同", "环评批复", "规划许可", "施工许可"]
        for step in steps[: r.randint(1, len(steps)) if reached < 4 else len(steps)]:
            when = min(today, when + timedelta(days=r.randint(3, 40)))
            b.add("approvals", (item_id, step, when.isoformat(), None, USER, ts))
    if reached >= 3 and status != "退库":  # registered: money arrives month by month
        for m in range(r.randint(1, months)):
            domestic = round(amount * r.uniform(0.01, 0.06), 1)
            foreign = round(r.uniform(50, 400), 1) if r.random() < 0.1 else None
            b.add("funds", (item_id, _months_back(today, m), domestic, foreign, USER, ts))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="生成一个逼真的 zhaoshang 测试数据库（用于性能测试和压力测试）")
    ap.add_argument("out", help="新数据库文件路径")
    ap.add_argument("--items", type=int, default=100_000, help="条目数（默认 100000）")
    ap.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
    ap.add_argument("--today", default=None, help="以哪一天为“今天”（YYYY-MM-DD，默认今天）")
    ap.add_argument(
        "--shape",
        choices=SHAPES,
        default="generated",
        help="数据形态：generated（默认，少有超期）或 backlog（真实积压：约六成超期、长期停滞、问题和资金更多）",
    )
    ap.add_argument("--force", action="store_true", help="文件已存在时先删除")
    ap.add_argument("--no-fts", action="store_true", help="不重建全文索引")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if out.exists():
        if not args.force:
            print(f"「{out}」已存在：换一个文件名，或加 --force 覆盖", file=sys.stderr)
            return 1
        for suffix in ("", "-wal", "-shm"):
            Path(str(out) + suffix).unlink(missing_ok=True)
    today = date.fromisoformat(args.today) if args.today else None
    counts = generate(out, args.items, args.seed, today=today, fts=not args.no_fts, shape=args.shape)
    print(json.dumps(counts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
