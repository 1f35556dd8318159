"""Crafted plan files that are small on disk but expensive to parse (issue 25 item 3), made at
test time: a workbook with a cell at the last row of many sheets, a .docx whose XML inflates
~30:1 (under the zip-bomb ratio), a PDF with many pages. Shared by tests and bench/upload_limits.py."""

from __future__ import annotations

import random
import zipfile

MB = 1024 * 1024

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def tall_xlsx(path, sheets: int = 20, row: int = 1_048_576) -> None:
    """A workbook of ``sheets`` sheets, each with a title in A1 and one cell at ``row`` (~14 KB)."""
    import openpyxl

    wb = openpyxl.Workbook()
    for i in range(sheets):
        ws = wb.active if i == 0 else wb.create_sheet(f"表{i + 1}")
        ws["A1"] = "某县打好经济增长主动仗工作方案"
        ws.cell(row, 1, "x")
    wb.save(path)


def wide_xlsx(path, rows: int, cols: int) -> None:
    """A filled grid of ``rows`` × ``cols`` short cells (a plan table gone wild)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("责任分解表")
    ws.append(["某县打好经济增长主动仗工作方案"])
    for r in range(rows):
        ws.append([f"{r}-{c}" for c in range(cols)])
    wb.save(path)


def fat_docx(path, xml_bytes: int, seed: int = 25) -> None:
    """A valid .docx whose document.xml holds ``xml_bytes`` of paragraphs that deflate about 30:1
    (a short random token in each keeps the ratio below the zip-bomb check's 100:1)."""
    rnd = random.Random(seed)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'.encode())
            f.write("<w:p><w:r><w:t>某县打好经济增长主动仗工作方案</w:t></w:r></w:p>".encode())
            written = 0
            block = []
            while written < xml_bytes:
                para = f"<w:p><w:r><w:t>推进项目建设，加强调度，确保完成年度任务{rnd.randrange(4096):03x}</w:t></w:r></w:p>"
                block.append(para)
                if len(block) == 2000:
                    data = "".join(block).encode()
                    f.write(data)
                    written += len(data)
                    block = []
            f.write(b"</w:body></w:document>")


def long_pdf(path, pages: int) -> None:
    """A text PDF of ``pages`` short pages (reportlab)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    for i in range(pages):
        c.setFont("STSong-Light", 14)
        c.drawString(100, 700, "某县打好经济增长主动仗工作方案" if i == 0 else f"第{i + 1}页 推进项目建设。")
        c.showPage()
    c.save()
