"""Downloads: briefs (旬简报/月通报/季总结 .docx) and exports (责任分解表, 进展台账 .xlsx).

Files are built in memory and streamed (``FileResponse``) under a Chinese file name; Django writes
it as ``filename*=utf-8''…`` (RFC 5987), which every current browser reads. Only the roles that
see whole plans (督查室, 专班办公室, 领导) download; a plan outside their scope is refused.
"""

from __future__ import annotations

import io

from django import forms
from django.http import FileResponse
from django.shortcuts import redirect, render

from duban.accounts.guards import allowed_to, forbidden
from duban.accounts.roles import OVERSEE
from duban.briefs.collect import collect
from duban.briefs.content import BRIEF_KINDS, BriefError, BriefRequest
from duban.briefs.exports import responsibility_workbook
from duban.briefs.ledger import LedgerError, find_plan_unit, ledger_workbook
from duban.briefs.render_html import context as html_context
from duban.jobs.queue import enqueue, file_name
from duban.plans.models import Plan
from duban.ui import scope, tasks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_KINDS = [("责任分解表", "责任分解表"), ("台账", "进展台账")]


def _plans(user):
    return (
        scope.plans_in_scope(user)
        .filter(tasks__active=True)
        .distinct()
        .order_by("region_id", "source_document_id", "order")
    )


class ExportForm(forms.Form):
    plan = forms.ModelChoiceField(label="方案", queryset=Plan.objects.none(), empty_label="请选择方案")
    kind = forms.ChoiceField(label="导出内容", choices=EXPORT_KINDS)
    unit = forms.CharField(
        label="单位", required=False, max_length=200, help_text="进展台账可只导出一个责任单位的报送（留空为全部）"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = _plans(user)


class BriefForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[(k, k) for k in BRIEF_KINDS])
    period = forms.CharField(
        label="期间", max_length=20, help_text="如 " + "、".join(k.example for k in BRIEF_KINDS.values())
    )
    plan = forms.ModelChoiceField(label="方案", queryset=Plan.objects.none(), empty_label="请选择方案")
    number = forms.IntegerField(label="期号", min_value=1, initial=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = scope.plans_in_scope(user).order_by(
            "region_id", "source_document_id", "order"
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["request"] = BriefRequest.parse(
                data["kind"], data["period"], [data["plan"].pk], data["number"]
            )
        except BriefError as e:
            raise forms.ValidationError(str(e)) from None
        return data


def _foreign_plan(form, request) -> bool:
    """The request names an existing plan outside the user's scope (refused, not a form error)."""
    wanted = request.GET.get("plan", "")
    if not wanted.isdigit() or form.fields["plan"].queryset.filter(pk=wanted).exists():
        return False
    return Plan.objects.filter(pk=wanted).exists()


def _page(request, export_form=None, brief_form=None, status=200):
    context = {
        "export_form": export_form or ExportForm(user=request.user),
        "brief_form": brief_form or BriefForm(user=request.user),
    }
    return render(request, "ui/downloads/index.html", context, status=status)


@allowed_to(OVERSEE)
def downloads(request):
    return _page(request)


@allowed_to(OVERSEE)
def export(request):
    """GET ?plan=&kind=: the workbook as an attachment, or the page again with the error."""
    form = ExportForm(request.GET, user=request.user)
    if _foreign_plan(form, request):
        return forbidden(request, "此方案不在您的查看范围内")
    if not form.is_valid():
        return _page(request, export_form=form, status=400)
    plan, kind = form.cleaned_data["plan"], form.cleaned_data["kind"]
    unit = None
    if kind == "台账":
        try:
            unit = find_plan_unit(plan, form.cleaned_data["unit"]) if form.cleaned_data["unit"] else None
        except LedgerError as e:
            form.add_error("unit", str(e))
            return _page(request, export_form=form, status=400)
        wb, _ = ledger_workbook(plan, unit)
    else:
        try:
            wb, _ = responsibility_workbook([plan])
        except ValueError as e:
            form.add_error("plan", str(e))
            return _page(request, export_form=form, status=400)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    name = file_name(plan.title, unit.name if unit else "", dict(EXPORT_KINDS)[kind], ext="xlsx")
    return FileResponse(buf, as_attachment=True, filename=name, content_type=XLSX)


def _brief_data(request):
    """(BriefData, None) for the GET query, or (None, the response: refusal or the form's errors)."""
    form = BriefForm(request.GET, user=request.user)
    if _foreign_plan(form, request):
        return None, forbidden(request, "此方案不在您的查看范围内")
    if not form.is_valid():
        return None, _page(request, brief_form=form, status=400)
    try:
        return collect(form.cleaned_data["request"]), None
    except BriefError as e:
        form.add_error(None, str(e))
        return None, _page(request, brief_form=form, status=400)


@allowed_to(OVERSEE)
def brief(request):
    """GET ?kind=&period=&plan=&number=: the brief as a 公文 .docx, made by a background job (a
    province's 月通报 takes a minute); the job's page shows its progress, then offers the file."""
    form = BriefForm(request.GET, user=request.user)
    if _foreign_plan(form, request):
        return forbidden(request, "此方案不在您的查看范围内")
    if not form.is_valid():
        return _page(request, brief_form=form, status=400)
    d = form.cleaned_data
    job = enqueue(
        tasks.BRIEF,
        owner=request.user,
        title=f"生成{d['kind']}：{d['plan'].title}（{d['period']}）",
        kind=d["kind"],
        period=d["period"],
        plan_ids=[d["plan"].pk],
        number=d["number"],
    )
    return redirect("jobs:job", pk=job.pk)


@allowed_to(OVERSEE)
def brief_page(request):
    """GET ?kind=&period=&plan=&number=: the same brief (the same BriefData) as a web page."""
    data, refused = _brief_data(request)
    if refused is not None:
        return refused

    ctx = html_context(data)
    ctx["docx_query"] = request.GET.urlencode()
    return render(request, "ui/briefs/brief.html", ctx)
