"""Parse throughput: the bundled samples parsed in one process, in MB/s.

Baseline in the same run: reading and splitting the same files (so the ratio is less noisy than
the absolute figure on a shared machine).
"""

from __future__ import annotations

import os
import sys
import time

from duban.cli import SAMPLES_DIR
from duban.ingest import parse_file


def main(rounds: int = 5) -> None:
    files = [os.path.join(SAMPLES_DIR, f) for f in sorted(os.listdir(SAMPLES_DIR)) if f.endswith(".txt")]
    size = sum(os.path.getsize(f) for f in files)
    for f in files:
        parse_file(f)  # warm up imports and regex caches
    t0 = time.perf_counter()
    for _ in range(rounds):
        for f in files:
            parse_file(f)
    parse_s = (time.perf_counter() - t0) / rounds
    t0 = time.perf_counter()
    for _ in range(rounds):
        for f in files:
            with open(f, encoding="utf-8") as fh:
                fh.read().split("\n")
    base_s = (time.perf_counter() - t0) / rounds
    mb = size / 1e6
    print(f"samples: {len(files)} files, {mb:.3f} MB")
    print(f"parse: {parse_s * 1000:.1f} ms per pass, {mb / parse_s:.2f} MB/s")
    print(f"baseline read+split: {base_s * 1000:.2f} ms per pass; parse/baseline = {parse_s / base_s:.0f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
