"""Progress reports on the real 沅江市 sample: versions, lateness, consolidation, validation, actuals."""

import io
import os
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from duban.audit.models import AuditEntry
from duban.plans.models import Target, Task
from duban.tracking.actions import (
    MAX_ATTACHMENT_BYTES,
    TrackingError,
    co_unit_reports,
    do_submit_report,
    latest_reports,
)
from duban.tracking.models import ProgressReport, ReportAttachment, TargetActual
from tests.tracking_helpers import (
    at,
    ingest_yuanjiang,
    lead_and_co,
    plan_titled,
    task_with_co_units,
    tiny_png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarterly(settings, tmp_path):
    """A task reporting 每季度末月中旬 (Q1 due 2023-03-15 23:59), its lead and a co-unit."""
    settings.MEDIA_ROOT = str(tmp_path)
    ingest_yuanjiang()
    task = task_with_co_units(plan_titled("重点工作任务清单"))
    lead, co = lead_and_co(task)
    return task, lead, co


def submit(unit, task, period="2023Q1", when=None, **kw):
    fields = {"narrative": "按计划推进", "percent": 30, "status": "正常推进", **kw}
    return do_submit_report(unit, task, period, at=when or at(2023, 3, 14), **fields)


def counts():
    return (
        ProgressReport.objects.count(),
        TargetActual.objects.count(),
        ReportAttachment.objects.count(),
        AuditEntry.objects.filter(action="submit_report").count(),
    )


def test_each_submission_is_a_new_version_and_lateness_is_measured(quarterly):
    task, lead, co = quarterly
    first = submit(co, task, when=at(2023, 3, 14, 9), narrative="第一稿")
    assert (first.version, first.late_by, first.kind) == (1, None, ProgressReport.UNIT)
    assert first.due_at == at(2023, 3, 15, 23, 59) and first.period == "2023Q1"
    assert (first.period_start.isoformat(), first.period_end.isoformat()) == ("2023-01-01", "2023-03-31")
    second = submit(co, task, when=at(2023, 3, 16, 10), narrative="修改稿", percent=35)
    assert second.version == 2 and second.late_by == timedelta(hours=10, minutes=1)
    first.refresh_from_db()
    assert (first.narrative, first.percent) == ("第一稿", 30)  # never overwritten
    assert [r.version for r in latest_reports(task, "2023Q1")] == [2]
    entries = AuditEntry.objects.filter(action="submit_report").order_by("id")
    assert [e.after["version"] for e in entries] == [1, 2]
    assert entries[1].after["late_by_seconds"] == 10 * 3600 + 60 and "逾期 10小时1分钟" in entries[1].summary


def test_lead_sees_co_unit_reports_and_alone_consolidates(quarterly):
    task, lead, co = quarterly
    submit(co, task, narrative="配合单位进展", problems="资金缺口", needs="请财政协调")
    submit(co, task, narrative="配合单位进展（更正）")
    submit(lead, task, narrative="牵头单位自身进展")
    seen = co_unit_reports(task, "2023Q1")
    assert [(r.unit, r.version, r.narrative) for r in seen] == [(co, 2, "配合单位进展（更正）")]
    with pytest.raises(TrackingError, match="不是任务.*的牵头单位"):
        submit(co, task, consolidated=True)
    merged = submit(lead, task, consolidated=True, narrative="汇总：牵头与配合单位进展", percent=40)
    assert merged.kind == ProgressReport.CONSOLIDATED and merged.version == 2


@pytest.mark.parametrize(
    "change, message",
    [
        ({"percent": 101}, "0–100"),
        ({"percent": -1}, "0–100"),
        ({"percent": "四成"}, "不是数字"),
        ({"status": "进行中"}, "自评状态"),
        ({"narrative": "  "}, "工作进展"),
        ({"period": "2023-03"}, "不是该任务的报送周期"),
        ({"period": "2023Q3"}, "尚未开始"),
        ({"period": "2023年第五季度"}, "无法识别的期间"),
        ({"actuals": {999999: 5}}, "不属于任务所在方案"),
        ({"attachments": [("大文件.pdf", b"x" * (MAX_ATTACHMENT_BYTES + 1))]}, "超过大小上限"),
    ],
)
def test_bad_reports_are_rejected_in_chinese_and_change_nothing(quarterly, change, message):
    task, lead, co = quarterly
    submit(co, task)
    before = counts()
    with pytest.raises(TrackingError, match=message):
        submit(co, task, **change)
    assert counts() == before


def test_unit_not_responsible_and_inactive_task(quarterly):
    task, lead, co = quarterly
    stranger = Task.objects.filter(plan__region__name="沅江市").exclude(assignments__unit=lead).first()
    outsider = stranger.assignments.first().unit
    assert not task.assignments.filter(unit=outsider).exists()
    with pytest.raises(TrackingError, match="不是任务.*的责任单位"):
        submit(outsider, task)
    Task.objects.filter(pk=task.pk).update(active=False)
    task.refresh_from_db()
    with pytest.raises(TrackingError, match="已失效"):
        submit(lead, task)
    assert counts() == (0, 0, 0, 0)


def test_attachments_are_stored_under_media_root(quarterly, settings):
    task, lead, co = quarterly
    png = tiny_png()
    report = submit(lead, task, attachments=[("照片/现场.jpg", b"\xff\xd8\xffjpeg"), ("现场.png", png)])
    files = list(report.attachments.order_by("id"))
    assert [(f.name, f.size) for f in files] == [("现场.jpg", 7), ("现场.png", len(png))]
    path = os.path.join(settings.MEDIA_ROOT, files[0].file.name)
    assert open(path, "rb").read() == b"\xff\xd8\xffjpeg"
    assert os.stat(path).st_mode & 0o777 == 0o600  # readable by the service account only
    assert os.stat(os.path.dirname(path)).st_mode & 0o777 == 0o700


def _office_zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("进展.html", b"<script>alert(1)</script>", "类型 .html 不在允许范围内"),
        ("进展.txt", "进展说明".encode(), "类型 .txt 不在允许范围内"),
        ("安装.exe", b"MZ\x90\x00", "类型 .exe 不在允许范围内"),
        ("图片.png", b"<html><script>alert(1)</script>", "内容不是PNG 图片"),
        ("报告.pdf", tiny_png(), "扩展名是 .pdf，但内容是PNG 图片"),
        ("表.docx", _office_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}),
         "扩展名是 .docx，但内容是Excel 表格"),
        ("炸弹.docx", _office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (40 << 20)}),
         "疑似压缩炸弹"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_attachments_outside_the_allow_list_are_refused_by_content(quarterly, name, content, message):
    task, lead, co = quarterly
    with pytest.raises(TrackingError, match=message):
        submit(lead, task, attachments=[(name, content)])
    assert counts() == (0, 0, 0, 0)


