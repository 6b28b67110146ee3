"""The hidden ``_meta`` sheet: which database a file came from, when, and how it was filtered.

Written into every workbook (a hidden sheet) and every JSON/YAML export (the ``_meta`` key)
as rows of ``key / value / 说明``.  Import reads it to tell a file exported by this database
(round trip) from one exported by another office's database (roll-up), and a blank template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

FORMAT = "zhaoshang"

#: Chinese explanations shown next to each key in the sheet.
LABELS = {
    "format": "文件格式",
    "type": "文件类型（export 导出 / template 模板）",
    "db_id": "数据库标识（汇总导入时据此识别来源）",
    "db_name": "数据库文件名",
    "schema_version": "数据库结构版本",
    "definitions": "清单定义指纹",
    "exported_at": "导出时间",
    "exported_by": "导出人",
    "version": "zhaoshang 版本",
    "filter": "筛选条件",
    "masked": "是否隐藏了电话等敏感信息（1 为是：这些列导入时不会覆盖原值）",
}


@dataclass
class FileMeta:
    type: str = "export"
    db_id: str = ""
    db_name: str = ""
    schema_version: int = 0
    definitions: str = ""
    exported_at: str = ""
    exported_by: str = ""
    version: str = ""
    filter: str = ""
    masked: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, str]]:
        values = {
            "format": FORMAT,
            "type": self.type,
            "db_id": self.db_id,
            "db_name": self.db_name,
            "schema_version": str(self.schema_version),
            "definitions": self.definitions,
            "exported_at": self.exported_at,
            "exported_by": self.exported_by,
            "version": self.version,
            "filter": self.filter,
            "masked": "1" if self.masked else "0",
        }
        out = [(k, v, LABELS.get(k, "")) for k, v in values.items()]
        out.extend((k, v, "") for k, v in self.extra.items())
        return out

    @property
    def exported_time(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.exported_at)
        except ValueError:
            return None


def parse_rows(rows: list[list[object]]) -> FileMeta | None:
    """The meta of a file from its ``_meta`` rows (header row optional); None when the rows
    are not zhaoshang meta."""
    pairs: dict[str, str] = {}
    for row in rows:
        if len(row) < 2 or row[0] is None:
            continue
        key = str(row[0]).strip()
        value = "" if row[1] is None else str(row[1]).strip()
        pairs[key] = value
    if pairs.get("format") != FORMAT:
        return None
    known = set(LABELS)
    try:
        version = int(float(pairs.get("schema_version") or 0))
    except ValueError:
        version = 0
    return FileMeta(
        type=pairs.get("type", "export") or "export",
        db_id=pairs.get("db_id", ""),
        db_name=pairs.get("db_name", ""),
        schema_version=version,
        definitions=pairs.get("definitions", ""),
        exported_at=pairs.get("exported_at", ""),
        exported_by=pairs.get("exported_by", ""),
        version=pairs.get("version", ""),
        filter=pairs.get("filter", ""),
        masked=pairs.get("masked", "0") in ("1", "true", "True", "是"),
        extra={k: v for k, v in pairs.items() if k not in known and k not in ("key", "键")},
    )
