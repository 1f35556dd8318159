"""问题清单: problems raised in reports, with 交办协调 / 解决 / 关闭 for the 督查室 and 专班.

Anyone who may see the task may see its problems; the buttons call
:mod:`duban.supervision.actions` (``do_assign_problem``, ``do_resolve_problem``,
``do_close_problem``), which check the permission and the state again.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from duban.accounts import permissions
from duban.accounts.guards import allowed_to, forbidden
from duban.accounts.roles import SUPERVISE, WORK
from duban.plans.models import Task, Unit
from duban.supervision import lifecycle
from duban.supervision.actions import (
    SupervisionError,
    do_assign_problem,
    do_close_problem,
    do_resolve_problem,
)
from duban.supervision.lifecycle import TransitionError
from duban.supervision.models import Problem
from duban.ui import scope

PER_PAGE = 50
STATE_CHOICES = [("open", "未关闭"), ("", "全部"), *lifecycle.PROBLEM_STATES]


class ProblemFilter(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=STATE_CHOICES)
    q = forms.CharField(label="问题或单位", required=False, max_length=60)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label="协调单位", queryset=Unit.objects.none(), empty_label="请选择")
    note = forms.CharField(label="说明", required=False, max_length=1000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = scope.units_in_scope(user).order_by("region_id", "name")


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea, max_length=2000)


def visible_problems(user):
    tasks = permissions.visible_tasks(user, Task.objects.all())
    return Problem.objects.filter(task__in=tasks)


@allowed_to(WORK)
def problem_list(request):
    form = ProblemFilter(request.GET or {"state": "open"})
    data = form.cleaned_data if form.is_valid() else {"state": "open"}
    problems = visible_problems(request.user).select_related("task", "unit", "assignee")
    if data.get("state") == "open":
        problems = problems.filter(state__in=lifecycle.OPEN_PROBLEM_STATES)
    elif data.get("state"):
        problems = problems.filter(state=data["state"])
    if data.get("q"):
        q = data["q"]
        problems = problems.filter(text__contains=q) | problems.filter(unit__name__contains=q)
    page = Paginator(problems.order_by("-raised_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ui/problems/list.html", {"form": form, "page": page, "query": query.urlencode()})


def _problem(request, pk: int):
    problem = (
        visible_problems(request.user)
        .select_related("task__plan", "unit", "assignee", "report")
        .prefetch_related("events", "task__assignments")
        .filter(pk=pk)
        .first()
    )
    if problem is None:
        get_object_or_404(Problem, pk=pk)
    return problem


def _detail(request, problem, *, error="", assign=None, note=None, status=200):
    may = permissions.can_supervise(request.user, problem.task)
    open_ = problem.state in (lifecycle.PENDING, lifecycle.COORDINATING)
    context = {
        "problem": problem,
        "events": problem.events.all(),
        "error": error,
        "can_assign": may and open_,
        "can_resolve": may and open_,
        "can_close": may and problem.state != lifecycle.PROBLEM_CLOSED,
        "assign_form": assign or AssignForm(user=request.user, initial={"assignee": problem.assignee_id}),
        "note_form": note or NoteForm(),
    }
    return render(request, "ui/problems/detail.html", context, status=status)


@allowed_to(WORK)
def problem_detail(request, pk: int):
    problem = _problem(request, pk)
    if problem is None:
        return forbidden(request, "您无权查看此问题")
    return _detail(request, problem)


def _step(request, pk, form, key, run, label):
    problem = _problem(request, pk)
    if problem is None or not permissions.can_supervise(request.user, problem.task):
        return forbidden(request, "您无权处理此问题（只有督查室或本仗专班办公室可以）")
    if not form.is_valid():
        return _detail(request, problem, error="请检查填写的内容", status=400, **{key: form})
    try:
        run(problem, form.cleaned_data)
    except PermissionDenied as e:
        return _detail(request, problem, error=str(e), status=403)
    except (SupervisionError, TransitionError) as e:
        return _detail(request, problem, error=str(e), status=400, **{key: form})
    messages.success(request, f"问题 #{problem.pk} 已{label}")
    return redirect("ui:problem", pk=problem.pk)


@require_POST
@allowed_to(SUPERVISE)
def problem_assign(request, pk: int):
    def run(problem, d):
        do_assign_problem(problem, d["assignee"], request.user, note=d["note"])

    return _step(request, pk, AssignForm(request.POST, user=request.user), "assign", run, "交办协调")


@require_POST
@allowed_to(SUPERVISE)
def problem_resolve(request, pk: int):
    def run(problem, d):
        do_resolve_problem(problem, request.user, note=d["note"])

    return _step(request, pk, NoteForm(request.POST), "note", run, "解决")


@require_POST
@allowed_to(SUPERVISE)
def problem_close(request, pk: int):
    def run(problem, d):
        do_close_problem(problem, request.user, note=d["note"])

    return _step(request, pk, NoteForm(request.POST), "note", run, "关闭")
