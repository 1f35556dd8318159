"""督办事项: the office (or a 专班 for its campaign) 交办s a task of its own; units 签收 it; the office
退回s a report with a reason.

A 督办事项 is a real :class:`~duban.plans.models.Task` so everything that follows a task (本期待报,
calendar, status, 督办检查, 督办单) follows it without a second path. It lives in a plan kept for
office-created items: one 来源文件 per region (“督办事项（督查室交办）”, one line per item, so the task
page shows its own line as “原文”) and one plan per campaign and reporting cadence
(“督办事项·每月报送”), created on first use with a 手工 cadence ``每{every}报送``. Its 时限 is written as
“YYYY年M月D日前”, which :func:`duban.tracking.deadlines.parse_deadline` reads back.

Every ``do_*`` writes its rows and audit entry in one transaction after the permission check
(``user=None``: the command line); bad input raises :class:`SupervisionError` (Chinese) and
stores nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from duban.accounts import permissions
from duban.accounts.roles import CAMPAIGN, REGION, SUPERVISE, UNIT
from duban.audit.trail import record
from duban.ingest.text import norm_key
from duban.plans import clock
from duban.plans.models import Campaign, Plan, Region, SourceDocument, Task, TaskUnit, Unit
from duban.plans.periods import KINDS
from duban.plans.units import UnitDirectory
from duban.supervision.actions import SupervisionError, _user, _who
from duban.supervision.models import ASSIGNMENT_SOURCES, Assignment, AssignmentReceipt, ReportReturn
from duban.tracking.actions import do_add_cadence
from duban.tracking.models import ProgressReport

DOCUMENT_TITLE = "督办事项（督查室交办）"
PLAN_KIND = "任务清单"
PLAN_PREFIX = "督办事项"
SOURCES = [s for s, _ in ASSIGNMENT_SOURCES]


def may_assign(user, region: Region, campaign: Campaign | None) -> bool:
    """May ``user`` 交办 in ``region`` (and ``campaign``)? The office of the region (or above), a 专班 for
    its own campaign only, superusers; ``user=None`` is the command line."""
    if user is None or permissions.is_superuser(user):
        return True
    if not permissions.may(user, SUPERVISE):
        return False
    scope = permissions.scope_of(user)
    if scope == REGION:
        ids = permissions._scope_regions(user)
        return ids is None or region.pk in ids
    if scope == CAMPAIGN:
        return campaign is not None and campaign.pk == permissions.profile_of(user).campaign_id
    return False


def is_assignment_plan(plan: Plan) -> bool:
    """Whether ``plan`` is one of the 督办事项 plans this module keeps (cheap: no query)."""
    return plan.kind == PLAN_KIND and plan.title.startswith(PLAN_PREFIX)


def assignment_starts(task_ids, plans) -> dict[int, datetime]:
    """{task id: when it was 交办ed} for the 督办事项 among ``task_ids`` (one query, and only when one
    of ``plans`` holds 督办事项); registered with :func:`duban.tracking.status.register_given_out`."""
    if not any(is_assignment_plan(p) for p in plans):
        return {}
    return dict(Assignment.objects.filter(task_id__in=task_ids).values_list("task_id", "created_at"))


def _document(region: Region) -> SourceDocument:
    """The region's 来源文件 of 督办事项 (created on first use; its sha names the region, not bytes)."""
    sha = hashlib.sha256(f"duban-assignments:{region.pk}".encode()).hexdigest()
    doc = SourceDocument.objects.select_for_update().filter(sha256=sha, region=region).first()
    if doc is None:
        doc = SourceDocument.objects.create(
            file_name=DOCUMENT_TITLE, sha256=sha, format="交办", text="", line_count=0, region=region
        )
    return doc


def _plan(doc: SourceDocument, region: Region, campaign: Campaign | None, every: str, user) -> Plan:
    title = f"{PLAN_PREFIX}{f'（{campaign.name}）' if campaign else ''}·每{every}报送"
    plan = Plan.objects.filter(source_document=doc, title=title, campaign=campaign).first()
    if plan is None:
        order = (Plan.objects.filter(source_document=doc).aggregate(m=Max("order"))["m"] or 0) + 1
        plan = Plan.objects.create(
            source_document=doc, region=region, campaign=campaign, title=title, kind=PLAN_KIND, line=1,
            order=order,
        )  # fmt: skip
        do_add_cadence(plan, items=[(every, "报送")], text=f"督办事项每{every}报送进展，期末 23:59 前", user=user)
    return plan


