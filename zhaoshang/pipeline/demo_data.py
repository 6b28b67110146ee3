"""The pipeline's part of the demo city (called by :func:`zhaoshang.demo.load_demo` after it
has built the lists): approvals with dates, service teams and 五要件 for key projects, the
escalation history of the big problems, a re-signed project, enterprise visits (one of which
finds a problem), and structured conditions on the support policies.

It uses its own random generator, so the rest of the demo stays exactly as it was."""

from __future__ import annotations

import itertools
import json
import random
from datetime import date, timedelta
from typing import Any

from ..db import Database, now
from ..stages import first_reached_item

POLICY_CONDITIONS: dict[str, dict[str, Any]] = {
    "工业用地弹性出让": {"min_investment": 5000, "categories": "项目"},
    "重点项目电价优惠": {"chains": "新能源、绿色矿业", "key_only": 1},
    "招商引资奖励办法": {"stages": "已签约、已入统、已开工、已投产"},
    "标准厂房租金减免": {"stages": "已签约、已入统、已开工", "units": "黑河经济开发区、中俄自贸区黑河片区"},
    "人才公寓保障": {"stages": "已开工、已投产", "min_investment": 10000},
    "中小企业贷款贴息": {"stages": "已入统、已开工、已投产", "categories": "项目、企业"},
    "对俄贸易物流补贴": {"chains": "对俄跨境物流", "stages": "已签约、已入统、已开工、已投产"},
}
ESCALATION_REASONS = {
    "市级": "涉及多个部门，县级协调未果，提请市级会办",
    "省级": "审批权限在省直部门，市级无法办结，提请省级协调",
    "国家": "需国家部委批复，列入对上争取事项",
}
ESSENTIALS = {
    "measures": "成立项目专班，每周调度一次，协调用地、用电、环评等要素保障",
    "standard": "按期开工，当年完成投资不低于计划的 60%",
    "reward": "纳入年度目标考核：按期完成的通报表扬，进度滞后的约谈",
}


def load(
    db: Database,
    *,
    today: date,
    seed: int,
    people: list[str],
    butlers: list[str],
    departments: list[str],
    asset_ids: list[int],
) -> dict[str, int]:
    """Add the pipeline demo data (inside the demo's command); returns counts."""
    rng = random.Random(seed * 7 + 4)
    counts = {"approvals": 0, "team": 0, "escalations": 0, "activities": 0}
    _tidy_activities(db, rng, today)
    _policies(db)
    targets = db.conn.execute(
        "SELECT i.id, i.status, k.key_project, k.leader, k.butler, u.name FROM items i "
        "JOIN kind_targets k ON k.id = i.id LEFT JOIN units u ON u.id = i.unit_id WHERE i.kind = 'targets' "
        "ORDER BY i.id"
    ).fetchall()
    kind = db.defs.kind("targets")
    for item_id, status, key_project, leader, butler, unit in targets:
        if status == "退库":
            continue
        counts["approvals"] += _approvals(db, rng, kind, item_id, status, today)
        if key_project:
            counts["team"] += _team(db, rng, item_id, leader, butler, unit, people, departments)
            _essentials(db, rng, item_id, today)
    counts["escalations"] = _escalations(db, rng, today)
    _resign(db, kind, targets, today)
    counts["activities"] = _visits(db, rng, asset_ids, today, people, butlers)
    return counts


def _user(db: Database) -> str:
    assert db.current is not None
    return db.current.user


def _policies(db: Database) -> None:
    for title, values in POLICY_CONDITIONS.items():
        row = db.conn.execute("SELECT id FROM items WHERE kind = 'supports' AND title = ?", (title,)).fetchone()
        if row is None:
            continue
        sets = ", ".join(f'"{k}" = ?' for k in values)
        db.conn.execute(f"UPDATE kind_supports SET {sets} WHERE id = ?", [*values.values(), row[0]])


