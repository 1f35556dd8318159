"""Unit names: alias learning on strings, and the region's unit directory in the database."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from duban.ingest.text import norm_key
from duban.plans.actions import do_ingest_file
from duban.plans.models import Region, Unit, UnitAlias
from duban.plans.unitnames import abbreviation_span, is_group, learn_aliases, level_char, localize
from duban.plans.units import UnitDirectory, resolve_units
from tests.conftest import sample_path

# ---------------------------------------------------------------- pure rules


def test_abbreviations_join_their_full_name():
    names = [
        "市发展和改革委员会",
        "市发展改革委",
        "市发改委",
        "市卫生健康委员会",
        "市卫健委",
        "市卫生健康委",
        "市工业和信息化局",
        "市工信局",
        "市文化旅游广电体育局",
        "市文旅广体局",
        "邵阳经济技术开发区管委会",
        "邵阳经开区管委会",
        "市人民政府办公室",
        "市政府办",
    ]
    root = learn_aliases(names)
    assert root["市发改委"] == root["市发展改革委"] == "市发展和改革委员会"
    assert root["市卫健委"] == root["市卫生健康委"] == "市卫生健康委员会"
    assert root["市工信局"] == "市工业和信息化局"
    assert root["市文旅广体局"] == "市文化旅游广电体育局"
    assert root["邵阳经开区管委会"] == "邵阳经济技术开发区管委会"
    assert root["市政府办"] == "市人民政府办公室"  # 人民政府 and 政府 are one word


def test_different_units_stay_apart():
    root = learn_aliases(
        ["市财政局", "市发改委", "市委", "市委组织部", "市公安局", "市公安局交警支队", "县科工局", "市科技局"]
    )
    assert all(root[n] == n for n in root)
    # same level prefix required: a county unit is not a city unit's abbreviation
    assert abbreviation_span("县发改委", "市发展和改革委员会") is None
    # same final class required: a 局 does not abbreviate a 中心
    assert abbreviation_span("市公积金局", "市住房公积金管理中心") is None
    # 市政府办 is the office of 市政府, not any 办公室 whose name starts with 政府
    assert abbreviation_span("市政府办", "市政府金融工作办公室") is None
    assert abbreviation_span("市政府金融办", "市政府金融工作办公室") is not None


def test_ambiguous_abbreviation_is_left_alone():
    # 市城管局 abbreviates two different full names equally tightly: no guess
    root = learn_aliases(["市城市管理局", "市城镇管理局", "市城管局"])
    assert root["市城管局"] == "市城管局"
    # a tighter match wins
    root = learn_aliases(["市城市管理和综合执法局", "市城乡规划管理局", "市城管局"])
    assert root["市城管局"] == "市城市管理和综合执法局"


def test_fixed_names_never_become_aliases():
    root = learn_aliases(["市发展和改革委员会", "市发改委"], fixed=["市发改委"])
    assert root["市发改委"] == "市发改委"


def test_localize_adds_the_issuer_level():
    assert (
        level_char("新邵县") == "县" and level_char("沅江市", "县") == "市" and level_char("北塔区") == "区"
    )
    assert localize("科工局", "新邵县", "县") == "县科工局"
    assert localize("邵阳市财政局", "邵阳市", "市") == "市财政局"
    # names with a place of their own, companies and groups are kept
    assert localize("邵阳银保监分局", "邵阳市", "市") == "邵阳银保监分局"
    assert (
        localize("邵阳市城市建设投资经营集团有限公司", "邵阳市", "市") == "邵阳市城市建设投资经营集团有限公司"
    )
    assert localize("团县委", "新邵县", "县") == "团县委"
    assert localize("各专委办", "沅江市", "市") == "各专委办"


def test_group_units():
    for name in (
        "各县市区人民政府",
        "各乡镇（街道、中心）",
        "各成员单位",
        "相关县市区人民政府",
        "市安委会相关成员单位",
        "各负有安全生产监督管理职责的部门",
        "市加大全社会研发投入其它成员单位",
    ):
        assert is_group(name), name
    for name in ("市发改委", "县科技和工业信息化局", "邵阳经济技术开发区管委会", "团县委"):
        assert not is_group(name), name
    # group names are never merged with each other by abbreviation
    root = learn_aliases(["各相关成员单位", "各成员单位"])
    assert root["各成员单位"] == "各成员单位"


# ---------------------------------------------------------------- the directory in the database


@pytest.fixture
def shaoyang(db):
    return Region.objects.get(name="邵阳市")


@pytest.mark.django_db
def test_hunan_regions_are_shipped():
    hunan = Region.objects.get(name="湖南省", level="省")
    assert Region.objects.filter(parent=hunan, level="市").count() == 14
    assert Region.objects.filter(parent__parent=hunan, level="县").count() == 122
    assert Region.objects.get(name="沅江市").parent.name == "益阳市"
    assert Region.objects.get(short_name="湘西州").name == "湘西土家族苗族自治州"


@pytest.mark.django_db
def test_spellings_resolve_to_one_unit(shaoyang):
    got = resolve_units(
        shaoyang, ["市发改委", "市发展和改革委员会", "市 发展改革委", "邵阳市发改委", "各县市区人民政府"]
    )
    assert len({got[n].pk for n in ("市发改委", "市发展和改革委员会", "市 发展改革委", "邵阳市发改委")}) == 1
    unit = got["市发改委"]
    assert unit.name == "市发展和改革委员会" and not unit.is_group
    assert set(unit.aliases.values_list("name", flat=True)) == {"市发改委", "市发展改革委", "邵阳市发改委"}
    assert set(unit.aliases.values_list("origin", flat=True)) == {UnitAlias.LEARNED}
    assert got["各县市区人民政府"].is_group


@pytest.mark.django_db
def test_a_fuller_name_later_is_an_alias_never_a_rename(shaoyang):
    first = resolve_units(shaoyang, ["市卫健委"])["市卫健委"]
    assert first.name == "市卫健委"
    directory = UnitDirectory(shaoyang)
    later = directory.resolve(["市卫生健康委员会", "市卫生健康委"])
    assert later["市卫生健康委员会"].pk == later["市卫生健康委"].pk == first.pk
    first.refresh_from_db()
    assert first.name == "市卫健委"  # an import never renames a stored unit
    assert UnitAlias.objects.get(name="市卫生健康委员会").unit_id == first.pk
    assert directory.fuller_names == [("市卫健委", "市卫生健康委员会")]


@pytest.mark.django_db
def test_an_import_keeps_the_units_name_and_says_so(shaoyang):
    unit = Unit.objects.create(region=shaoyang, name="市发改委")
    report = do_ingest_file(sample_path("000"))
    unit.refresh_from_db()
    assert unit.name == "市发改委"
    assert UnitAlias.objects.filter(unit=unit, name="市发展和改革委员会").exists()
    assert not Unit.objects.filter(region=shaoyang, name="市发展和改革委员会").exists()
    assert any("保留原名" in line and "市发改委" in line for line in report.lines())


@pytest.mark.django_db
def test_confirmed_units_and_manual_aliases_win(shaoyang):
    unit = Unit.objects.create(region=shaoyang, name="市卫健委", confirmed=True)
    other = Unit.objects.create(region=shaoyang, name="市疾控中心")
    UnitAlias.objects.create(unit=other, name="市卫生健康委", origin=UnitAlias.MANUAL)
    got = UnitDirectory(shaoyang).resolve(["市卫生健康委员会", "市卫生健康委"])
    unit.refresh_from_db()
    assert unit.name == "市卫健委"  # confirmed by hand: not renamed
    assert got["市卫生健康委"].pk == other.pk  # the manual alias keeps its meaning


@pytest.mark.django_db
def test_bare_county_names_join_the_county_unit():
    county = Region.objects.get(name="新邵县")
    got = resolve_units(county, ["县科技和工业信息化局", "县科工局", "科工局", "林业局"])
    assert got["科工局"].pk == got["县科工局"].pk == got["县科技和工业信息化局"].pk
    assert got["林业局"].name == "县林业局"


@pytest.mark.django_db
def test_units_are_learned_from_a_sample(parsed_samples):
    call_command("ingest", sample_path("000"), stdout=io.StringIO())
    region = Region.objects.get(name="邵阳市")
    result = parsed_samples["000"]
    names = {norm_key(n) for t in result.tasks for n in t.units} | {
        norm_key(n) for t in result.teams for n in t.members
    }
    unit_of = dict(Unit.objects.filter(region=region).values_list("name", "pk"))
    unit_of.update(UnitAlias.objects.filter(region=region).values_list("name", "unit_id"))
    assert names <= set(unit_of)  # every spelling in the file is known
    assert len({unit_of[n] for n in names}) < len(names)  # and some spellings were merged
    # the team lists' short names and the tables' full names meet in one unit
    for short, full in (("市发改委", "市发展和改革委员会"), ("市工信局", "市工业和信息化局")):
        if short in names and full in names:
            assert unit_of[short] == unit_of[full]
    assert Unit.objects.get(region=region, name="各县市区人民政府").is_group


@pytest.mark.django_db
def test_units_and_aliases_are_edited_in_the_admin(shaoyang, admin_client):
    unit = resolve_units(shaoyang, ["市发展和改革委员会", "市发改委"])["市发改委"]
    other = Unit.objects.create(region=shaoyang, name="市财政局")
    r = admin_client.get(reverse("admin:plans_unit_changelist") + "?q=发改委")
    assert r.status_code == 200 and "市发展和改革委员会" in r.content.decode()
    assert "市发改委" in r.content.decode()  # aliases listed beside the unit
    # add a manual alias through the alias form
    r = admin_client.post(reverse("admin:plans_unitalias_add"), {"name": "发改委", "unit": unit.pk, "origin": "manual"})
    assert r.status_code == 302
    alias = UnitAlias.objects.get(name="发改委")
    assert alias.unit == unit and alias.region == shaoyang and alias.origin == UnitAlias.MANUAL
    # a spelling that already means another unit is refused with a message, not a crash
    r = admin_client.post(reverse("admin:plans_unitalias_add"), {"name": "市发改委", "unit": other.pk, "origin": "manual"})
    assert r.status_code == 200 and "已是" in r.content.decode()
    assert UnitAlias.objects.get(name="市发改委").unit == unit
    assert resolve_units(shaoyang, ["发改委"])["发改委"] == unit
