"""A demonstration city, modelled on the practice the design describes (黑河: key industry
chains with named leaders, seven lists per chain, districts competing on targets).

Everything is generated deterministically from a seed and "today", so the demo always has
data in the current month: contacts, stage moves, funds arriving, problems being closed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from . import items, lookups
from .db import Database, now
from .errors import ZsError

CHAINS = [
    # name, leader, lead unit, cooperating units, task force
    ("绿色矿业", "王建国（副市长）", "市工信局", "市自然资源局、市生态环境局", "绿色矿业专班（组长：刘志强）"),
    ("大豆精深加工", "李明华（市委常委、副市长）", "市农业农村局", "市工信局、市商务局", "大豆产业专班（组长：赵丽）"),
    ("对俄跨境物流", "张海涛（常务副市长）", "市商务局", "市交通运输局、黑河海关", "跨境物流专班（组长：孙伟）"),
    ("新能源", "陈立新（副市长）", "市发改委", "市能源局、国网黑河供电公司", "新能源专班（组长：周强）"),
    ("寒地汽车测试", "刘宏（副市长）", "市工信局", "市交通运输局、市文旅局", "汽车测试专班（组长：吴敏）"),
    ("生物医药（北药）", "赵国庆（副市长）", "市卫健委", "市市场监管局、市农业农村局", "北药专班（组长：郑洁）"),
]
UNITS = [
    ("爱辉区", "区县"),
    ("北安市", "区县"),
    ("五大连池市", "区县"),
    ("嫩江市", "区县"),
    ("逊克县", "区县"),
    ("孙吴县", "区县"),
    ("黑河经济开发区", "开发区"),
    ("中俄自贸区黑河片区", "开发区"),
]
DEPARTMENTS = ["市自然资源局", "市发改委", "市生态环境局", "市住建局", "市商务局"]
PEOPLE = ["刘洋", "王芳", "张磊", "李静", "陈晨", "杨帆", "赵敏", "黄磊", "周婷", "吴昊", "孙悦", "马骏"]
BUTLERS = ["韩雪", "冯涛", "曹颖", "彭亮", "董洁", "袁博"]

TARGET_TEMPLATES: dict[str, list[tuple[str, str, float]]] = {
    # chain: (project name, company, investment in 万元)
    "绿色矿业": [
        ("年产5万吨高纯铜箔项目", "江西铜业集团", 356000),
        ("钼精矿深加工项目", "金钼股份", 120000),
        ("石墨负极材料项目", "贝特瑞新材料", 85000),
        ("尾矿综合利用项目", "中国五矿", 42000),
        ("萤石精粉选矿项目", "金石资源", 30000),
        ("铜冶炼余热发电项目", "紫金矿业", 26000),
        ("金矿智能化改造项目", "山东黄金", 18000),
        ("稀土永磁材料项目", "北方稀土", 95000),
    ],
    "大豆精深加工": [
        ("大豆分离蛋白项目", "山东禹王集团", 60000),
        ("非转基因豆油压榨项目", "九三粮油", 48000),
        ("大豆肽功能食品项目", "中粮集团", 35000),
        ("豆制品中央厨房项目", "祖名豆制品", 12000),
        ("大豆低聚糖项目", "保龄宝生物", 22000),
        ("有机大豆种植基地项目", "北大荒集团", 15000),
        ("植物基饮品项目", "维他奶", 28000),
    ],
    "对俄跨境物流": [
        ("黑河跨境冷链物流园项目", "顺丰控股", 80000),
        ("中俄跨境电商产业园项目", "京东物流", 65000),
        ("公路口岸综合物流中心项目", "中国外运", 54000),
        ("跨境粮食物流通道项目", "中储粮", 46000),
        ("保税仓储项目", "菜鸟网络", 20000),
        ("对俄木材加工集散项目", "大亚圣象", 33000),
    ],
    "新能源": [
        ("200MW风电项目", "国家电投", 150000),
        ("100MW光伏发电项目", "华能集团", 52000),
        ("生物质热电联产项目", "光大环境", 38000),
        ("绿氢制储一体化项目", "隆基氢能", 110000),
        ("储能电站项目", "宁德时代", 45000),
        ("分布式光伏整县推进项目", "晶科能源", 26000),
    ],
    "寒地汽车测试": [
        ("寒区汽车试验场二期项目", "中国汽研", 70000),
        ("冬季轮胎测试中心项目", "玲珑轮胎", 25000),
        ("新能源汽车电池低温测试项目", "比亚迪", 40000),
        ("测试车辆改装基地项目", "一汽集团", 16000),
        ("智能网联冰雪测试道项目", "百度Apollo", 30000),
    ],
    "生物医药（北药）": [
        ("北五味子提取物项目", "天士力", 22000),
        ("刺五加注射液扩产项目", "哈药集团", 36000),
        ("中药饮片加工项目", "康美药业", 15000),
        ("寒地中药材种苗繁育项目", "中国中药", 9000),
        ("人参皂苷精深加工项目", "修正药业", 18000),
    ],
}
ASSET_TEMPLATES = [
    ("资源", "上游", "铜矿资源（多宝山铜矿）", "探明储量 230 万吨", "嫩江市"),
    ("资源", "上游", "钼矿资源（岔路口钼矿）", "储量 240 万吨", "北安市"),
    ("资源", "上游", "非转基因大豆", "年产 130 万吨", "五大连池市"),
    ("企业", "中游", "紫金铜业有限公司", "年产阴极铜 10 万吨", "嫩江市"),
    ("企业", "中游", "九三粮油工业集团黑河分公司", "年加工大豆 60 万吨", "爱辉区"),
    ("企业", "下游", "黑河中俄木业有限公司", "年加工木材 20 万立方米", "孙吴县"),
    ("园区", "配套", "黑河经济开发区化工园", "规划 12 平方公里", "黑河经济开发区"),
    ("园区", "配套", "中俄自贸区跨境产业园", "已建标准厂房 8 万平方米", "中俄自贸区黑河片区"),
    ("平台", "配套", "黑河公路口岸", "年过货能力 150 万吨", "爱辉区"),
    ("平台", "配套", "寒地汽车测试服务平台", "年接待测试车辆 3000 台次", "孙吴县"),
    ("产品", "下游", "大豆分离蛋白", "年产 2 万吨", "北安市"),
    ("企业", "中游", "逊克县翠宏山铁多金属矿业公司", "年采选 150 万吨", "逊克县"),
]
EVENTS = [
    ("中国—俄罗斯博览会", "商务部、黑龙江省政府", "哈尔滨", "国家级", "年度", "参展"),
    ("亚布力中国企业家论坛年会", "亚布力中国企业家论坛", "亚布力", "国家级", "年度", "论坛"),
    ("龙粤合作产业对接会", "黑龙江省商务厅", "深圳", "省级", "不定期", "推介会"),
    ("中国国际进口博览会", "商务部", "上海", "国家级", "年度", "参展"),
    ("黑河市绿色矿业专题招商推介会", "黑河市政府", "北京", "市级", "不定期", "推介会"),
    ("长三角大豆产业链招商路演", "市农业农村局", "杭州", "市级", "不定期", "路演"),
    ("中俄地方合作论坛", "外交部、俄联邦外交部", "黑河", "国际", "年度", "论坛"),
    ("京津冀新能源企业考察", "市发改委", "天津", "市级", "季度", "考察"),
]
PITCHES = [
    ("黑河市投资环境宣传片", "视频", "整体", "展会、来访接待", "8分钟", "各类投资者"),
    ("黑河市招商引资项目册（2026版）", "图册", "项目", "推介会", "", "目标企业"),
    ("绿色矿业产业链招商 PPT", "PPT", "产业", "专题推介", "20分钟", "有色金属企业"),
    ("对俄跨境物流通道推介稿", "文稿", "产业", "高层拜访", "", "物流龙头企业"),
    ("大豆精深加工投资指南", "图册", "产业", "展会", "", "食品加工企业"),
    ("寒地汽车测试基地宣传片", "视频", "产业", "车企拜访", "5分钟", "整车及零部件企业"),
]
CONTACTS = [
    ("王振华", "乡贤企业家", "深圳华创投资有限公司", "董事长", "籍贯黑河爱辉", "13800138001"),
    ("刘晓东", "校友企业家", "上海东方新材料公司", "总经理", "哈尔滨工业大学校友", "13900139002"),
    ("赵文博", "在京人员", "国家发改委某司", "处长", "籍贯北安", "13700137003"),
    ("北京中商投资咨询有限公司", "委托招商", "北京中商投资咨询有限公司", "", "委托协议 2026-001", "010-65123456"),
    ("黑龙江浙江商会", "商会", "黑龙江浙江商会", "", "", "0451-84567890"),
    ("孙丽", "乡贤企业家", "广州粤北农业科技公司", "董事长", "籍贯嫩江", "13600136004"),
    ("周建军", "校友企业家", "杭州数智科技公司", "创始人", "东北农业大学校友", "13500135005"),
    ("深圳前海招商服务中心", "中介机构", "深圳前海招商服务中心", "", "", "0755-86001234"),
]
SUPPORTS = [
    ("工业用地弹性出让", "土地", "工业项目用地可先租后让、弹性年期出让", "市级", "投资额≥5000万元的工业项目"),
    ("重点项目电价优惠", "电", "大工业用电执行优惠电价", "省级", "新能源、绿色矿业项目"),
    ("招商引资奖励办法", "奖补", "按实际到位资金的 1% 奖励引荐人", "市级", "已签约且资金到位项目"),
    ("标准厂房租金减免", "厂房", "入驻前三年厂房租金全免", "县级", "已签约企业"),
    ("人才公寓保障", "人才", "为引进企业高管和技术人员提供人才公寓", "市级", "已开工项目"),
    ("中小企业贷款贴息", "金融", "按 LPR 的 50% 给予贴息，最长 3 年", "省级", "已入统企业"),
    ("对俄贸易物流补贴", "奖补", "对经黑河口岸的跨境班列按箱补贴", "省级", "对俄跨境物流项目"),
]
PROBLEMS = [
    ("项目用地规划调整审批慢", "规划", "本级", "市自然资源局"),
    ("施工许可证办理卡在消防审查", "审批", "本级", "市住建局"),
    ("环评批复需省厅审批", "环保", "省级", "市生态环境局"),
    ("110千伏变电站接入容量不足", "要素保障", "市级", "市发改委"),
    ("企业申请的设备购置补贴未兑现", "政策兑现", "本级", "市商务局"),
    ("跨境铁路运输通道计划需国家批复", "其他", "国家", "市商务局"),
    ("项目融资缺口 2 亿元", "资金", "市级", "市发改委"),
    ("用工缺口 120 人", "用工", "本级", "市商务局"),
    ("林地占用手续需省林草局审批", "土地", "省级", "市自然资源局"),
    ("天然气管道未接入园区", "要素保障", "市级", "市发改委"),
]
ACTIVITY_TYPES = ["对接", "走访", "来访", "推介", "电话"]
SUMMARIES = [
    "与企业高层会谈，对方表示有意向，需进一步考察选址",
    "企业来访考察园区，提出用地和电价诉求",
    "电话沟通项目进展，对方正在内部决策",
    "赴企业总部推介产业链配套条件",
    "双方就合作协议条款进行磋商",
    "陪同企业踏勘项目地块，初步确定选址",
    "召开项目专题会办会，协调要素保障",
]


@dataclass
class DemoCounts:
    """What the demo loaded, read back from the database once it is loaded (so the summary
    `init --demo` prints is the one `zs info` shows)."""

    chains: int = 0
    units: int = 0
    items: dict[str, int] = field(default_factory=dict)
    activities: int = 0
    funds: int = 0
    moves: int = 0

    @classmethod
    def of(cls, db: Database) -> DemoCounts:
        def count(table: str) -> int:
            return int(db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        per_kind = dict(db.conn.execute("SELECT kind, count(*) FROM items GROUP BY kind").fetchall())
        return cls(
            chains=count("chains"),
            units=count("units"),
            items={k.name: int(per_kind.get(k.key, 0)) for k in db.defs.kinds},
            activities=count("activities"),
            funds=count("funds"),
            moves=int(db.conn.execute("SELECT count(from_status) FROM status_log").fetchone()[0]),
        )

    def summary(self) -> str:
        kinds = "、".join(f"{k} {n}" for k, n in self.items.items())
        return (
            f"产业链 {self.chains} 条，招商主体 {self.units} 个，条目 {sum(self.items.values())} 个"
            f"（{kinds}），阶段变更 {self.moves} 次，对接记录 {self.activities} 条，"
            f"到位资金 {self.funds} 笔"
        )


def _has_data(db: Database) -> bool:
    return any(db.conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in ("items", "chains", "units"))


def load_demo(db: Database, *, today: date | None = None, seed: int = 2026) -> DemoCounts:
    """Fill an empty database with the demo city (inside the current command)."""
    if db.current is None:
        raise RuntimeError("load_demo must run inside db.command()")
    if _has_data(db):
        raise ZsError(f"数据库「{db.where}」已有数据，不能载入演示数据：请换一个文件，如 zs --db demo.db init --demo")
    today = today or date.today()
    rng = random.Random(seed)
    user = db.current.user

    for name, leader, lead, coop, force in CHAINS:
        lookups.create(
            db,
            lookups.CHAIN,
            name,
            {
                "leader": leader,
                "lead_unit": lead,
                "coop_units": coop,
                "task_force": force,
                "description": f"{name}产业链",
            },
        )
    for name, utype in UNITS:
        lookups.create(db, lookups.UNIT, name, {"type": utype, "leader": rng.choice(PEOPLE)})
    for name in DEPARTMENTS:
        lookups.create(db, lookups.UNIT, name, {"type": "部门", "ranked": "否"})
    unit_names = [u for u, _ in UNITS]
    chain_names = [c[0] for c in CHAINS]

    def add(
        kind: str,
        title: str,
        chain: str,
        values: dict[str, Any],
        status: str | None = None,
        created: date | None = None,
    ) -> int:
        k = db.defs.kind(kind)
        parsed = items.parse_values(db, k, {"title": title, "chain": chain, **values})
        st = status or k.default_status
        item_id = items.insert(
            db, k, parsed, status=st, user=user, status_date=(created or today).isoformat(), index=False
        )
        if created:
            ts = f"{created.isoformat()}T09:00:00"
            db.conn.execute("UPDATE items SET created_at = ?, updated_at = ? WHERE id = ?", (ts, ts, item_id))
        return item_id

    def day(back: int) -> date:
        return today - timedelta(days=back)

    # 有什么
    asset_ids = []
    for i, (cat, seg, title, scale, loc) in enumerate(ASSET_TEMPLATES):
        chain = chain_names[[0, 0, 1, 0, 1, 2, 2, 2, 2, 4, 1, 0][i]]
        asset_ids.append(
            add(
                "assets",
                title,
                chain,
                {
                    "category": cat,
                    "segment": seg,
                    "scale": scale,
                    "location": loc,
                    "owner": rng.choice(PEOPLE),
                    "unit": loc if loc in unit_names else None,
                    "butler": rng.choice(BUTLERS) if cat == "企业" else None,
                },
                created=day(300),
            )
        )

    # 招什么：每条链的项目，按阶段分布，带完整阶段历史
    from .stages import stages_of

    stages = stages_of(db.defs.kind("targets"))[:6]  # 线索 … 已投产
    target_ids: list[tuple[int, str, float]] = []
    for chain, templates in TARGET_TEMPLATES.items():
        leader = next(c[1] for c in CHAINS if c[0] == chain)
        for title, company, amount in templates:
            reach = rng.choices(range(6), weights=[18, 30, 18, 12, 14, 8])[0]
            start = day(rng.randint(60, 330))
            item_id = add(
                "targets",
                title,
                chain,
                {
                    "category": "项目",
                    "company": company,
                    "investment": amount,
                    "priority": rng.choice(["A", "A", "B", "B", "C"]),
                    "method": rng.choice(["产业链招商", "以商招商", "委托招商", "乡情招商", "驻点招商"]),
                    "segment": rng.choice(["上游", "中游", "下游", "配套"]),
                    "leader": leader.split("（")[0],
                    "butler": rng.choice(BUTLERS),
                    "key_project": "是" if amount >= 50000 else "否",
                    "owner": rng.choice(PEOPLE),
                    "unit": rng.choice(unit_names),
                    "source": rng.choice(["亚布力论坛", "中俄博览会", "乡贤推荐", "龙粤合作对接会", "网络招商"]),
                    "due": (today + timedelta(days=rng.randint(-40, 120))).isoformat(),
                },
                created=start,
            )
            when = start
            gap = max(5, (today - start).days // (reach + 1))
            dates = []
            for _s in range(reach):
                when = min(today, when + timedelta(days=rng.randint(max(3, gap // 2), gap)))
                dates.append(when)
            # every fourth project moved this month, so this month's report has news
            month_start = today.replace(day=1)
            if dates and len(target_ids) % 4 == 1 and dates[-1] < month_start:
                floor = max(month_start, dates[-2] if len(dates) > 1 else start)
                dates[-1] = when = floor + timedelta(days=rng.randint(0, max(0, (today - floor).days)))
            for s, moved in enumerate(dates, start=1):
                db.conn.execute(
                    "INSERT INTO status_log(item_id, from_status, to_status, date, user, at) VALUES (?, ?, ?, ?, ?, ?)",
                    (item_id, stages[s - 1], stages[s], moved.isoformat(), user, now()),
                )
            status = stages[reach]
            closed = f"{when.isoformat()}T18:00:00" if status == "已投产" else None
            db.conn.execute("UPDATE items SET status = ?, closed_at = ? WHERE id = ?", (status, closed, item_id))
            if reach >= 2:
                db.conn.execute(
                    'UPDATE "kind_targets" SET signed_date = ? WHERE id = ?',
                    (_stage_date(db, item_id, "已签约"), item_id),
                )
            target_ids.append((item_id, status, amount))
    # two projects leave the pipeline (退库) after talks, one after signing
    for item_id, status, _ in target_ids[:: max(1, len(target_ids) // 3)][:3]:
        if status in ("在谈", "已签约"):
            db.conn.execute(
                "UPDATE items SET status = '退库', closed_at = ? WHERE id = ?",
                (f"{day(10).isoformat()}T18:00:00", item_id),
            )
            db.conn.execute(
                "INSERT INTO status_log(item_id, from_status, to_status, date, reason, user, at) "
                "VALUES (?, ?, '退库', ?, '企业投资计划调整，暂缓投资', ?, ?)",
                (item_id, status, day(10).isoformat(), user, now()),
            )

    # 去哪招 / 说什么 / 找谁招 / 配套什么
    for i, (title, org, venue, level, cycle, form) in enumerate(EVENTS):
        start = today + timedelta(days=rng.randint(-120, 150))
        status = "已举办" if start < today else rng.choice(["计划", "筹备中"])
        add(
            "events",
            f"{start.year}{title}",
            chain_names[i % len(chain_names)],
            {
                "organizer": org,
                "venue": venue,
                "level": level,
                "cycle": cycle,
                "form": form,
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(days=2)).isoformat(),
                "attendees": "、".join(rng.sample(PEOPLE, 2)),
                "owner": rng.choice(PEOPLE),
            },
            status=status,
        )
    for i, (title, form, scope, scene, duration, audience) in enumerate(PITCHES):
        add(
            "pitches",
            title,
            chain_names[i % len(chain_names)],
            {
                "form": form,
                "scope": scope,
                "scene": scene,
                "duration": duration or None,
                "audience": audience,
                "file": f"推介材料/{title}.{ {'视频': 'mp4', 'PPT': 'pptx'}.get(form, 'pdf') }",
            },
            status="可用" if i % 3 else "编制中",
        )
    contact_ids = []
    for i, (name, cat, org, pos, rel, phone) in enumerate(CONTACTS):
        contact_ids.append(
            add(
                "contacts",
                name,
                chain_names[i % len(chain_names)],
                {
                    "category": cat,
                    "organization": org,
                    "position": pos or None,
                    "relation": rel or None,
                    "phone": phone,
                    "owner": rng.choice(PEOPLE),
                    "agreement": "委托招商协议（2026—2027）" if cat == "委托招商" else None,
                },
                status=rng.choice(["已联系", "长期合作", "待联系"]),
            )
        )
    for i, (title, factor, content, level, cond) in enumerate(SUPPORTS):
        add(
            "supports",
            title,
            chain_names[i % len(chain_names)],
            {
                "factor": factor,
                "content": content,
                "level": level,
                "conditions": cond,
                "valid_until": date(today.year + 1, 12, 31).isoformat(),
                "lead_unit": rng.choice(DEPARTMENTS),
            },
        )

    # 解决什么：关联项目的问题，部分已销号
    open_targets = [t for t in target_ids if t[1] in ("已签约", "已入统", "已开工")]
    for i, (title, ptype, level, dept) in enumerate(PROBLEMS):
        project_id = open_targets[i % len(open_targets)][0] if open_targets else None
        chain = (
            db.conn.execute(
                "SELECT c.name FROM items i JOIN chains c ON c.id = i.chain_id WHERE i.id = ?", (project_id,)
            ).fetchone()[0]
            if project_id
            else chain_names[0]
        )
        created = day(rng.randint(5, 90))
        pid = add(
            "problems",
            title,
            chain,
            {
                "type": ptype,
                "source": rng.choice(["企业反映", "大走访", "项目调度会", "12345热线"]),
                "project": project_id,
                "level": level,
                "unit": dept,
                "owner": rng.choice(PEOPLE),
                "due": (created + timedelta(days=30)).isoformat(),
                "progress": "已召开协调会，责任单位正在办理",
            },
            created=created,
        )
        if i % 3 == 0:
            done = min(today, created + timedelta(days=rng.randint(5, 25)))
            db.conn.execute(
                "UPDATE items SET status = '已销号', closed_at = ? WHERE id = ?", (f"{done.isoformat()}T17:00:00", pid)
            )
            db.conn.execute(
                "INSERT INTO status_log(item_id, from_status, to_status, date, reason, user, at) "
                "VALUES (?, '待办', '已销号', ?, '已协调解决，企业确认', ?, ?)",
                (pid, done.isoformat(), user, now()),
            )
        elif i % 3 == 1:
            db.conn.execute("UPDATE items SET status = '办理中' WHERE id = ?", (pid,))

    # 对接记录：项目、企业走访（大走访）、联系人
    for item_id, status, _ in target_ids:
        n = rng.randint(1, 5) if status != "线索" else rng.randint(0, 1)
        for _ in range(n):
            when = day(rng.randint(0, 200))
            nxt = when + timedelta(days=rng.randint(7, 45))
            db.conn.execute(
                "INSERT INTO activities(item_id, type, date, summary, next_date, user, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    item_id,
                    rng.choice(ACTIVITY_TYPES),
                    when.isoformat(),
                    rng.choice(SUMMARIES),
                    nxt.isoformat(),
                    rng.choice(PEOPLE),
                    now(),
                ),
            )
    for item_id in asset_ids[3:6] + asset_ids[11:]:
        db.conn.execute(
            "INSERT INTO activities(item_id, type, date, summary, user, at) VALUES (?, '走访', ?, ?, ?, ?)",
            (
                item_id,
                day(rng.randint(0, 40)).isoformat(),
                "企业大走访：了解生产经营情况，收集用地、用工诉求",
                rng.choice(PEOPLE),
                now(),
            ),
        )
    for item_id in contact_ids[:5]:
        db.conn.execute(
            "INSERT INTO activities(item_id, type, date, summary, user, at) VALUES (?, '电话', ?, ?, ?, ?)",
            (
                item_id,
                day(rng.randint(0, 60)).isoformat(),
                "沟通近期在黑河投资意向，推荐目标企业",
                rng.choice(PEOPLE),
                now(),
            ),
        )

    # 到位资金：已入统及以后的项目按月到位
    for item_id, status, amount in target_ids:
        if status not in ("已入统", "已开工", "已投产"):
            continue
        months = rng.randint(2, 8)
        for m in range(months):
            first = date(today.year, today.month, 1)
            month = _add_months(first, -m)
            domestic = round(amount * rng.uniform(0.01, 0.06), 1)
            foreign = round(rng.uniform(50, 400), 1) if rng.random() < 0.15 else None
            db.conn.execute(
                "INSERT INTO funds(item_id, month, domestic, foreign_usd, user, at) VALUES (?, ?, ?, ?, ?, ?)",
                (item_id, month.strftime("%Y-%m"), domestic, foreign, user, now()),
            )

    # annual goals per unit and chain
    year = today.year
    for name, _ in UNITS:
        uid = lookups.unit_id(db, name)
        for metric, value in (
            ("signed_amount", rng.choice([200000, 300000, 400000])),
            ("funds_domestic", rng.choice([50000, 80000, 100000])),
            ("started", rng.choice([3, 4, 5])),
        ):
            db.conn.execute(
                "INSERT INTO goals(unit_id, year, metric, value) VALUES (?, ?, ?, ?)", (uid, year, metric, value)
            )
    # a chain has a target for every metric its ranking weighs against a target; the draws
    # beyond 签约额 use their own generator, so the rest of the demo stays as it was
    extra = random.Random(f"chain-goals-{year}")
    for name in chain_names:
        cid = lookups.chain_id(db, name)
        for metric, value in (
            ("signed_amount", rng.choice([300000, 500000])),
            ("funds_domestic", extra.choice([60000, 90000, 120000])),
            ("started", extra.choice([2, 3, 4])),
        ):
            db.conn.execute(
                "INSERT INTO goals(chain_id, year, metric, value) VALUES (?, ?, ?, ?)", (cid, year, metric, value)
            )

    # 项目全周期：前期手续、服务专班与五要件、问题升级、再签约、大走访、政策适用条件
    from .pipeline.demo_data import load as load_pipeline

    load_pipeline(
        db, today=today, seed=seed, people=PEOPLE, butlers=BUTLERS, departments=DEPARTMENTS, asset_ids=asset_ids
    )
    # 谋划储备、准入研判、履约与达产（on existing projects, with their own random draws）
    from .pipeline.lifecycle_demo import load as load_lifecycle

    load_lifecycle(db, today=today, seed=seed)

    # the stage date fields (签约日期, 开工日期 …) are what the log says: one fact
    from .stages import sync_date_fields

    for kind in db.defs.kinds:
        if kind.pipeline:
            for (item_id,) in db.conn.execute("SELECT id FROM items WHERE kind = ?", (kind.key,)).fetchall():
                sync_date_fields(db, kind, int(item_id))

    from .search import rebuild

    rebuild(db)
    return DemoCounts.of(db)


def _stage_date(db: Database, item_id: int, stage: str) -> str | None:
    row = db.conn.execute(
        "SELECT date FROM status_log WHERE item_id = ? AND to_status = ? ORDER BY id LIMIT 1",
        (item_id, stage),
    ).fetchone()
    return None if row is None else str(row[0])


def _add_months(d: date, n: int) -> date:
    total = d.year * 12 + d.month - 1 + n
    return date(total // 12, total % 12 + 1, 1)
