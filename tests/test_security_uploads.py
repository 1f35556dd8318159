"""Untrusted documents: hostile files are refused by content with a Chinese message and change
nothing; plan text carrying markup or spreadsheet formulas is shown escaped on every page."""

from __future__ import annotations

import io
import multiprocessing
import os
import subprocess
import sys
import time
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from duban.ingest import IngestError, limits, parse_file
from duban.ingest.limits import Limits
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
    "plain-zip": ("方案.xlsx", lambda p: _plain_zip(p), ["不是有效的 Excel 表格（.xlsx）", "压缩包里没有 xl/workbook.xml"]),
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


# ---------------------------------------------------------------- crafted files bounded before and while parsing


def test_workbook_with_a_cell_at_the_last_row_is_refused_at_once(tmp_path):
    """20 sheets × a cell at row 1,048,576 (14 KB): openpyxl walked every row for 120 s."""
    from duban.ingest.bounded import parse_upload
    from tests.hostile_uploads import tall_xlsx

    path = tmp_path / "清单.xlsx"
    tall_xlsx(path)
    assert path.stat().st_size < 30_000
    for read in (check_upload, parse_upload, parse_file):
        start = time.perf_counter()
        with pytest.raises(IngestError) as err:
            read(str(path))
        assert time.perf_counter() - start < 5, read
        msg = str(err.value)
        assert "清单.xlsx" in msg and "1048576 行" in msg and "上限 20000 行" in msg, msg


def test_workbook_limits_on_sheets_columns_and_cells(tmp_path):
    from tests.hostile_uploads import tall_xlsx, wide_xlsx

    many = tmp_path / "many.xlsx"
    tall_xlsx(many, sheets=6, row=2)
    with pytest.raises(IngestError, match="工作表个数（6 个）超过上限 5 个"):
        check_upload(str(many), lim=Limits(xlsx_max_sheets=5))
    assert check_upload(str(many), lim=Limits(xlsx_max_sheets=6)) == "xlsx"
    wide = tmp_path / "wide.xlsx"
    wide_xlsx(wide, rows=30, cols=12)
    with pytest.raises(IngestError, match="列数（到第 11 列）超过上限 10 列"):
        check_upload(str(wide), lim=Limits(xlsx_max_cols=10))
    with pytest.raises(IngestError, match="单元格总数（超过 300 个）超过上限 300 个"):
        check_upload(str(wide), lim=Limits(xlsx_max_cells=300))
    assert check_upload(str(wide)) == "xlsx"


def test_docx_with_too_much_xml_is_refused_before_python_docx(tmp_path, monkeypatch):
    """20 MB of XML deflated ~31:1 (under the zip-bomb ratio; 299 MB of it ran `duban parse` to 3.4 GB)."""
    import docx

    from tests.hostile_uploads import fat_docx

    path = tmp_path / "方案.docx"
    fat_docx(path, 20 * MB)
    assert path.stat().st_size < 1.5 * MB
    opened = []
    monkeypatch.setattr(docx, "Document", lambda *a: opened.append(a))  # must never be reached
    for read in (check_upload, parse_file):
        with pytest.raises(IngestError) as err:
            read(str(path))
        assert "XML 内容（20.1 MB）超过上限 16 MB" in str(err.value), str(err.value)
    assert opened == []


def test_pdf_page_limit_is_a_setting(tmp_path, settings):
    pytest.importorskip("reportlab")
    from tests.hostile_uploads import long_pdf

    path = tmp_path / "方案.pdf"
    long_pdf(path, 6)
    settings.DUBAN_PDF_MAX_PAGES = 5
    with pytest.raises(IngestError, match="PDF 页数（6 页）超过上限 5 页"):
        parse_file(str(path))
    settings.DUBAN_PDF_MAX_PAGES = 6
    from duban.ingest.formats import pdf_lines

    assert "第6页" in "".join(pdf_lines(str(path)))


def test_limits_come_from_the_settings(settings):
    settings.DUBAN_XLSX_MAX_ROWS = 123
    settings.DUBAN_PARSE_SECONDS = 7
    lim = limits.current()
    assert (lim.xlsx_max_rows, lim.parse_seconds, lim.max_upload_bytes) == (123, 7, settings.DUBAN_MAX_UPLOAD_BYTES)


def test_bounded_parse_gives_the_same_result_in_a_child_process():
    from duban.ingest.bounded import parse_upload

    own = parse_file(sample_path("001"))
    child = parse_upload(sample_path("001"))
    assert child == own and os.getpid() == os.getpid()
    assert multiprocessing.active_children() == []


def test_bounded_parse_stops_at_the_time_limit(tmp_path):
    from duban.ingest.bounded import parse_upload
    from tests.hostile_uploads import wide_xlsx

    path = tmp_path / "表.xlsx"
    wide_xlsx(path, rows=4000, cols=40)  # within the limits; reading it takes seconds
    start = time.perf_counter()
    with pytest.raises(IngestError) as err:
        parse_upload(str(path), Limits(parse_seconds=1))
    assert time.perf_counter() - start < 6
    assert "解析超时（1 秒）" in str(err.value) and "表.xlsx" in str(err.value)
    assert multiprocessing.active_children() == []  # the child was killed and reaped


def test_bounded_parse_stops_at_the_memory_limit(tmp_path):
    """8 MB of .docx XML needs ~90 MB in python-docx; with 64 MB allowed the parse is refused as such
    (libxml2 reports the failed allocation as a syntax error: not called a damaged file). Run from a
    fresh interpreter: the cap is on what the parse adds to its process, and this test process has
    freed heap of earlier tests the child could reuse."""
    from tests.hostile_uploads import fat_docx

    path = tmp_path / "方案.docx"
    fat_docx(path, 8 * MB)
    code = (
        "import sys\n"
        "from duban.ingest import IngestError\n"
        "from duban.ingest.bounded import parse_upload\n"
        "from duban.ingest.limits import Limits\n"
        "try:\n    parse_upload(sys.argv[1], Limits(parse_memory_mb=int(sys.argv[2]))); print('parsed')\n"
        "except IngestError as e:\n    print(e.problem)\n"
        "print(next(int(ln.split()[1]) // 1024 for ln in open('/proc/self/status') if ln.startswith('VmHWM')))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = [sys.executable, "-c", code, str(path)]
    small = subprocess.run([*run, "64"], capture_output=True, text=True, env=env, timeout=120)
    said, caller_mb = small.stdout.splitlines()
    assert said.startswith("解析所需内存超过上限（64 MB）"), small.stdout + small.stderr
    fat_docx(path, 1 * MB)  # ~12 MB in python-docx: parsed within the default budget
    enough = subprocess.run([*run, "1024"], capture_output=True, text=True, env=env, timeout=120)
    said, caller_mb = enough.stdout.splitlines()
    assert said == "parsed" and int(caller_mb) < 150  # peak RSS: the caller never held the parse's memory
