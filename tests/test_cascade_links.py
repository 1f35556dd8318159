"""Linking 新邵县's plan to 邵阳市's and suggesting task links, on the real samples."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.audit.models import AuditEntry
from duban.cascade.actions import do_confirm_link, do_link_plans, do_reject_link, do_suggest_task_links
from duban.cascade.models import TaskLink
from duban.cascade.plantree import CascadeError, linked_parent
from duban.cascade.similarity import SUGGEST_SCORE
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan
from tests.cascade_support import ingest_city_and_county, root
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db


def overall(plans: list[Plan]) -> Plan:
    return next(p for p in plans if p.kind == "总体方案")


def linked() -> tuple[list[Plan], list[Plan]]:
    county, city = ingest_city_and_county()
    do_link_plans(root(county), overall(city))
    return county, city


def link_between(child_text: str, parent_text: str) -> TaskLink | None:
    """The stored link whose tasks start with these texts (as the samples write them)."""
    for link in TaskLink.objects.select_related("child_task", "parent_task"):
        child = (link.child_task.text or link.child_task.title).replace(" ", "")
        parent = (link.parent_task.text or link.parent_task.title).replace(" ", "")
        if child.startswith(child_text) and parent.lstrip("0123456789.").startswith(parent_text):
            return link
    return None


def test_link_sets_the_parent_with_an_audit_entry():
    county, city = ingest_city_and_county()
    notice = root(county)
    assert notice.kind == "通知"
    do_link_plans(notice, overall(city))
    notice.refresh_from_db()
    assert notice.parent == overall(city)
    assert linked_parent(overall(county)) == overall(city)  # the whole county document hangs on it
    entry = AuditEntry.objects.get(action="link_plans")
    assert entry.object_id == str(notice.pk) and entry.after == {"parent": overall(city).pk}
    assert entry.before == {"parent": None}
    do_link_plans(notice, overall(city))  # the same link again: no change, no entry
    assert AuditEntry.objects.filter(action="link_plans").count() == 1


def test_bad_links_are_refused_and_change_nothing():
    county, city = ingest_city_and_county()
    yuanjiang = do_ingest_file(sample_path("001")).source_document  # 沅江市, a county of 益阳市
    other = yuanjiang.plans.order_by("order").first()
    assert other is not None and yuanjiang.region.name == "沅江市"
    cases = [
        (root(city), overall(county), "不是“邵阳市”的上级地区"),  # upside down
        (root(county), other, "不是“新邵县”的上级地区"),  # a county of another city
        (overall(county), overall(city), "请链接该文件的顶层方案"),  # inside a document
        (overall(city), root(city), "同一文件"),
    ]
    for child, parent, message in cases:
        with pytest.raises(CascadeError, match=message):
            do_link_plans(child, parent)
    assert not AuditEntry.objects.filter(action="link_plans").exists()
    assert Plan.objects.get(pk=root(county).pk).parent_id is None


def test_link_plans_command_takes_region_names():
    county, city = ingest_city_and_county()
    out = io.StringIO()
    call_command("link_plans", "新邵县", "邵阳市", stdout=out)
    assert f"#{root(county).pk}" in out.getvalue() and f"#{overall(city).pk}" in out.getvalue()
    assert Plan.objects.get(pk=root(county).pk).parent_id == overall(city).pk
    with pytest.raises(CommandError, match="不是“邵阳市”的上级地区"):
        call_command("link_plans", "邵阳市", "新邵县")
    with pytest.raises(CommandError, match="找不到方案"):
        call_command("link_plans", "不存在的县", "邵阳市")


def test_suggestions_need_a_linked_plan():
    county, _city = ingest_city_and_county()
    with pytest.raises(CascadeError, match="link_plans"):
        do_suggest_task_links(root(county))
    assert not TaskLink.objects.exists()


def test_suggestions_pair_tasks_a_person_would_pair():
    county, _city = linked()
    report = do_suggest_task_links(root(county))
    assert len(report.created) > 30
    assert TaskLink.objects.filter(state=TaskLink.SUGGESTED).count() == len(report.created)
    # pairs read off the two texts: the county restates the city's task
    for child, parent in [
        ("固定资产投资增长7.5%", "固定资产投资增长9%"),  # 003 line 542 / 000 line 145
        ("加强政府债券管理", "加强政府债券管理"),  # 003 line 1982 / 000 line 430
        ("提高困难群体救助标准", "提高困难群体救助标准"),
        ("有效化解高风险机构风险", "有效化解高风险机构风险"),
    ]:
        link = link_between(child, parent)
        assert link is not None, (child, parent)
        assert link.score >= 0.35
    # and not absurd ones: every suggestion clears the threshold; different indicators stay apart
    assert min(TaskLink.objects.values_list("score", flat=True)) >= SUGGEST_SCORE
    assert link_between("实际使用外资增长10%", "固定资产投资增长9%") is None
    assert link_between("社会消费品零售总额增长7%", "进出口总额增长10%") is None
    # each suggestion links a county task to a city task
    regions = set(
        TaskLink.objects.values_list("child_task__plan__region__name", "parent_task__plan__region__name")
    )
    assert regions == {("新邵县", "邵阳市")}


def test_suggesting_twice_changes_nothing_and_decisions_are_kept():
    county, _city = linked()
    first = do_suggest_task_links(root(county))
    rows = set(TaskLink.objects.values_list("child_task_id", "parent_task_id", "score", "state"))
    entries = AuditEntry.objects.count()
    again = do_suggest_task_links(root(county))
    assert again.counts() == {
        "created": 0,
        "updated": 0,
        "removed": 0,
        "unchanged": len(first.created),
        "decided": 0,
    }
    assert set(TaskLink.objects.values_list("child_task_id", "parent_task_id", "score", "state")) == rows
    assert AuditEntry.objects.count() == entries  # nothing changed, nothing recorded

    good = link_between("加强政府债券管理", "加强政府债券管理")
    bad = link_between("关爱特殊群体", "开展残疾人关爱服务") or TaskLink.objects.order_by("score").first()
    do_confirm_link(good)
    do_reject_link(bad)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.state == TaskLink.CONFIRMED and good.decided_at and good.decided_by_name
    assert bad.state == TaskLink.REJECTED
    assert set(
        AuditEntry.objects.filter(object_type="cascade.TaskLink").values_list("action", flat=True)
    ) == {
        "confirm_task_link",
        "reject_task_link",
    }
    third = do_suggest_task_links(root(county))
    assert third.decided == 2 and not third.created and not third.removed
    assert TaskLink.objects.get(pk=bad.pk).state == TaskLink.REJECTED  # never suggested again


def test_tasklinks_command_suggests_lists_and_decides():
    county, _city = linked()
    out = io.StringIO()
    call_command("tasklinks", "新邵县", "--suggest", stdout=out)
    text = out.getvalue()
    assert "新增建议" in text and "建议" in text
    ids = list(TaskLink.objects.order_by("-score").values_list("pk", flat=True)[:2])
    with pytest.raises(CommandError, match="没有这些编号"):
        call_command("tasklinks", "--confirm", str(ids[0]), "999999")
    assert not TaskLink.objects.exclude(state=TaskLink.SUGGESTED).exists()  # nothing half-done
    out = io.StringIO()
    call_command("tasklinks", "--confirm", str(ids[0]), "--reject", str(ids[1]), stdout=out)
    assert "已确认 1 条，已否决 1 条" in out.getvalue()
    out = io.StringIO()
    call_command("tasklinks", "新邵县", "--state", "已确认", stdout=out)
    assert out.getvalue().count("已确认") == 1 and f"[{ids[0]}]" in out.getvalue()


def test_reimporting_the_county_file_keeps_its_link(tmp_path):
    county, city = linked()
    revised = tmp_path / "003_revised.txt"
    revised.write_text(open(sample_path("003"), encoding="utf-8").read() + "\n", encoding="utf-8")
    do_ingest_file(str(revised))
    assert Plan.objects.get(pk=root(county).pk).parent_id == overall(city).pk
