"""考核 page: each unit's score for a plan and a period, the ranking, 红榜/黑榜, the rules, .xlsx.

The scheme is the plan's (:func:`duban.assessment.actions.scheme_for`, default when none was set);
its rules are printed above the table, in the words of ``Scheme.rules_text``.
"""

from __future__ import annotations

import io

from django import forms
from django.http import FileResponse
from django.shortcuts import render
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from duban.accounts.guards import allowed_to
from duban.accounts.roles import OVERSEE
from duban.assessment.actions import scheme_for
from duban.assessment.scoring import PARTS
from duban.assessment.unit_scores import ranking, year_view
from duban.briefs.exports import CENTRE, put
from duban.plans import clock
from duban.plans.models import Plan
from duban.plans.periods import PeriodError, parse_period, period_containing
from duban.ui import scope
from duban.ui.views.common import as_of_param
from duban.ui.views.downloads import XLSX, file_name

PERIOD_KINDS = ("旬", "月", "季", "半年", "年")


class AssessmentForm(forms.Form):
    plan = forms.ModelChoiceField(label="方案", queryset=Plan.objects.none(), empty_label=None)
    period = forms.CharField(
        label="期间", required=False, max_length=20, help_text="如 2023-03、2023Q1、2023"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = (
            scope.plans_in_scope(user)
            .filter(tasks__active=True)
            .distinct()
            .order_by("region_id", "source_document_id", "order")
        )

    def clean_period(self):
        text = (self.cleaned_data.get("period") or "").strip()
        if not text:
            return period_containing("月", clock.today())
        try:
            period = parse_period(text)
        except PeriodError:
            period = None
        if period is None or period.kind not in PERIOD_KINDS:
            raise forms.ValidationError(
                f"期间“{text}”无法识别，应为月（2023-03）、季（2023Q1）、旬、半年或年"
            )
        return period


def _ranking(request):
    form = AssessmentForm(request.GET or None, user=request.user)
    if not form.is_bound:
        first = form.fields["plan"].queryset.first()
        form = AssessmentForm({"plan": first.pk if first else ""}, user=request.user)
    if not form.is_valid():
        return form, None, None
    plan = form.cleaned_data["plan"]
    scheme = scheme_for(plan)
    as_of, _ = as_of_param(request)
    return form, scheme, ranking(plan, scheme, form.cleaned_data["period"], as_of)


@allowed_to(OVERSEE)
def assessment(request):
    form, scheme, result = _ranking(request)
    year = None
    if result is not None and result.period.kind == "年":  # 年度汇总: the quarters side by side
        year = year_view(form.cleaned_data["plan"], scheme, result.period, result.as_of)
    context = {
        "form": form,
        "scheme": scheme,
        "result": result,
        "year": year,
        "year_rows": [{"score": s, "quarters": year.by_quarter.get(s.unit, [])} for s in year.scores] if year else [],
        "parts": PARTS,
        "rows": _rows(result) if result else [],
        "query": request.GET.urlencode(),
    }
    return render(
        request, "ui/assessment/index.html", context, status=200 if result or not form.is_bound else 400
    )


def _rows(result) -> list[dict]:
    red = {s.unit for s in result.red}
    black = {s.unit for s in result.black}
    out = []
    for s in result.scores:
        f = result.facts[s.unit]
        out.append(
            {
                "score": s,
                "facts": f,
                "parts": [s.parts.get(k) for k in PARTS],
                "board": "红榜" if s.unit in red else ("黑榜" if s.unit in black else ""),
            }
        )
    return out


HEADER = [
    "名次",
    "单位",
    "总分",
    *PARTS.values(),
    "扣分",
    "应报",
    "按时",
    "迟报",
    "未报",
    "红色督办单",
    "黄色督办单",
    "榜单",
]


@allowed_to(OVERSEE)
def assessment_export(request):
    form, scheme, result = _ranking(request)
    if result is None:
        return render(request, "ui/assessment/index.html", {"form": form, "parts": PARTS}, status=400)
    plan = form.cleaned_data["plan"]
    wb = Workbook()
    ws = wb.active
    ws.title = "考核排名"
    title = f"{plan.title} {result.period.label}考核排名"
    put(ws, 1, 1, title, font=Font(name="黑体", size=14), align=CENTRE, border=None)
    ws.merge_cells(f"A1:{get_column_letter(len(HEADER))}1")
    for j, text in enumerate(HEADER, 1):
        put(ws, 2, j, text, font=Font(name="黑体", size=11), align=CENTRE)
        ws.column_dimensions[get_column_letter(j)].width = 28 if j == 2 else 11
    for i, row in enumerate(_rows(result), 3):
        s, f = row["score"], row["facts"]
        parts = ["" if p is None else round(p.points, 2) for p in row["parts"]]
        values = [
            s.rank or "",
            s.unit,
            "" if s.total is None else s.total,
            *parts,
            s.deduction,
            f.due,
            f.on_time,
            f.late,
            f.missing,
            f.red,
            f.yellow,
            row["board"],
        ]
        for j, value in enumerate(values, 1):
            put(ws, i, j, value)
    rules_row = len(result.scores) + 4
    for k, line in enumerate(scheme.rules_text()):
        put(ws, rules_row + k, 1, line, border=None)
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename=file_name(title, ext="xlsx"), content_type=XLSX)
