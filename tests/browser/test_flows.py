"""Each role's main job end to end in the browser: report progress as a unit and see the office's
dashboard change; import a sample through the wizard; take a 督办单 through its lifecycle; download
a brief and an export and open them; screenshots of the main pages on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, login, shot
from tests.webdata import sample_file

GENERATE_TIMEOUT_MS = 3 * TIMEOUT_MS
ACTUAL = "4321.5"  # a value no sample or fixture holds, so seeing it proves the report arrived


def test_unit_reports_and_the_office_dashboard_changes(web, open_page, viewport):
    from duban.tracking.models import ProgressReport, TargetActual

    task = web.objects["task"]
    office = login(open_page(viewport), web, "office", viewport)
    office.goto(web.base + "/dashboard/")

    unit = login(open_page(viewport), web, "rep_a", viewport)
    unit.locator(f"#task-{task.pk} a.report-link").click()
    expect(unit).to_have_url(f"{web.base}/report/{task.pk}/")
    form = unit.locator(f"#report-form-{task.pk}")
    form.locator(f"#id_t{task.pk}-narrative").fill("浏览器报送：完成项目前期工作")
    form.locator(f"#id_t{task.pk}-percent").fill("55")
    form.locator(f"#id_t{task.pk}-status").select_option("正常推进")
    form.locator("details.targets-box summary").click()
    actual_input = form.locator(f"input[name^='t{task.pk}-actual_']").first
    target_id = int(actual_input.get_attribute("name").rsplit("_", 1)[1])
    row = office.locator(f'#targets tr[data-target="{target_id}"]')
    expect(row).to_be_visible()
    expect(row).not_to_contain_text(ACTUAL)
    actual_input.fill(ACTUAL)
    shot(unit, "report-form", viewport)
    unit.click(f"#submit-{task.pk}")
    expect(unit.locator(".msg-success")).to_contain_text("已报送")

    report = ProgressReport.objects.filter(task=task, unit=web.unit_a).latest("submitted_at", "pk")
    assert (report.narrative, report.percent, report.submitted_by) == (
        "浏览器报送：完成项目前期工作",
        55,
        web.users["rep_a"],
    )
    assert TargetActual.objects.get(report=report, target_id=target_id).value == float(ACTUAL)
    office.reload()
    expect(row).to_contain_text(ACTUAL)
    shot(office, "dashboard-after-report", viewport)


def test_invalid_report_shows_a_chinese_error_and_stores_nothing(web, open_page, viewport):
    from duban.tracking.models import ProgressReport

    task = web.objects["task"]
    before = ProgressReport.objects.count()
    unit = login(open_page(viewport), web, "rep_a", viewport)
    unit.goto(f"{web.base}/report/{task.pk}/")
    unit.locator(f"#id_t{task.pk}-percent").fill("150")
    unit.click(f"#submit-{task.pk}")
    expect(unit.locator(f"#report-form-{task.pk} .errorlist").first).to_be_visible()
    expect(unit.locator(f"#report-form-{task.pk}")).to_contain_text("100")
    assert ProgressReport.objects.count() == before


@pytest.mark.parametrize("viewport", ["desktop"])
def test_import_a_sample_through_the_wizard(web, open_page, viewport, queued):
    """The upload returns at once to the parse job's page; once the queue's worker has parsed the
    file, the page leads on to the preview."""
    from duban.plans.models import SourceDocument, Task
    from tests.conftest import run_queued

    path = sample_file("003")  # 新邵县, below the office's 邵阳市
    page = login(open_page(viewport), web, "office", viewport)
    page.goto(web.base + "/import/")
    page.set_input_files("#import-upload input[type=file]", path)
    page.click("#import-upload button[type=submit]")
    expect(page.locator("#job")).to_have_attribute("data-status", "queued")  # nothing parsed in the request
    assert run_queued() == 1  # the worker's turn; the page sees it on its next reload
    expect(page.locator("#job")).to_have_attribute("data-status", "done")
    expect(page.locator("#job-result")).to_have_text("下一步：核对导入内容")
    page.click("#job-result")
    expect(page.locator("#import-counts")).to_be_visible()
    expect(page.locator("#import-tasks tbody tr").first).to_be_visible()
    shot(page, "import-preview", viewport)
    page.click("#to-confirm")
    expect(page.locator("#import-diff")).to_contain_text("新导入")
    shot(page, "import-confirm", viewport)
    assert not SourceDocument.objects.filter(file_name__startswith="003").exists()  # nothing yet
    page.click("#import-confirm button[type=submit]")
    expect(page.locator("#import-report")).to_be_visible()
    shot(page, "import-done", viewport)
    doc = SourceDocument.objects.get(file_name__startswith="003")
    assert doc.region.name == "新邵县"
    assert Task.objects.filter(source_document=doc, active=True).count() > 200
    page.goto(web.base + "/plans/")
    expect(page.locator("#main")).to_contain_text("新邵县")


@pytest.mark.parametrize("viewport", ["desktop"])
def test_office_runs_the_check_and_notices_are_issued(web, open_page, viewport, queued):
    """督办检查 from the notices page: the request returns at once to the job's page, which reloads
    itself while the queue's worker checks today's 2023 plans, then links to the red 督办单 issued."""
    from duban.supervision.models import Notice
    from tests.conftest import run_queued

    before = Notice.objects.count()
    office = login(open_page(viewport), web, "office", viewport)
    office.goto(web.base + "/notices/")
    expect(office.locator("#generate-form input[name=as_of]")).not_to_have_value("")  # a valid date
    office.click("#generate-form button[type=submit]")
    expect(office.locator("#job")).to_have_attribute("data-status", "queued")  # nothing done in the request
    expect(office.locator("#job-status")).to_have_text("排队中")
    assert Notice.objects.count() == before
    assert run_queued() == 1  # the worker's turn; the page sees it on its next reload
    # a whole city's check (every task, every unit, every period since January) takes a while
    expect(office.locator("#job")).to_have_attribute("data-status", "done", timeout=GENERATE_TIMEOUT_MS)
    expect(office.locator("#job-summary")).to_contain_text("督办检查")
    assert Notice.objects.count() > before
    shot(office, "check-job-done", viewport)
    office.click("#job-result")
    expect(office.locator("main")).to_contain_text("督办单")
    shot(office, "notices-generated", viewport)


def test_issue_and_close_a_notice(web, open_page, viewport):
    """A 督办单 issued to unit A: the unit signs and answers it, the office closes it."""
    notice = web.objects["notice"]  # yellow, issued by the office to unit A (tests/webdata.py)
    unit = login(open_page(viewport), web, "rep_a", viewport)
    unit.goto(f"{web.base}/notices/{notice.pk}/")
    expect(unit.locator("#notice-state")).to_have_text("已下发")
    unit.click("#sign-form button[type=submit]")
    expect(unit.locator("#notice-state")).to_have_text("已签收")
    unit.locator("#feedback-form textarea").fill("已召开专题会，本月底前完成。")
    unit.click("#feedback-form button[type=submit]")
    expect(unit.locator("#notice-state")).to_have_text("已反馈")
    expect(unit.locator("#close-form")).to_have_count(0)  # a unit cannot close its own notice

    office = login(open_page(viewport), web, "office", viewport)
    office.goto(f"{web.base}/notices/{notice.pk}/")
    office.locator("#close-form textarea").fill("整改到位，予以办结。")
    office.click("#close-form button[type=submit]")
    expect(office.locator("#notice-state")).to_have_text("已办结")
    expect(office.locator("#notice-events li")).to_have_count(4)  # 下发, 签收, 反馈, 办结
    shot(office, "notice-closed", viewport)
    notice.refresh_from_db()
    assert notice.state == "closed" and notice.closed_at is not None


@pytest.mark.parametrize("viewport", ["desktop"])
def test_download_an_export_and_open_it(web, open_page, viewport, tmp_path):
    import openpyxl

    plan = web.objects["plan"]
    page = login(open_page(viewport), web, "office", viewport)
    page.goto(web.base + "/downloads/")
    form = page.locator("#export-form")
    form.locator("select[name=plan]").select_option(str(plan.pk))
    form.locator("select[name=kind]").select_option("责任分解表")
    with page.expect_download() as info:
        form.locator("button[type=submit]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    wb = openpyxl.load_workbook(path)
    cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert any(web.objects["task"].title[:10] in c for c in cells)
    assert any("牵头单位" in c for c in cells)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_download_a_brief_and_open_it(web, open_page, viewport, tmp_path):
    import docx

    plan = web.objects["plan"]
    page = login(open_page(viewport), web, "office", viewport)

    def brief_form():
        page.goto(web.base + "/downloads/")
        form = page.locator("#brief-form")
        form.locator("select[name=kind]").select_option("月通报")
        form.locator("input[name=period]").fill("2023-03")
        form.locator("select[name=plan]").select_option(str(plan.pk))
        return form

    brief_form().get_by_role("button", name="生成并下载").click()  # made by a background job, offered on its page
    expect(page.locator("#job")).to_have_attribute("data-status", "done")
    with page.expect_download() as info:
        page.click("#job-file")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = tmp_path / "brief.docx"
    download.save_as(path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "通报" in text and "2023年3月" in text

    brief_form().get_by_role("button", name="在网页中查看").click()  # the same brief as a web page
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "2023年3月" in body and "通报" in body


MAIN_PAGES = {  # screenshot name -> (account, path); {task}/{plan}/{notice}/{problem}: objects
    "dashboard": ("office", "/dashboard/"),
    "plans": ("office", "/plans/"),
    "plan": ("office", "/plans/{plan}/"),
    "task": ("office", "/tasks/{task}/"),
    "tasks-search": ("office", "/tasks/"),
    "calendar": ("office", "/calendar/"),
    "notice": ("office", "/notices/{notice}/"),
    "problems": ("office", "/problems/"),
    "problem": ("office", "/problems/{problem}/"),
    "downloads": ("office", "/downloads/"),
    "assessment": ("office", "/assessment/"),
    "manage-units": ("office", "/manage/units/"),
    "manage-users": ("office", "/manage/users/"),
    "import": ("office", "/import/"),
    "leader": ("leader", "/leader/"),
    "report-home": ("rep_a", "/report/"),
    "report-task": ("rep_a", "/report/{task}/"),
}


def test_main_pages_render_without_csp_errors(web, open_page, viewport):
    """Every main page opens (HTTP 200) with no Content-Security-Policy violation; screenshots."""
    pages = {}
    errors = []
    for name, (who, path) in MAIN_PAGES.items():
        if who not in pages:
            page = login(open_page(viewport), web, who, viewport)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            pages[who] = page
        page = pages[who]
        url = web.base + path.format(**{k: web.pk(k) for k in ("task", "plan", "notice", "problem")})
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} → {response.status}"
        expect(page.locator("#main h1").first).to_be_visible()
        shot(page, name, viewport)
    csp = [e for e in errors if "Content Security Policy" in e]
    assert not csp, csp
