"""领导: the red items of the leader's region, and the 批示 form on each."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from duban.accounts import permissions
from duban.accounts.guards import allowed_to, forbidden, task_permission
from duban.accounts.roles import INSTRUCT
from duban.audit.cache import DATA, cached
from duban.plans import clock
from duban.supervision.actions import SupervisionError, do_add_instruction
from duban.supervision.models import Instruction
from duban.ui import overview
from duban.ui.forms import InstructionForm
from duban.ui.scope import scope_key
from duban.ui.views.common import as_of_param, as_of_pinned, viewer


def red_items(user_id: int, as_of: datetime | None = None):
    """The red items of what the user may see, at ``as_of`` or, when None, at the moment they are
    computed (a refresh may run later, in another process: duban.audit.cache)."""
    return overview.red_items(permissions.visible_tasks(viewer(user_id)), as_of or clock.now())


def _page(request, form_task=None, form=None):
    as_of, error = as_of_param(request)
    scope = scope_key(request.user)
    if as_of_pinned(request):
        items, total = cached(("leader", *scope, as_of.isoformat()), DATA, partial(red_items, request.user.pk, as_of))
    else:
        items, total = cached(("leader", *scope), DATA, partial(red_items, request.user.pk))
    mine = (request.user.get_full_name() or "").strip()
    for item in items:
        item["mine"] = bool(mine) and any(mine in leader for leader in item["task"].leaders)
        item["form"] = form if form_task is not None and item["task"].pk == form_task.pk else None
    items.sort(key=lambda i: not i["mine"])
    if form is not None and not any(i["task"].pk == form_task.pk for i in items):
        for error in form.errors.get("text", []):  # a 批示 posted from a page other than this list
            messages.error(request, f"批示未保存：{error}")
    recent = list(
        Instruction.objects.filter(task__in=permissions.visible_tasks(request.user))
        .select_related("task")
        .order_by("-at")[:20]
    )
    return render(
        request,
        "ui/leader.html",
        {"items": items, "total": total, "as_of": as_of, "as_of_error": error, "recent": recent},
    )


@allowed_to(INSTRUCT)
def leader_home(request):
    return _page(request)


@task_permission(permissions.can_instruct)
def instruct(request, task):
    """POST a 批示 on ``task``; an empty text re-renders the page with the error, nothing stored."""
    if request.method != "POST":
        return redirect(reverse("ui:leader"))
    form = InstructionForm(request.POST, prefix=f"i{task.pk}")
    if form.is_valid():
        try:
            do_add_instruction(request.user, task, form.cleaned_data["text"])
        except PermissionDenied as e:
            return forbidden(request, str(e))
        except SupervisionError as e:
            form.add_error("text", str(e))
            return _page(request, task, form)
        messages.success(request, f"批示已记录：{task.title[:30]}")
        return redirect(reverse("ui:leader") + f"#task-{task.pk}")
    return _page(request, task, form)
