"""Parse throughput: the bundled samples parsed in one process, in MB/s.

Baseline in the same run: reading and splitting the same files (so the ratio is less noisy than
the absolute figure on a shared machine). Then the loaders: the first sample rebuilt as .docx,
.html (and .pdf when reportlab is installed) and loaded + parsed, in MB/s of its text.

Usage: python bench/parse_bench.py [ROUNDS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from duban.ingest import parse_file
from duban.ingest.bundled import SAMPLES_DIR
from duban.ingest.text import strip_markup


def timed(fn, rounds: int) -> float:
    """Seconds per call, best of ``rounds`` (one warm-up call first)."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_samples(files: list[str], rounds: int) -> None:
    size = sum(os.path.getsize(f) for f in files)
    mb = size / 1e6

    def parse_all():
        for f in files:
            parse_file(f)

    def read_all():
        for f in files:
            with open(f, encoding="utf-8") as fh:
                fh.read().split("\n")

    parse_s = timed(parse_all, rounds)
    base_s = timed(read_all, rounds)
    print(f"samples: {len(files)} files, {mb:.3f} MB")
    for f in files:
        s = timed(lambda f=f: parse_file(f), rounds)
        print(f"  {os.path.basename(f)}: {s * 1000:.1f} ms, {os.path.getsize(f) / 1e6 / s:.2f} MB/s")
    print(f"parse: {parse_s * 1000:.1f} ms per pass, {mb / parse_s:.2f} MB/s")
    print(f"baseline read+split: {base_s * 1000:.2f} ms per pass; parse/baseline = {parse_s / base_s:.0f}x")


def _rows(lines: list[str]):
    """Sample lines grouped: ("p", text) for a paragraph, ("t", rows) for a run of tab lines."""
    out: list = []
    for line in lines:
        if "\t" in line:
            cells = [strip_markup(c).strip() for c in line.split("\t")]
            if out and out[-1][0] == "t":
                out[-1][1].append(cells)
            else:
                out.append(("t", [cells]))
        else:
            out.append(("p", strip_markup(line).strip()))
    return out


def write_docx(blocks, path: str) -> None:
    import docx

    d = docx.Document()
    for kind, body in blocks:
        if kind == "p":
            d.add_paragraph(body)
            continue
        width = max(len(r) for r in body)
        table = d.add_table(rows=len(body), cols=width)
        for row, cells in zip(table.rows, body, strict=True):
            for cell, text in zip(row.cells, cells, strict=False):
                cell.text = text
    d.save(path)


def write_html(blocks, path: str) -> None:
    from html import escape

    out = ["<!DOCTYPE html><html><body>"]
    for kind, body in blocks:
        if kind == "p":
            out.append(f"<p>{escape(body)}</p>")
        else:
            out.append("<table>" + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>"
                                           for r in body) + "</table>")
    out.append("</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def write_pdf(blocks, path: str) -> bool:
    try:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
    except ImportError:
        return False
    from html import escape

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body_style = ParagraphStyle("b", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")
    cell_style = ParagraphStyle("c", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    story = []
    for kind, body in blocks:
        if kind == "p":
            if body:
                story.append(Paragraph(escape(body), body_style))
            continue
        width = max(len(r) for r in body)
        rows = [[Paragraph(escape(c), cell_style) for c in r] + [""] * (width - len(r)) for r in body]
        table = Table(rows, colWidths=[760 / width] * width)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
        story.append(table)
    SimpleDocTemplate(path, pagesize=landscape(A4)).build(story)
    return True


def bench_formats(sample: str, rounds: int) -> None:
    with open(sample, encoding="utf-8") as f:
        text = f.read()
    blocks = _rows(text.split("\n"))
    mb = len(text.encode()) / 1e6
    print(f"formats: {os.path.basename(sample)} rebuilt ({mb:.3f} MB of text), load + parse")
    with tempfile.TemporaryDirectory() as tmp:
        made = {}
        for suffix, writer in ((".docx", write_docx), (".html", write_html), (".pdf", write_pdf)):
            path = os.path.join(tmp, "sample" + suffix)
            if writer(blocks, path) is not False:
                made[suffix] = path
            else:
                print(f"  {suffix}: skipped (reportlab not installed)")
        for suffix, path in made.items():
            n = rounds if suffix != ".pdf" else 1
            s = timed(lambda path=path: parse_file(path), n)
            tasks = len(parse_file(path).tasks)
            print(f"  {suffix}: {s * 1000:.0f} ms, {mb / s:.2f} MB/s, {tasks} tasks")


def main(rounds: int = 5) -> None:
    files = [os.path.join(SAMPLES_DIR, f) for f in sorted(os.listdir(SAMPLES_DIR)) if f.endswith(".txt")]
    bench_samples(files, rounds)
    bench_formats(files[0], rounds)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
