"""What one import is run with and never changes while it runs: :class:`RunSettings`.

:class:`~.importer.ItemSheets` works it out once, from the file, its ``_meta`` and the
options, and hands it to the steps (:class:`~.itemrows.ItemRows`, the detail sheets'
:class:`~.details.DetailRun`) in place of a long list of keywords.  What does change during
the run — the chains and units the file names (:class:`~.resolve.Names`), the inferences, the
submission, the report, the rejected rows, the writer — are separate objects, passed on their
own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..definitions import KindDef
from .outcome import ImportOptions, Mode

__all__ = ["TEXT_SOURCES", "RunSettings"]

#: file types whose cells are text only (no hidden rows, merges, formulas; an export puts
#: ``'`` before formula-looking text)
TEXT_SOURCES = frozenset({".csv", ".tsv", ".txt"})


@dataclass(frozen=True, slots=True)
class RunSettings:
    """The per-import values every step reads and none changes."""

    #: the file's name (no folder), as messages and stage-move reasons quote it
    file_name: str
    #: the file's type, lower case, with its dot (".xlsx")
    suffix: str
    opts: ImportOptions
    #: own round trip, a roll-up of another office's export, or a plain sheet
    mode: Mode
    #: the other office's identity in a roll-up (None otherwise)
    origin: str | None
    #: who runs the import (history's user)
    user: str
    #: the day of the import, ISO (``--today`` in tests)
    today: str
    #: the import's timestamp, as history records it
    ts: str
    #: the file carries our ``_meta`` (an export or a template of zhaoshang's)
    ours: bool
    #: the file is an export with the sensitive columns masked
    masked: bool
    #: --kind: the kind of every sheet not named for one
    only_kind: KindDef | None
    #: --chain resolved: the chain of new rows without one
    default_chain: int | None
    #: --map as given, parsed: column (「签约项目!E」 for one sheet) → field
    map_all: dict[str, str]

    @property
    def text_source(self) -> bool:
        """The file is csv/tsv: undo the ``'`` export puts before formula-looking text."""
        return self.suffix in TEXT_SOURCES

    @property
    def values_only(self) -> bool:
        """The file holds values only: no hidden rows, merged areas or formulas to look for."""
        return self.suffix in TEXT_SOURCES or self.suffix in (".json", ".yaml", ".yml")
