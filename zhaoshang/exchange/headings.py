"""What a group heading (「一、已开工项目（2个）」, 「二、逊克县」, 「三、新能源产业链」) gives the rows under
it that do not say it themselves: their stage, unit and chain — each listed as inferred, per row.

:class:`Headings` works a heading out once per sheet and kind (:mod:`.sheet_rules` reads it) and
fills a row's values from it: :meth:`Headings.fill` (stage, unit) returns the row's problem when
the heading speaks of a stage no one can tell; :meth:`Headings.chain` is the chain it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import items
from ..definitions import KindDef
from . import sheet_rules
from .inference import Inferences, Rule
from .outcome import Problem

__all__ = ["HeadingFacts", "Headings"]


@dataclass(frozen=True)
class HeadingFacts:
    #: the stage the heading names (None: none, or one that cannot be told)
    stage: str | None
    #: the heading speaks of a stage (told or not)
    speaks: bool
    #: the unit it names: (id, name)
    unit: tuple[int, str] | None
    #: what its words say of when its rows reached their stage (「续建项目」: before the period)
    said: sheet_rules.StageWords | None = None


class Headings:
    def __init__(self, *, chains: Mapping[int, str], units: Mapping[int, str], inferred: Inferences) -> None:
        self.chains = chains
        self.units = units
        self.inferred = inferred
        self._facts: dict[tuple[str, str, str], HeadingFacts] = {}
        self._chains: dict[tuple[str, str], int | None] = {}

    def facts(self, sheet: str, heading: str, kind: KindDef) -> HeadingFacts:
        key = (sheet, heading, kind.key)
        got = self._facts.get(key)
        if got is None:
            resolve = lambda text: items.resolve_status(kind, text)  # noqa: E731
            stage, speaks = sheet_rules.heading_stage(heading, resolve)
            said = sheet_rules.stage_words(heading, resolve)
            if stage is None and said is not None:  # 「一、新开工项目」「二、续建项目」
                stage, speaks = said.stage, True
            got = self._facts[key] = HeadingFacts(stage, speaks, sheet_rules.heading_chain(heading, self.units), said)
        return got

    def fill(self, sheet: str, number: int, heading: str, kind: KindDef, values: dict[str, Any]) -> Problem | None:
        """The stage and the unit row ``number``'s heading names, into ``values`` when the row
        has none of its own — each listed as inferred; a heading that speaks of a stage no one
        can tell (「签约未开工项目」) leaves the row refused (the problem returned), not guessed."""
        facts = self.facts(sheet, heading, kind)
        problem = None
        if "status" not in values:
            if facts.stage is not None:
                values["status"] = facts.stage
                self.inferred.add(
                    Rule.group_heading, sheet, facts.stage, f"分组标题「{heading}」",
                    f"分组标题「{heading}」下没有状态的行按标题记为「{facts.stage}」", column="状态", row=number,
                )  # fmt: skip
            elif facts.speaks:
                core = sheet_rules.heading_core(heading)
                problem = Problem(
                    sheet, number, "状态", None,
                    f"本行在分组标题「{heading}」下，标题说的是阶段，但认不出是哪个阶段，本行也没有状态："
                    f"请在表中加「状态」列填写，或用 zs synonym add {kind.name} 状态 <阶段> {core} 教给系统",
                )  # fmt: skip
        if "unit" not in values and facts.unit is not None:
            values["unit"] = facts.unit[0]
            self.inferred.add(
                Rule.group_heading, sheet, facts.unit[1], f"分组标题「{heading}」",
                f"分组标题「{heading}」下没有责任单位的行按标题归入「{facts.unit[1]}」", column="责任单位", row=number,
            )  # fmt: skip
        return problem

    def chain(self, sheet: str, heading: str | None) -> int | None:
        """The chain a row's group heading names (:func:`.sheet_rules.heading_chain`)."""
        if heading is None:
            return None
        key = (sheet, heading)
        if key not in self._chains:
            hit = sheet_rules.heading_chain(heading, self.chains)
            self._chains[key] = hit[0] if hit is not None else None
        return self._chains[key]
