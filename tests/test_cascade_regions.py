"""Region tables for other provinces and for townships; every unit belongs to a known region."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.cascade.checks import level_counts, region_problems
from duban.cascade.regionfile import RegionFileError, find_region_path, load_region_table, parse_region_table
from duban.plans.models import Region, Unit
from tests.cascade_support import ingest_city_and_county

JIANGXI_CSV = """\
code,name,short_name,level,parent
360000,江西省,,省,
360100,南昌市,,市,360000
360102,东湖区,,县,360100
360121,南昌县,,县,360100
360400,九江市,,市,360000
360430,彭泽县,,县,360400
"""

XINSHAO_TOWNS = [
    {"name": "酿溪镇", "level": "乡镇", "parent": "湖南省/邵阳市/新邵县"},
    {"name": "严塘镇", "level": "乡镇", "parent": "湖南省/邵阳市/新邵县"},
    {"name": "潭府乡", "level": "乡镇", "parent": "新邵县"},
]

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("regions", *args, stdout=out)
    return out.getvalue()


def test_hunan_ships_with_the_database():
    counts = level_counts()
    assert counts["省"] >= 1 and counts["市"] == 14 and counts["县"] == 122
    assert [r.name for r in Region.objects.filter(parent__name="邵阳市").order_by("id")][:4] == [
        "双清区",
        "大祥区",
        "北塔区",
        "新邵县",
    ]


def test_another_province_loads_from_a_csv_file(tmp_path):
    path = tmp_path / "jiangxi.csv"
    path.write_text(JIANGXI_CSV, encoding="utf-8")
    out = run("--load", str(path))
    assert "新增 6 个地区" in out
    nanchang = find_region_path("江西省/南昌市")
    assert nanchang.level == "市" and nanchang.parent.name == "江西省"
    assert sorted(nanchang.children.values_list("name", flat=True)) == ["东湖区", "南昌县"]
    assert find_region_path("彭泽县").parent.name == "九江市"
    assert "已有 6 个" in run("--load", str(path))  # loading twice adds nothing
    assert Region.objects.filter(name="南昌县").count() == 1


def test_townships_load_from_json_under_an_existing_county(tmp_path):
    path = tmp_path / "towns.json"
    path.write_text(json.dumps(XINSHAO_TOWNS, ensure_ascii=False), encoding="utf-8")
    run("--load", str(path))
    towns = Region.objects.filter(parent__name="新邵县")
    assert sorted(towns.values_list("name", flat=True)) == ["严塘镇", "潭府乡", "酿溪镇"]
    assert set(towns.values_list("level", flat=True)) == {"乡镇"}
    assert "酿溪镇" in run("新邵县")


@pytest.mark.parametrize(
    "table, problem",
    [
        ("code,name,level,parent\n1,赣州市,市,不存在省\n", "找不到上级“不存在省”"),
        ("code,name,level,parent\n1,某某,镇子,湖南省\n", "层级“镇子”不对"),
        ("code,name,level,parent\n1,某市,市,\n", "缺少上级"),
        ("code,name,level,parent\n1,某县,市,邵阳市\n", "不低于上级“邵阳市”"),
        ("name,parent\n某县,邵阳市\n", "表头缺少列：level"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_loaded(tmp_path, table, problem):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,name,level,parent\n9,新省,省,\n" + table.split("\n", 1)[1] if "code" in table else table
    )
    before = Region.objects.count()
    with pytest.raises(CommandError) as e:
        run("--load", str(path))
    assert problem in str(e.value) and "未做任何修改" in str(e.value)
    assert Region.objects.count() == before  # the good first row was rolled back too


def test_unsupported_format_and_level_mismatch_are_errors():
    with pytest.raises(RegionFileError, match="不支持"):
        parse_region_table("x", "xml")
    rows = parse_region_table("name,level,parent\n新邵县,乡镇,邵阳市\n", "csv")
    with pytest.raises(RegionFileError, match="层级是“县”"):
        load_region_table(rows)


def test_every_unit_of_the_samples_belongs_to_a_recognised_region():
    ingest_city_and_county()
    assert region_problems() == []
    assert not Unit.objects.filter(region__isnull=True).exists()
    assert set(Unit.objects.values_list("region__name", flat=True)) == {"邵阳市", "新邵县"}
    assert "检查通过" in run("--check")


def test_check_reports_units_in_the_placeholder_region(tmp_path):
    from duban.plans.actions import do_ingest_file

    path = tmp_path / "noissuer.txt"
    path.write_text(
        "打好经济增长主动仗工作方案\n\n一、重点任务\n\n1.扩大有效投资。（市发改委牵头）\n", encoding="utf-8"
    )
    do_ingest_file(str(path))
    problems = region_problems()
    assert any("未识别地区" in p for p in problems)
    with pytest.raises(CommandError, match="问题"):
        run("--check")