def _units(region: Region, lead: str | Unit, co) -> list[tuple[Unit, str]]:
    """[(unit, role)]: the lead first, then the co-units; names must be the region's units or aliases."""
    directory = UnitDirectory(region)
    out: list[tuple[Unit, str]] = []
    for written, role in [(lead, TaskUnit.LEAD)] + [(c, TaskUnit.CO) for c in co or ()]:
        if isinstance(written, Unit):
            unit = written
            if unit.region_id != region.pk:
                raise SupervisionError(f"单位“{unit.name}”不属于{region.name}，不能交办")
        else:
            name = norm_key(written or "")
            if not name:
                continue
            if not directory.knows(name):
                raise SupervisionError(f"{region.name}没有名为“{name}”的单位：请写单位的规范名称或已有别名")
            unit = directory.resolve([name])[name]
        if any(u.pk == unit.pk for u, _ in out):
            raise SupervisionError(f"单位“{unit.name}”重复填写")
        out.append((unit, role))
    if not out or out[0][1] != TaskUnit.LEAD:
        raise SupervisionError("请填写牵头单位")
    return out


def deadline_text(due: date) -> str:
    return f"{due.year}年{due.month}月{due.day}日前"


@transaction.atomic
def do_create_assignment(
    region: Region,
    *,
    title: str,
    source: str,
    lead: str | Unit,
    due: date,
    every: str = "月",
    co=(),
    source_ref: str = "",
    text: str = "",
    campaign: Campaign | None = None,
    user=None,
    actor_name: str = "",
    at: datetime | None = None,
) -> Assignment:
    """交办 a 督办事项: a new task of the region's 督办事项 plan for ``every``, with its units and 时限."""
    if not may_assign(user, region, campaign):
        raise PermissionDenied(f"您无权在{region.name}交办督办事项（只有本地区督查室或本仗专班办公室可以）")
    if campaign is not None and campaign.region_id != region.pk:
        raise SupervisionError(f"“{campaign.name}”不是{region.name}的仗 / 行动")
    title = (title or "").strip()
    if not title:
        raise SupervisionError("请填写督办事项的标题")
    if source not in SOURCES:
        raise SupervisionError(f"来源“{source}”无效，应为：{'、'.join(SOURCES)}")
    if every not in KINDS:
        raise SupervisionError(f"报送周期“{every}”无效，应为：{'、'.join(KINDS)}")
    at = at or clock.now()
    if not isinstance(due, date) or due < timezone.localdate(at):
        raise SupervisionError("办结时限应为今天或以后的日期")
    units = _units(region, lead, co)
    doc = _document(region)
    plan = _plan(doc, region, campaign, every, user)
    lines = doc.lines() if doc.text else []
    lines.append(f"【{source}】{title}（牵头：{units[0][0].name}；时限：{deadline_text(due)}）")
    doc.text, doc.line_count = "\n".join(lines), len(lines)
    doc.save(update_fields=["text", "line_count", "updated_at"])
    order = (plan.tasks.aggregate(m=Max("order"))["m"] or 0) + 1
    task = Task.objects.create(
        plan=plan, source_document=doc, line=len(lines), end_line=len(lines), order=order,
        source="交办", seq=str(order), title=title, text=(text or "").strip() or title,
        deadline=deadline_text(due),
    )  # fmt: skip
    TaskUnit.objects.bulk_create(
        TaskUnit(task=task, unit=u, role=role, order=k, written_as=u.name, origin=TaskUnit.MANUAL)
        for k, (u, role) in enumerate(units)
    )
    assignment = Assignment.objects.create(
        task=task, region=region, campaign=campaign, source=source, source_ref=(source_ref or "").strip()[:300],
        due_date=due, every=every, created_by=_user(user), created_by_name=_who(user, actor_name),
        created_at=at,
    )  # fmt: skip
    record(
        "create_assignment",
        assignment,
        summary=f"交办督办事项“{title[:40]}”（{source}）：牵头 {units[0][0].name}，时限 {deadline_text(due)}",
        after=assignment_snapshot(assignment, units),
        actor=_user(user),
        actor_name=_who(user, actor_name) if user is None else "",
    )
    return assignment


