"""The reporting calendar (报送日历) by month or 旬: who reports or issues what, when, to whom.

Items come from :func:`duban.tracking.calendar.due_items` over the plans of the user's scope; a
reporter sees only the reporting items its unit owes, with its own tasks listed under each.
"""

from __future__ import annotations

from itertools import groupby
from urllib.parse import urlencode

from django import forms
from django.shortcuts import render

from duban.accounts import permissions
from duban.accounts.guards import allowed_to
from duban.accounts.roles import UNIT, WORK
from duban.plans import clock
from duban.plans.models import Task
from duban.plans.periods import PeriodError, parse_period, period_containing, to_local
from duban.tracking.calendar import due_items
from duban.ui import scope

DEKADS = [("", "整月"), ("上旬", "上旬"), ("中旬", "中旬"), ("下旬", "下旬")]
WEEKDAYS = "一二三四五六日"
REPORTERS_SHOWN = 6  # names printed before "等 N 个单位"


class CalendarForm(forms.Form):
    month = forms.CharField(label="月份", required=False, max_length=7, help_text="如 2023-03")
    dekad = forms.ChoiceField(label="旬", required=False, choices=DEKADS)
    reporting_only = forms.BooleanField(label="只看报送", required=False)

    def clean_month(self):
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return ""
        try:
            period = parse_period(text)
        except PeriodError:
            period = None
        if period is None or period.kind != "月":
            raise forms.ValidationError(f"月份“{text}”格式不对，应为 YYYY-MM（如 2023-03）")
        return period.code


def window(month: str, dekad: str):
    """The month (or one of its 旬) to show; the current month by default."""
    period = parse_period(month) if month else period_containing("月", clock.today())
    if dekad:
        period = parse_period(f"{period.code}{dekad}")
    return period


@allowed_to(WORK)
def calendar(request):
    form = CalendarForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = window(data.get("month", ""), data.get("dekad", ""))
    plan_ids = list(scope.plans_in_scope(request.user).values_list("pk", flat=True))
    items = due_items(plan_ids, period.start, period.end) if plan_ids else []
    if data.get("reporting_only"):
        items = [i for i in items if i.reporting]
    unit_id = None
    if permissions.scope_of(request.user) == UNIT and not permissions.is_superuser(request.user):
        unit_id = permissions.profile_of(request.user).unit_id
        items = [i for i in items if i.reporting and unit_id in i.unit_tasks]
    titles = {}
    if unit_id is not None:
        ids = {t for i in items for t in i.unit_tasks[unit_id]}
        titles = dict(Task.objects.filter(pk__in=ids).values_list("pk", "title"))
    rows = []
    for item in items:
        rows.append(
            {
                "item": item,
                "due": to_local(item.due),
                "shown": item.reporters[:REPORTERS_SHOWN],
                "more": max(0, len(item.reporters) - REPORTERS_SHOWN),
                "my_tasks": [(t, titles.get(t, "")) for t in item.unit_tasks.get(unit_id, ())]
                if unit_id
                else [],
            }
        )
    days = [
        {"day": day, "weekday": WEEKDAYS[day.weekday()], "rows": list(group)}
        for day, group in groupby(rows, key=lambda r: r["due"].date())
    ]
    context = {
        "form": form,
        "period": period,
        "days": days,
        "count": len(rows),
        "today": clock.today(),
        "prev": _link(period.previous()),
        "next": _link(period.next()),
    }
    return render(request, "ui/calendar/calendar.html", context)


def _link(period) -> str:
    """Query string of the calendar page showing ``period`` (a month or a 旬)."""
    return urlencode({"month": period.code[:7], "dekad": period.code[7:]})
