"""Bad input of every kind ends in one IngestError: a one-line Chinese message with an English
gloss that names the file; `duban parse` prints it and exits with code 2, without a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import docx
import openpyxl
import pytest

from duban.ingest import IngestError, parse_file
from duban.ingest.load import load_lines


def fails(path, *words: str) -> str:
    """Parse ``path``, expect an IngestError whose message names the file and has ``words``."""
    with pytest.raises(IngestError) as info:
        parse_file(str(path))
    msg = str(info.value)
    assert os.path.basename(str(path)) in msg
    assert "\n" not in msg and "（" in msg and msg.endswith("）"), msg  # Chinese, then (English gloss)
    for w in words:
        assert w in msg, msg
    return msg


def valid_docx(path, text="某县打好经济增长主动仗工作方案"):
    d = docx.Document()
    d.add_paragraph(text)
    d.save(path)
    return path


def valid_xlsx(path):
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "重点工作任务", "牵头单位"])
    wb.save(path)
    return path


def rezip(src, dst, replace: dict[str, bytes]):
    """Copy a zip package, replacing some members' bytes."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return dst


# ---------------------------------------------------------------------------------------------
# files that are not there or not files


def test_missing_file(tmp_path):
    fails(tmp_path / "nope.docx", "文件不存在", "file not found")


def test_directory(tmp_path):
    d = tmp_path / "plans.txt"
    d.mkdir()
    fails(d, "目录")


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    fails(fifo, "不是普通文件")


def test_empty_files_of_each_format(tmp_path):
    for name in ("e.txt", "e.docx", "e.xlsx", "e.pdf", "e.html"):
        (tmp_path / name).write_bytes(b"")
        fails(tmp_path / name, "空")


def test_oversized_file(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(51 * 1024 * 1024)  # sparse: costs no disk or time
    fails(big, "过大", "50 MB")


@pytest.mark.parametrize("name,hint", [("plan.doc", ".docx"), ("plan.wps", ".docx"), ("list.xls", ".xlsx"),
                                       ("list.csv", ".xlsx"), ("plan.ofd", ".pdf")])
def test_formats_to_convert_first_get_a_hint(tmp_path, name, hint):
    (tmp_path / name).write_bytes(b"\xd0\xcf\x11\xe0" + b"x" * 100)
    fails(tmp_path / name, "不支持", hint)


def test_unknown_suffix(tmp_path):
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"x" * 100)
    fails(tmp_path / "photo.jpg", "不支持的文件格式", ".jpg")


# ---------------------------------------------------------------------------------------------
# text files


def test_binary_data_named_txt(tmp_path):
    f = tmp_path / "blob.txt"
    f.write_bytes(bytes(range(256)) * 10)
    fails(f, "二进制")


def test_binary_without_nul_bytes_named_txt(tmp_path):
    f = tmp_path / "ctrl.txt"
    f.write_bytes(bytes(range(1, 32)) * 200)
    fails(f, "不是文本文件")


@pytest.mark.parametrize("magic,word", [(b"%PDF-1.7\n", "PDF"), (b"PK\x03\x04", ".docx"), (b"\xd0\xcf\x11\xe0", "旧版")])
def test_renamed_binary_says_what_it_is(tmp_path, magic, word):
    f = tmp_path / "renamed.txt"
    f.write_bytes(magic + b"\x00" * 64)
    fails(f, word)


def test_text_that_is_not_a_plan(tmp_path):
    f = tmp_path / "poem.md"
    f.write_text("# 静夜思\n床前明月光，疑是地上霜。\n", encoding="utf-8")
    fails(f, "不像是一份工作方案")


def test_whitespace_only_text(tmp_path):
    f = tmp_path / "blank.txt"
    f.write_text("\n \u3000\n\t\n", encoding="utf-8")
    fails(f, "没有任何文字内容")


@pytest.mark.parametrize("encoding", ["utf-16", "gb18030", "utf-8-sig"])
def test_common_encodings_are_read(tmp_path, encoding):
    f = tmp_path / "plan.txt"
    f.write_bytes("某县打好经济增长主动仗工作方案\n一、主要目标\n".encode(encoding))
    assert load_lines(str(f))[:2] == ["某县打好经济增长主动仗工作方案", "一、主要目标"]


def test_old_mac_line_ends(tmp_path):
    f = tmp_path / "cr.txt"
    f.write_bytes("某县工作方案\r一、目标\r".encode())
    assert load_lines(str(f)) == ["某县工作方案", "一、目标", ""]


# ---------------------------------------------------------------------------------------------
# .docx / .xlsx


