"""本期待报 (the reporter's home) and the report form of one task.

A reporter sees and reports only its own unit's tasks (``permissions.visible_tasks`` and
``permissions.can_report``, checked on every request); the 督查室 may pick a unit and report on
its behalf. Every report goes through ``tracking.actions.do_submit_report`` (a new version).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from duban.accounts import permissions
from duban.accounts.guards import allowed_to, task_permission
from duban.accounts.roles import REPORT, UNIT
from duban.plans import clock
from duban.plans.models import Task, TaskUnit, Unit
from duban.plans.periods import to_local
from duban.tracking.actions import TrackingError, do_submit_report
from duban.tracking.schedule import PlanTree, task_schedules
from duban.ui.duelist import DueTask, due_tasks, report_targets, task_periods
from duban.ui.forms import ReportForm


def period_choices(periods) -> list[tuple[str, str]]:
    """[(code, '2026年11月（11月30日 23:59 截止，已逾期）')] for DuePeriods."""
    out = []
    for p in periods:
        notes = [f"{to_local(p.due):%-m月%-d日 %H:%M} 截止"]
        if p.reported is not None:
            notes.append(f"已报第{p.reported.version}版")
        elif p.overdue:
            notes.append("已逾期")
        out.append((p.code, f"{p.period.label}（{'，'.join(notes)}）"))
    return out


def build_form(item: DueTask, units, targets, data=None, files=None) -> ReportForm:
    pending = item.pending
    periods = pending + [p for p in item.periods if p not in pending]  # unreported first
    leads = {a.unit_id for a in item.task.assignments.all() if a.role == TaskUnit.LEAD}
    form = ReportForm(
        data,
        files,
        prefix=f"t{item.task.pk}",
        units=units,
        periods=period_choices(periods),
        targets=targets,
        lead_unit_ids=leads & {u for u, _ in units},
    )
    last = item.history[0] if item.history else None
    if data is None and last is not None:  # start from what was said last time
        form.initial.update({"percent": last.percent, "status": last.self_status})
    return form


def _acting_unit(request):
    """(unit, units to choose from) — the reporter's own unit, or the unit the 督查室 picked."""
    profile = permissions.profile_of(request.user)
    if permissions.scope_of(request.user) == UNIT:
        return profile.unit, []
    tasks = permissions.visible_tasks(request.user).filter(active=True)
    units = list(Unit.objects.filter(is_group=False, assignments__task__in=tasks).distinct().order_by("name"))
    picked = request.GET.get("unit", "")
    unit = next((u for u in units if str(u.pk) == picked), None)
    return unit, units


@allowed_to(REPORT)
def report_home(request):
    now = to_local(clock.now())
    unit, units = _acting_unit(request)
    if unit is None:
        items = []
    elif units == []:  # a reporter: all its unit's tasks (cached per structure version)
        items = due_tasks(unit.pk, None, now, permissions.member_roles(request.user))
    else:  # the 督查室 for a unit it picked: the unit's tasks it may see
        items = due_tasks(unit.pk, permissions.visible_tasks(request.user), now)
    return render(
        request,
        "ui/report_home.html",
        {
            "unit": unit,
            "units": units,
            "items": items,
            "pending_count": sum(1 for i in items if i.pending),
            "overdue_count": sum(1 for i in items for p in i.periods if p.overdue),
            "now": now,
            "unit_query": unit.pk if units and unit else "",
        },
    )


def _task_item(task, unit_id: int, now) -> DueTask:
    found = due_tasks(unit_id, Task.objects.filter(pk=task.pk), now)
    if found:
        return found[0]
    return DueTask(task=task, role="", periods=[])


@task_permission(permissions.can_report)
def report_task(request, task):
    """GET: the form of one task; POST: submit it (errors re-render the form, nothing stored)."""
    now = to_local(clock.now())
    unit_ids = permissions.reporting_unit_ids(request.user, task)
    profile = permissions.profile_of(request.user)
    if profile is not None and unit_ids == {profile.unit_id}:  # a reporter: its own unit, already read
        unit_rows = {profile.unit_id: profile.unit}
    else:
        unit_rows = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids).order_by("name")}
    units = [(u.pk, u.name) for u in unit_rows.values()]
    picked = request.POST.get(f"t{task.pk}-unit") or request.GET.get("unit") or ""
    unit_id = int(picked) if picked.isdigit() and int(picked) in unit_ids else units[0][0]
    tree = PlanTree.load()
    targets = report_targets([task], tree)[task.pk]
    if request.method == "POST":
        # the submission path validates the period against this task's schedule for this unit only
        # (task_periods), not the unit's whole due list; the full item is built only to show the form again
        schedule = task_schedules([task.plan_id], tree)[task.plan_id]
        posted = request.POST.get(f"t{task.pk}-period")
        item = DueTask(task=task, role="", periods=task_periods(task, unit_id, now, schedule, posted))
        form = build_form(item, units, targets, request.POST, request.FILES)
        if form.is_valid():
            unit = unit_rows[int(form.cleaned_data["unit"])]
            try:
                report = do_submit_report(
                    unit,
                    task,
                    form.cleaned_data["period"],
                    narrative=form.cleaned_data["narrative"],
                    percent=form.cleaned_data["percent"],
                    status=form.cleaned_data["status"],
                    problems=form.cleaned_data["problems"],
                    needs=form.cleaned_data["needs"],
                    actuals=form.actuals(),
                    attachments=form.cleaned_data["attachments"],
                    consolidated=form.cleaned_data.get("consolidated", False),
                    user=request.user,
                    schedule=schedule,
                )
            except TrackingError as e:
                form.add_error(None, str(e))
            else:
                late = "（逾期报送）" if report.is_late else ""
                messages.success(
                    request, f"已报送：{unit.name} {report.period_obj.label} 第{report.version}版{late}"
                )
                return redirect(_back(request, unit.pk))
        item = _task_item(task, unit_id, now)  # the page shows the form again with the task's history
    else:
        item = _task_item(task, unit_id, now)
        form = build_form(item, units, targets)
    return render(request, "ui/report_task.html", {"task": task, "item": item, "form": form, "now": now})


def _back(request, unit_id: int) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    url = reverse("ui:report_home")
    return url if permissions.scope_of(request.user) == UNIT else f"{url}?unit={unit_id}"
