"""Import wizard (督查室 only): upload → preview and fix units → diff → confirm → stored.

The upload request only stores the file (in :mod:`duban.ui.import_store`, under a token tied to
the session) and queues a background job (:mod:`duban.ui.tasks`, ``import.parse``) that checks it by
content and parses it, bounded in time and memory (:func:`duban.ingest.bounded.parse_upload`), off
the request path; the job's page then leads to the preview, or back to the upload with the reason.
The parse is kept beside the file, so later steps never parse it again. Nothing reaches the
database before the confirmation: the diff shown is a dry run of the very action that then stores
the plan (:func:`duban.plans.actions.do_ingest_file`, one transaction, audited).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from duban.accounts.guards import allowed_to
from duban.accounts.roles import ADMINISTER
from duban.ingest import IngestError, ParseResult, formats
from duban.ingest.text import norm_key
from duban.ingest.uploads import DEFAULT_MAX_BYTES
from duban.jobs.models import Job
from duban.jobs.queue import enqueue
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, Region, Unit, UnitAlias
from duban.plans.regions import find_region
from duban.ui import import_store, scope, tasks
from duban.ui.import_preview import preview

EXPIRED = "上传的文件已过期或不属于当前会话，请重新上传"
DONE_KEY = "duban_import_done"


def max_bytes() -> int:
    return getattr(settings, "DUBAN_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)


def _regions(user):
    ids = scope.region_ids(user)
    regions = Region.objects.order_by("id")
    return regions if ids is None else regions.filter(pk__in=ids)


class UploadForm(forms.Form):
    # an empty file is worded by check_upload, like `duban parse` and `duban ingest` word it
    file = forms.FileField(label="方案文件", help_text=f"支持 {formats.SUPPORTED}", allow_empty_file=True)
    region = forms.ModelChoiceField(
        label="所属地区", queryset=Region.objects.none(), required=False, empty_label="按文件自动识别"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > max_bytes():
            raise forms.ValidationError(
                f"文件过大（{f.size / 1024 / 1024:.1f} MB），上限 {max_bytes() // 1024 // 1024} MB"
            )
        return f


class UnitsForm(forms.Form):
    """The region, and for each unknown written name an existing unit typed (or picked) by name."""

    region = forms.ModelChoiceField(label="所属地区", queryset=Region.objects.none(), required=False)
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, required=False,
        help_text="方案所属的年度工作；同一地区下一年度的方案会另建年度工作，不覆盖上一年度",
    )  # fmt: skip

    def __init__(self, *args, user, unknown: list[str], region: Region | None, detected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.region_obj = region
        self.blocked = region_problem(user, region, detected)
        field = self.fields["region"]
        field.queryset = _regions(user)
        if self.blocked:  # an existing region outside the user's, or one only an unrestricted user may add
            field.empty_label = self.blocked
        elif region is not None:
            field.empty_label = f"按文件识别：{region.name}"
        else:
            field.empty_label = f"按文件识别：{detected}（新建地区）" if detected else "请选择"
        field.initial = region.pk if region and not self.blocked else None
        self.names = unknown
        for i, name in enumerate(unknown):
            self.fields[f"u{i}"] = forms.CharField(label=name, required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if self.blocked and not data.get("region"):
            self.add_error("region", f"{self.blocked}：请选择您管辖的地区，或取消导入")
            return data
        region = data.get("region") or self.region_obj
        mapping: dict[str, int] = {}
        for i, name in enumerate(self.names):
            typed = norm_key(data.get(f"u{i}") or "")
            if not typed:
                continue
            if region is None:
                self.add_error("region", "对应已有单位前请先选择地区")
                break
            unit = Unit.objects.filter(region=region, name=typed).first()
            if unit is None:
                alias = UnitAlias.objects.filter(region=region, name=typed).select_related("unit").first()
                unit = alias.unit if alias else None
            if unit is None:
                self.add_error(f"u{i}", f"{region.name}没有名为“{typed}”的单位")
                continue
            mapping[name] = unit.pk
        data["unit_map"] = mapping
        return data


class NotParsed(Exception):
    """The upload's parse job has not finished yet (or must be queued again): show its page."""

    def __init__(self, job: Job, waiting: bool):
        self.job, self.waiting = job, waiting


def _queue_parse(request, item) -> Job:
    """Queue the parse of ``item`` as a job of the uploading user (the job page is theirs only)."""
    job = enqueue(tasks.IMPORT_PARSE, owner=request.user, title=f"解析导入文件：{item.file_name}", token=item.token)
    item.job_id = job.pk
    try:
        import_store.write(item)
    except import_store.StoreMiss:
        pass  # the job already ran (immediate mode) and refused the file: its page says why
    return job


def _load(request, token: str):
    """(upload, parse result) or raise StoreMiss, or NotParsed while the parse job is queued or
    running. The request never parses: an upload without a kept parse and without a job still
    to come (kept by an older version) gets its parse job queued now."""
    upload = import_store.load(request, token)
    result = import_store.read_result(upload)
    if result is None:
        job = Job.objects.filter(pk=upload.job_id, owner=request.user).first() if upload.job_id else None
        if job is not None and not job.finished:
            raise NotParsed(job, waiting=True)
        raise NotParsed(_queue_parse(request, upload), waiting=False)
    return upload, result


def _not_parsed(request, e: NotParsed):
    if not e.waiting:
        return redirect("jobs:job", pk=e.job.pk)
    return render(request, "ui/imports/waiting.html", {"job": e.job})


def _region_for(upload, result: ParseResult) -> tuple[Region | None, str]:
    """(region, detected name): the user's choice, else the issuer's region if it is in the list."""
    detected = (result.issuer or {}).get("region") or ""
    if upload.region_id:
        return Region.objects.filter(pk=upload.region_id).first(), detected
    return find_region(detected), detected


