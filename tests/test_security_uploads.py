"""Untrusted documents: hostile files are refused by content with a Chinese message and change
nothing; plan text carrying markup or spreadsheet formulas is shown escaped on every page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from duban.ingest import IngestError
from duban.ingest.uploads import check_upload
from duban.ops.backup import user_tables
from duban.plans.models import Campaign, Plan, Task
from tests.conftest import sample_path
from tests.test_properties import _docx_bytes, _pdf_bytes, _xlsx_bytes

MB = 1024 * 1024


# ---------------------------------------------------------------- hostile files (no database)


def _zip_bomb_docx(path):
    """A .docx-shaped package whose one member inflates 60 MB of zeros from ~60 KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/media/pad.bin", b"\0" * (60 * MB))


HOSTILE = {
    # name: (file name, make(path), words the refusal must contain)
    "pdf-as-docx": (
        "方案.docx",
        lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"),
        ["扩展名是 .docx", "PDF"],
    ),
    "exe-as-pdf": (
        "方案.pdf",
        lambda p: p.write_bytes(b"MZ\x90\x00\x03" + bytes(range(256)) * 40),
        ["Windows 可执行程序"],
    ),
    "30mb-text": (
        "方案.txt",
        lambda p: p.write_bytes(("某县工作方案\n" + "推进项目建设。\n" * 2_000_000).encode()[: 30 * MB]),
        ["文件过大", "上限 20 MB"],
    ),
    "zip-bomb": ("方案.docx", _zip_bomb_docx, ["压缩炸弹"]),
    "xlsx-as-docx": ("方案.docx", None, ["扩展名是 .docx", "Excel"]),
    "plain-zip": ("方案.xlsx", lambda p: _plain_zip(p), ["扩展名是 .xlsx", "压缩包"]),
    "png-as-txt": ("方案.txt", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2000)), ["PNG 图片"]),
    "script-exe": ("方案.exe", lambda p: p.write_bytes(b"MZ"), ["不支持的文件格式 .exe"]),
}