def test_office_documents_and_pdf_are_accepted(quarterly):
    task, lead, co = quarterly
    docx = _office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    files = [("方案.docx", docx), ("旧表.xls", b"\xd0\xcf\x11\xe0" + bytes(600)), ("报告.pdf", b"%PDF-1.4\n%%EOF\n")]
    report = submit(lead, task, attachments=files)
    assert [a.name for a in report.attachments.order_by("id")] == ["方案.docx", "旧表.xls", "报告.pdf"]


def test_report_with_target_actuals_versions_them(settings, tmp_path):
    ingest_yuanjiang()
    growth = plan_titled("经济增长主动仗")  # no reporting rhythm in the plan: default monthly
    task = Task.objects.filter(plan=growth, assignments__role="lead").order_by("order").first()
    lead = task.assignments.get(role="lead").unit
    target = Target.objects.get(plan=growth, indicator="社会消费品零售总额", qualifier="左右")
    r1 = do_submit_report(
        lead,
        task,
        "2023-03",
        narrative="3月",
        percent=20,
        status="正常推进",
        actuals={target.pk: 6.8},
        at=at(2023, 3, 31, 20),
    )
    r2 = do_submit_report(
        lead,
        task,
        "2023-03",
        narrative="3月更正",
        percent=22,
        status="正常推进",
        actuals={target.pk: "7.1"},
        at=at(2023, 4, 2, 9),
    )
    assert r1.late_by is None and r2.late_by == timedelta(days=1, hours=9, minutes=1)
    rows = list(TargetActual.objects.filter(target=target).order_by("version"))
    assert [(a.value, a.version, a.report_id, a.source, a.unit) for a in rows] == [
        (6.8, 1, r1.pk, TargetActual.REPORTED, lead),
        (7.1, 2, r2.pk, TargetActual.REPORTED, lead),
    ]


def test_report_command(quarterly):
    task, lead, co = quarterly
    out = io.StringIO()
    call_command(
        "report", str(task.pk), "--unit", lead.name, "--period", "2023Q1", "--percent", "40",
        "--status", "正常推进", "--text", "命令行报送", "--at", "2023-03-16 09:00", stdout=out,
    )  # fmt: skip
    assert "第1版 40% 正常推进" in out.getvalue() and "逾期 9小时1分钟" in out.getvalue()
    call_command(
        "report", task.key, "--unit", lead.name, "--period", "2023年第一季度", "--percent", "45",
        "--status", "正常推进", "--text", "再报", "--at", "2023-03-20 09:00", stdout=io.StringIO(),
    )  # fmt: skip
    assert list(ProgressReport.objects.filter(task=task).values_list("version", "percent")) == [
        (1, 40),
        (2, 45),
    ]
    with pytest.raises(CommandError, match="不是该任务的责任单位"):
        call_command(
            "report",
            str(task.pk),
            "--unit",
            "不存在的局",
            "--period",
            "2023Q1",
            "--percent",
            "1",
            "--status",
            "正常推进",
            "--text",
            "x",
        )
    with pytest.raises(CommandError, match="0–100"):
        call_command(
            "report",
            str(task.pk),
            "--unit",
            lead.name,
            "--period",
            "2023Q1",
            "--percent",
            "120",
            "--status",
            "正常推进",
            "--text",
            "x",
            "--at",
            "2023-03-20 09:00",
        )
    assert ProgressReport.objects.count() == 2


def test_report_command_refuses_an_attachment_outside_the_allow_list(quarterly, tmp_path):
    task, lead, co = quarterly
    page = tmp_path / "进展.html"
    page.write_text("<script>alert(1)</script>", encoding="utf-8")
    args = ["report", str(task.pk), "--unit", lead.name, "--period", "2023Q1", "--percent", "40",
            "--status", "正常推进", "--text", "附件", "--at", "2023-03-16 09:00"]  # fmt: skip
    with pytest.raises(CommandError, match="附件“进展.html”的类型 .html 不在允许范围内，只接受Word/Excel/WPS 文档"):
        call_command(*args, "--attach", str(page), stdout=io.StringIO())
    assert counts() == (0, 0, 0, 0)
    photo = tmp_path / "现场.png"
    photo.write_bytes(tiny_png())
    call_command(*args, "--attach", str(photo), stdout=io.StringIO())
    assert [a.name for a in ReportAttachment.objects.all()] == ["现场.png"]
