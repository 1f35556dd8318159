"""The jobs layer on the Huey task queue: kinds of job, :func:`enqueue`, progress, results.

A *kind* is a function ``run(job, progress, **args) -> result`` registered with :func:`kind`; the
modules that register kinds are named ``tasks.py`` so that the worker (``duban run_huey``) finds
them. :func:`enqueue` stores a :class:`Job` and hands its id to the queue once the row is committed;
the worker runs it (:func:`execute`), the job calls ``progress(done, total, message)`` as it goes,
and ``/jobs/<id>/`` shows the figures. A :class:`JobError` is the job's own Chinese reason for failing,
shown as is (with a link onward if it gives one); any other exception is logged and shown as an internal error. In immediate mode
(``settings.HUEY["immediate"]``, the tests) the job runs inside :func:`enqueue`.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from duban.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job

log = logging.getLogger(__name__)
PROGRESS_EVERY = 1.0  # seconds between two progress writes (each is a write on the database)
KEEP_DAYS = 30  # finished jobs and their files are removed after this many days
_UNSAFE = re.compile(r'[\\/:*?"<>|\r\n\t]+')


class JobError(Exception):
    """A job cannot finish; the message (Chinese) is shown on the job's page, with a link onward
    (``url``, ``label``: e.g. back to the form the job came from) when the job gives one."""

    def __init__(self, message: str, *, url: str = "", label: str = ""):
        super().__init__(message)
        self.url, self.label = url, label


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    run: Callable[..., dict]


KINDS: dict[str, Kind] = {}


def kind(name: str, label: str):
    """Register ``run(job, progress, **args) -> dict`` as the job kind ``name`` (label shown in Chinese)."""

    def register(run):
        KINDS[name] = Kind(name, label, run)
        return run

    return register


class Progress:
    """Called by a running job as ``progress(done, total, message)``; writes at most every
    :data:`PROGRESS_EVERY` seconds, and never 100 % before the job has finished."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        percent = min(99, max(0, int(100 * done / total))) if total else 0
        Job.objects.filter(pk=self.job_id).update(progress=percent, message=message[:300])


def enqueue(kind_name: str, *, owner=None, title: str = "", **args) -> Job:
    """Record a job of kind ``kind_name`` with JSON-able ``args`` and queue it; returns the job."""
    found = KINDS[kind_name]  # a KeyError is a programming error: kinds are fixed in code
    job = Job.objects.create(kind=kind_name, title=(title or found.label)[:200], owner=owner, args=args)
    if HUEY.immediate:
        run_job(job.pk)
    else:
        transaction.on_commit(lambda: run_job(job.pk))
    return job


@db_task()
def run_job(job_id: int) -> None:
    execute(job_id)


def execute(job_id: int) -> None:
    """Run the job ``job_id`` once (a job already started or finished is left alone)."""
    if not Job.objects.filter(pk=job_id, status=QUEUED).update(status=RUNNING, started_at=timezone.now()):
        return
    job = Job.objects.get(pk=job_id)
    try:
        result = KINDS[job.kind].run(job, Progress(job), **job.args)
    except JobError as e:
        _finish(job_id, FAILED, error=str(e), result={"url": e.url, "label": e.label} if e.url else None)
    except Exception as e:
        log.exception("后台任务 %s（%s）失败", job_id, job.kind)
        _finish(
            job_id,
            FAILED,
            error=f"处理时发生内部错误（{type(e).__name__}），任务未完成；请稍后重试或联系管理员。",
        )
    else:
        _finish(job_id, DONE, result=result or {})


def _finish(job_id: int, status: str, *, result: dict | None = None, error: str = "") -> None:
    done = {"progress": 100, "message": ""} if status == DONE else {}
    Job.objects.filter(pk=job_id).update(
        status=status, result=result or {}, error=error, finished_at=timezone.now(), **done
    )


def job_folder(job_id: int) -> Path:
    """Where a job writes its files (``MEDIA_ROOT/jobs/<id>/``), served by the job's page to its owner."""
    return Path(settings.MEDIA_ROOT) / "jobs" / str(job_id)


def file_name(*parts: str, ext: str) -> str:
    """A Chinese file name without characters that Windows or the header forbid."""
    stem = _UNSAFE.sub("_", "-".join(p for p in parts if p)).strip(" ._")[:120]
    return f"{stem or '导出'}.{ext}"


def save_file(job: Job, name: str, write: Callable[[Path], None]) -> dict:
    """Have ``write(path)`` make the job's file ``name``; returns the result entries that offer it."""
    folder = job_folder(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / name)
    return {"file": name}


@db_periodic_task(crontab(minute="17", hour="3"))
def prune_jobs() -> int:
    """Remove finished jobs older than :data:`KEEP_DAYS` days with their files (daily, 03:17)."""
    old = Job.objects.filter(
        status__in=(DONE, FAILED), finished_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)
    )
    ids = list(old.values_list("pk", flat=True))
    for pk in ids:
        shutil.rmtree(job_folder(pk), ignore_errors=True)
    Job.objects.filter(pk__in=ids).delete()
    return len(ids)
