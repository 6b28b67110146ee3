"""The demo city's projects before 线索 and after 已投产: two packaged projects in 谋划储备,
three 准入研判 (one 一票否决), agreed figures and actuals for a few signed projects (one past
its agreed 投产 date), one project 达产 and 入规.  Loaded after the rest of the demo, with its
own random generator and on existing projects, so the rest of the demo stays as it was."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .. import items
from ..db import Database
from . import assess, performance


def _projects(db: Database, status: str) -> list[int]:
    return [
        int(r[0])
        for r in db.conn.execute("SELECT id FROM items WHERE kind = 'targets' AND status = ? ORDER BY id", (status,))
    ]


def load(db: Database, *, today: date, seed: int) -> None:
    kind = db.defs.kind_by_key("targets")
    reserve = next((s.name for s in kind.statuses if s.reserve), None)
    rng = random.Random(f"lifecycle-{seed}")

    def day(back: int) -> date:
        return today - timedelta(days=back)

    # 谋划储备: the last two leads were packaged by the office before any investor existed
    if reserve is not None:
        for item_id in _projects(db, "线索")[-2:]:
            db.conn.execute("UPDATE items SET status = ? WHERE id = ?", (reserve, item_id))
            db.conn.execute(
                "UPDATE status_log SET to_status = ? WHERE item_id = ? AND from_status IS NULL", (reserve, item_id)
            )
            items.edit(db, item_id, {"company": None, "progress": "已完成项目策划包装，列入推介项目库，待寻找投资方"})

    # 准入研判: a strong project in talks, an ordinary lead, and one vetoed (高耗能)
    talks, leads = _projects(db, "在谈"), _projects(db, "线索")
    plans = [
        (
            talks[:1],
            {
                "产业类别": "鼓励类",
                "科技水平": "国内领先",
                "投资强度": 420,
                "投资主体": "上市公司",
                "环境影响": "无污染",
                "安全生产": "低风险",
                "土地利用": 8,
                "规划设计": 5,
                "税收贡献": 12,
                "就业带动": 320,
                "高耗能": "否",
            },
            "符合主导产业方向，建议优先推进签约",
        ),
        (
            leads[:1],
            {
                "产业类别": "允许类",
                "科技水平": "省内先进",
                "投资强度": 230,
                "投资主体": "其他企业",
                "环境影响": "轻微可控",
                "安全生产": "中风险",
                "土地利用": 6,
                "规划设计": 4,
                "税收贡献": 6,
                "就业带动": 120,
            },
            None,
        ),
        (
            talks[1:2],
            {"产业类别": "允许类", "投资强度": 180, "高耗能": "是"},
            "属于高耗能项目，能耗指标无法保障",
        ),
    ]
    for ids, inputs, note in plans:
        for item_id in ids:
            assess.assess(db, item_id, inputs, today=today, on=day(rng.randint(3, 25)), note=note)

    # 履约: agreed figures on signed projects, this year's actuals, one past its 投产 date
    signed = [i for s in ("已开工", "已投产", "已入统") for i in _projects(db, s)][:3]
    for n, item_id in enumerate(signed):
        land = rng.choice([80, 120, 150, 200])
        items.edit(
            db,
            item_id,
            {
                "agreed_land": land,
                "agreed_intensity": rng.choice([250, 300, 350]),
                "agreed_tax_per_mu": rng.choice([8, 10, 12]),
                "planned_production_date": (day(40) if n == 0 else day(-200)).isoformat(),
            },
        )
        values = {"投资额": round(rng.uniform(0.3, 0.7) * 100000, -2), "用地": land + (10 if n == 1 else 0)}
        performance.record(db, item_id, today.year, values, today=today, on=day(rng.randint(1, 20)))
    produced = _projects(db, "已投产")
    if produced:
        item_id = produced[0]
        items.edit(
            db,
            item_id,
            {
                "agreed_tax_per_mu": 10,
                "agreed_land": 100,
                "planned_full_date": day(20).isoformat(),
                "full_production_date": day(30).isoformat(),
                "above_scale_date": day(15).isoformat(),
            },
        )
        performance.record(db, item_id, today.year, {"亩均税收": 10.6, "用地": 96}, today=today, on=day(10))
