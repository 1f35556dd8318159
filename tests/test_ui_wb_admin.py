"""Units and accounts administration (web, 督查室 only): merge two spellings of a unit (every record
follows, audited), add an alias, create accounts with a role and scope, disable and enable them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from duban.accounts.roles import LEADER, OFFICE, REPORTER, TASKFORCE
from duban.audit.models import AuditEntry
from duban.plans.actions import UnitError, do_merge_units
from duban.plans.models import TaskUnit, Unit, UnitAlias
from duban.tracking.models import ProgressReport
from tests.ui_wb_support import PASSWORD, as_user, report, yuanjiang

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_admin_pages_are_for_the_office_only(client):
    w = yuanjiang()
    for role in (REPORTER, LEADER, TASKFORCE):
        as_user(client, w.users[role])
        assert client.get("/manage/units/").status_code == 403
        assert client.get("/manage/users/").status_code == 403
        assert (
            client.post("/manage/units/merge/", {"source": w.co.pk, "target": w.lead.name}).status_code == 403
        )
    assert Unit.objects.filter(pk=w.co.pk).exists()


def test_merge_moves_every_record_and_is_audited(client):
    w = yuanjiang()
    report(w, unit=w.co, narrative="配合推进")
    as_user(client, w.users[OFFICE])
    spelling = Unit.objects.create(region=w.region, name="沅江市国资中心")
    TaskUnit.objects.create(
        task=w.task, unit=spelling, role=TaskUnit.CO, order=99, written_as="沅江市国资中心"
    )
    co_tasks = set(TaskUnit.objects.filter(unit=w.co).values_list("task_id", flat=True))
    response = client.post("/manage/units/merge/", {"source": w.co.pk, "target": w.lead.name})
    assert response.status_code == 302
    assert not Unit.objects.filter(pk=w.co.pk).exists()
    assert set(TaskUnit.objects.filter(unit=w.lead).values_list("task_id", flat=True)) >= co_tasks
    assert TaskUnit.objects.filter(task=w.task, unit=w.lead).count() == 1  # named twice → once, as lead
    assert TaskUnit.objects.get(task=w.task, unit=w.lead).role == TaskUnit.LEAD
    assert ProgressReport.objects.filter(unit=w.lead, narrative="配合推进").exists()
    assert UnitAlias.objects.filter(unit=w.lead, name=w.co.name, origin=UnitAlias.MANUAL).exists()
    w.lead.refresh_from_db()
    assert w.lead.confirmed
    entry = AuditEntry.objects.get(action="unit.merge")
    assert entry.actor == w.users[OFFICE] and entry.before["source"]["name"] == w.co.name
    # errors: unknown target, merging into itself; nothing changes
    unknown = client.post("/manage/units/merge/", {"source": spelling.pk, "target": "沅江市不存在局"})
    assert unknown.status_code == 400 and "找不到" in unknown.content.decode()
    with pytest.raises(UnitError, match="不能把单位合并到它自己"):
        do_merge_units(spelling, spelling)
    assert Unit.objects.filter(pk=spelling.pk).exists()


def test_merge_refuses_conflicting_reports(client):
    w = yuanjiang()
    report(w, unit=w.lead)
    report(w, unit=w.co)  # both reported the same task and period, version 1
    as_user(client, w.users[OFFICE])
    before = (Unit.objects.count(), ProgressReport.objects.count(), AuditEntry.objects.count())
    response = client.post("/manage/units/merge/", {"source": w.co.pk, "target": w.lead.name})
    assert response.status_code == 400 and "不能合并" in response.content.decode()
    assert (Unit.objects.count(), ProgressReport.objects.count(), AuditEntry.objects.count()) == before


def test_add_alias(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    assert client.post("/manage/units/alias/", {"unit": w.lead.pk, "name": "国资中心"}).status_code == 302
    assert UnitAlias.objects.filter(unit=w.lead, name="国资中心", origin=UnitAlias.MANUAL).exists()
    taken = client.post("/manage/units/alias/", {"unit": w.co.pk, "name": "国资中心"})
    assert taken.status_code == 400 and "已是" in taken.content.decode()
    found = client.get("/manage/units/", {"q": "国资中心"})
    assert w.lead in list(found.context["page"])


def test_create_disable_enable_accounts(client):
    w = yuanjiang()
    office = w.users[OFFICE]
    as_user(client, office)
    form = {
        "username": "wangwu",
        "full_name": "王五",
        "role": REPORTER,
        "unit": w.co.name,
        "region": w.region.pk,
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    assert client.post("/manage/users/", form).status_code == 302
    user = User.objects.get(username="wangwu")
    assert user.profile.role == REPORTER and user.profile.unit == w.co and user.check_password(PASSWORD)
    assert AuditEntry.objects.filter(object_type="auth.User", object_id=str(user.pk)).exists()
    # form errors: duplicate name, mismatched passwords, a reporter without a unit, a weak password
    again = client.post("/manage/users/", form)
    assert again.status_code == 400 and "已存在" in again.content.decode()
    bad = client.post("/manage/users/", {**form, "username": "zhaoliu", "password2": "x"})
    assert bad.status_code == 400 and "两次输入的密码不一致" in bad.content.decode()
    no_unit = client.post("/manage/users/", {**form, "username": "zhaoliu", "unit": ""})
    assert no_unit.status_code == 400 and "必须指定" in no_unit.content.decode()
    weak = client.post(
        "/manage/users/", {**form, "username": "zhaoliu", "password": "123", "password2": "123"}
    )
    assert weak.status_code == 400 and "密码不合要求" in weak.content.decode()
    assert not User.objects.filter(username="zhaoliu").exists()
    # a regional office cannot create accounts for another region
    from duban.plans.actions import do_ingest_file
    from tests.conftest import sample_path

    other = do_ingest_file(sample_path("003")).source_document.region
    outside = client.post(
        "/manage/users/", {**form, "username": "zhaoliu", "role": LEADER, "unit": "", "region": other.pk}
    )
    assert outside.status_code == 400 and not User.objects.filter(username="zhaoliu").exists()
    # disable, then the account can do nothing; enable again
    assert client.post(f"/manage/users/{user.pk}/active/", {"active": "0"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert client.post(f"/manage/users/{user.pk}/active/", {"active": "1"}).status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert client.post(f"/manage/users/{office.pk}/active/", {"active": "0"}).status_code == 302
    office.refresh_from_db()
    assert office.is_active  # never yourself
