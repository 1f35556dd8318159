"""Cadence editing by the office: add, edit, remove, audited, and kept across re-imports."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from duban.audit.models import AuditEntry
from duban.plans.actions import do_ingest_file
from duban.plans.models import Cadence
from duban.tracking.actions import TrackingError, do_add_cadence, do_edit_cadence, do_remove_cadence
from duban.tracking.calendar import due_items
from tests.conftest import sample_path
from tests.tracking_helpers import cadence_due, ingest_yuanjiang, plan_titled

pytestmark = pytest.mark.django_db
MARCH = (date(2023, 3, 1), date(2023, 3, 31))


@pytest.fixture
def plans():
    return ingest_yuanjiang()


def test_edit_makes_a_document_cadence_manual_and_reingest_keeps_it(plans):
    daily = cadence_due("每天下午4")
    original = daily.text
    do_edit_cadence(daily, due="每天下午5:00之前")
    daily.refresh_from_db()
    assert (daily.origin, daily.document_text, daily.due) == (Cadence.MANUAL, original, "每天下午5:00之前")
    entry = AuditEntry.objects.get(action="edit_cadence")
    assert entry.before["due"] == "每天下午4：00之前" and entry.after["due"] == "每天下午5:00之前"
    assert entry.before["origin"] == "文件" and entry.after["origin"] == "手工"
    count = Cadence.objects.count()

    report = do_ingest_file(sample_path("001"))  # the document still says 4:00
    assert Cadence.objects.count() == count  # not re-created beside the edited one
    assert report.cadences.added == [] and report.cadences.removed == []
    daily.refresh_from_db()
    assert daily.due == "每天下午5:00之前" and daily.origin == Cadence.MANUAL
    times = {i.due.hour for i in due_items(plans, *MARCH) if i.cadence_id == daily.pk}
    assert times == {17}


def test_removed_cadence_stays_removed_and_added_one_survives_reingest(plans):
    quarterly = cadence_due("每季度末月中旬")
    do_remove_cadence(quarterly)
    growth = plan_titled("经济增长主动仗")
    added = do_add_cadence(growth, items=[("旬", "报送")], report_to="市发改局")
    assert added.origin == Cadence.MANUAL and added.text.startswith("每旬报送")
    do_ingest_file(sample_path("001"))
    quarterly.refresh_from_db()
    added.refresh_from_db()
    assert not quarterly.active and added.active
    items = due_items(plans, *MARCH)
    assert not [i for i in items if i.cadence_id == quarterly.pk]
    growth_items = [(i.every, i.due.date(), i.origin) for i in items if i.plan == growth]
    # the manual 旬 cadence replaces the default monthly one: 旬 reports due on each 旬's last day
    assert growth_items == [
        ("旬", date(2023, 3, 10), "手工"),
        ("旬", date(2023, 3, 20), "手工"),
        ("旬", date(2023, 3, 31), "手工"),
    ]
    assert AuditEntry.objects.filter(action="remove_cadence", object_id=str(quarterly.pk)).count() == 1
    assert AuditEntry.objects.get(action="add_cadence").after["items"] == [["旬", "报送"]]


def test_bad_cadence_input_changes_nothing(plans):
    growth = plan_titled("经济增长主动仗")
    daily = cadence_due("每天下午4")
    before = (Cadence.objects.count(), AuditEntry.objects.count())
    with pytest.raises(TrackingError, match="无法识别的周期"):
        do_add_cadence(growth, items=[("每三天", "报送")])
    with pytest.raises(TrackingError, match="至少要有一个事项"):
        do_add_cadence(growth, items=[])
    with pytest.raises(TrackingError, match="一次性期限"):
        do_edit_cadence(daily, due="2023年9月15日前")
    do_remove_cadence(daily)
    with pytest.raises(TrackingError, match="已移除"):
        do_remove_cadence(daily)
    daily.refresh_from_db()
    assert daily.origin == Cadence.DOCUMENT and daily.due == "每天下午4：00之前"
    assert (Cadence.objects.count(), AuditEntry.objects.count()) == (before[0], before[1] + 1)


def test_the_cadence_command_lists_adds_edits_and_removes(plans, capsys):
    growth = plan_titled("经济增长主动仗")
    call_command("cadence", "add", str(growth.pk), "--item", "月:报送", "--due", "每月25日前", "--report-to", "市发改局")
    added = Cadence.objects.get(plan=growth, origin=Cadence.MANUAL)
    assert [(i.every, i.action) for i in added.items.all()] == [("月", "报送")] and added.due == "每月25日前"
    call_command("cadence", "edit", str(added.pk), "--item", "旬:报送", "--due", "每旬最后一天17:00前")
    added.refresh_from_db()
    assert [(i.every, i.action) for i in added.items.all()] == [("旬", "报送")]
    call_command("cadence", "remove", str(added.pk))
    added.refresh_from_db()
    assert not added.active
    assert [e.action for e in AuditEntry.objects.filter(object_id=str(added.pk)).order_by("id")] == [
        "add_cadence", "edit_cadence", "remove_cadence",
    ]  # fmt: skip
    call_command("cadence", "list", str(growth.pk))
    assert f"#{added.pk}\t手工\t{growth.title}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="周期:动作"):
        call_command("cadence", "add", str(growth.pk), "--item", "月报送")
    with pytest.raises(CommandError, match="请用方案编号"):
        call_command("cadence", "add", "沅江市", "--item", "月:报送")
