"""County sheets whose rows get their context from the sheet, not from a column: group headings
(「一、有色金属产业链（2个）」) give the rows under them their chain — they are never merged into a
two-row header, and a 序号 is never read as a chain id; a number in a chain or unit column is
refused, never taken as an id; a unit an import creates is typed by what its name says."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Cli, dump
from exchange_util import make_city, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_helpers import query

from zhaoshang.exchange import header_area


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def _chains(db_path: Path) -> dict[str, str]:
    return dict(query(db_path, "SELECT i.title, c.name FROM items i JOIN chains c ON c.id = i.chain_id"))


HEADED = [
    ["某县重点项目表", None, None, None],
    ["序号", "项目名称", "投资额（万元）", "责任人"],
    ["一、有色金属产业链（2个）", None, None, None],
    [1, "铜杆项目", 100, "李明"],
    [2, "铝材项目", 200, "赵丽"],
    ["二、大豆加工产业链（1个）", None, None, None],
    [1, "豆粕项目", 300, "王强"],
]


def test_group_headings_give_their_rows_the_chain(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    path = write_xlsx(tmp_path / "分组.xlsx", {"招什么": HEADED})
    dry = cli("import", str(path), "--dry-run", ok=True)
    said = dry.stdout + dry.stderr
    assert "第2行为表头" in said and "两行表头" not in said  # the heading is not merged into the header
    assert "分组标题「一、有色金属产业链（2个）」下没有产业链的行按标题归入产业链「有色金属」" in said
    cli("import", str(path), ok=True)
    got = _chains(db_path)
    assert (got["铜杆项目"], got["铝材项目"], got["豆粕项目"]) == ("有色金属", "有色金属", "大豆加工")


def test_a_row_whose_chain_contradicts_its_heading_is_refused(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["项目名称", "产业链", "责任人"],
        ["一、有色金属产业链", None, None],
        ["矛盾项目", "大豆加工", "李明"],
    ]
    before = dump(db_path)
    r = cli("import", str(write_xlsx(tmp_path / "矛盾.xlsx", {"招什么": rows})), ok=False)
    assert "第3行" in r.stderr and "分组标题「一、有色金属产业链」" in r.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize("number", [1, 2, "3", "１"])
def test_a_number_in_a_chain_or_unit_column_is_never_an_id(
    number: object, cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    before = dump(db_path)
    for column in ("产业链", "责任单位"):
        rows = [["项目名称", "产业链", "责任单位"], ["编号项目", "有色金属", "爱辉区"]]
        rows[1][rows[0].index(column)] = number
        r = cli("import", str(write_xlsx(tmp_path / f"{column}.xlsx", {"招什么": rows})), ok=False)
        assert "是一个数字" in r.stderr and "不会当作编号" in r.stderr, r.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("name", "kind", "ranked"),
    [
        ("府谷县发展和改革局", "部门", False),
        ("府谷县招商服务中心", "部门", False),
        ("神木市商务局", "部门", False),
        ("榆林高新技术产业开发区", "开发区", True),
        ("府谷县", "区县", True),
        ("神木市", "区县", True),
        ("能源化工专班", "专班", True),
        ("某某", "其他", False),
    ],
)
def test_a_created_unit_is_typed_by_its_name(name: str, kind: str, ranked: bool) -> None:
    assert header_area.unit_kind(name)[:2] == (kind, ranked)


@settings(max_examples=200, deadline=None)
@given(
    place=st.text(alphabet="府谷神木榆林横山定边靖边", min_size=1, max_size=4),
    office=st.sampled_from(
        ["发展和改革局", "商务局", "招商局", "工信局", "发改委", "政府办", "招商服务中心", "投资公司"]
    ),
)
def test_no_department_is_ever_ranked_as_a_county(place: str, office: str) -> None:
    kind, ranked, _ending = header_area.unit_kind(place + "县" + office)
    assert kind == "部门" and not ranked


def test_create_missing_types_departments_and_says_so(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["报送单位：府谷县发展和改革局（盖章）", None, None],
        ["项目名称", "产业链", "责任单位"],
        ["部门项目", "有色金属", "府谷县发展和改革局"],
        ["县里项目", "有色金属", "府谷县"],
    ]
    path = write_xlsx(tmp_path / "新单位.xlsx", {"招什么": rows})
    r = cli("import", str(path), "--create-missing", ok=True)
    said = r.stdout + r.stderr
    assert "新建招商主体「府谷县发展和改革局」按名称结尾的「局」定为「部门」，不参加排名" in said
    assert "（盖章）" not in "".join(n for (n,) in query(db_path, "SELECT name FROM units"))
    units = dict(query(db_path, "SELECT name, type || ':' || ranked FROM units WHERE name LIKE '府谷县%'"))
    assert units == {"府谷县发展和改革局": "部门:0", "府谷县": "区县:1"}


def test_a_mapping_that_would_drop_a_columns_values_is_refused_where_it_would(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["项目名称", "产业链", "存在问题", "备注"],
        ["有备注项目", "有色金属", "用地未落实", "9月签约"],
        ["无备注项目", "有色金属", "资金缺口", None],
    ]
    path = write_xlsx(tmp_path / "映射.xlsx", {"招什么": rows})
    before = dump(db_path)
    r = cli("import", str(path), "--map", "存在问题=备注", ok=False)
    assert "第2行" in r.stderr and "D列「备注」" in r.stderr and "9月签约" in r.stderr and "没有去处" in r.stderr
    assert "第3行" not in r.stderr  # a row with nothing in the other column loses nothing
    assert dump(db_path) == before
    cli("import", str(path), "--map", "存在问题=备注", "--map", "D=忽略", ok=True)


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        ("石家庄常山纺织有限公司高端纺织面料项目", "石家庄常山纺织高端纺织面料项目"),
        ("某某集团年产5万吨铜箔项目", "某某年产5万吨铜箔"),
        ("黑河市综合管廊工程", "黑河市综合管廊"),
        ("某某股份铝材深加工", "某某铝材深加工项目"),
    ],
)
def test_names_that_differ_by_company_words_anywhere_are_suspected(
    existing: str, typed: str, cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    cli("add", "招什么", existing, "--chain", "有色金属", ok=True)
    before = dump(db_path)
    rows = [["项目名称", "产业链"], [typed, "有色金属"]]
    r = cli("import", str(write_xlsx(tmp_path / "重复.xlsx", {"招什么": rows})), ok=False)
    assert "疑似重复" in r.stderr and existing in r.stderr
    assert dump(db_path) == before
