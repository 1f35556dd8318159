"""Import wizard (web): content-checked upload, preview with warnings, unit fixing, the diff of a
revised plan before anything is written, atomic confirm with its audit entry, the session-bound
and expiring temporary store, and the office-only rule."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import LEADER, OFFICE, REPORTER
from duban.audit.models import AuditEntry
from duban.jobs.models import DONE, FAILED, QUEUED, Job
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, SourceDocument, Task, TaskUnit, Unit, UnitAlias
from duban.ui import import_store
from duban.ui.import_preview import suspicious
from tests.conftest import sample_path
from tests.ui_wb_support import as_user, yuanjiang

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.DUBAN_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


def sample_bytes(prefix: str) -> tuple[str, bytes]:
    path = sample_path(prefix)
    with open(path, "rb") as f:
        return os.path.basename(path), f.read()


def post_file(client, name: str, data: bytes, **extra):
    return client.post("/import/", {"file": SimpleUploadedFile(name, data), **extra})


def job_of(response) -> Job:
    """The parse job the upload request redirected to (the request stores the file, parses nothing)."""
    assert response.status_code == 302 and response["Location"].startswith("/jobs/"), response
    return Job.objects.get(pk=int(response["Location"].split("/")[2]))


def upload(client, name: str, data: bytes, **extra) -> str:
    """Upload through the form and follow the parse job's page to the preview: its address."""
    page = client.get(post_file(client, name, data, **extra)["Location"])
    assert page.context["job"].status == DONE, page.context["job"].error
    assert "下一步：核对导入内容" in page.content.decode()
    return page.context["job"].result["url"]


def rows():
    return (SourceDocument.objects.count(), Plan.objects.count(), Task.objects.count(), Unit.objects.count())


def test_only_the_office_may_import(client):
    w = yuanjiang()
    for role in (REPORTER, LEADER):
        assert as_user(client, w.users[role]).get("/import/").status_code == 403
    assert as_user(client, w.users[OFFICE]).get("/import/").status_code == 200


