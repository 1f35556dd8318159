"""`duban demo` and the pages: plan list -> campaign / plan -> tasks by section -> task beside its source."""

import io
import os
import re
from collections import Counter
from datetime import date
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from duban.ingest.text import strip_markup
from duban.plans.models import Campaign, Plan, SourceDocument, Task
from duban.ui.views.plans import source_excerpt
from tests.conftest import SAMPLES

MAX_QUERIES = 30  # per page, whatever the number of tasks (statuses and group-unit members included)


@pytest.fixture
def demo_home(settings, tmp_path):
    """The demo stores its date in DUBAN_HOME: a folder of this test's own (never the checkout's var/)."""
    from duban.plans import clock

    settings.DATA_DIR = tmp_path
    yield tmp_path
    clock.set_demo_date(None)


@pytest.fixture
def demo_db(db, client, demo_home):
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    office(client)  # the pages need a signed-in user; the office of every region sees every plan
    return out.getvalue()


def office(client):
    from duban.accounts.actions import do_add_user

    user = do_add_user("duchashi_all", "office", password="Duban-督办-2025!")
    client.force_login(user)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_source_excerpt_marks_the_task_lines():
    text = "\n".join(f"第{i}行" for i in range(1, 21))
    got = source_excerpt(text, 5, 6, context=2)
    assert [ln["no"] for ln in got] == [3, 4, 5, 6, 7, 8]
    assert [ln["no"] for ln in got if ln["hit"]] == [5, 6]
    assert got[0]["text"] == "第3行"
    assert [ln["no"] for ln in source_excerpt(text, 1, 1, context=3)] == [1, 2, 3, 4]
    assert source_excerpt("**（一）加强领导**", 1, 1)[0]["text"] == "（一）加强领导"


@pytest.mark.django_db
def test_demo_imports_the_samples_once(demo_db):
    assert "http://127.0.0.1:8000/" in demo_db
    n = len(SAMPLES)
    assert [f"样本 {k}/{n}" in demo_db for k in range(1, n + 1)] == [True] * n  # a line per sample
    assert sorted(SourceDocument.objects.values_list("file_name", flat=True)) == SAMPLES
    out = io.StringIO()
    call_command("demo", "--no-serve", "--port", "8123", stdout=out)
    assert out.getvalue().count("已导入，跳过") == len(SAMPLES)
    assert "http://127.0.0.1:8123/" in out.getvalue()
    assert SourceDocument.objects.count() == len(SAMPLES)


@pytest.mark.django_db
def test_the_demo_runs_inside_the_samples_year_and_every_page_says_so(demo_db, demo_home, client):
    from duban.plans import clock
    from duban.plans.models import Programme

    assert "演示日期：2023年06月30日" in demo_db
    assert (demo_home / clock.DEMO_DATE_FILE).read_text().strip() == "2023-06-30"  # the worker and later commands
    assert clock.today() == date(2023, 6, 30) and clock.now().date() == date(2023, 6, 30)
    years = dict(Programme.objects.values_list("region__name", "start_year"))
    assert years == {"邵阳市": 2023, "沅江市": 2023, "新邵县": 2024}  # the years the files state
    for url in (reverse("plans:plan_list"), reverse("ui:dashboard"), reverse("ui:calendar")):
        assert "演示日期：2023年6月30日" in client.get(url).content.decode()
    call_command("demo", "--no-serve", "--as-of", "2024-05-31", stdout=io.StringIO())
    assert clock.today() == date(2024, 5, 31)
    clock.set_demo_date(None)
    assert clock.demo_date() is None and "演示日期" not in client.get(reverse("ui:dashboard")).content.decode()


@pytest.mark.django_db
def test_a_bad_demo_date_is_refused_before_anything_is_built(demo_home):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("demo", "--no-serve", "--as-of", "2023-13-01", stderr=err)
    assert exit_.value.code == 2 and "演示日期“2023-13-01”格式不对" in err.getvalue()
    assert not SourceDocument.objects.exists()