def _approvals(db: Database, rng: random.Random, kind: Any, item_id: int, status: str, today: date) -> int:
    signed = first_reached_item(db, kind, item_id, "已签约")
    if signed is None:
        return 0
    start = date.fromisoformat(signed)
    started = first_reached_item(db, kind, item_id, "已开工")
    steps = list(kind.approvals)
    if started:  # every step done, the construction permit on or before the start of works
        end = date.fromisoformat(started)
        done = steps
    elif status == "已入统":
        end = today
        done = steps[: rng.randint(2, 4)]
    else:
        end = min(today, start + timedelta(days=40))
        done = steps[: rng.randint(0, 1)]
    if not done:
        return 0
    span = max(len(done), (end - start).days)
    dates = sorted(start + timedelta(days=rng.randint(1, span)) for _ in done)
    dates = [min(d, end, today) for d in dates]
    if started and "土地出让合同" in done and "施工许可" in done:
        land = dates[done.index("土地出让合同")]
        dates[done.index("施工许可")] = min(end, today, land + timedelta(days=rng.choice([7, 9, 12, 15, 21, 30, 45])))
        for i in range(done.index("土地出让合同") + 1, done.index("施工许可")):
            dates[i] = min(dates[i], dates[done.index("施工许可")])
    notes = {"施工许可": "并联审批、容缺受理", "土地出让合同": "标准地出让", "立项": "企业投资项目备案"}
    for step, day in zip(done, dates, strict=True):
        db.conn.execute(
            "INSERT INTO approvals(item_id, step, date, note, user, at) VALUES (?, ?, ?, ?, ?, ?)",
            (item_id, step, day.isoformat(), notes.get(step), _user(db), now()),
        )
    return len(done)


def _team(
    db: Database,
    rng: random.Random,
    item_id: int,
    leader: str | None,
    butler: str | None,
    unit: str | None,
    people: list[str],
    departments: list[str],
) -> int:
    dept = rng.choice(departments)
    members = [
        ("包保市领导", leader, "市政府", None),
        ("部门负责人", f"{rng.choice(people)}", dept, None),
        ("挂点处长", rng.choice(people), "市商务局", None),
        ("区县联络员", rng.choice(people), unit, None),
        ("项目管家", butler, "市营商环境局", f"1390456{rng.randint(1000, 9999)}"),
    ]
    n = 0
    for role, name, org, phone in members:
        if not name:
            continue
        db.conn.execute(
            "INSERT INTO team_members(item_id, role, name, org, phone, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, role, name, org, phone, _user(db), now()),
        )
        n += 1
    return n


def _essentials(db: Database, rng: random.Random, item_id: int, today: date) -> None:
    start = today + timedelta(days=rng.randint(30, 150))
    values = dict(ESSENTIALS)
    values["schedule"] = f"{start.year}年{start.month}月前开工，{start.year + 1}年{start.month}月前投产"
    if rng.random() < 0.25:  # a few key projects still lack a standard and a reward/penalty
        values.pop("standard")
        values.pop("reward")
    sets = ", ".join(f'"{k}" = ?' for k in values)
    db.conn.execute(f"UPDATE kind_targets SET {sets} WHERE id = ?", [*values.values(), item_id])


def _escalations(db: Database, rng: random.Random, today: date) -> int:
    ladder = ["本级", "市级", "省级", "国家"]
    n = 0
    for item_id, level, created in db.conn.execute(
        "SELECT i.id, k.level, i.created_at FROM items i JOIN kind_problems k ON k.id = i.id ORDER BY i.id"
    ).fetchall():
        if level not in ladder or level == "本级":
            continue
        day = date.fromisoformat(created[:10])
        for a, b in itertools.pairwise(ladder[: ladder.index(level) + 1]):
            day = min(today, day + timedelta(days=rng.randint(2, 10)))
            db.conn.execute(
                "INSERT INTO escalations(item_id, from_level, to_level, reason, date, user, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (item_id, a, b, ESCALATION_REASONS[b], day.isoformat(), _user(db), now()),
            )
            n += 1
    return n


