"""zhaoshang — 招商引资清单化管理.

Use it as a library::

    from zhaoshang import Database, load_definitions, items

    db = Database.open("city.db", load_definitions())
    with db.command("script", user="张三"):
        new_id = items.add(db, "招什么", "年产10万吨铜箔项目", chain="有色金属",
                           values={"投资额": "3.56亿"})
    record = items.get(db, new_id)  # the item's fields, keyed by field key
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Database
    from .definitions import Definitions
    from .definitions import load as load_definitions
    from .errors import ZsError

__all__ = ["Database", "Definitions", "ZsError", "__version__", "load_definitions"]


def __getattr__(name: str) -> Any:  # lazy: importing zhaoshang costs nothing
    if name == "Database":
        from .db import Database

        return Database
    if name in ("Definitions", "load_definitions"):
        from . import definitions

        return definitions.Definitions if name == "Definitions" else definitions.load
    if name == "ZsError":
        from .errors import ZsError

        return ZsError
    import importlib

    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError:
        raise AttributeError(name) from None
