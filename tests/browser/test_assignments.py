"""督办事项 in the browser: the office 交办s an item to unit A, the unit 签收s it and reports, the
office 退回s the report from the task page, and the unit sees the reason on its report page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import login, shot

TITLE = "浏览器交办：落实防汛物资储备"


@pytest.mark.parametrize("viewport", ["desktop"])
def test_office_assigns_unit_signs_reports_office_returns(web, open_page, viewport):
    from duban.supervision.models import Assignment, AssignmentReceipt, ReportReturn

    office = login(open_page(viewport), web, "office", viewport)
    office.goto(web.base + "/assignments/")
    form = office.locator("#assign-form")
    form.locator("#id_title").fill(TITLE)
    form.locator("#id_source").select_option("会议")
    form.locator("#id_source_ref").fill("汛前调度会")
    form.locator("#id_lead").fill(web.unit_a.name)
    form.locator("#id_due").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    form.locator("#id_every").select_option("月")
    shot(office, "assignment-form", viewport)
    form.locator("button[type=submit]").click()
    expect(office.locator(".msg-success")).to_contain_text("已交办")
    a = Assignment.objects.get(task__title=TITLE)

    unit = login(open_page(viewport), web, "rep_a", viewport)
    unit.goto(web.base + "/assignments/")
    unit.get_by_role("link", name=TITLE).click()
    unit.locator("#sign-form button[type=submit]").click()
    expect(unit.locator(".msg-success")).to_contain_text("已签收")
    expect(unit.locator("#assignment-units")).to_contain_text("已签收")
    assert AssignmentReceipt.objects.filter(assignment=a, unit=web.unit_a).exists()

    task = a.task
    unit.goto(f"{web.base}/report/{task.pk}/")
    unit.locator(f"#id_t{task.pk}-narrative").fill("已完成物资清点")
    unit.locator(f"#id_t{task.pk}-percent").fill("100")
    unit.locator(f"#id_t{task.pk}-status").select_option("已完成")
    unit.click(f"#submit-{task.pk}")
    expect(unit.locator(".msg-success")).to_contain_text("已报送")

    office.goto(f"{web.base}/tasks/{task.pk}/")
    row = office.locator("#reports tbody tr").first
    row.locator("input[name=reason]").fill("缺少物资清单附件，请补充后重报")
    row.locator("button[type=submit]").click()
    expect(office.locator(".msg-success")).to_contain_text("已退回")
    expect(office.locator("#reports")).to_contain_text("缺少物资清单附件")
    assert ReportReturn.objects.get(report__task=task).reason == "缺少物资清单附件，请补充后重报"

    unit.goto(f"{web.base}/report/{task.pk}/")
    expect(unit.locator(".returned-reason").first).to_contain_text("缺少物资清单附件")
    shot(unit, "report-returned", viewport)