def _resign(db: Database, kind: Any, targets: list[Any], today: date) -> None:
    """One signed project went back to talks and signed again: it still counts once."""
    for item_id, status, *_ in targets:
        signed = first_reached_item(db, kind, item_id, "已签约")
        if status != "已签约" or signed is None:
            continue
        day = date.fromisoformat(signed)
        if (today - day).days < 30:
            continue
        back, again = day + timedelta(days=7), day + timedelta(days=21)
        for frm, to, when, flag, reason in (
            ("已签约", "在谈", back, "backward", "企业调整投资方案，重新谈判"),
            ("在谈", "已签约", again, None, "调整方案后重新签约（增资扩产）"),
        ):
            db.conn.execute(
                "INSERT INTO status_log(item_id, from_status, to_status, date, reason, flag, user, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (item_id, frm, to, when.isoformat(), reason, flag, _user(db), now()),
            )
        return


def _visits(
    db: Database, rng: random.Random, asset_ids: list[int], today: date, people: list[str], butlers: list[str]
) -> int:
    """大走访: most enterprises and resources visited within the last few months; one visit
    found a problem that is now on the problem list, linked to the enterprise and the visit."""
    from .activities import add_note

    n = 0
    for item_id in asset_ids:
        when = today - timedelta(days=rng.randint(5, 120))
        db.conn.execute(
            "INSERT INTO activities(item_id, type, date, summary, next_date, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                rng.choice(["走访", "走访", "对接"]),
                when.isoformat(),
                "企业大走访：了解生产经营和扩产计划，宣讲惠企政策",
                None,
                rng.choice(people),
                now(),
            ),
        )
        n += 1
    for item_id, butler in db.conn.execute(
        "SELECT id, butler FROM kind_assets WHERE butler IS NOT NULL ORDER BY id"
    ).fetchall():
        db.conn.execute(
            "INSERT INTO team_members(item_id, role, name, org, user, at) "
            "VALUES (?, '企业管家', ?, '市营商环境局', ?, ?)",
            (item_id, butler, _user(db), now()),
        )
    enterprise = db.conn.execute("SELECT id FROM kind_assets WHERE category = '企业' ORDER BY id LIMIT 1").fetchone()
    if enterprise is not None:
        found = add_note(
            db,
            int(enterprise[0]),
            "大走访：企业扩产二期需新增 2 万千伏安用电负荷，现有变电站容量不足",
            today=today,
            type="走访",
            on=today - timedelta(days=12),
            next_date=today + timedelta(days=18),
            problems=["扩产二期新增用电负荷无法接入"],
        )
        db.conn.execute(
            "UPDATE kind_problems SET type = '要素保障' WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(found.problem_ids),),
        )
        stamp = f"{found.date}T10:00:00"
        db.conn.execute(
            "UPDATE items SET created_at = ?, updated_at = ?, due = ? WHERE id IN (SELECT value FROM json_each(?))",
            (stamp, stamp, (today + timedelta(days=18)).isoformat(), json.dumps(found.problem_ids)),
        )
        n += 1
    return n


def _tidy_activities(db: Database, rng: random.Random, today: date) -> None:
    """No contact before the item existed: move such activities into its lifetime."""
    for act_id, act_date, next_date, created in db.conn.execute(
        "SELECT a.id, a.date, a.next_date, substr(i.created_at, 1, 10) FROM activities a "
        "JOIN items i ON i.id = a.item_id WHERE a.date < substr(i.created_at, 1, 10) ORDER BY a.id"
    ).fetchall():
        start = date.fromisoformat(created)
        room = max(0, (today - start).days)
        day = start + timedelta(days=rng.randint(0, room))
        gap = (date.fromisoformat(next_date) - date.fromisoformat(act_date)).days if next_date else None
        nxt = (day + timedelta(days=gap)).isoformat() if gap else None
        db.conn.execute("UPDATE activities SET date = ?, next_date = ? WHERE id = ?", (day.isoformat(), nxt, act_id))
