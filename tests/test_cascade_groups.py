"""Group units (各县市区人民政府, 各乡镇, 各成员单位) expand to concrete units, on the real samples."""

import pytest

from duban.audit.models import AuditEntry
from duban.cascade.regionfile import load_region_table, parse_region_table
from duban.plans.groups import government_name, region_group_words
from duban.plans.hunan import HUNAN
from duban.plans.members import members_of
from duban.plans.models import TaskForce, TaskUnit, Unit
from tests.cascade_support import ingest_city_and_county, region


def shaoyang_counties() -> list[str]:
    """邵阳市's county-level regions as listed in the shipped Hunan list (duban/plans/hunan.py)."""
    line = next(ln for ln in HUNAN.splitlines() if ln.startswith("邵阳市："))
    return line.split("：", 1)[1].split()


@pytest.mark.parametrize(
    "name, words",
    [
        ("各县市区人民政府", ("县", "市", "区")),
        ("各县（市、区）人民政府", ("县", "市", "区")),
        ("各县市人民政府", ("县", "市")),
        ("各县市区政府", ("县", "市", "区")),
        ("各县市区人民政府主要负责人", ("县", "市", "区")),
        ("各乡镇（街道、中心）", ("乡", "镇", "街道", "中心")),
        ("各市州人民政府", ("市", "州")),
        ("相关县市区人民政府", ()),
        ("各成员单位", ()),
        ("各相关部门", ()),
    ],
)
def test_region_group_words(name, words):
    assert region_group_words(name) == words


def group(name: str, region_name: str) -> Unit:
    return Unit.objects.get(region__name=region_name, name=name, is_group=True)


@pytest.mark.django_db
def test_city_groups_expand_to_the_county_governments():
    ingest_city_and_county()
    counties = shaoyang_counties()
    assert len(counties) == 12
    unit = group("各县市区人民政府", "邵阳市")
    assert TaskUnit.objects.filter(unit=unit).count() > 100  # the city gives counties many tasks
    members = members_of(unit)
    assert [u.region.name for u in members] == counties
    assert {u.region.parent.name for u in members} == {"邵阳市"}
    assert all(u.name == government_name(u.region) and not u.is_group for u in members)
    assert members[counties.index("新邵县")].name == "县人民政府"  # as 新邵县's own plan would write it
    assert members[counties.index("武冈市")].name == "市人民政府"
    assert not any(u.confirmed for u in members)  # created on demand, for a person to confirm
    entry = AuditEntry.objects.get(action="create_government_units")
    assert "新邵县县人民政府" in entry.summary and len(entry.after["units"]) == 12

    # again: the same units, nothing new, no new audit entry
    count = Unit.objects.count()
    assert [u.pk for u in members_of(unit)] == [u.pk for u in members]
    assert Unit.objects.count() == count
    assert AuditEntry.objects.filter(action="create_government_units").count() == 1

    # 各县市区政府 is the same set; 各县市人民政府 leaves out the three districts, as written
    assert members_of(group("各县市区政府", "邵阳市")) == members
    without_districts = members_of(group("各县市人民政府", "邵阳市"))
    assert [u.region.name for u in without_districts] == [c for c in counties if not c.endswith("区")]
    assert len(without_districts) == 9


@pytest.mark.django_db
def test_unspecific_groups_have_no_members():
    ingest_city_and_county()
    assert members_of(group("相关县市区人民政府", "邵阳市")) == []
    assert members_of(group("各负有安全生产监督管理职责的部门", "邵阳市")) == []
    assert members_of(group("市安委会相关成员单位", "邵阳市")) == []
    city_unit = Unit.objects.filter(region__name="邵阳市", is_group=False).first()
    assert members_of(city_unit) == [city_unit]


@pytest.mark.django_db
def test_township_group_expands_to_the_townships_loaded_for_the_county():
    ingest_city_and_county()
    unit = group("各乡镇人民政府", "新邵县")
    assert members_of(unit) == []  # the shipped list stops at counties
    rows = parse_region_table(
        "name,level,parent\n酿溪镇,乡镇,湖南省/邵阳市/新邵县\n严塘镇,乡镇,湖南省/邵阳市/新邵县\n", "csv"
    )
    load_region_table(rows)
    members = members_of(unit)
    assert [(u.region.name, u.name) for u in members] == [("酿溪镇", "镇人民政府"), ("严塘镇", "镇人民政府")]


@pytest.mark.django_db
def test_member_units_of_a_task_force():
    ingest_city_and_county()
    unit = group("各成员单位", "新邵县")
    task_unit = TaskUnit.objects.select_related("task__plan").get(unit=unit)
    members = members_of(unit, plan=task_unit.task.plan)
    # the task is in 主体强身行动工作方案, whose own 工作专班 lists the member units
    team = TaskForce.objects.get(plan=task_unit.task.plan)
    assert "主体强身" in task_unit.task.plan.title and "主体强身" in team.name
    expected = [m.unit for m in team.memberships.select_related("unit") if not m.unit.is_group]
    assert len(members) == 13 and members == expected
    assert members_of(unit) == []  # without the plan, 各成员单位 does not say which team

    # a group naming a team of the city: 市打好经济增长主动仗工作专班成员单位
    team = TaskForce.objects.get(plan__region__name="邵阳市", name="邵阳市打好经济增长主动仗工作专班")
    named = Unit.objects.create(
        region=region("邵阳市"), name="市打好经济增长主动仗工作专班成员单位", is_group=True
    )
    assert members_of(named) == [
        m.unit for m in team.memberships.select_related("unit") if not m.unit.is_group
    ]
    assert len(members_of(named)) > 20