def test_bad_files_are_refused_by_content_and_nothing_is_kept(client, store):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    before = rows()
    png_as_docx = client.get(post_file(client, "方案.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)["Location"])
    assert png_as_docx.status_code == 200 and png_as_docx.context["job"].status == FAILED
    assert "方案.docx：" in png_as_docx.content.decode() and "PNG 图片" in png_as_docx.content.decode()
    pdf_as_txt = client.get(post_file(client, "方案.txt", b"%PDF-1.4\n%%EOF\n")["Location"])
    assert "扩展名是 .txt，但内容是PDF 文档" in pdf_as_txt.content.decode()
    not_a_plan = client.get(
        post_file(client, "通知.txt", "关于做好春节假期值班工作的通知\n各单位：请做好值班。".encode())["Location"]
    )
    assert "不像是一份工作方案" in not_a_plan.content.decode()
    assert 'id="job-back" href="/import/">重新上传' in not_a_plan.content.decode()  # the way back to the form
    assert rows() == before
    assert not any(store.iterdir()) if store.exists() else True  # refused uploads are deleted at once


def test_upload_preview_fix_units_confirm(client, store):
    yuanjiang()
    office = do_add_user("shi_duchashi", OFFICE, Scope(), password="Duban-督办-2025!")  # every region
    as_user(client, office)
    name, data = sample_bytes("003")  # 新邵县: not imported yet
    location = upload(client, name, data)
    token = location.rstrip("/").split("/")[-1]
    preview = client.get(location)
    assert preview.status_code == 200
    p = preview.context["p"]
    assert p.counts["任务"] > 100 and p.counts["文档"] > 1
    kinds = {wn.kind for wn in p.warnings}
    assert "新单位" in kinds and p.unknown_units  # a region never imported: every unit is new
    # map one written name to an existing unit of the region; a typo is a form error, nothing saved
    region = preview.context["region"]
    existing = Unit.objects.create(region=region, name="县发展和改革局")
    target = p.unknown_units[0]
    field = preview.context["unit_fields"][0].html_name
    typo = client.post(preview.wsgi_request.path, {"region": region.pk, field: "县发展和改革句"})
    assert typo.status_code == 200 and "没有名为“县发展和改革句”的单位" in typo.content.decode()
    assert import_store.load(typo.wsgi_request, token).unit_map == {}
    ok = client.post(preview.wsgi_request.path, {"region": region.pk, field: existing.name})
    assert ok.status_code == 302 and ok["Location"].endswith("/confirm/")
    confirm = client.get(ok["Location"])
    diff = confirm.context["diff"]
    assert diff.dry_run and diff.new_document and len(diff.tasks.added) == p.counts["任务"]
    assert rows()[0] == 1  # the dry run stored nothing
    done = client.post(ok["Location"])
    assert done.status_code == 302
    doc = SourceDocument.objects.get(region=region)
    assert Task.objects.filter(source_document=doc, active=True).count() == p.counts["任务"]
    assert UnitAlias.objects.filter(region=region, unit=existing, origin=UnitAlias.MANUAL).exists()
    named = TaskUnit.objects.filter(task__source_document=doc, written_as=target)
    assert named.exists() and {a.unit_id for a in named} == {existing.pk}
    entry = AuditEntry.objects.get(action="ingest", object_id=str(doc.pk))
    assert entry.actor == office and entry.after["unit_map"] == {target: existing.name}
    page = client.get(done["Location"])
    assert name in page.content.decode()
    # the token is spent: the file is gone and the preview says so
    assert not (store / token).exists()
    again = client.get(f"/import/{token}/")
    assert again.status_code == 302 and again["Location"].endswith("/import/")


def test_revised_plan_shows_the_diff_before_it_is_applied(client, tmp_path):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    name, data = sample_bytes("001")
    text = data.decode("utf-8")
    old_title = w.task.title
    new_title = old_title.replace("推进", "加快推进", 1)
    assert new_title != old_title
    revised = text.replace(old_title, new_title, 1)
    before = rows()
    confirm_url = upload(client, name, revised.encode("utf-8")) + "confirm/"
    diff = client.get(confirm_url).context["diff"]
    assert not diff.new_document and diff.dry_run
    assert [c for c in diff.tasks.changed if c.startswith(f"第 {w.task.line} 行") and "标题" in c]
    assert not diff.tasks.added and not diff.tasks.removed
    assert "修改的任务" in client.get(confirm_url).content.decode()
    w.task.refresh_from_db()
    assert w.task.title == old_title and rows() == before  # nothing applied yet
    client.post(confirm_url)
    w.task.refresh_from_db()
    assert w.task.title == new_title and rows() == before  # same task row, updated


def test_tokens_are_bound_to_the_session_and_expire(client, store):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    name, data = sample_bytes("001")
    location = upload(client, name, data)
    token = location.rstrip("/").split("/")[-1]
    # another session of the same office cannot open it
    from django.test import Client

    other = as_user(Client(), w.users[OFFICE])
    assert other.get(location).status_code == 302
    assert other.post(location + "confirm/").status_code == 302
    assert SourceDocument.objects.count() == 1  # only the fixture's import
    # expired uploads are swept and refused
    assert client.get(location).status_code == 200
    assert import_store.sweep(now=time.time() + import_store.TTL + 1) == 1
    assert not (store / token).exists()
    assert client.get(location).status_code == 302


def test_confirm_error_changes_nothing(client):
    """A unit mapped to another region's unit is refused by the action inside its transaction."""
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    do_ingest_file(sample_path("003"))
    name, data = sample_bytes("001")
    location = upload(client, name, data)
    token = location.rstrip("/").split("/")[-1]
    request = client.get(location).wsgi_request
    item = import_store.load(request, token)
    item.unit_map = {w.lead.name: Unit.objects.exclude(region=w.region).first().pk}
    import_store.write(item)
    before = rows(), AuditEntry.objects.count()
    failed = client.post(location + "confirm/")
    assert failed.status_code == 400 and "不属于沅江市" in failed.content.decode()
    assert (rows(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    "name,problem",
    [
        ("市发改委", None),
        ("各县市区人民政府", None),
        ("市发改委、市财政局", "列举"),
        ("市", "过短"),
        ("市发展和改革委员会市财政局市住房和城乡建设局", "连在一起"),
        ("市委市政府督查室", None),
        ("市发展和改革委员会市财政局市住房和城乡建设局市教育局", "过长"),
        ("加快推进项目建设", "不像单位"),
    ],
)
def test_suspicious_unit_names(name, problem):
    why = suspicious(name)
    assert (why is None) if problem is None else (problem in why)


def test_upload_size_limit(client, settings):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    settings.DUBAN_MAX_UPLOAD_BYTES = 1024
    big = post_file(client, "方案.txt", "打好经济增长主动仗工作方案\n".encode() * 200)
    assert big.status_code == 200 and "文件过大" in big.content.decode()
    assert io  # (imported for symmetry with other tests)


def test_the_preview_shows_the_year_and_the_office_corrects_it(client):
    yuanjiang()
    office = do_add_user("shi_duchashi", OFFICE, Scope(), password="Duban-督办-2025!")
    as_user(client, office)
    name, data = sample_bytes("003")  # 新邵县 2024
    preview = client.get(upload(client, name, data))
    page = preview.content.decode()
    assert "年度：2024年（依据：文号〔2024〕）" in page and "发文日期：2024年3月18日" in page
    assert preview.context["form"].initial["year"] == 2024
    region = preview.context["region"]
    ok = client.post(preview.wsgi_request.path, {"region": region.pk, "year": 2025})
    assert ok.status_code == 302
    confirm = client.get(ok["Location"])
    assert "年度工作：新邵县2025年实施八大行动" in confirm.content.decode()
    client.post(ok["Location"])
    doc = SourceDocument.objects.get(region=region)
    assert (doc.programme.start_year, doc.programme.year_evidence) == (2025, "人工指定 2025 年")
    bad = upload(client, name, data)
    wrong = client.post(bad, {"region": region.pk, "year": 1900})
    assert wrong.status_code == 200 and "2000" in wrong.content.decode()


def test_the_file_is_parsed_once_for_upload_preview_and_confirm(client, store, monkeypatch):
    """The parse is kept beside the upload (parse.json, 0600) and every later step reuses it."""
    from duban.ingest import bounded
    from duban.plans.actions import ingest as actions
    from duban.ui import tasks

    yuanjiang()
    as_user(client, do_add_user("shi_duchashi", OFFICE, Scope(), password="Duban-督办-2025!"))
    calls = []

    def counted(path, *a, **kw):
        calls.append(path)
        return bounded.parse_upload(path, *a, **kw)

    monkeypatch.setattr(tasks, "parse_upload", counted)
    monkeypatch.setattr(actions, "parse_upload", counted)
    name, data = sample_bytes("003")
    location = upload(client, name, data)
    token = location.rstrip("/").split("/")[-1]
    kept = store / token / import_store.RESULT
    assert kept.exists() and kept.stat().st_mode & 0o777 == 0o600
    preview = client.get(location)
    region = preview.context["region"]
    client.post(location, {"region": region.pk})
    client.get(location + "confirm/")
    client.get(location + "confirm/")
    done = client.post(location + "confirm/")
    assert done.status_code == 302 and SourceDocument.objects.filter(region=region).exists()
    assert len(calls) == 1
    assert not (store / token).exists()  # removed with the upload


def test_a_region_outside_the_office_is_named_at_the_preview_and_step_3_offers_a_way_back(client):
    """沅江市's office uploads 新邵县's plan: the preview said “按文件识别：新邵县（新建地区）” although
    新邵县 exists, and step ③ was a bare 403 page."""
    w = yuanjiang()
    do_ingest_file(sample_path("003"))  # 新邵县 exists now, outside 沅江市
    as_user(client, w.users[OFFICE])
    name, data = sample_bytes("003")
    location = upload(client, name, data)
    preview = client.get(location)
    page = preview.content.decode()
    assert preview.context["region"].name == "新邵县"
    assert "新建地区" not in page
    assert "按文件识别：新邵县（不在您的管辖范围内）" in page and 'id="import-region-problem"' in page
    stay = client.post(location, {"region": ""})
    assert stay.status_code == 200 and "请选择您管辖的地区，或取消导入" in stay.content.decode()
    before = rows()
    refused = client.get(location + "confirm/")
    text = refused.content.decode()
    assert refused.status_code == 403 and "不在您的管辖范围内" in text
    assert f'href="{location}"' in text and "返回上一步" in text  # back to the preview
    assert f'action="{location}cancel/"' in text and "取消导入" in text
    assert client.post(location + "confirm/").status_code == 403 and rows() == before
    # choosing the office's own region goes on
    assert client.post(location, {"region": w.region.pk}).status_code == 302


def test_a_region_inside_the_office_is_recognised(client):
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    name, data = sample_bytes("001")
    preview = client.get(upload(client, name, data))
    form = preview.context["form"]
    assert preview.context["region"] == w.region and not form.blocked
    assert form.fields["region"].initial == w.region.pk and "新建地区" not in preview.content.decode()


def test_the_upload_request_parses_nothing_the_queued_job_does(
    client, store, monkeypatch, queued, django_capture_on_commit_callbacks
):
    """The request stores the file and queues the parse; the preview waits for the job (never parses
    in the request), which leads on to it; only the uploader sees the job, only their session the preview."""
    from django.test import Client

    from duban.ingest import bounded
    from duban.plans.actions import ingest as actions
    from duban.ui import tasks
    from tests.conftest import run_queued

    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    calls = []

    def counted(path, *a, **kw):
        calls.append(path)
        return bounded.parse_upload(path, *a, **kw)

    monkeypatch.setattr(tasks, "parse_upload", counted)
    monkeypatch.setattr(actions, "parse_upload", counted)
    name, data = sample_bytes("001")
    with django_capture_on_commit_callbacks(execute=True):  # queued once the job's row is committed
        job = job_of(post_file(client, name, data))
    assert calls == [] and job.status == QUEUED and job.owner == w.users[OFFICE]
    token = job.args["token"]
    assert not (store / token / import_store.RESULT).exists()
    waiting = client.get(f"/jobs/{job.pk}/")
    assert waiting.context["job"].status == QUEUED and "排队中" in waiting.content.decode()
    early = client.get(f"/import/{token}/")  # opened before the parse is done: says so, parses nothing
    assert early.status_code == 200 and "文件还在解析" in early.content.decode()
    assert f'href="/jobs/{job.pk}/"' in early.content.decode()
    assert client.get(f"/import/{token}/confirm/").status_code == 200 and calls == []
    # the job and the preview are the uploader's: another office gets 403, another session nothing
    other_office = do_add_user("other_duchashi", OFFICE, Scope(), password="Duban-督办-2025!")
    assert as_user(Client(), other_office).get(f"/jobs/{job.pk}/").status_code == 403
    assert as_user(Client(), w.users[OFFICE]).get(f"/import/{token}/").status_code == 302

    assert run_queued() == 1 and len(calls) == 1  # the worker's turn
    job.refresh_from_db()
    assert job.status == DONE and job.result["url"] == f"/import/{token}/"
    assert 'id="job-result"' in client.get(f"/jobs/{job.pk}/").content.decode()
    preview = client.get(job.result["url"])
    assert preview.status_code == 200 and preview.context["p"].counts["任务"] > 100
    assert len(calls) == 1

    # a bad file: the job fails with the parser's words and the way back, and the file is gone
    with django_capture_on_commit_callbacks(execute=True):
        bad = job_of(post_file(client, "方案.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64))
    assert run_queued() == 1
    page = client.get(f"/jobs/{bad.pk}/").content.decode()
    assert "失败" in page and "方案.docx：" in page and "PNG 图片" in page
    assert 'id="job-back" href="/import/"' in page
    assert not (store / bad.args["token"]).exists()
    gone = client.get(f"/import/{bad.args['token']}/")
    assert gone.status_code == 302 and gone["Location"].endswith("/import/")
