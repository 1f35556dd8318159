"""Background jobs (duban/jobs) on the real 沅江市 plan: the 督办检查 and a brief queued from their pages,
run as the worker runs them, with progress on the job's page, then the result or a Chinese error;
only the owner sees a job; old jobs are pruned. tests/test_ui_cache.py runs the real worker process."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from duban.accounts.roles import OFFICE, TASKFORCE
from duban.jobs import queue
from duban.jobs.models import DONE, FAILED, QUEUED, Job
from duban.supervision.models import Notice
from duban.ui import tasks
from tests.conftest import run_queued
from tests.ui_wb_support import as_user, yuanjiang

pytestmark = pytest.mark.django_db


def job_of(response) -> Job:
    assert response.status_code == 302, response.content.decode()[:300]
    assert response["Location"].startswith("/jobs/")
    return Job.objects.get(pk=int(response["Location"].split("/")[2]))


def test_the_check_returns_at_once_and_its_page_shows_progress_then_the_notices(
    client, queued, monkeypatch, django_capture_on_commit_callbacks
):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    with django_capture_on_commit_callbacks(execute=True):  # queued once the job's row is committed
        job = job_of(client.post("/notices/generate/", {"as_of": "2023-03-31"}))
    assert job.status == QUEUED and Notice.objects.count() == 0  # nothing done inside the request
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "排队中" in page and '<meta http-equiv="refresh" content="2">' in page  # the page reloads itself

    seen = []  # the job's row as the page would show it, each time a plan's check starts
    real = tasks.do_generate_notices

    def watch(plans, day, **kw):
        row = Job.objects.get(pk=job.pk)
        seen.append((row.status, row.progress, row.message))
        return real(plans, day, **kw)

    monkeypatch.setattr(tasks, "do_generate_notices", watch)
    monkeypatch.setattr(queue, "PROGRESS_EVERY", 0)
    assert run_queued() == 1
    plans = job.args["plan_ids"]
    assert len(seen) == len(plans) >= 1
    assert all(status == "running" for status, _, _ in seen)
    assert [p for _, p, _ in seen] == [100 * i // len(plans) for i in range(len(plans))]
    assert seen[0][2].startswith(f"正在检查第 1/{len(plans)} 个方案")
    job.refresh_from_db()
    assert job.status == DONE and job.progress == 100 and job.finished_at
    issued = Notice.objects.count()
    assert issued > 0
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "http-equiv" not in page  # finished: no more reloading
    assert f"新下发 {issued} 份" in page and 'href="/notices/"' in page and "查看督办单" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = job_of(client.post("/notices/generate/", {"as_of": "2023-03-31"}))
    run_queued()
    again.refresh_from_db()
    assert "新下发 0 份" in again.result["summary"] and Notice.objects.count() == issued  # idempotent per day


def test_a_brief_is_made_by_a_job_and_downloaded_from_its_page(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    plan = w.task.plan
    job = job_of(
        client.get("/downloads/brief/", {"kind": "月通报", "period": "2023-03", "plan": plan.pk, "number": 3})
    )
    assert job.status == DONE and job.owner == w.users[OFFICE]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and f'href="/jobs/{job.pk}/file/"' in page
    reply = client.get(f"/jobs/{job.pk}/file/")
    assert reply.status_code == 200 and reply["Content-Disposition"].startswith("attachment;")
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(reply.streaming_content))).paragraphs)
    assert job.result["summary"] in page and job.result["summary"] in text.replace("\n", "")  # the brief's title
    assert "截至2023年3月31日" in text


def test_a_failing_job_shows_its_reason_in_chinese(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    gone = queue.enqueue(tasks.CHECK, owner=w.users[OFFICE], plan_ids=[10**9], as_of="2023-03-31")
    assert gone.status == QUEUED  # the object in hand; the row has moved on
    gone.refresh_from_db()
    assert gone.status == FAILED and gone.progress == 0
    page = client.get(f"/jobs/{gone.pk}/").content.decode()
    assert "失败" in page and "要检查的方案已不存在，未做督办检查" in page and "http-equiv" not in page
    assert client.get(f"/jobs/{gone.pk}/file/").status_code == 404
    broken = queue.enqueue(tasks.CHECK, owner=w.users[OFFICE], plan_ids=[w.task.plan_id], as_of="2023-02-30")
    broken.refresh_from_db()  # an error the job did not foresee: logged, and a plain Chinese message
    assert broken.status == FAILED and "处理时发生内部错误（ValueError）" in broken.error
    assert "请稍后重试或联系管理员" in client.get(f"/jobs/{broken.pk}/").content.decode()


def test_only_the_owner_sees_a_job_and_its_file(client):
    w = yuanjiang()
    job = job_of(as_user(client, w.users[OFFICE]).post("/notices/generate/", {"as_of": "2023-03-31"}))
    other = as_user(client, w.users[TASKFORCE])
    for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/file/"):
        refused = other.get(url)
        assert refused.status_code == 403 and "别人提交的后台任务" in refused.content.decode()
    client.logout()
    assert client.get(f"/jobs/{job.pk}/")["Location"].startswith("/login/")


def test_finished_jobs_are_pruned_with_their_files_after_thirty_days(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    old = job_of(
        client.get(
            "/downloads/brief/", {"kind": "月通报", "period": "2023-03", "plan": w.task.plan.pk, "number": 1}
        )
    )
    new = job_of(
        client.get(
            "/downloads/brief/", {"kind": "月通报", "period": "2023-03", "plan": w.task.plan.pk, "number": 2}
        )
    )
    folder = queue.job_folder(old.pk)
    assert (folder / old.result["file"]).is_file()
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=queue.KEEP_DAYS + 1))
    assert queue.prune_jobs.call_local() == 1
    assert not folder.exists() and not Job.objects.filter(pk=old.pk).exists()
    assert (
        Job.objects.filter(pk=new.pk).exists() and (queue.job_folder(new.pk) / new.result["file"]).is_file()
    )