def _plain_zip(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")


def _make(name, tmp_path):
    file_name, make, _ = HOSTILE[name]
    path = tmp_path / file_name
    if name == "xlsx-as-docx":
        path.write_bytes(_xlsx_bytes(str(tmp_path)))
    else:
        make(path)
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_refused_by_the_upload_check(name, tmp_path):
    path = _make(name, tmp_path)
    with pytest.raises(IngestError) as err:
        check_upload(str(path))
    for words in HOSTILE[name][2]:
        assert words in str(err.value), str(err.value)
    assert str(path) in str(err.value)  # the message names the file


def test_real_documents_pass_the_upload_check(tmp_path):
    kinds = {}
    for suffix, make in ((".docx", _docx_bytes), (".xlsx", _xlsx_bytes), (".pdf", _pdf_bytes)):
        p = tmp_path / f"plan{suffix}"
        p.write_bytes(make(str(tmp_path)))
        kinds[suffix] = check_upload(str(p))
    html = tmp_path / "plan.html"
    html.write_text("<!doctype html><html><body><h1>某县工作方案</h1></body></html>", encoding="utf-8")
    gbk = tmp_path / "plan.txt"
    gbk.write_bytes("某县打好经济增长主动仗工作方案\n一、主要目标\n".encode("gb18030"))
    kinds.update(
        {
            ".html": check_upload(str(html)),
            ".txt": check_upload(str(gbk)),
            "sample": check_upload(sample_path("000")),
        }
    )
    assert kinds == {
        ".docx": "docx",
        ".xlsx": "xlsx",
        ".pdf": "pdf",
        ".html": "html",
        ".txt": "text",
        "sample": "text",
    }


def test_upload_limit_is_a_parameter(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_bytes(("某县工作方案\n" * 200_000).encode())  # ~3.6 MB
    with pytest.raises(IngestError, match="上限 1 MB"):
        check_upload(str(p), max_bytes=1 * MB)
    assert check_upload(str(p), max_bytes=5 * MB) == "text"


# ---------------------------------------------------------------- through `duban ingest`


def _table_rows() -> dict[str, int]:
    with connection.cursor() as cur:
        present = set(connection.introspection.table_names(cur))
        out = {}
        for _, table in user_tables():
            if table in present:
                cur.execute(f'SELECT COUNT(*) FROM "{table}"')
                out[table] = cur.fetchone()[0]
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["pdf-as-docx", "exe-as-pdf", "30mb-text", "zip-bomb"])
def test_ingest_command_refuses_hostile_file_and_changes_nothing(name, tmp_path):
    call_command("ingest", sample_path("001"), stdout=io.StringIO())
    before = _table_rows()
    assert before["plans_task"] > 0
    path = _make(name, tmp_path)
    err = io.StringIO()
    with pytest.raises(SystemExit) as code:
        call_command("ingest", str(path), stdout=io.StringIO(), stderr=err)
    assert code.value.code == 2
    for words in HOSTILE[name][2]:
        assert words in err.getvalue()
    assert _table_rows() == before


# ---------------------------------------------------------------- escaping on the pages

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = "=cmd|' /C calc'!A0"
HOSTILE_PLAN = f"""某县打好经济增长主动仗工作方案
一、主要目标
地区生产总值增长7.5%左右。{SCRIPT}
二、重点任务
序号\t重点工作任务\t牵头单位\t责任单位\t责任人\t责任领导\t完成时限
1\t{SCRIPT}推进项目建设\t县发改局\t县财政局\t杨平{IMG}\t王永红\t2023年6月底前
2\t{IMG}优化营商环境\t县商务局\t县市场监管局\t李四\t王永红\t2023年12月底前
3\t{FORMULA} 扩大有效投资\t县发改局\t{FORMULA}\t张三\t王永红\t{FORMULA}
"""


@pytest.mark.django_db
def test_document_text_is_escaped_on_every_plan_page(client, tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE_PLAN, encoding="utf-8")
    call_command("ingest", str(path), "--region", "邵阳市", stdout=io.StringIO())
    tasks = list(Task.objects.filter(active=True))
    assert {t.seq for t in tasks} == {"1", "2", "3"}
    assert any(SCRIPT in t.title for t in tasks) and any(IMG in t.title for t in tasks)  # stored as written
    assert any(FORMULA in t.title for t in tasks)

    client.force_login(get_user_model().objects.create_superuser("admin", password="Duban-督办-2025!"))
    urls = [
        "/",
        reverse("plans:plan_list"),
        reverse("plans:tasks"),
        *(reverse("plans:plan", args=[p.pk]) for p in Plan.objects.all()),
        *(reverse("plans:task", args=[t.pk]) for t in tasks),
        *(reverse("plans:campaign", args=[c.pk]) for c in Campaign.objects.all()),
    ]
    assert len(urls) >= 5
    for url in urls:
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert SCRIPT not in html and "<img src=x" not in html, url
        assert "onerror=alert(1)>" not in html.replace("onerror=alert(1)&gt;", ""), url
    task_pages = {t.seq: client.get(reverse("plans:task", args=[t.pk])).content.decode() for t in tasks}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;推进项目建设" in task_pages["1"]
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;优化营商环境" in task_pages["2"]
    assert "=cmd|&#x27; /C calc&#x27;!A0" in task_pages["3"]


@pytest.mark.django_db
def test_hostile_plan_stays_inert_in_briefs_and_exports(client, tmp_path):
    """The same hostile plan through the brief (.docx and web page) and the .xlsx exports: the text is
    kept as written, shown escaped, and never becomes markup or a formula."""
    import docx
    import openpyxl

    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE_PLAN, encoding="utf-8")
    call_command("ingest", str(path), "--region", "邵阳市", stdout=io.StringIO())
    client.force_login(get_user_model().objects.create_superuser("admin", password="Duban-督办-2025!"))
    plan = Task.objects.filter(active=True).first().plan
    # the year's summary lists the overdue tasks (due by June, nothing reported) with their titles
    query = {"kind": "年总结", "period": "2023", "plan": plan.pk, "number": 1}
    page = client.get(reverse("ui:brief_page"), query)
    html = page.content.decode()
    assert page.status_code == 200, html[html.find("errorlist"):][:300]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;推进项目建设" in html
    assert SCRIPT not in html and "<img src=x" not in html

    job = client.get(reverse("ui:download_brief"), query)  # made by a background job, offered on its page
    reply = client.get(job["Location"] + "file/")
    assert reply.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(reply.streaming_content)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any(SCRIPT in c for c in cells)  # plain text in Word, as the plan wrote it

    for kind in ("责任分解表", "台账"):
        reply = client.get(reverse("ui:download_export"), {"plan": plan.pk, "kind": kind})
        assert reply.status_code == 200, kind
        book = openpyxl.load_workbook(io.BytesIO(b"".join(reply.streaming_content)))
        written = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
        assert not any(c.data_type == "f" for c in written), kind  # no cell is a formula
        if kind == "责任分解表":
            risky = [c for c in written if str(c.value).startswith(FORMULA)]
            assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky)
