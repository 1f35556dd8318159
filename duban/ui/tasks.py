"""The background jobs the pages start (duban.jobs): the 督办检查 of an office's plans, a brief
as a 公文 .docx and the parse of a file uploaded to the import wizard. Named ``tasks`` so that the queue's worker (``duban run_huey``) loads it, with the
figures refresh of :mod:`duban.audit.cache`."""

from __future__ import annotations

import logging
from datetime import date

from django.urls import reverse

from duban.audit.cache import refresh_entry  # noqa: F401 — registers the figures refresh with the worker
from duban.briefs.collect import collect
from duban.briefs.content import BriefError, BriefRequest
from duban.briefs.render_docx import render as render_docx
from duban.ingest import IngestError
from duban.ingest.bounded import ParseCrash, parse_upload
from duban.jobs.queue import JobError, file_name, kind, save_file
from duban.plans.models import Plan
from duban.supervision.actions import SupervisionError, do_generate_notices
from duban.ui import import_store

CHECK = "notices.check"
BRIEF = "briefs.docx"
IMPORT_PARSE = "import.parse"
NEXT_STEP = "下一步：核对导入内容"
BACK_TO_UPLOAD = "重新上传"
log = logging.getLogger(__name__)


@kind(CHECK, "督办检查")
def check_notices(job, progress, *, plan_ids: list[int], as_of: str, actor_name: str = "") -> dict:
    """督办检查 on day ``as_of`` plan by plan (each plan's check is whole on its own, idempotent per day),
    so the page can show how far it got."""
    day = date.fromisoformat(as_of)
    plans = list(Plan.objects.filter(pk__in=plan_ids).order_by("region_id", "source_document_id", "order"))
    if not plans:
        raise JobError("要检查的方案已不存在，未做督办检查")
    issued = closed = prompts = problems = 0
    for i, plan in enumerate(plans):
        progress(i, len(plans), f"正在检查第 {i + 1}/{len(plans)} 个方案：{plan.title}")
        try:
            report = do_generate_notices([plan], day, actor_name=actor_name)
        except SupervisionError as e:
            raise JobError(f"督办检查在方案“{plan.title}”处停止：{e}（此前 {i} 个方案已检查完）") from None
        issued += len(report.issued)
        closed += len(report.closed)
        prompts += len(report.prompts)
        problems += len(report.problems)
    return {
        "summary": f"督办检查（{day:%Y-%m-%d}）完成：方案 {len(plans)} 个，新下发 {issued} 份，"
        f"自动办结 {closed} 份，提示单 {prompts} 份，新问题 {problems} 条",
        "url": reverse("ui:notices"),
        "label": "查看督办单",
    }


@kind(BRIEF, "生成简报")
def brief_docx(job, progress, *, kind: str, period: str, plan_ids: list[int], number: int = 1) -> dict:
    """A brief as a 公文 .docx, offered for download on the job's page."""
    progress(0, 3, "正在汇总报送与督办数据")
    try:
        data = collect(BriefRequest.parse(kind, period, plan_ids, number))
    except BriefError as e:
        raise JobError(str(e)) from None
    progress(2, 3, "正在排版公文")
    result = save_file(job, file_name(data.title, ext="docx"), lambda path: render_docx(data).save(str(path)))
    return {**result, "summary": data.title}


@kind(IMPORT_PARSE, "解析导入文件")
def parse_import(job, progress, *, token: str) -> dict:
    """Check and parse the file the import wizard stored under ``token`` (bounded in time and memory
    by :func:`parse_upload`) and keep the result beside it for the wizard's later steps. A bad file
    fails the job with the one message the command line gives too, and is deleted."""
    back = {"url": reverse("ui:import_upload"), "label": BACK_TO_UPLOAD}
    try:
        upload = import_store.read(token)
    except import_store.StoreMiss:
        raise JobError("上传的文件已过期或已删除，请重新上传", **back) from None
    progress(0, 1, f"正在检查并解析：{upload.file_name}")
    try:
        result = parse_upload(upload.path)
    except IngestError as e:
        import_store.remove(token)
        raise JobError(f"{upload.file_name}：{e.problem}", **back) from None
    except ParseCrash as e:  # a bug of the parser, not the file's fault: logged, and the way back offered
        import_store.remove(token)
        log.error("解析导入文件 %s 时出错：\n%s", upload.file_name, e)
        raise JobError(f"{upload.file_name}：解析时发生内部错误，文件未导入；请稍后重试或联系管理员", **back) from None
    import_store.write_result(upload, result)
    tasks = len(result.tasks)
    return {
        "summary": f"{upload.file_name}：已解析，任务 {tasks} 项",
        "url": reverse("ui:import_preview", args=[token]),
        "label": NEXT_STEP,
    }
