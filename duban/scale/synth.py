"""A synthetic province: regions' plans in the shape of the samples, and a year of reports.

Deterministic: every region draws from its own ``random.Random`` seeded by (seed, region name), so
the same seed gives the same rows whatever the sizes or the order; task keys are derived from the
same. Rows are written with ``bulk_create`` in batches, one transaction per city (the city and its
counties), by :func:`duban.scale.actions.do_synthesize`, which also writes the audit entries.

Shape of one region (see :mod:`duban.scale.templates` for which sample it copies):

* a source document (``synth-s{seed}-{region}.txt``, its text generated line by line, so every
  record's ``line`` points at its own line) with a 总体方案 and one 工作方案 per campaign;
* the 总体方案 carries two cadences: '旬简报、月通报、季总结' (produced by the office) and
  '各责任单位每旬最后一天17:00前报送工作进展' (a 旬 reporting rhythm binding every task);
* each 工作方案: ``tasks_per_plan`` tasks (the sample campaign's tasks in order, repeated as
  needed), its targets and task force; units and their aliases as the ingest would learn them;
* reports: for every task, its lead unit's report on every 旬 due by ``until`` (lateness from
  :mod:`duban.scale.lateness`); about 3 % are corrected by a second version.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db import connection
from django.db.models import Q
from django.utils.duration import duration_microseconds

from duban.plans.hunan import HUNAN
from duban.plans.models import (
    Cadence,
    CadenceItem,
    Campaign,
    Plan,
    Region,
    SourceDocument,
    Target,
    Task,
    TaskForce,
    TaskForceMember,
    TaskUnit,
    Unit,
    UnitAlias,
)
from duban.plans.periods import local_datetime, period_containing
from duban.plans.regions import load_region_list
from duban.plans.unitnames import is_group
from duban.scale.lateness import submission_time, unit_reliability
from duban.scale.templates import Template, template_for
from duban.tracking.due_rules import cadence_rules
from duban.tracking.models import DONE, LAGGING, NOT_STARTED, ON_TRACK, ProgressReport

PROVINCE_CITIES, PROVINCE_COUNTIES, TASKS_PER_PLAN = 14, 122, 56
FILE_PREFIX = "synth-"
REPORT_TEXT = "各责任单位每旬最后一天17:00前向专班办公室报送工作进展"
REPORT_DUE = "每旬最后一天17:00前"
BRIEF_TEXT = "建立“旬简报、月通报、季总结”工作调度机制"
CORRECTION_SHARE = 0.03
BATCH = 5000

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌海波宇浩凯旭东林峰晨阳"
_DONE_TEXT = (
    "已完成阶段性目标，正按计划推进下一步工作。",
    "召开专题调度会，研究解决推进中的问题，项目进度符合序时要求。",
    "完成现场督导检查，整改事项已落实到位。",
    "牵头制定实施细则，相关单位已分解落实任务。",
    "已完成年度目标任务的阶段性部署，各项工作有序推进。",
    "重点项目按节点推进，本期完成投资计划的既定份额。",
)
_PROBLEMS = (
    "项目用地报批进度偏慢",
    "资金到位不及时，影响施工进度",
    "部分配合单位工作衔接不够紧密",
    "受天气影响，施工进度滞后",
    "",
    "",
    "",
)


class SynthError(ValueError):
    """A synthetic province that cannot be made as asked (Chinese message)."""


@dataclass(frozen=True)
class SynthSpec:
    seed: int = 1
    cities: int = PROVINCE_CITIES
    counties: int = PROVINCE_COUNTIES
    tasks_per_plan: int = TASKS_PER_PLAN
    reports_year: int = 2023
    until: date | None = None  # last day whose due reports are generated (default: 31 December)

    @property
    def last_day(self) -> date:
        return self.until or date(self.reports_year, 12, 31)


@dataclass
class Counts:
    regions: int = 0
    units: int = 0
    aliases: int = 0
    plans: int = 0
    tasks: int = 0
    targets: int = 0
    cadences: int = 0
    reports: int = 0
    late: int = 0
    missing: int = 0

    def add(self, other: Counts) -> None:
        for k, v in vars(other).items():
            setattr(self, k, getattr(self, k) + v)

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))

    def line(self) -> str:
        return (
            f"地区 {self.regions}，单位 {self.units}（别名 {self.aliases}），方案 {self.plans}，任务 {self.tasks}，"
            f"目标 {self.targets}，调度机制 {self.cadences}，报送 {self.reports}（逾期 {self.late}，未报 {self.missing}）"
        )


def regions_for(spec: SynthSpec) -> list[tuple[Region, list[Region]]]:
    """[(city, [its counties])]: the first ``cities`` 市州 and ``counties`` 县市区 spread over them in turn."""
    if spec.cities < 1 or spec.counties < 0 or spec.tasks_per_plan < 1:
        raise SynthError("--cities、--tasks-per-plan 须为正整数，--counties 不能为负数")
    province = Region.objects.filter(level="省", parent=None).order_by("id").first()
    if province is None or not province.children.exists():
        load_region_list(HUNAN)
        province = Region.objects.filter(level="省", parent=None).order_by("id").first()
    cities = list(province.children.filter(level="市").order_by("id"))
    if spec.cities > len(cities):
        raise SynthError(f"地区清单中只有 {len(cities)} 个市州，不能生成 {spec.cities} 个")
    cities = cities[: spec.cities]
    pools = {c.pk: list(c.children.filter(level="县").order_by("id")) for c in cities}
    available = sum(len(p) for p in pools.values())
    if spec.counties > available:
        raise SynthError(f"所选 {spec.cities} 个市州下只有 {available} 个县市区，不能生成 {spec.counties} 个")
    chosen: dict[int, list[Region]] = {c.pk: [] for c in cities}
    left, k = spec.counties, 0
    while left:
        pool = pools[cities[k % len(cities)].pk]
        taken = chosen[cities[k % len(cities)].pk]
        if len(taken) < len(pool):
            taken.append(pool[len(taken)])
            left -= 1
        k += 1
    return [(c, chosen[c.pk]) for c in cities]


def existing_synthetic(seed: int | None = None) -> int:
    prefix = FILE_PREFIX if seed is None else f"{FILE_PREFIX}s{seed}-"
    return SourceDocument.objects.filter(file_name__startswith=prefix).count()


def task_key(seed: int, region: str, campaign: str, k: int) -> str:
    return hashlib.sha256(f"{seed}|{region}|{campaign}|{k}".encode()).hexdigest()[:24]


def _batched(model, rows: list, batch: int = BATCH) -> list:
    return model.objects.bulk_create(rows, batch_size=batch)


def _reporting_rule():
    [(_, _, rule)] = cadence_rules({"due": REPORT_DUE, "items": [{"every": "旬", "action": "报送"}]})
    return rule


@dataclass
class _Text:
    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> int:
        self.lines.append(line)
        return len(self.lines)


class RegionSynth:
    """Everything of one region, built in memory then bulk-written by :meth:`save`."""

    def __init__(self, spec: SynthSpec, region: Region, parent: Region | None):
        self.spec = spec
        self.region = region
        self.template: Template = template_for(region.name, region.level)
        self.rng = random.Random(f"duban-synth|{spec.seed}|{region.name}")
        self.short = region.short_name or region.name[:-1]
        self.parent_short = (parent.short_name or parent.name[:-1]) if parent else self.short
        self.level = region.name[-1] if region.name[-1] in "市县区" else ""
        self.counts = Counts(regions=1)

    def rename(self, text: str) -> str:
        return self.template.rename(text, self.region.name, self.short, self.parent_short, self.level)

    def person(self) -> str:
        return self.rng.choice(_SURNAMES) + "".join(
            self.rng.choice(_GIVEN) for _ in range(self.rng.randint(1, 2))
        )

    # ---------------------------------------------------------------- units

    def _units(self) -> dict[str, Unit]:
        """{sample canonical name: Unit of this region}; creates missing units and their aliases."""
        existing = {u.name: u for u in Unit.objects.filter(region=self.region)}
        taken = set(existing) | set(
            UnitAlias.objects.filter(region=self.region).values_list("name", flat=True)
        )
        by_template: dict[str, Unit] = {}
        new_units: list[Unit] = []
        for canonical in self.template.units:
            name = self.rename(canonical)[:200]
            unit = existing.get(name)
            if unit is None:
                unit = Unit(region=self.region, name=name, is_group=is_group(name))
                existing[name] = unit
                new_units.append(unit)
                taken.add(name)
            by_template[canonical] = unit
        _batched(Unit, new_units)
        aliases: list[UnitAlias] = []
        for canonical, spellings in self.template.units.items():
            unit = by_template[canonical]
            if unit.is_group or unit not in new_units:
                continue
            extra = [self.region.name + unit.name[1:]] if unit.name[:1] in "市县区" else []
            for spelling in [self.rename(s)[:200] for s in spellings] + extra:
                if spelling and spelling not in taken:
                    taken.add(spelling)
                    aliases.append(UnitAlias(region=self.region, name=spelling, unit=unit))
        _batched(UnitAlias, aliases)
        self.counts.units, self.counts.aliases = len(new_units), len(aliases)
        return by_template

    # ---------------------------------------------------------------- plans

    def save(self) -> list[tuple[Task, int]]:
        """Write the region's plans; returns (task, reporting unit id) for the reports."""
        spec, region, tpl = self.spec, self.region, self.template
        units = self._units()
        text = _Text()
        umbrella = "实施“八大行动”" if tpl.campaigns[0].kind == "行动" else "打好“发展六仗”"
        overall_title = f"{region.name}{umbrella}总体方案"
        text.add(f"{region.name}人民政府办公室关于印发《{overall_title}》等文件的通知")
        overall_line = text.add(overall_title)
        brief_line = text.add(BRIEF_TEXT)
        report_line = text.add(REPORT_TEXT)
        overall_targets = [(text.add(self.rename(t.text)), t) for t in tpl.overall_targets]

        campaigns = {c.name: c for c in Campaign.objects.filter(region=region)}
        new_campaigns = [
            Campaign(region=region, name=c.name, kind=c.kind)
            for c in tpl.campaigns
            if c.name not in campaigns
        ]
        for c in _batched(Campaign, new_campaigns):
            campaigns[c.name] = c

        work: list[
            tuple
        ] = []  # (campaign shape, plan line, [(line, target)], [(line, team)], [(line, task)])
        for c in tpl.campaigns:
            verb = "实施" if c.kind == "行动" else "打好"
            title = f"{region.name}{verb}{c.name}工作方案"
            plan_line = text.add(title)
            targets = [(text.add(self.rename(t.text)), t) for t in c.targets]
            teams = [(text.add(self.rename(t.name)), t) for t in c.teams]
            tasks = []
            for k in range(spec.tasks_per_plan):
                shape = c.tasks[k % len(c.tasks)]
                tasks.append((text.add(f"{k + 1}.{self.rename(shape.text)}"), shape))
            work.append((c, title, plan_line, targets, teams, tasks))

        body = "\n".join(text.lines)
        doc = SourceDocument.objects.create(
            file_name=f"{FILE_PREFIX}s{spec.seed}-{region.name}.txt",
            sha256=hashlib.sha256(body.encode()).hexdigest(),
            format="txt",
            text=body,
            line_count=len(text.lines),
            region=region,
            issuer={"region": region.name, "level": region.level, "synthetic": True},
        )
        overall = Plan.objects.create(
            source_document=doc,
            region=region,
            title=overall_title,
            kind="总体方案",
            line=overall_line,
            order=0,
        )
        plans = _batched(
            Plan,
            [
                Plan(
                    source_document=doc, region=region, campaign=campaigns[c.name], parent=overall,
                    title=title, kind="工作方案", annex=f"附件{k + 1}", line=line, order=k + 1,
                )
                for k, (c, title, line, *_rest) in enumerate(work)
            ],
        )  # fmt: skip
        cadences = _batched(
            Cadence,
            [
                Cadence(
                    plan=overall, source_document=doc, line=brief_line, order=0, text=BRIEF_TEXT,
                    report_to=f"{region.name[-1]}政府",
                ),
                Cadence(
                    plan=overall, source_document=doc, line=report_line, order=1, text=REPORT_TEXT,
                    report_to="专班办公室", due=REPORT_DUE,
                ),
            ],
        )  # fmt: skip
        _batched(
            CadenceItem,
            [
                CadenceItem(cadence=cadences[0], every="旬", action="简报", order=0),
                CadenceItem(cadence=cadences[0], every="月", action="通报", order=1),
                CadenceItem(cadence=cadences[0], every="季", action="总结", order=2),
                CadenceItem(cadence=cadences[1], every="旬", action="报送", order=0),
            ],
        )
        targets = [self._target(overall, doc, line, k, t) for k, (line, t) in enumerate(overall_targets)]
        tasks: list[Task] = []
        task_units: list[list[tuple[Unit, str, str]]] = []
        forces: list[tuple[TaskForce, list[Unit]]] = []
        for plan, (c, _title, _line, plan_targets, teams, plan_tasks) in zip(plans, work, strict=True):
            leader = f"副{region.name[-1]}长{self.person()}"
            targets += [self._target(plan, doc, line, k, t) for k, (line, t) in enumerate(plan_targets)]
            for k, (line, team) in enumerate(teams):
                office = units.get(team.office) if team.office else None
                tf = TaskForce(
                    plan=plan, source_document=doc, line=line, order=k, name=self.rename(team.name)[:300],
                    convener=leader, office_text=office.name if office else "", office_unit=office,
                )  # fmt: skip
                forces.append((tf, [units[m] for m in dict.fromkeys(team.members) if m in units]))
            for k, (line, shape) in enumerate(plan_tasks):
                lead = [units[n] for n in shape.units if n in shape.leads]
                tasks.append(
                    Task(
                        plan=plan, source_document=doc, line=line, end_line=line, order=k,
                        key=task_key(spec.seed, region.name, c.name, k), source="table",
                        section=[self.rename(s) for s in shape.section], seq=str(k + 1),
                        title=self.rename(shape.title), text=self.rename(shape.text),
                        persons=[self.person() for _ in lead[:1]], leaders=[leader],
                        deadline=self.rename(shape.deadline)[:300],
                    )
                )  # fmt: skip
                task_units.append(
                    [
                        (units[n], "lead" if n in shape.leads else "co", w)
                        for n, w in zip(shape.units, shape.written, strict=True)
                    ]
                )
        _batched(Target, targets)
        _batched(TaskForce, [tf for tf, _ in forces])
        _batched(
            TaskForceMember,
            [
                TaskForceMember(task_force=tf, unit=u, order=k, written_as=u.name)
                for tf, members in forces
                for k, u in enumerate(members)
            ],
        )
        _batched(Task, tasks)
        rows, reporters = [], []
        for task, assigned in zip(tasks, task_units, strict=True):
            for k, (unit, role, written) in enumerate(assigned):
                rows.append(
                    TaskUnit(task=task, unit=unit, role=role, order=k, written_as=self.rename(written)[:200])
                )
            lead = next((u for u, role, _ in assigned if role == "lead" and not u.is_group), None)
            lead = lead or next((u for u, _, _ in assigned if not u.is_group), None)
            if lead is not None:
                reporters.append((task, lead.pk))
        _batched(TaskUnit, rows)
        self.counts.plans = 1 + len(plans)
        self.counts.tasks = len(tasks)
        self.counts.targets = len(targets)
        self.counts.cadences = len(cadences)
        return reporters

    def _target(self, plan, doc, line, order, t) -> Target:
        return Target(
            plan=plan, source_document=doc, line=line, order=order, indicator=self.rename(t.indicator)[:300],
            measure=t.measure[:40], value=t.value, measure_unit=t.unit[:40], qualifier=t.qualifier[:40],
            text=self.rename(t.text),
        )  # fmt: skip

    # ---------------------------------------------------------------- reports

    def reports(self, reporters: list[tuple[Task, int]]) -> None:
        """A year of 旬 reports by each task's lead unit (see :mod:`duban.scale.lateness`)."""
        spec, rng, rule = self.spec, self.rng, _reporting_rule()
        first = period_containing("旬", date(spec.reports_year, 1, 1))
        periods = []
        p = first
        while p.start.year == spec.reports_year:
            due = rule.due_at(p)
            if due.date() <= spec.last_day:
                periods.append((p, due, local_datetime(p.start, time(0))))
            p = p.next()
        days = (date(spec.reports_year, 12, 31) - date(spec.reports_year, 1, 1)).days + 1
        reliability: dict[int, tuple[float, float]] = {}
        out: list[tuple] = []
        for task, unit_id in reporters:
            if unit_id not in reliability:
                reliability[unit_id] = unit_reliability(rng)
            pace = rng.uniform(0.8, 1.15)
            percent = 0.0
            for period, due, start in periods:
                at = submission_time(rng, due, start, reliability[unit_id])
                if at is None:
                    self.counts.missing += 1
                    continue
                expected = ((period.end - date(spec.reports_year, 1, 1)).days + 1) / days
                percent = max(percent, min(100.0, round(100 * pace * expected + rng.gauss(0, 3), 1)))
                percent = max(percent, 0.0)
                status = _status(percent, expected)
                problem = rng.choice(_PROBLEMS) if status == LAGGING else ""
                versions = 2 if rng.random() < CORRECTION_SHARE else 1
                for version in range(1, versions + 1):
                    when = at if version == 1 else at + timedelta(hours=rng.uniform(1, 30))
                    out.append(
                        (
                            task.pk, unit_id, version, ProgressReport.UNIT,
                            f"{period.label}：{rng.choice(_DONE_TEXT)}", percent, status, problem, "",
                            when, due, (when - due) if when > due else None,
                            period.code, period.start, period.end,
                        )
                    )  # fmt: skip
                if len(out) >= BATCH:
                    self._flush(out)
        self._flush(out)

    def _flush(self, out: list[tuple]) -> None:
        insert_reports(out)
        self.counts.reports += len(out)
        self.counts.late += sum(1 for r in out if r[11] is not None)
        out.clear()


