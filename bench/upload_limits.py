"""Measure what crafted uploads cost the parse worker (issue 25 item 3; figures in docs/security.md §4).

    python bench/upload_limits.py            # each file in a fresh process: result, seconds, child peak RSS

Files are made in a temporary folder by tests/hostile_uploads.py and removed afterwards.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

CASES = {
    "tall.xlsx (20 sheets, a cell at row 1,048,576)": ("tall.xlsx", "tall_xlsx", {}),
    "fat.docx (299 MB XML at ~31:1)": ("fat.docx", "fat_docx", {"xml_bytes": 299 << 20}),
    "fat4.docx (4 MB XML, under the limit)": ("fat4.docx", "fat_docx", {"xml_bytes": 4 << 20}),
    "grid.xlsx (4,000 × 40 cells, under the limits)": ("grid.xlsx", "wide_xlsx", {"rows": 4_000, "cols": 40}),
    "long.pdf (301 pages)": ("long.pdf", "long_pdf", {"pages": 301}),
}


def measure(path: str) -> None:
    """In this (fresh) process: parse_upload(path), print outcome, seconds, the child's peak RSS."""
    from duban.ingest import IngestError
    from duban.ingest.bounded import parse_upload

    start = time.perf_counter()
    try:
        result = parse_upload(path)
        outcome = f"解析完成，任务 {len(result.tasks)} 项"
    except IngestError as e:
        outcome = e.problem
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    own = next(int(ln.split()[1]) // 1024 for ln in open("/proc/self/status") if ln.startswith("VmHWM"))
    print(f"  {seconds:.2f} s, parse child peak RSS {peak} MB (caller {own} MB): {outcome}")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        measure(sys.argv[2])
        return
    from tests import hostile_uploads

    with tempfile.TemporaryDirectory() as tmp:
        for title, (name, maker, kw) in CASES.items():
            path = os.path.join(tmp, name)
            getattr(hostile_uploads, maker)(path, **kw)
            print(f"{title}: {os.path.getsize(path) / 1024:.0f} KB on disk")
            subprocess.run([sys.executable, __file__, "--one", path], check=False)


if __name__ == "__main__":
    main()