def test_truncated_docx(tmp_path):
    data = valid_docx(tmp_path / "ok.docx").read_bytes()
    bad = tmp_path / "cut.docx"
    bad.write_bytes(data[: len(data) // 2])
    fails(bad, "已损坏", ".docx")


def test_random_bytes_named_xlsx(tmp_path):
    bad = tmp_path / "noise.xlsx"
    bad.write_bytes(os.urandom(4096))
    fails(bad, "已损坏", ".xlsx")


def test_zip_that_is_not_a_docx(tmp_path):
    bad = tmp_path / "archive.docx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("readme.txt", "hello")
    fails(bad, "word/document.xml")


def test_legacy_or_encrypted_office_file_named_docx(tmp_path):
    bad = tmp_path / "old.docx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    fails(bad, "旧版", ".docx")


def test_docx_with_malformed_xml(tmp_path):
    src = valid_docx(tmp_path / "ok.docx")
    bad = rezip(src, tmp_path / "broken.docx", {"word/document.xml": b"<w:document><w:body><w:p>"})
    fails(bad, "已损坏", ".docx")


def test_xlsx_with_malformed_sheet(tmp_path):
    src = valid_xlsx(tmp_path / "ok.xlsx")
    bad = rezip(src, tmp_path / "broken.xlsx", {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c"})
    fails(bad, "已损坏", ".xlsx")


def _bomb(path, member: str, size: int):
    """A zip whose one member inflates ``size`` bytes of zeros from a few KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(member, "w", force_zip64=True) as f:
        chunk = b"\x00" * (1 << 20)
        for _ in range(size >> 20):
            f.write(chunk)
    return path


@pytest.mark.parametrize("name,member", [("bomb.docx", "word/document.xml"), ("bomb.xlsx", "xl/workbook.xml")])
def test_zip_bomb_is_refused_before_inflating(tmp_path, name, member):
    path = _bomb(tmp_path / name, member, 40 << 20)
    assert path.stat().st_size < 200_000
    fails(path, "压缩炸弹", "zip bomb")


def test_docx_without_text_and_docx_that_is_not_a_plan(tmp_path):
    empty = tmp_path / "blank.docx"
    docx.Document().save(empty)
    fails(empty, "没有任何文字内容")
    fails(valid_docx(tmp_path / "letter.docx", "各位同事：明天下午开会。"), "不像是一份工作方案")


# ---------------------------------------------------------------------------------------------
# .pdf


def _canvas_pdf(path, draw, **kw):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), **kw)
    draw(c)
    c.save()
    return path


def _text_pdf(path, **kw):
    def draw(c):
        c.setFont("STSong-Light", 14)
        c.drawString(100, 700, "某县打好经济增长主动仗工作方案")

    return _canvas_pdf(path, draw, **kw)


def test_pdf_without_text_layer_is_called_a_scan(tmp_path):
    pytest.importorskip("reportlab")
    path = _canvas_pdf(tmp_path / "scan.pdf", lambda c: c.rect(50, 50, 400, 600, fill=1))
    fails(path, "没有文字层", "OCR")


def test_encrypted_pdf(tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.lib import pdfencrypt

    path = _text_pdf(tmp_path / "locked.pdf", encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    fails(path, "已加密")


def test_truncated_and_garbled_pdf(tmp_path):
    pytest.importorskip("reportlab")
    data = _text_pdf(tmp_path / "ok.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    fails(cut, ".pdf")
    garbled = tmp_path / "garbled.pdf"
    garbled.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    fails(garbled, "已损坏", ".pdf")


def test_text_named_pdf(tmp_path):
    f = tmp_path / "notes.pdf"
    f.write_text("某县工作方案", encoding="utf-8")
    fails(f, "PDF 文件头")


# ---------------------------------------------------------------------------------------------
# the command line


def test_cli_prints_one_line_and_exits_2_for_each_bad_file(tmp_path):
    cut = tmp_path / "cut.docx"
    cut.write_bytes(valid_docx(tmp_path / "ok.docx").read_bytes()[:300])
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(os.urandom(2048))
    bomb = _bomb(tmp_path / "bomb.docx", "word/document.xml", 30 << 20)
    old = tmp_path / "plan.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    for f in (cut, noise, bomb, old, tmp_path / "missing.pdf"):
        r = subprocess.run([sys.executable, "-m", "duban.cli", "parse", str(f)], capture_output=True, text=True)
        assert r.returncode == 2, (f, r.stderr)
        assert "Traceback" not in r.stderr and r.stdout == ""
        assert r.stderr.startswith("错误：") and r.stderr.count("\n") == 1 and f.name in r.stderr



# ---------------------------------------------------------------------------------------------
# one wording for each bad file, from `duban parse`, `duban ingest` and the web import


def _bad_files(tmp_path) -> dict[str, tuple]:
    """name -> (path, words the one message must hold)."""
    noise = tmp_path / "noise.docx"
    noise.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00" + os.urandom(512))
    archive = tmp_path / "archive.docx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    return {
        "random bytes named .docx": (noise, ["不是有效的 Word 文档（.docx）"]),
        "empty file": (empty, ["文件是空的"]),
        "wrong type": (program, ["不支持的文件格式 .exe"]),
        "a zip named .docx": (archive, ["不是有效的 Word 文档（.docx）：压缩包里没有 word/document.xml"]),
        "a missing path": (tmp_path / "missing.docx", ["文件不存在"]),
    }


def _problem(line: str, path) -> str:
    """The message after '错误：<path>: '."""
    prefix = f"错误：{path}: "
    assert line.startswith(prefix), line
    return line[len(prefix):].strip()


@pytest.mark.django_db
def test_parse_ingest_and_web_give_one_message_for_each_bad_file(tmp_path, client, settings):
    import html

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from duban.accounts.roles import OFFICE
    from tests.ui_wb_support import as_user, yuanjiang

    settings.DUBAN_IMPORT_DIR = str(tmp_path / "imports")
    as_user(client, yuanjiang().users[OFFICE])
    for name, (path, words) in _bad_files(tmp_path).items():
        cli = subprocess.run([sys.executable, "-m", "duban.cli", "parse", str(path)], capture_output=True, text=True)
        parse_says = _problem(cli.stderr, path)
        err = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("ingest", str(path), stdout=io.StringIO(), stderr=err)
        assert _problem(err.getvalue(), path) == parse_says, name
        for w in words:
            assert w in parse_says, (name, parse_says)
        assert "\u4e00" <= parse_says[0] <= "\u9fff", parse_says  # Chinese first
        if path.exists():
            # the parse job fails with the message on its page
            page = client.post("/import/", {"file": SimpleUploadedFile(path.name, path.read_bytes())}, follow=True)
            assert page.context["job"].error == f"{path.name}：{parse_says}", name
            assert f"{path.name}：{parse_says}" in html.unescape(page.content.decode()), name
