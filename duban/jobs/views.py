"""The page of one job: progress while it runs (the page reloads itself), then its result or error.

Only its owner (and superusers) may see a job; the file a job made is served from here as an attachment.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from duban.accounts.guards import forbidden
from duban.jobs.models import DONE, Job
from duban.jobs.queue import job_folder

REFRESH_SECONDS = 2


def _own_job(request, pk: int) -> Job | None:
    job = get_object_or_404(Job, pk=pk)
    if request.user.is_superuser or job.owner_id == request.user.pk:
        return job
    return None


@login_required
def job_page(request, pk: int):
    job = _own_job(request, pk)
    if job is None:
        return forbidden(request, "这是别人提交的后台任务，您无权查看")
    context = {"job": job, "refresh": None if job.finished else REFRESH_SECONDS}
    return render(request, "jobs/job.html", context)


@login_required
def job_file(request, pk: int):
    job = _own_job(request, pk)
    if job is None:
        return forbidden(request, "这是别人提交的后台任务，您无权下载其文件")
    name = job.result.get("file") if job.status == DONE else None
    path = job_folder(job.pk) / name if name else None
    if path is None or not path.is_file():
        raise Http404("文件不存在或已过期清理")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=name)  # noqa: SIM115 — closed by Django