def _in_scope(user, region: Region | None) -> bool:
    ids = scope.region_ids(user)
    return ids is None or (region is not None and region.pk in ids)


def region_problem(user, region: Region | None, detected: str) -> str:
    """Why the region the file names cannot be used by ``user`` ('' when it can): it exists but lies
    outside the user's regions, or it is not in the region list and only an unrestricted user may add
    it. Said at the preview, so the confirm step is not the first to refuse."""
    if _in_scope(user, region):
        return ""
    if region is not None:
        return f"按文件识别：{region.name}（不在您的管辖范围内）"
    if detected:
        return f"按文件识别：{detected}（不在地区清单中）"
    return "未识别发文地区"


def _gone(request):
    messages.error(request, EXPIRED)
    return redirect("ui:import_upload")


@allowed_to(ADMINISTER)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        item = import_store.save(request, form.cleaned_data["file"])
        if form.cleaned_data["region"]:
            item.region_id = form.cleaned_data["region"].pk
            import_store.write(item)
        job = _queue_parse(request, item)  # checked and parsed by the job, bounded; kept for the next steps
        return redirect("jobs:job", pk=job.pk)
    return render(request, "ui/imports/upload.html", {"form": form, "max_mb": max_bytes() // 1024 // 1024})


@allowed_to(ADMINISTER)
def preview_page(request, token: str):
    try:
        item, result = _load(request, token)
    except import_store.StoreMiss:
        return _gone(request)
    except NotParsed as e:
        return _not_parsed(request, e)
    region, detected = _region_for(item, result)
    p = preview(result, region, item.unit_map)
    form = UnitsForm(
        request.POST or None, user=request.user, unknown=p.unknown_units, region=region, detected=detected
    )
    if request.method != "POST":
        names = {
            pk: name
            for pk, name in Unit.objects.filter(pk__in=item.unit_map.values()).values_list("pk", "name")
        }
        form.initial.update(
            {f"u{i}": names.get(item.unit_map.get(n), "") for i, n in enumerate(p.unknown_units)}
        )
        form.initial["year"] = item.year or (p.year.start_year if p.year else None)
    elif form.is_valid():
        chosen = form.cleaned_data.get("region")
        if chosen is not None:
            item.region_id = chosen.pk
        item.unit_map = form.cleaned_data["unit_map"]
        year = form.cleaned_data.get("year")
        item.year = year if year and (p.year is None or year != p.year.start_year) else None
        import_store.write(item)
        if chosen is not None and (region is None or chosen.pk != region.pk):
            messages.info(request, f"已改为{chosen.name}，请核对单位后再继续")
            return redirect("ui:import_preview", token=token)
        return redirect("ui:import_confirm", token=token)
    units = (
        Unit.objects.filter(region=region, is_group=False).order_by("name") if region else Unit.objects.none()
    )
    context = {
        "item": item,
        "result": result,
        "p": p,
        "region": region,
        "detected": detected,
        "form": form,
        "unit_fields": [form[f"u{i}"] for i in range(len(p.unknown_units))],
        "unit_names": units.values_list("name", flat=True),
        "tasks": result.tasks[:300],
    }
    return render(request, "ui/imports/preview.html", context)


def _unit_map(item) -> dict[str, Unit]:
    units = Unit.objects.in_bulk(set(item.unit_map.values()))
    return {name: units[pk] for name, pk in item.unit_map.items() if pk in units}


@allowed_to(ADMINISTER)
def confirm(request, token: str):
    try:
        item, result = _load(request, token)
    except import_store.StoreMiss:
        return _gone(request)
    except NotParsed as e:
        return _not_parsed(request, e)
    region, detected = _region_for(item, result)
    if not _in_scope(request.user, region):
        # the wizard's own page (back to the preview, cancel), not a dead end
        problem = region_problem(request.user, region, detected)
        context = {"item": item, "region": region, "detected": detected, "diff": None,
                   "error": f"{problem}，不能导入；请返回上一步选择您管辖的地区，或取消导入"}
        return render(request, "ui/imports/confirm.html", context, status=403)
    kwargs = {
        "parsed": result,
        "region": region,
        "file_name": item.file_name,
        "unit_map": _unit_map(item),
        "actor": request.user,
        "year": item.year,
    }
    error = ""
    if request.method == "POST":
        try:
            report = do_ingest_file(item.path, **kwargs)
        except IngestError as e:
            error = e.problem
        except ProtectedError:
            error = "修订稿删去了已有实际值的目标，不能导入；请先处理这些目标的实际值"
        else:
            import_store.discard(request, token)
            request.session[DONE_KEY] = {"lines": report.lines(), "doc": report.source_document.pk}
            messages.success(request, f"已导入：{item.file_name}")
            return redirect("ui:import_done")
    try:
        diff = do_ingest_file(item.path, dry_run=True, **kwargs)
    except (IngestError, ProtectedError) as e:
        diff, error = None, error or getattr(e, "problem", "修订稿删去了已有实际值的目标，不能导入")
    context = {"item": item, "region": region, "detected": detected, "diff": diff, "error": error}
    return render(request, "ui/imports/confirm.html", context, status=400 if error else 200)


@require_POST
@allowed_to(ADMINISTER)
def cancel(request, token: str):
    import_store.discard(request, token)
    messages.info(request, "已取消导入，上传的文件已删除")
    return redirect("ui:import_upload")


@allowed_to(ADMINISTER)
def done(request):
    info = request.session.get(DONE_KEY)
    if not info:
        return redirect(reverse("ui:import_upload"))
    plans = Plan.objects.filter(source_document_id=info["doc"], active=True).order_by("order")
    return render(request, "ui/imports/done.html", {"lines": info["lines"], "plans": plans})