REPORT_COLUMNS = (
    "task_id", "unit_id", "version", "kind", "narrative", "percent", "self_status", "problems",
    "coordination_needs", "submitted_at", "due_at", "late_by", "period", "period_start", "period_end",
)  # fmt: skip


def insert_reports(rows: list[tuple]) -> None:
    """Insert report rows (in :data:`REPORT_COLUMNS` order) fast: COPY on PostgreSQL, executemany elsewhere.

    Model instances and ``bulk_create`` cost about four times as much per row; a province has two
    million. Values are adapted by the backend's own field adapters, so rows read back as the ORM wrote them.
    """
    if not rows:
        return
    table = connection.ops.quote_name(ProgressReport._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in REPORT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        ops = connection.ops
        dt, day = ops.adapt_datetimefield_value, ops.adapt_datefield_value
        native_duration = connection.features.has_native_duration_field
        adapted = [
            (
                *r[:9], dt(r[9]), dt(r[10]),
                r[11] if native_duration or r[11] is None else duration_microseconds(r[11]),
                r[12], day(r[13]), day(r[14]),
            )
            for r in rows
        ]  # fmt: skip
        marks = ", ".join(["%s"] * len(REPORT_COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", adapted)


def _status(percent: float, expected: float) -> str:
    if percent >= 100:
        return DONE
    if percent <= 0:
        return NOT_STARTED
    if percent < 0.9 * expected * 100:
        return LAGGING
    return ON_TRACK


def synth_city(spec: SynthSpec, city: Region, counties: list[Region], say: Callable[[str], None]) -> Counts:
    """The city and its counties (the caller holds the transaction)."""
    total = Counts()
    for region, parent in [(city, None), *((c, city) for c in counties)]:
        builder = RegionSynth(spec, region, parent)
        reporters = builder.save()
        builder.reports(reporters)
        total.add(builder.counts)
    say(f"  {city.name}（含 {len(counties)} 个县市区）：{total.line()}")
    return total


def synthetic_plans(seed: int | None = None):
    prefix = FILE_PREFIX if seed is None else f"{FILE_PREFIX}s{seed}-"
    return Plan.objects.filter(source_document__file_name__startswith=prefix)


def fingerprint(seed: int | None = None, sample_every: int = 97) -> dict:
    """Counts and checksums of a sample of the synthetic rows (content only, no ids): equal for equal seeds."""
    plans = synthetic_plans(seed)
    tasks = Task.objects.filter(plan__in=plans)
    reports = ProgressReport.objects.filter(task__in=tasks)
    h_tasks, h_reports = hashlib.sha256(), hashlib.sha256()
    rows = tasks.order_by("key").values_list(
        "key", "plan__region__name", "plan__title", "seq", "title", "deadline", "persons", "leaders"
    )
    for k, row in enumerate(rows.iterator()):
        if k % sample_every == 0:
            h_tasks.update(repr(row).encode())
    rows = reports.order_by("task__key", "period_start", "version").values_list(
        "task__key", "unit__name", "period", "version", "percent", "self_status", "submitted_at", "late_by",
        "narrative", "problems",
    )  # fmt: skip
    for k, row in enumerate(rows.iterator()):
        if k % sample_every == 0:
            h_reports.update(repr((*row[:6], row[6].timestamp(), row[7], *row[8:])).encode())
    return {
        "plans": plans.count(),
        "tasks": tasks.count(),
        "units": TaskUnit.objects.filter(task__in=tasks).values("unit").distinct().count(),
        "reports": reports.count(),
        "late": reports.filter(~Q(late_by=None)).count(),
        "tasks_sha256": h_tasks.hexdigest(),
        "reports_sha256": h_reports.hexdigest(),
    }
