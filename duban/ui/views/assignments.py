"""督办事项 pages: the list with the 交办 form (office, 专班), one item with its units' 签收, and the
退回 of a report (from the task page's 报送记录).

Each POST calls one action of :mod:`duban.supervision.assignments`, which checks the user again; a
refused step shows its Chinese reason and changes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from duban.accounts import permissions
from duban.accounts.guards import allowed_to, forbidden
from duban.accounts.roles import CAMPAIGN, REGION, SUPERVISE, UNIT, WORK
from duban.plans import clock
from duban.plans.models import Campaign, Region, TaskUnit, Unit
from duban.supervision.actions import SupervisionError
from duban.supervision.assignments import SOURCES, do_create_assignment, do_return_report, do_sign_assignment
from duban.supervision.models import Assignment, AssignmentReceipt
from duban.tracking.models import ProgressReport

PER_PAGE = 50
EVERY_CHOICES = [(k, f"每{k}") for k in ("周", "旬", "月", "季")]
UNIT_CHOICES_MAX = 2000  # the datalist of unit names offered on the form


class AssignmentForm(forms.Form):
    title = forms.CharField(label="督办事项", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    source = forms.ChoiceField(label="来源", choices=[(s, s) for s in SOURCES])
    source_ref = forms.CharField(label="来源说明", required=False, max_length=300, help_text="会议名称、批示人或文号")
    lead = forms.CharField(label="牵头单位", max_length=200, widget=forms.TextInput(attrs={"list": "unit-names"}))
    co = forms.CharField(
        label="责任/配合单位", required=False, max_length=2000, help_text="多个单位用顿号或逗号分隔",
        widget=forms.TextInput(attrs={"list": "unit-names"}),
    )  # fmt: skip
    due = forms.DateField(label="办结时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    every = forms.ChoiceField(label="报送周期", choices=EVERY_CHOICES, initial="月")
    text = forms.CharField(label="督办要求", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=2000)


def _place(user) -> tuple[Region | None, Campaign | None]:
    """Where ``user`` 交办s: the office's region, or the 专班's campaign (and its region)."""
    profile, entry = permissions.profile_of(user), permissions.role_entry(user)
    if profile is None or entry is None or SUPERVISE not in entry.may:
        return None, None
    if entry.scope == REGION and profile.region_id:
        return profile.region, None
    if entry.scope == CAMPAIGN and profile.campaign_id:
        campaign = Campaign.objects.select_related("region").get(pk=profile.campaign_id)
        return campaign.region, campaign
    return None, None


def visible_assignments(user):
    return Assignment.objects.filter(task__in=permissions.visible_tasks(user))


def _split(text: str) -> list[str]:
    for sep in "，,；;":
        text = text.replace(sep, "、")
    return [w.strip() for w in text.split("、") if w.strip()]


def _list(request, form=None, error: str = "", status: int = 200):
    rows = (
        visible_assignments(request.user)
        .select_related("task", "campaign")
        .prefetch_related(
            Prefetch("task__assignments", queryset=TaskUnit.objects.select_related("unit")), "receipts"
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for a in page:
        signed = {r.unit_id for r in a.receipts.all()}
        a.unit_rows = [(x, x.unit_id in signed) for x in sorted(a.task.assignments.all(), key=lambda x: x.order)]
    region, campaign = _place(request.user)
    can_create = region is not None and permissions.may(request.user, SUPERVISE)
    context = {
        "page": page,
        "can_create": can_create,
        "form": form or (AssignmentForm() if can_create else None),
        "place": campaign.name if campaign else (region.name if region else ""),
        "unit_names": list(
            Unit.objects.filter(region=region, is_group=False).order_by("name").values_list("name", flat=True)[
                :UNIT_CHOICES_MAX
            ]
        )
        if can_create
        else [],
        "error": error,
    }
    return render(request, "ui/assignments/list.html", context, status=status)


@allowed_to(WORK)
def assignment_list(request):
    return _list(request)


@require_POST
@allowed_to(SUPERVISE)
def assignment_create(request):
    region, campaign = _place(request.user)
    if region is None:
        if permissions.is_superuser(request.user):  # no region of its own: say where to do it
            return _list(request, None, "超级用户没有所属地区：请用督查室账号交办，或用命令 duban assignments create", 400)
        return forbidden(request, "您的账号没有所属地区或仗 / 行动，不能交办")
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        return _list(request, form, "请检查填写的内容", status=400)
    d = form.cleaned_data
    try:
        a = do_create_assignment(
            region, title=d["title"], source=d["source"], source_ref=d["source_ref"], lead=d["lead"],
            co=_split(d["co"]), due=d["due"], every=d["every"], text=d["text"], campaign=campaign,
            user=request.user, at=clock.now(),
        )  # fmt: skip
    except PermissionDenied as e:
        return forbidden(request, str(e))
    except SupervisionError as e:
        return _list(request, form, str(e), status=400)
    messages.success(request, f"已交办：{a.task.title[:30]}（时限 {a.task.deadline}）")
    return redirect("ui:assignment", pk=a.pk)


def _assignment(request, pk: int) -> Assignment | None:
    return (
        visible_assignments(request.user)
        .select_related("task__plan", "region", "campaign")
        .prefetch_related(
            Prefetch("task__assignments", queryset=TaskUnit.objects.select_related("unit")),
            Prefetch("receipts", queryset=AssignmentReceipt.objects.select_related("unit")),
        )
        .filter(pk=pk)
        .first()
    )


def _my_unit_to_sign(user, a: Assignment) -> int | None:
    if permissions.scope_of(user) != UNIT:
        return None
    mine = permissions.profile_of(user).unit_id
    units = {x.unit_id for x in a.task.assignments.all()}
    signed = {r.unit_id for r in a.receipts.all()}
    return mine if mine in units and mine not in signed else None


def _detail(request, a: Assignment, error: str = "", status: int = 200):
    signed = {r.unit_id: r for r in a.receipts.all()}
    context = {
        "a": a,
        "units": [(x, signed.get(x.unit_id)) for x in sorted(a.task.assignments.all(), key=lambda x: x.order)],
        "can_sign": _my_unit_to_sign(request.user, a) is not None,
        "error": error,
    }
    return render(request, "ui/assignments/detail.html", context, status=status)


@allowed_to(WORK)
def assignment_detail(request, pk: int):
    a = _assignment(request, pk)
    if a is None:
        get_object_or_404(Assignment, pk=pk)
        return forbidden(request, "您无权查看此督办事项")
    return _detail(request, a)


@require_POST
@allowed_to(WORK)
def assignment_sign(request, pk: int):
    a = _assignment(request, pk)
    if a is None:
        get_object_or_404(Assignment, pk=pk)
        return forbidden(request, "您无权签收此督办事项")
    try:
        receipt = do_sign_assignment(a, request.user)
    except PermissionDenied as e:
        if permissions.is_superuser(request.user):  # may see everything, signs for no unit
            return _detail(request, a, str(e), status=400)
        return forbidden(request, str(e))
    except SupervisionError as e:
        return _detail(request, a, str(e), status=400)
    messages.success(request, f"{receipt.unit.name} 已签收")
    return redirect("ui:assignment", pk=a.pk)


@require_POST
@allowed_to(SUPERVISE)
def report_return(request, pk: int):
    """退回 one report with a reason (the form sits on the task page's 报送记录)."""
    report = get_object_or_404(ProgressReport.objects.select_related("task", "unit"), pk=pk)
    if not permissions.can_supervise(request.user, report.task):
        return forbidden(request, "您无权退回此报送（只有督查室或本仗专班办公室可以）")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写退回理由")
        return redirect("plans:task", pk=report.task_id)
    try:
        do_return_report(report, form.cleaned_data["reason"], request.user)
    except SupervisionError as e:
        messages.error(request, str(e))
        return redirect("plans:task", pk=report.task_id)
    messages.success(request, f"已退回 {report.unit.name} {report.period} 第{report.version}版报送")
    return redirect("plans:task", pk=report.task_id)
