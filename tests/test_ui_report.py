"""本期待报 and the report form: what is due, form errors, new versions, the office reporting for a unit."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from duban.accounts import permissions
from duban.plans.models import Task, TaskUnit
from duban.plans.periods import to_local
from duban.tracking.models import ProgressReport, TargetActual
from duban.ui.duelist import due_tasks, report_targets
from tests.tracking_helpers import tiny_png
from tests.ui_support import login, setup_city

PNG = tiny_png()

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    return setup_city()


def _first_due(user):
    unit = permissions.profile_of(user).unit
    items = due_tasks(unit.pk, permissions.visible_tasks(user), timezone.now())
    item = next(i for i in items if i.pending)
    return unit, item


def _post(client, task, **fields):
    prefix = f"t{task.pk}-"
    return client.post(f"/report/{task.pk}/", {prefix + k: v for k, v in fields.items()})


def test_due_list_has_the_units_tasks_with_a_current_period(city):
    user = city["tianbao"]
    unit = permissions.profile_of(user).unit
    now = to_local(timezone.now())
    items = due_tasks(unit.pk, permissions.visible_tasks(user), now)
    assert {i.task.pk for i in items} == set(
        Task.objects.filter(active=True, assignments__unit=unit).values_list("pk", flat=True)
    )
    for item in items:
        assert any(p.due >= now for p in item.periods), item.task  # the current item is always offered
        assert all(p.period.start <= now.date() for p in item.periods)
        assert item.role in (TaskUnit.LEAD, TaskUnit.CO)


def test_report_home_lists_pending_tasks(city, client):
    unit, item = _first_due(city["tianbao"])
    html = login(client, city["tianbao"]).get("/report/").content.decode()
    assert f"本期待报 · {unit.name}" in html
    assert f'id="task-{item.task.pk}"' in html and f'href="/report/{item.task.pk}/"' in html
    # the unit's role in words, as on the task page, never the stored code
    role = {TaskUnit.LEAD: "牵头", TaskUnit.CO: "责任"}[item.role]
    assert re.search(rf'id="task-{item.task.pk}".*?· {role}\b', html, re.S)
    assert not re.search(r"· (lead|co)\b", html)


def test_invalid_report_rerenders_with_chinese_errors_and_stores_nothing(city, client):
    unit, item = _first_due(city["tianbao"])
    login(client, city["tianbao"])
    r = _post(
        client,
        item.task,
        unit=unit.pk,
        period=item.pending[0].code,
        narrative=" ",
        percent="150",
        status="已完成",
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "请填写工作进展" in html and "完成进度不能大于 100" in html
    r = _post(client, item.task, unit=unit.pk, period="2099-01", narrative="x", percent="abc", status="好")
    html = r.content.decode()
    assert "完成进度须为数字" in html and "自评状态" in html and "选择一个有效的选项" in html
    assert not ProgressReport.objects.exists()


def test_report_through_the_form_is_a_new_version_each_time(city, client):
    unit, item = _first_due(city["tianbao"])
    task, period = item.task, item.pending[0]
    targets = report_targets([task])[task.pk]
    login(client, city["tianbao"])
    fields = dict(
        unit=unit.pk, period=period.code, narrative="完成项目入库 3 个", percent="40", status="正常推进"
    )
    if targets:
        fields[f"actual_{targets[0].pk}"] = "12.5"
    prefix = f"t{task.pk}-"
    data = {prefix + k: v for k, v in fields.items()}
    data[prefix + "attachments"] = SimpleUploadedFile("进展照片.png", PNG)
    r = client.post(f"/report/{task.pk}/", data)
    assert r.status_code == 302 and r["Location"] == "/report/"
    r = _post(
        client,
        task,
        **{**fields, "narrative": "更正：完成项目入库 4 个", "percent": "45", "problems": "用地未批"},
    )
    assert r.status_code == 302
    reports = list(ProgressReport.objects.filter(task=task, unit=unit).order_by("version"))
    assert [(r.version, r.percent, r.period) for r in reports] == [
        (1, 40.0, period.code),
        (2, 45.0, period.code),
    ]
    assert reports[0].narrative == "完成项目入库 3 个" and reports[1].problems == "用地未批"
    assert reports[0].submitted_by == city["tianbao"]
    assert [a.name for a in reports[0].attachments.all()] == ["进展照片.png"]
    if targets:
        assert TargetActual.objects.get(report=reports[0]).value == 12.5
    page = client.get(f"/report/{task.pk}/").content.decode()
    assert "第2版" in page and "更正：完成项目入库 4 个" in page and "完成项目入库 3 个" in page
    assert "已报第2版" in page
    assert f"{period.period.label} 第2版" in client.get("/report/").content.decode()


def test_office_reports_for_a_unit(city, client):
    unit, item = _first_due(city["tianbao"])
    login(client, city["duchashi"])
    html = client.get(f"/report/?unit={unit.pk}").content.decode()
    assert f"本期待报 · {unit.name}" in html and 'id="unit-select"' in html
    r = _post(
        client,
        item.task,
        unit=unit.pk,
        period=item.pending[0].code,
        narrative="督查室代报",
        percent="10",
        status="正常推进",
    )
    assert r.status_code == 302 and r["Location"] == f"/report/?unit={unit.pk}"
    report = ProgressReport.objects.get()
    assert report.unit == unit and report.submitted_by == city["duchashi"]


def test_office_cannot_report_for_a_unit_not_on_the_task(city, client):
    unit, item = _first_due(city["tianbao"])
    stranger = TaskUnit.objects.exclude(task=item.task).exclude(unit__in=item.task.units.all()).first().unit
    login(client, city["duchashi"])
    r = _post(
        client,
        item.task,
        unit=stranger.pk,
        period=item.pending[0].code,
        narrative="x",
        percent="10",
        status="正常推进",
    )
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    assert not ProgressReport.objects.exists()


def test_report_pages_fixed_queries(city, client, django_assert_max_num_queries):
    unit, item = _first_due(city["tianbao"])
    login(client, city["tianbao"])
    client.get("/report/")  # warm the session
    # +3 since the cascade: is the unit a member of a group unit (各县市区人民政府), a fixed cost
    with django_assert_max_num_queries(17):
        assert client.get("/report/").status_code == 200
    with django_assert_max_num_queries(26):
        assert client.get(f"/report/{item.task.pk}/").status_code == 200


def test_submission_validates_against_the_tasks_own_periods(city, client, django_assert_max_num_queries):
    """The POST reads only this task's open periods for the unit (task_periods), the same list the
    unit's full due list gives, before and after a report on the task."""
    from duban.tracking.schedule import schedule_for
    from duban.ui.duelist import task_periods

    unit, item = _first_due(city["tianbao"])
    task, now = item.task, to_local(timezone.now())

    def same():
        full = due_tasks(unit.pk, Task.objects.filter(pk=task.pk), now)[0].periods
        lean = task_periods(task, unit.pk, now, schedule_for(task))
        assert [(p.code, p.due, p.overdue, p.reported) for p in lean] == [
            (p.code, p.due, p.overdue, p.reported) for p in full
        ]
        return lean

    assert any(p.reported is None for p in same())
    login(client, city["tianbao"])
    client.get("/report/")  # warm the session
    fields = dict(unit=unit.pk, period=item.pending[0].code, narrative="进展", percent="30", status="正常推进")
    with django_assert_max_num_queries(24):  # was 38: no group memberships, no whole due list
        assert _post(client, task, **fields).status_code == 302
    assert [p.reported.version for p in same() if p.code == item.pending[0].code] == [1]
    # a period the task does not offer is refused in Chinese, nothing stored
    r = _post(client, task, **{**fields, "period": "2001-01上旬"})
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()
    assert ProgressReport.objects.filter(task=task, unit=unit).count() == 1