@pytest.mark.django_db
def test_the_demo_season_is_a_plausible_start_not_years_of_arrears(demo_home, client):
    """A short demo (as of 2023-03-10, the first weeks of 邵阳市's programme issued 2023-02-20): the
    simulated reports leave the pages far from all red, and the next check adds few notices (the full
    demo, as of 2023-06-30: 220 of 邵阳市's 332 tasks green, and its first check issues none)."""
    from duban.plans import clock
    from duban.plans.models import Programme
    from duban.supervision.actions import do_generate_notices
    from duban.tracking.status import task_states

    out = io.StringIO()
    call_command("demo", "--no-serve", "--simulate", "--as-of", "2023-03-10", stdout=out)
    assert "模拟 2023-02-20 至 2023-03-09" in out.getvalue()
    city = Programme.objects.get(region__name="邵阳市")
    ids = list(Task.objects.filter(plan__source_document__programme=city, active=True).values_list("pk", flat=True))
    lights = Counter(s.light for s in task_states(ids, clock.now()).values())
    assert lights["green"] + lights["yellow"] > len(ids) / 3 and lights["red"] < len(ids) * 2 / 3
    check = do_generate_notices(sorted(city.documents.values_list("plans__id", flat=True)), clock.today())
    assert len(check.issued) < 50


@pytest.mark.django_db
def test_plan_list_by_region(demo_db, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        r = client.get(reverse("plans:plan_list"))
    assert r.status_code == 200
    html = r.content.decode()
    for region in ("邵阳市", "沅江市", "新邵县"):
        assert f"<h2>{region}</h2>" in html
    for plan in Plan.objects.filter(active=True):
        assert reverse("plans:plan", args=[plan.pk]) in html
    for campaign in Campaign.objects.all():
        assert reverse("plans:campaign", args=[campaign.pk]) in html


@pytest.mark.django_db
def test_campaign_and_plan_pages_group_tasks_by_section(demo_db, client, django_assert_max_num_queries):
    campaign = Campaign.objects.filter(region__name="邵阳市").order_by("id").first()
    with django_assert_max_num_queries(MAX_QUERIES):
        r = client.get(reverse("plans:campaign", args=[campaign.pk]))
    assert r.status_code == 200 and campaign.name in r.content.decode()
    table = campaign.plans.get(kind="责任分解表")
    tasks = list(
        Task.objects.filter(plan=table, active=True).prefetch_related("assignments").order_by("order")
    )
    assert tasks
    with django_assert_max_num_queries(MAX_QUERIES):
        r = client.get(reverse("plans:plan", args=[table.pk]))
    html = r.content.decode()
    for task in tasks:
        assert reverse("plans:task", args=[task.pk]) in html
        if task.section:
            assert " › ".join(task.section) in html
    lead_task = next(t for t in tasks if t.lead_names)
    row = html.split(reverse("plans:task", args=[lead_task.pk]), 1)[1].split("</tr>", 1)[0]
    assert "、".join(lead_task.lead_names) in row and "、".join(lead_task.persons) in row


@pytest.mark.django_db
def test_task_pages_show_their_source_paragraph(demo_db, client, django_assert_max_num_queries):
    for doc in SourceDocument.objects.all():
        lines = doc.lines()
        tasks = Task.objects.filter(source_document=doc, active=True).order_by("order")
        for task in tasks[:: max(1, tasks.count() // 6)]:  # a spread of tasks of every sample
            with django_assert_max_num_queries(MAX_QUERIES):
                r = client.get(reverse("plans:task", args=[task.pk]))
            assert r.status_code == 200
            html = r.content.decode()
            hits = re.findall(r'<p class="hit"><span class="no">(\d+)</span>', html)
            assert [int(n) for n in hits] == list(range(task.line, (task.end_line or task.line) + 1))
            first = strip_markup(lines[task.line - 1]).strip()
            assert first and first[:20] in unescape(visible_text(html))
            for name in task.lead_names + task.co_names:
                assert name in unescape(html)


@pytest.mark.django_db
def test_missing_pages_are_404(client):
    office(client)
    for name in ("plans:plan", "plans:campaign", "plans:task"):
        assert client.get(reverse(name, args=[999999])).status_code == 404


def test_demo_help_lists_port_and_no_serve():
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "duban.cli", "demo", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "DUBAN_HOME": "/tmp"},
    )
    assert r.returncode == 0 and "--port" in r.stdout and "--no-serve" in r.stdout