def assignment_snapshot(a: Assignment, units=None) -> dict:
    if units is None:
        units = [(x.unit, x.role) for x in a.task.assignments.select_related("unit").order_by("order")]
    return {
        "task": a.task_id,
        "title": a.task.title,
        "source": a.source,
        "source_ref": a.source_ref,
        "due": a.due_date.isoformat(),
        "every": a.every,
        "lead": [u.name for u, r in units if r == TaskUnit.LEAD],
        "co": [u.name for u, r in units if r == TaskUnit.CO],
        "campaign": a.campaign.name if a.campaign_id else None,
    }


def _signing_unit(user, assignment: Assignment, unit: Unit | None) -> Unit:
    unit_ids = set(assignment.task.assignments.values_list("unit_id", flat=True))
    if user is not None:
        if permissions.scope_of(user) != UNIT:
            raise PermissionDenied("签收由承办单位的填报员办理")
        unit = Unit.objects.filter(pk=permissions.profile_of(user).unit_id).first()
        if unit is None or unit.pk not in unit_ids:
            raise PermissionDenied("您的单位不是该督办事项的承办单位，不能签收")
    if unit is None:
        raise SupervisionError("请指明签收单位")
    if unit.pk not in unit_ids:
        raise SupervisionError(f"“{unit.name}”不是该督办事项的承办单位")
    return unit


@transaction.atomic
def do_sign_assignment(
    assignment: Assignment, user=None, *, unit: Unit | None = None, actor_name: str = "", at=None
) -> AssignmentReceipt:
    """A receiving unit 签收s the 督办事项 (once)."""
    unit = _signing_unit(user, assignment, unit)
    if AssignmentReceipt.objects.filter(assignment=assignment, unit=unit).exists():
        raise SupervisionError(f"“{unit.name}”已签收该督办事项")
    receipt = AssignmentReceipt.objects.create(
        assignment=assignment, unit=unit, actor=_user(user), actor_name=_who(user, actor_name),
        at=at or clock.now(),
    )  # fmt: skip
    record(
        "sign_assignment",
        assignment,
        summary=f"{unit.name} 签收督办事项“{assignment.task.title[:40]}”",
        after={"unit": unit.name},
        actor=_user(user),
        actor_name=_who(user, actor_name) if user is None else "",
    )
    return receipt


def returned_of(report: ProgressReport) -> ReportReturn | None:
    """The report's 退回 row, or None (read it with ``select_related("returned")``)."""
    try:
        return report.returned
    except ObjectDoesNotExist:
        return None


@transaction.atomic
def do_return_report(report: ProgressReport, reason: str, user=None, *, actor_name: str = "", at=None) -> ReportReturn:
    """退回 a unit's report with a reason: the unit must report that period again. Only the unit's
    newest version of the period can be returned, and only once."""
    if user is not None and not permissions.can_supervise(user, report.task):
        raise PermissionDenied("您无权退回此报送（只有督查室或本仗专班办公室可以）")
    reason = (reason or "").strip()
    if not reason:
        raise SupervisionError("请填写退回理由")
    if ReportReturn.objects.filter(report=report).exists():
        raise SupervisionError(f"该报送（{report.period} 第{report.version}版）已退回")
    newest = (
        ProgressReport.objects.filter(task_id=report.task_id, unit_id=report.unit_id, period=report.period)
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )
    if newest != report.pk:
        raise SupervisionError("该单位本期已有更新的报送版本，只能退回最新一版")
    row = ReportReturn.objects.create(
        report=report, task_id=report.task_id, unit_id=report.unit_id, period=report.period, reason=reason,
        actor=_user(user), actor_name=_who(user, actor_name), at=at or clock.now(),
    )  # fmt: skip
    record(
        "return_report",
        report,
        summary=f"退回 {report.unit.name} {report.period} 第{report.version}版报送：{reason[:60]}",
        after={"task": report.task_id, "unit": report.unit_id, "period": report.period, "reason": reason},
        actor=_user(user),
        actor_name=_who(user, actor_name) if user is None else "",
    )
    return row
