"""A brief over several regions lists its lagging and overdue tasks per region, not one row per task.

A small synthetic province (``duban synth --cities 1 --counties 2 --tasks-per-plan 4``, reports up to the
end of March): the 月通报 of every plan (the city's and its two counties') counts them per region — the
city's own plans as its 本级, each county on its own — with the worst few named; the figures are checked
against the tracking rule's statuses counted here per plan region. A brief of the city's own plans alone
keeps its table of tasks.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import docx
import pytest
from django.template.loader import render_to_string

from duban.briefs.collect import WORST_NAMED, collect
from duban.briefs.content import BriefRequest
from duban.briefs.render_docx import by_region_rows, render
from duban.briefs.render_html import context
from duban.briefs.writing import one_line
from duban.plans.models import Plan, Region, Task
from duban.plans.periods import parse_period
from duban.scale.actions import do_synthesize
from duban.scale.synth import SynthSpec, synthetic_plans
from duban.tracking.models import LAGGING, OVERDUE
from duban.tracking.status import task_states

pytestmark = pytest.mark.django_db

SPEC = SynthSpec(seed=3, cities=1, counties=2, tasks_per_plan=4, until=date(2023, 3, 31))
PERIOD = "2023-03"


@pytest.fixture
def province():
    do_synthesize(SPEC)
    plans = synthetic_plans(SPEC.seed).filter(active=True, tasks__isnull=False).distinct()
    return sorted(plans.values_list("pk", flat=True))


def table(d, *header) -> list[list[str]] | None:
    for t in d.tables:
        if [c.text for c in t.rows[0].cells][: len(header)] == list(header):
            return [[c.text for c in row.cells] for row in t.rows[1:]]
    return None


def statuses_by_region(plan_ids) -> dict[str, Counter]:
    """{region name: Counter of 'tasks' and of each status} at the end of the period, by the plans' regions."""
    end = parse_period(PERIOD).end_at - timedelta(microseconds=1)
    rows = list(
        Task.objects.filter(plan_id__in=plan_ids, active=True).values_list("id", "plan__region__name")
    )
    states = task_states([pk for pk, _ in rows], end)
    out: dict[str, Counter] = defaultdict(Counter)
    for pk, region in rows:
        out[region]["tasks"] += 1
        out[region][states[pk].status] += 1
    return out


def test_the_province_brief_counts_lagging_tasks_per_region(province):
    regions = {r.name: r for r in Region.objects.filter(plans__pk__in=province).distinct()}
    (city,) = [r for r in regions.values() if r.level == "市"]
    counties = sorted((r for r in regions.values() if r.parent_id == city.pk), key=lambda r: r.pk)
    assert len(counties) == 2 and len(regions) == 3

    data = collect(BriefRequest.parse("月通报", PERIOD, province))
    expected = statuses_by_region(province)
    bad = sum(c[OVERDUE] + c[LAGGING] for c in expected.values())
    assert bad > 0 and len(data.lagging) == bad  # the detail is still there, every task
    assert [r.region for r in data.lagging_by_region] == [f"{city.name}本级", *(c.name for c in counties)]
    for line in data.lagging_by_region:
        want = expected[line.region.removesuffix("本级")]
        assert (line.tasks, line.overdue, line.lagging) == (want["tasks"], want[OVERDUE], want[LAGGING])
        # the worst named: at most WORST_NAMED, 逾期未报 first, then the furthest behind 序时进度
        assert len(line.worst) == min(WORST_NAMED, line.total)
        keys = [(t.status != OVERDUE, (t.percent or 0) - t.expected) for t in line.worst]
        assert keys == sorted(keys)
        if line.overdue:
            assert line.worst[0].status == OVERDUE
    assert sum(r.tasks for r in data.lagging_by_region) == data.headline.tasks

    # the document: the table by region and its sentence, not one row per task
    d = docx.Document(io.BytesIO(render(data).to_bytes()))
    assert table(d, "序号", "仗（行动）", "任务") is None
    rows = table(d, "地区", "任务", "逾期未报", "滞后", "较突出的任务")
    assert rows == by_region_rows(data) and len(rows) == 3
    for row, line in zip(rows, data.lagging_by_region, strict=True):
        for t in line.worst:
            assert t.title.rstrip("。；;") in row[4]
    text = "\n".join(p.text for p in d.paragraphs)
    overdue = sum(c[OVERDUE] for c in expected.values())
    m = re.search(r"逾期未报(\d+)项、滞后(\d+)项，分布在(\d+)个地区", text)
    assert m and [int(x) for x in m.groups()] == [
        overdue,
        bad - overdue,
        sum(1 for c in expected.values() if c[OVERDUE] + c[LAGGING]),
    ]
    assert context(data, charts=False)["lagging_by_region"] == rows
    page = render_to_string("ui/briefs/brief.html", context(data, charts=False))  # the brief as a web page
    assert 'id="brief-lagging-regions"' in page and ">序号<" not in page.split('id="brief-lagging"')[1]
    for line in data.lagging_by_region:
        assert f"<td>{line.region}</td>" in page


def test_a_brief_of_one_region_keeps_its_task_table(province):
    own = list(Plan.objects.filter(pk__in=province, region__level="市").values_list("pk", flat=True))
    data = collect(BriefRequest.parse("月通报", PERIOD, own))
    assert data.lagging and data.lagging_by_region == []
    d = docx.Document(io.BytesIO(render(data).to_bytes()))
    rows = table(d, "序号", "仗（行动）", "任务")
    assert [r[2] for r in rows] == [one_line(t.title) for t in data.lagging]  # stray spaces and breaks removed
    assert table(d, "地区", "任务") is None
    assert context(data, charts=False)["lagging_by_region"] == []
    page = render_to_string("ui/briefs/brief.html", context(data, charts=False))
    assert 'id="brief-lagging-regions"' not in page and data.lagging[0].title in page
