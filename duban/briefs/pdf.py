"""PDF from a .docx through LibreOffice, when it is installed (optional: briefs are .docx first).

Each conversion uses its own LibreOffice profile directory, so conversions running at the same time
(tests, web workers) do not lock each other out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile


class PdfError(RuntimeError):
    """LibreOffice is missing or failed; the message says which, in Chinese."""


def soffice() -> str | None:
    """Path of the LibreOffice binary, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(path: str, outdir: str | None = None, timeout: int = 180) -> str:
    """Convert ``path`` to PDF in ``outdir`` (default: beside it) and return the PDF's path."""
    binary = soffice()
    if not binary:
        raise PdfError("未安装 LibreOffice（soffice），无法生成 PDF；可安装 libreoffice-writer 后重试")
    outdir = outdir or os.path.dirname(os.path.abspath(path))
    with tempfile.TemporaryDirectory(prefix="duban-lo-") as profile:
        cmd = [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", outdir, path]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice 转换超时（{timeout} 秒）：{path}") from None
    pdf = os.path.join(outdir, os.path.splitext(os.path.basename(path))[0] + ".pdf")
    if done.returncode != 0 or not os.path.exists(pdf):
        raise PdfError(f"LibreOffice 转换失败：{path}：{(done.stderr or done.stdout).strip()[:300]}")
    return pdf