def test_a_submission_for_the_current_period_reads_no_report_to_validate_it(
    city, django_assert_num_queries, django_assert_max_num_queries
):
    """A current item is offered whatever the unit reported: posting it, task_periods gives the
    current items without a query; posting any other period, the whole list (a query), as before."""
    from duban.tracking.schedule import schedule_for
    from duban.ui.duelist import task_periods

    unit, item = _first_due(city["tianbao"])
    task, now = item.task, to_local(timezone.now())
    schedule = schedule_for(task)
    full = task_periods(task, unit.pk, now, schedule)
    current = [p.code for p in full if p.due >= now]
    assert current, "the task offers a current period"
    with django_assert_num_queries(0):
        lean = task_periods(task, unit.pk, now, schedule, posted=current[0])
    assert [p.code for p in lean] == current
    for other in [p.code for p in full if p.due < now] + ["2001-01上旬"]:
        with django_assert_max_num_queries(1):
            assert [p.code for p in task_periods(task, unit.pk, now, schedule, posted=other)] == [
                p.code for p in full
            ]


def test_task_pages_read_the_task_once_per_structure_version_and_see_changes(city, client):
    """guards.load_task: the task, its plan and units cached per structure version, each request its
    own copy; a change to the task (even through the ORM) is seen at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from duban.accounts.guards import load_task

    unit, item = _first_due(city["tianbao"])
    task = item.task
    login(client, city["tianbao"])
    assert client.get(f"/report/{task.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as q:
        assert client.get(f"/report/{task.pk}/").status_code == 200
    assert not [x for x in q.captured_queries if 'FROM "plans_task"' in x["sql"] and "LIMIT" in x["sql"]
                and f'"plans_task"."id" = {task.pk}' in x["sql"]]  # fmt: skip
    first, second = load_task(task.pk), load_task(task.pk)
    assert first is not second and first.plan is not second.plan  # each request its own objects
    first.title = "改过的标题（未保存）"
    assert load_task(task.pk).title == task.title
    Task.objects.filter(pk=task.pk).update(title="新标题")  # behind the signals: no new version …
    Task.objects.get(pk=task.pk).save()  # … a save is a structure change
    assert load_task(task.pk).title == "新标题"
    assert "新标题" in client.get(f"/report/{task.pk}/").content.decode()
    Task.objects.filter(pk=task.pk).update(active=False)
    Task.objects.get(pk=task.pk).save()
    r = client.get(f"/report/{task.pk}/")
    assert r.status_code == 403  # an inactive task: no reporting
    assert client.get("/report/999999/").status_code == 404


def test_a_wrong_actual_is_refused_and_the_form_shows_every_target_again(city, client):
    """The form validates only the targets given a value; shown again with an error, it has a field for
    every target, the values typed kept."""
    from duban.plans.models import Target

    unit, item = _first_due(city["tianbao"])
    task = item.task
    targets = report_targets([task])[task.pk]
    if len(targets) < 2:  # the sample task has none near it: give its plan two
        plan = task.plan
        targets = [
            Target.objects.create(plan=plan, source_document_id=task.source_document_id, line=1, order=90 + k,
                                  indicator=name, value=value, measure="增长",
                                  measure_unit="%", text=name)
            for k, (name, value) in enumerate((("规模工业增加值", 7.5), ("固定资产投资", 8)))
        ]  # fmt: skip
    login(client, city["tianbao"])
    fields = dict(unit=unit.pk, period=item.pending[0].code, narrative="进展", percent="40", status="正常推进")
    r = _post(client, task, **fields, **{f"actual_{targets[0].pk}": "十二点五"})
    html = r.content.decode()
    assert r.status_code == 200 and f"“{targets[0].indicator}”的实际值须为数字" in html
    for t in targets:  # the targets not filled in are offered again too
        assert f'name="t{task.pk}-actual_{t.pk}"' in html
    assert 'value="十二点五"' in html and not ProgressReport.objects.filter(task=task).exists()
    r = _post(client, task, **fields, **{f"actual_{targets[1].pk}": "6"})
    assert r.status_code == 302
    assert list(TargetActual.objects.filter(report__task=task).values_list("target_id", "value")) == [
        (targets[1].pk, 6.0)
    ]


def test_the_reporters_home_reads_its_tasks_once_per_structure_version(city, client):
    """本期待报 of a reporter: its unit's tasks (with plans and units) read once per structure version,
    the same list as narrowing the tasks it may see; a task newly assigned to the unit shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = city["tianbao"]
    unit = permissions.profile_of(user).unit
    now = timezone.now()
    cached = due_tasks(unit.pk, None, now, permissions.member_roles(user))
    narrowed = due_tasks(unit.pk, permissions.visible_tasks(user), now, permissions.member_roles(user))
    assert [(i.task.pk, i.role, [p.code for p in i.periods]) for i in cached] == [
        (i.task.pk, i.role, [p.code for p in i.periods]) for i in narrowed
    ]
    login(client, user)
    client.get("/report/")
    with CaptureQueriesContext(connection) as q:
        assert client.get("/report/").status_code == 200
    assert not [x for x in q.captured_queries if 'FROM "plans_task"' in x["sql"]]
    other = Task.objects.filter(active=True).exclude(assignments__unit=unit).first()
    TaskUnit.objects.create(task=other, unit=unit, role=TaskUnit.CO, order=99)
    assert f'id="task-{other.pk}"' in client.get("/report/").content.decode()


def test_report_form_refuses_an_attachment_by_content_in_chinese(city, client):
    unit, item = _first_due(city["tianbao"])
    task, period = item.task, item.pending[0]
    login(client, city["tianbao"])
    prefix = f"t{task.pk}-"
    fields = dict(unit=unit.pk, period=period.code, narrative="完成项目入库 3 个", percent="40", status="正常推进")
    data = {prefix + k: v for k, v in fields.items()}
    data[prefix + "attachments"] = SimpleUploadedFile("现场照片.png", b"<html><script>alert(1)</script></html>")
    r = client.post(f"/report/{task.pk}/", data)
    assert r.status_code == 200
    assert "附件“现场照片.png”的内容不是PNG 图片" in r.content.decode()
    assert not ProgressReport.objects.filter(task=task, unit=unit).exists()
    page = client.get(f"/report/{task.pk}/").content.decode()
    assert 'accept=".docx,.xlsx,.doc,.xls,.wps,.et,.pdf,.png,.jpg,.jpeg"' in page
