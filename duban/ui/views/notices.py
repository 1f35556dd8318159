"""督办单 and 提示单: the list, one notice with its steps, the lifecycle buttons, the check button.

Each button is a POST form calling one action of :mod:`duban.supervision.actions` (签收
``do_sign``, 反馈 ``do_feedback``, 办结 ``do_close``; 督办检查 runs as a job of duban.ui.tasks); the action
checks the state and the user again, so a refused step shows its Chinese reason and changes nothing.
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
from duban.accounts.roles import ADMINISTER, RECEIVE_PROMPTS, SUPERVISE, UNIT, WORK
from duban.jobs.queue import enqueue
from duban.plans import clock
from duban.supervision import lifecycle
from duban.supervision.actions import SupervisionError, do_close, do_feedback, do_sign
from duban.supervision.lifecycle import TransitionError
from duban.supervision.models import COLORS, KINDS, PROMPT, Notice, NoticeEvent
from duban.ui import scope, tasks

PER_PAGE = 50
STATE_CHOICES = [("open", "未办结"), ("", "全部"), *lifecycle.NOTICE_STATES]


class NoticeFilter(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=STATE_CHOICES)
    color = forms.ChoiceField(label="颜色", required=False, choices=[("", "全部颜色"), *COLORS])
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "督办单和提示单"), *KINDS])
    q = forms.CharField(label="编号或事由", required=False, max_length=60)


class GenerateForm(forms.Form):
    as_of = forms.DateField(
        label="检查日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # ISO for <input type=date>
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(label="反馈内容", widget=forms.Textarea, max_length=4000)


class CloseForm(forms.Form):
    note = forms.CharField(label="办结说明", required=False, widget=forms.Textarea, max_length=2000)


def visible_notices(user):
    where = scope.notice_filter(user)
    if where is None:
        return Notice.objects.none()
    return Notice.objects.filter(where).distinct()


@allowed_to(WORK)
def notice_list(request):
    form = NoticeFilter(request.GET or {"state": "open"})
    data = form.cleaned_data if form.is_valid() else {"state": "open"}
    notices = visible_notices(request.user).select_related("task", "plan__campaign").prefetch_related("units")
    state = data.get("state")
    if state == "open":
        notices = notices.filter(state__in=lifecycle.OPEN_NOTICE_STATES)
    elif state:
        notices = notices.filter(state=state)
    for key in ("color", "kind"):
        if data.get(key):
            notices = notices.filter(**{key: data[key]})
    if data.get("q"):
        notices = notices.filter(number__contains=data["q"]) | notices.filter(reason__contains=data["q"])
    page = Paginator(notices.order_by("-issued_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    can_generate = permissions.may(request.user, ADMINISTER)
    context = {
        "form": form,
        "page": page,
        "can_generate": can_generate,
        "generate_form": GenerateForm(initial={"as_of": clock.today()})
        if can_generate
        else None,
        "query": _query_without_page(request),
    }
    return render(request, "ui/notices/list.html", context)


def _query_without_page(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _may_act(user, notice: Notice) -> bool:
    """May ``user`` 签收 / 反馈 (mirrors the action's rule, to decide which buttons to show)."""
    if permissions.can_supervise(user, notice.task):
        return True
    if permissions.scope_of(user) == UNIT:
        return any(u.pk == permissions.profile_of(user).unit_id for u in notice.units.all())
    return notice.kind == PROMPT and permissions.may(user, RECEIVE_PROMPTS)


def _notice(request, pk: int) -> Notice | None:
    return (
        visible_notices(request.user)
        .select_related("task__plan__campaign", "plan", "region")
        .prefetch_related(
            "units",
            "task__assignments",
            Prefetch("events", queryset=NoticeEvent.objects.select_related("unit")),
        )
        .filter(pk=pk)
        .first()
    )


def _detail(request, notice: Notice, *, error: str = "", feedback=None, close=None, status: int = 200):
    may_act = _may_act(request.user, notice)
    may_close = permissions.can_supervise(request.user, notice.task)
    context = {
        "notice": notice,
        "events": notice.events.all(),
        "error": error,
        "can_sign": may_act and notice.state == lifecycle.ISSUED,
        "can_feedback": may_act and notice.state in (lifecycle.SIGNED, lifecycle.ANSWERED),
        "can_close": may_close and notice.state == lifecycle.ANSWERED,
        "feedback_form": feedback or FeedbackForm(),
        "close_form": close or CloseForm(),
    }
    return render(request, "ui/notices/detail.html", context, status=status)


@allowed_to(WORK)
def notice_detail(request, pk: int):
    notice = _notice(request, pk)
    if notice is None:
        get_object_or_404(Notice, pk=pk)
        return forbidden(request, "您无权查看此督办单")
    return _detail(request, notice)


def _step(request, pk: int, run, form_class=None, form_key: str = "", *, closing: bool = False):
    """Check the user may take this step, validate the form, run the action (which checks again);
    errors re-render the page, nothing changed."""
    notice = _notice(request, pk)
    if notice is None:
        get_object_or_404(Notice, pk=pk)
        return forbidden(request, "您无权处理此督办单")
    allowed = (
        permissions.can_supervise(request.user, notice.task) if closing else _may_act(request.user, notice)
    )
    if not allowed:
        return forbidden(request, f"您无权{'办结' if closing else '签收或反馈'}{notice.number}")
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _detail(request, notice, error="请检查填写的内容", status=400, **{form_key: form})
    try:
        label = run(notice, form.cleaned_data if form else {})
    except PermissionDenied as e:
        return _detail(request, notice, error=str(e), status=403)
    except (SupervisionError, TransitionError) as e:
        return _detail(request, notice, error=str(e), status=400, **({form_key: form} if form else {}))
    messages.success(request, f"{notice.number}已{label}")
    return redirect("ui:notice", pk=notice.pk)


@require_POST
@allowed_to(WORK)
def notice_sign(request, pk: int):
    def run(notice, _):
        do_sign(notice, request.user)
        return "签收"

    return _step(request, pk, run)


@require_POST
@allowed_to(WORK)
def notice_feedback(request, pk: int):
    def run(notice, data):
        do_feedback(notice, data["text"], request.user)
        return "反馈"

    return _step(request, pk, run, FeedbackForm, "feedback")


@require_POST
@allowed_to(SUPERVISE)
def notice_close(request, pk: int):
    def run(notice, data):
        do_close(notice, request.user, note=data["note"])
        return "办结"

    return _step(request, pk, run, CloseForm, "close", closing=True)


@require_POST
@allowed_to(ADMINISTER)
def notice_generate(request):
    """督办检查 over every plan of the office's region, on the chosen day (idempotent per day), as a
    background job: a city's check takes a minute; the job's page shows it plan by plan."""
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的检查日期（YYYY-MM-DD）")
        return redirect("ui:notices")
    plans = list(scope.plans_in_scope(request.user))
    if not plans:
        messages.error(request, "您的范围内没有方案，无法督办检查")
        return redirect("ui:notices")
    day = form.cleaned_data["as_of"]
    job = enqueue(
        tasks.CHECK,
        owner=request.user,
        title=f"督办检查（{day:%Y-%m-%d}）",
        plan_ids=[p.pk for p in plans],
        as_of=day.isoformat(),
        actor_name=request.user.get_username(),
    )
    return redirect("jobs:job", pk=job.pk)
