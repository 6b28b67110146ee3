"""Two rules of the import as pure decisions (issue 25, 「the importer's shape」), on in-memory
inputs: --on-duplicate update never moves a project to another chain
(:func:`~zhaoshang.exchange.decide.for_duplicate`), and a stage a sheet's name says is one the
row has at least reached (:func:`~zhaoshang.exchange.decide.keeps_said_stage`)."""

from __future__ import annotations

from _harness import packaged_definitions
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang import stages
from zhaoshang.choices import OnDuplicate
from zhaoshang.exchange import decide
from zhaoshang.exchange.decide import Decision

DEFS = packaged_definitions()
ORDER = stages.stages_of(DEFS.kind("招什么"))


def test_update_never_moves_a_stored_project_to_another_chain() -> None:
    got = decide.for_duplicate(exact=True, choice=OnDuplicate.update, earlier_row=False, same=False, other_chain=True)
    assert got is Decision.reject
    same_chain = decide.for_duplicate(exact=True, choice=OnDuplicate.update, earlier_row=False, same=False)
    assert same_chain is Decision.update


@given(
    exact=st.booleans(),
    choice=st.sampled_from([None, *OnDuplicate]),
    earlier=st.booleans(),
    same=st.sampled_from([None, False, True]),
    other_chain=st.booleans(),
)
def test_another_chain_changes_only_an_update_of_a_stored_item(
    exact: bool, choice: OnDuplicate | None, earlier: bool, same: bool | None, other_chain: bool
) -> None:
    got = decide.for_duplicate(exact=exact, choice=choice, earlier_row=earlier, same=same, other_chain=other_chain)
    plain = decide.for_duplicate(exact=exact, choice=choice, earlier_row=earlier, same=same)
    if other_chain and plain is Decision.update:
        assert got is Decision.reject  # refused, never an item moved across chains
    else:
        assert got is plain


def test_a_said_stage_never_moves_an_item_back() -> None:
    assert decide.keeps_said_stage(ORDER, "已签约", "已开工") is False  # 签约项目 sheet, started project
    assert decide.keeps_said_stage(ORDER, "已签约", "已签约") is False  # already there: nothing to say
    assert decide.keeps_said_stage(ORDER, "已开工", "已签约") is True  # further on: a move
    assert decide.keeps_said_stage(ORDER, "已签约", None) is True  # (no stage stored)
    assert decide.keeps_said_stage(ORDER, "已签约", "不在阶段表里") is True


@given(said=st.sampled_from(ORDER), now=st.sampled_from(ORDER))
def test_a_said_stage_stands_only_ahead_of_the_items(said: str, now: str) -> None:
    assert decide.keeps_said_stage(ORDER, said, now) is (ORDER.index(said) > ORDER.index(now))
