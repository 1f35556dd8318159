"""The alignment report of 新邵县 (003) against 邵阳市 (000), checked against the two texts."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import OFFICE, REPORTER
from duban.cascade.actions import do_confirm_link, do_link_plans, do_reject_link, do_suggest_task_links
from duban.cascade.alignment import build_alignment
from duban.cascade.indicators import compare
from duban.cascade.models import TaskLink
from duban.plans.lookup import find_plans
from duban.plans.models import Region, Task, Unit
from tests.cascade_support import CITY, COUNTY, growth_in_text, ingest_city_and_county, root, sample_text

pytestmark = pytest.mark.django_db

# indicators whose growth rate both texts state, as each text words them before 增长 N%
SHARED_GROWTH = [
    ("规模工业增加值", "规模工业增加值"),
    ("固定资产投资", "固定资产投资"),
    ("服务业增加值", "服务业增加值"),
    ("全社会研发经费投入", "全社会研发经费投入"),
    ("社会消费品零售总额", "社会消费品零售总额"),
    ("第一产业增加值", "第一产业增加值"),
    ("进出口总额", "进出口、进口、出口三项指标分别"),  # 003: …三项指标分别增长10.5%
    ("技术合同交易成交额", "技术合同成交额"),
]


def alignment():
    ingest_city_and_county()
    return build_alignment(find_plans("新邵县"), find_plans("邵阳市"))


def rate_row(a, indicator: str):
    rows = [r for r in a.targets if r.parent.indicator == indicator and r.klass == "rate"]
    assert len(rows) == 1, indicator
    return rows[0]


def test_gdp_growth_has_no_comparable_county_target_as_the_texts_say():
    a = alignment()
    assert growth_in_text(CITY, "地区生产总值") == {7.5}  # 邵阳市: 地区生产总值增长 7.5%左右
    assert growth_in_text(COUNTY, "地区生产总值") == set()  # 新邵县 sets no GDP growth rate …
    total = re.search(r"地区生产总值达到(\d+)亿元以上", sample_text(COUNTY).replace(" ", ""))
    assert total and total[1] == "200"  # … only a total: 地区生产总值达到200亿元以上
    row = rate_row(a, "地区生产总值")
    assert row.parent.value == 7.5 and row.parent.qualifier == "左右"
    assert row.verdict == "other_measure"
    assert [(t.measure_unit, t.value) for t in row.children] == [("亿元", 200.0)]
    assert "200亿元" in row.note and "不可比较" in row.note


@pytest.mark.parametrize("city_name, county_name", SHARED_GROWTH)
def test_shared_growth_targets_compare_as_the_texts_state(city_name, county_name):
    a = alignment()
    (city_value,) = growth_in_text(CITY, city_name)
    (county_value,) = growth_in_text(COUNTY, county_name)
    row = rate_row(a, city_name)
    assert row.parent.value == city_value
    assert county_value in [t.value for t in row.children]
    assert row.verdict == compare(county_value, city_value)


def test_weaker_targets_are_the_four_the_texts_set_lower():
    a = alignment()
    weaker = {r.parent.indicator: (r.parent.value, [t.value for t in r.children]) for r in a.rows("weaker")}
    assert weaker == {
        "固定资产投资": (9.0, [7.5]),
        "规模工业增加值": (8.0, [7.0]),
        "服务业增加值": (7.1, [6.5]),
        "全社会研发经费投入": (15.0, [12.0]),
    }
    # totals are never ranked: the county's part of the city's GDP total is not a weaker target
    totals = {r.parent.indicator for r in a.rows("totals")}
    assert "地区生产总值" in totals and "高新技术企业" in totals
    # a target repeated in the 总体方案, 工作方案 and 责任分解表 is one row
    assert len([r for r in a.targets if r.parent.indicator == "固定资产投资"]) == 1
    missing = {r.parent.indicator for r in a.rows("missing")}
    assert {"城镇调查失业率", "地方一般公共预算收入", "产业园区亩均税收"} <= missing
    assert not missing & set(weaker)


def test_task_counterparts_and_tasks_assigned_to_the_counties():
    a = alignment()
    assert len(a.tasks) == Task.objects.filter(plan__region__name="邵阳市", active=True).count()
    by_title = {r.task.title.replace(" ", ""): r for r in a.tasks}
    investment = by_title["固定资产投资增长9%。"]
    assert investment.assigned_below  # 市发展和改革委员会牵头，各县市区人民政府…负责
    assert [c.task.title for c in investment.counterparts][:1] == ["固定资产投资增长7.5%"]
    assigned = Task.objects.filter(
        plan__region__name="邵阳市",
        active=True,
        assignments__unit__name__in=["各县市区人民政府", "各县市区政府", "各县市人民政府"],
    ).distinct()
    assert {r.task.pk for r in a.tasks if r.assigned_below} == set(assigned.values_list("pk", flat=True))
    assert all(c.score >= 0.3 for r in a.matched_tasks for c in r.counterparts)


def test_decisions_override_the_suggestions():
    county, city = ingest_city_and_county()
    do_link_plans(root(county), next(p for p in city if p.kind == "总体方案"))
    do_suggest_task_links(root(county))
    links = TaskLink.objects.order_by("-score")
    keep, drop = links[0], links[1]
    do_confirm_link(keep)
    do_reject_link(drop)
    a = build_alignment(find_plans("新邵县"), find_plans("邵阳市"))
    pairs = {(c.task.pk, r.task.pk): c.state for r in a.tasks for c in r.counterparts}
    assert pairs[(keep.child_task_id, keep.parent_task_id)] == TaskLink.CONFIRMED
    assert (drop.child_task_id, drop.parent_task_id) not in pairs


def test_align_command_text_and_json():
    ingest_city_and_county()
    out = io.StringIO()
    call_command("align", "新邵县", "邵阳市", stdout=out)
    text = out.getvalue()
    assert (
        "【下级目标低于上级】" in text and "固定资产投资 增长 9%" in text and "固定资产投资 增长 7.5%" in text
    )
    assert "【下级无对应的上级任务】" in text
    out = io.StringIO()
    call_command("align", "新邵县", "邵阳市", "--json", stdout=out)
    data = json.loads(out.getvalue())
    weaker = {r["indicator"] for r in data["targets"] if r["verdict"] == "weaker"}
    assert weaker == {"固定资产投资", "规模工业增加值", "服务业增加值", "全社会研发经费投入"}
    assert data["tasks"]["parent_count"] == len(data["tasks"]["matched"]) + len(data["tasks"]["unmatched"])
    with pytest.raises(CommandError, match="参数顺序"):
        call_command("align", "邵阳市", "新邵县")
    with pytest.raises(CommandError, match="找不到方案"):
        call_command("align", "新邵县", "长沙市")


def test_alignment_page_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    county, city = ingest_city_and_county()
    do_link_plans(root(county), next(p for p in city if p.kind == "总体方案"))
    query = {"child": "新邵县", "parent": "邵阳市"}
    assert client.get("/cascade/align/", query).status_code == 302  # to the login page
    reporter = do_add_user("rep_d", REPORTER, Scope(unit=Unit.objects.filter(region__name="新邵县").first()))
    client.force_login(reporter)
    assert client.get("/cascade/align/", query).status_code == 403
    client.force_login(do_add_user("office_d", OFFICE, Scope(region=Region.objects.get(name="邵阳市"))))
    page = client.get("/cascade/align/")
    assert page.status_code == 200 and "新邵县" in page.content.decode()
    with django_assert_max_num_queries(20):  # 18 + the scope check (the user's plans, their links above)
        page = client.get("/cascade/align/", query)
    html = page.content.decode()
    assert page.status_code == 200
    assert "下级目标低于上级（4）" in html and "固定资产投资" in html
    with django_assert_max_num_queries(20):  # one plan each side: same bound
        client.get("/cascade/align/", {"child": str(root(county).pk), "parent": str(city[1].pk)})
    bad = client.get("/cascade/align/", {"child": "<script>x</script>", "parent": "邵阳市"})
    assert bad.status_code == 400
    assert "<script>x" not in bad.content.decode() and "&lt;script&gt;" in bad.content.decode()
