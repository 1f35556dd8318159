"""`duban synth`: a deterministic synthetic province in the shape of the samples (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from duban.plans.models import Plan, Task, TaskUnit, Unit, UnitAlias
from duban.plans.periods import LOCAL_TZ, parse_period
from duban.scale import loadtest
from duban.scale.actions import do_clear_synthetic, do_synthesize
from duban.scale.lateness import submission_time, unit_reliability
from duban.scale.synth import SynthError, SynthSpec, fingerprint, synthetic_plans
from duban.scale.templates import load_template
from duban.tracking.models import ProgressReport
from duban.tracking.schedule import schedule_for
from duban.tracking.status import task_states

SMALL = SynthSpec(seed=7, cities=1, counties=2, tasks_per_plan=3, until=date(2023, 3, 31))


def test_templates_copy_the_samples_campaigns():
    city, county = load_template("000"), load_template("003")
    assert [c.name for c in city.campaigns][:2] == ["经济增长主动仗", "科技创新攻坚仗"]
    assert len(county.campaigns) == 8 and all(c.kind == "行动" for c in county.campaigns)
    # the ingest's own alias learning: 市发改委 is a spelling of 市发展和改革委员会
    assert "市发改委" in city.units["市发展和改革委员会"]
    assert city.rename("邵阳市发改委", "衡阳市", "衡阳", "", "市") == "衡阳市发改委"


def test_lateness_model_is_seeded_and_bursty():
    due = datetime(2023, 3, 10, 17, 0, tzinfo=LOCAL_TZ)
    start = datetime(2023, 3, 1, tzinfo=LOCAL_TZ)

    def draw(seed):
        rng = random.Random(seed)
        return [submission_time(rng, due, start, unit_reliability(rng)) for _ in range(4000)]

    first = draw(3)
    assert first == draw(3) and first != draw(4)
    sent = [t for t in first if t is not None]
    on_time = [t for t in sent if t <= due]
    late = [t for t in sent if t > due]
    assert 0.03 < (len(first) - len(sent)) / len(first) < 0.15  # some never come
    assert 0.05 < len(late) / len(first) < 0.25  # a tail is late
    assert len(on_time) / len(first) > 0.7  # most are on time …
    burst = [t for t in on_time if due - t <= timedelta(hours=6)]
    assert len(burst) / len(on_time) > 0.5  # … and sent in the last hours
    assert all(t >= start for t in sent) and max(late) - due <= timedelta(days=9, minutes=1)


@pytest.mark.django_db
def test_same_seed_same_rows_other_seed_other_rows():
    counts = do_synthesize(SMALL)
    first = fingerprint(SMALL.seed)
    assert first["tasks"] == counts.tasks > 0 and first["reports"] == counts.reports > 0
    with pytest.raises(SynthError, match="已有合成数据"):
        do_synthesize(SMALL)
    assert fingerprint(SMALL.seed) == first  # the refused second load added nothing
    cleared = do_clear_synthetic()
    assert cleared["tasks"] == counts.tasks and fingerprint(SMALL.seed)["tasks"] == 0
    do_synthesize(SMALL)
    assert fingerprint(SMALL.seed) == first
    do_clear_synthetic()
    other = SynthSpec(seed=8, cities=1, counties=2, tasks_per_plan=3, until=date(2023, 3, 31))
    do_synthesize(other)
    second = fingerprint(other.seed)
    assert second["tasks"] == first["tasks"]  # same sizes …
    assert second["tasks_sha256"] != first["tasks_sha256"]  # … other people, other reports
    assert second["reports_sha256"] != first["reports_sha256"]


@pytest.mark.django_db
def test_synthetic_region_looks_like_an_ingested_plan():
    counts = do_synthesize(SMALL)
    plans = synthetic_plans(SMALL.seed)
    regions = {p.region.name for p in plans}
    assert len(regions) == 3 and counts.regions == 3
    for region in regions:
        kinds = Counter(p.kind for p in plans.filter(region__name=region))
        assert kinds["总体方案"] == 1 and kinds["工作方案"] in (6, 8)
        work = plans.filter(region__name=region, kind="工作方案")
        assert all(p.parent.kind == "总体方案" and p.campaign.region.name == region for p in work)
        assert Task.objects.filter(plan__in=work).count() == kinds["工作方案"] * SMALL.tasks_per_plan
    tasks = Task.objects.filter(plan__in=plans)
    # every task has a lead unit of its own region; record lines point at the task's text
    for task in tasks.select_related("plan__region", "source_document"):
        leads = TaskUnit.objects.filter(task=task, role=TaskUnit.LEAD).select_related("unit")
        assert leads and all(a.unit.region_id == task.plan.region_id for a in leads)
        assert task.source_document.lines()[task.line - 1].startswith(f"{task.seq}.")
    # aliases are other spellings of a unit in the same region, never another unit's name
    aliases = UnitAlias.objects.filter(unit__region__name__in=regions).select_related("unit")
    assert aliases.count() == counts.aliases > 0
    for alias in aliases:
        assert alias.region_id == alias.unit.region_id
        assert not Unit.objects.filter(region_id=alias.region_id, name=alias.name).exists()


@pytest.mark.django_db
def test_reports_follow_the_plans_own_schedule_and_statuses_come_out():
    do_synthesize(SMALL)
    tasks = Task.objects.filter(plan__in=synthetic_plans(SMALL.seed))
    reports = list(ProgressReport.objects.filter(task__in=tasks).select_related("task"))
    assert reports
    schedules = {}
    for r in reports:
        schedule = schedules.setdefault(r.task.plan_id, schedule_for(r.task))
        assert schedule.kinds == ("旬",)  # the 总体方案's 每旬报送 binds every task
        assert r.due_at == schedule.due_at(parse_period(r.period))  # same rule as duban calendar
        assert (r.late_by is not None) == (r.submitted_at > r.due_at)
        assert TaskUnit.objects.filter(task_id=r.task_id, unit_id=r.unit_id, role=TaskUnit.LEAD).exists() or (
            not TaskUnit.objects.filter(task_id=r.task_id, role=TaskUnit.LEAD, unit__is_group=False).exists()
        )
    assert max(r.period_end for r in reports) <= SMALL.last_day
    assert {r.version for r in reports} <= {1, 2}
    states = task_states(tasks, datetime(2023, 3, 25, 9, 0, tzinfo=LOCAL_TZ))
    statuses = Counter(s.status for s in states.values())
    assert statuses["正常推进"] > 0 and sum(statuses.values()) == tasks.count()


@pytest.mark.django_db
def test_command_prints_counts_and_refuses_bad_sizes(capsys):
    call_command(
        "synth", "--seed", "3", "--cities", "1", "--counties", "1", "--tasks-per-plan", "2",
        "--until", "2023-02-28", "--fingerprint",
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "合计：地区 2" in out and "reports_sha256" in out
    assert Plan.objects.filter(source_document__file_name__startswith="synth-s3-").exists()
    with pytest.raises(CommandError, match="只有 14 个市州"):
        call_command("synth", "--cities", "15")
    with pytest.raises(CommandError, match="不在报送年份"):
        call_command("synth", "--until", "2024-01-01")
    call_command("synth", "--clear")
    assert not Plan.objects.filter(source_document__file_name__startswith="synth-").exists()


@pytest.mark.django_db
def test_same_name_units_of_two_counties_are_ranked_apart():
    """A city's ranking covers its counties' plans, where every county has its 县财政局 …: each unit is
    scored under its own label (name and county), none dropped for sharing a name."""
    from duban.assessment.scoring import Scheme
    from duban.assessment.unit_scores import ranking
    from duban.plans.periods import parse_period

    do_synthesize(SMALL)
    plans = list(synthetic_plans(SMALL.seed))
    from duban.assessment.tiers import rankable

    units = {
        a.unit for a in TaskUnit.objects.filter(task__plan__in=plans, task__active=True).select_related("unit__region")
        if not a.unit.is_group and rankable(a.unit.name)
    }  # fmt: skip  (committees such as 安全生产各专业委员会 report through their members: not ranked)
    shared = Counter(u.name for u in units)
    assert any(n > 1 for n in shared.values()), "the synthetic counties have units of the same name"
    result = ranking(plans, Scheme.from_config(None), parse_period("2023Q1"), datetime(2023, 3, 31, 12, 0, tzinfo=LOCAL_TZ))
    assert len(result.facts) == len(units) == len(result.scores)
    for u in units:
        label = u.name if shared[u.name] == 1 else f"{u.name}（{u.region.name}）"
        assert label in result.facts
    assert sum(f.due for f in result.facts.values()) > 0


def test_bench_without_the_dev_extras_names_the_install_command(monkeypatch, tmp_path):
    """A production install has no locust: `duban bench` says how to get it before measuring anything."""
    monkeypatch.setattr(loadtest, "BIN", tmp_path)  # an environment without the locust script
    with pytest.raises(CommandError) as e:
        call_command("bench", "--quick")
    assert "locust" in str(e.value) and "pip install -e '.[dev]'" in str(e.value)
