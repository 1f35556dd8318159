"""Fuzz the ingest library for a fixed time: any exception other than IngestError, and any input
that parses far slower than its size warrants, is a finding.

The long-running variant of tests/test_properties.py, whose hypothesis strategies it reuses:
arbitrary text, plan-vocabulary soup, mutated samples, ~1 MB inputs built from them, and damaged
.docx/.xlsx/.pdf/.html files (through the upload check and ``parse_file``). Findings are not
shrunk; each distinct one (exception type and place, or slowness per target) is saved with its
input under the output folder and printed. Exit code 1 when anything was found.

Usage::

    python fuzz/fuzz_ingest.py --seconds 60          # CI (make fuzz-short)
    python fuzz/fuzz_ingest.py --seconds 3600        # long run (make fuzz)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from duban.ingest import IngestError, parse_file, parse_text  # noqa: E402
from duban.ingest.uploads import check_upload  # noqa: E402
from tests.test_properties import (  # noqa: E402
    TITLE,
    VOCABULARY,
    _docx_bytes,
    _pdf_bytes,
    _xlsx_bytes,
    damaged,
    mutated_sample,
)

MB = 1_000_000
SLOW_S_PER_MB = 5.0  # an input slower than this per MB (and than MIN_SLOW_S) is a finding
MIN_SLOW_S = 2.0
HANG_S = 60  # an input still running after this is stopped and reported
BIG = MB  # size of the "big" target's inputs


class Hang(Exception):
    """Raised by the alarm inside a parse that ran past HANG_S."""


@dataclass
class Finding:
    target: str
    kind: str  # crash | slow | hang
    detail: str
    saved: str
    seconds: float
    size: int


@dataclass
class Stats:
    examples: int = 0
    slowest: float = 0.0
    slowest_size: int = 0


@dataclass
class Harness:
    """Runs one input through a parser callable and records what goes wrong."""

    out_dir: str
    parse_text: Callable = parse_text
    parse_file: Callable = parse_file
    slow_s_per_mb: float = SLOW_S_PER_MB
    min_slow_s: float = MIN_SLOW_S
    hang_s: int = HANG_S
    findings: list[Finding] = field(default_factory=list)
    stats: dict[str, Stats] = field(default_factory=dict)
    _seen: set = field(default_factory=set)

    def limit(self, size: int) -> float:
        return max(self.min_slow_s, self.slow_s_per_mb * size / MB)

    def _timed(self, call: Callable[[], object]) -> tuple[float, tuple | None]:
        """Seconds taken and the problem found (None: a result or IngestError)."""
        old = signal.signal(signal.SIGALRM, _alarm) if self.hang_s else None
        if self.hang_s:
            signal.alarm(self.hang_s)
        t0 = time.perf_counter()
        problem = None
        try:
            call()
        except IngestError:
            pass
        except Hang:
            problem = ("hang", f"{self.hang_s} s 后仍未结束", ("hang",))
        except Exception as e:  # the finding this harness exists for
            where = _where(e)
            problem = ("crash", f"{type(e).__name__}: {str(e)[:200]} @ {where}", (type(e).__name__, where))
        finally:
            if self.hang_s:
                signal.alarm(0)
                signal.signal(signal.SIGALRM, old)
        return time.perf_counter() - t0, problem

    def run(self, target: str, payload: bytes, call: Callable[[], object]) -> None:
        st_ = self.stats.setdefault(target, Stats())
        st_.examples += 1
        elapsed, problem = self._timed(call)
        if problem is None and elapsed > self.limit(len(payload)):
            elapsed = min(elapsed, self._timed(call)[0])  # a second run, so a busy machine is not a finding
            if elapsed > self.limit(len(payload)):
                problem = ("slow", f"{len(payload) / MB:.2f} MB 用时 {elapsed:.1f} s", ("slow",))
        if elapsed > st_.slowest:
            st_.slowest, st_.slowest_size = elapsed, len(payload)
        if problem:
            problem = (*problem[:2], (target, *problem[2]))
        if problem and problem[2] not in self._seen:
            self._seen.add(problem[2])
            kind, detail, _ = problem
            saved = os.path.join(self.out_dir, f"{target}-{kind}-{len(self.findings) + 1}.bin")
            os.makedirs(self.out_dir, exist_ok=True)
            with open(saved, "wb") as f:
                f.write(payload)
            self.findings.append(Finding(target, kind, detail, saved, elapsed, len(payload)))

    def text(self, target: str, text: str) -> None:
        self.run(target, text.encode("utf-8", "surrogatepass"), lambda: self.parse_text(text, source=f"{target}.txt"))

    def file(self, target: str, data: bytes, suffix: str, folder: str) -> None:
        path = os.path.join(folder, f"fuzz{suffix}")
        with open(path, "wb") as f:
            f.write(data)

        def call():
            check_upload(path)
            return self.parse_file(path)

        self.run(target, data, call)


def _alarm(signum, frame):
    raise Hang()


def _where(exc: BaseException) -> str:
    """Where an exception was raised, and the last frame of ours it passed through."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb:
        return "?"

    def show(fr):
        return f"{os.path.relpath(fr.filename, ROOT) if fr.filename.startswith(ROOT) else fr.filename}:{fr.lineno}"

    ours = [fr for fr in tb if fr.filename.startswith(os.path.join(ROOT, "duban"))]
    if ours and ours[-1] is not tb[-1]:
        return f"{show(tb[-1])}（经 {show(ours[-1])}）"
    return show(tb[-1])


# ---------------------------------------------------------------------------------------------
# targets: each is a function (harness, folder) -> a hypothesis test running ``rounds`` examples

FUZZ = settings(deadline=None, database=None, derandomize=False,
                suppress_health_check=list(HealthCheck))

soup = st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=4), max_size=2000)


def _html_seed() -> bytes:
    rows = "".join(f"<tr><td>{i}</td><td>任务{i}：推进项目建设</td><td>县发改局</td><td>县财政局</td></tr>"
                   for i in range(1, 6))
    return (f"<!doctype html><html><body><h1>{TITLE}</h1><p>一、主要目标</p><p>地区生产总值增长7.5%左右。</p>"
            f"<table><tr><th>序号</th><th>重点工作任务</th><th>牵头单位</th><th>责任单位</th></tr>{rows}</table>"
            f"</body></html>").encode()


def make_targets(h: Harness, folder: str) -> dict[str, Callable[[int], None]]:
    seeds = {".docx": (_docx_bytes(folder), True), ".xlsx": (_xlsx_bytes(folder), True),
             ".pdf": (_pdf_bytes(folder), False), ".html": (_html_seed(), False)}

    def text_target(n):
        @settings(FUZZ, max_examples=n)
        @given(st.text(max_size=5000), st.booleans())
        def t(text, titled):
            h.text("text", (TITLE + "\n" if titled else "") + text)
        t()

    def soup_target(n):
        @settings(FUZZ, max_examples=n)
        @given(soup, st.booleans())
        def t(tokens, titled):
            h.text("soup", (TITLE + "\n" if titled else "") + "".join(tokens))
        t()

    def mutated_target(n):
        @settings(FUZZ, max_examples=n)
        @given(mutated_sample())
        def t(lines):
            h.text("mutated", "\n".join(lines))
        t()

    def big_target(n):
        @settings(FUZZ, max_examples=max(1, n // 20))
        @given(st.one_of(soup.map("".join), mutated_sample().map("\n".join)))
        def t(chunk):
            chunk = chunk or "、"
            reps = BIG // max(1, len(chunk.encode("utf-8", "surrogatepass"))) + 1
            data = (TITLE + "\n" + chunk * reps).encode("utf-8", "surrogatepass")[:BIG]
            h.text("big", data.decode("utf-8", "ignore"))
        t()

    def file_target(suffix):
        data, zipped = seeds[suffix]

        def run(n):
            @settings(FUZZ, max_examples=n)
            @given(damaged(data, zipped))
            def t(blob):
                h.file("file" + suffix, blob, suffix, folder)
            t()
        return run

    targets = {"text": text_target, "soup": soup_target, "mutated": mutated_target, "big": big_target}
    for suffix in seeds:
        targets["file" + suffix] = file_target(suffix)
    return targets


def fuzz(seconds: float, out_dir: str, harness: Harness | None = None, rounds: int = 25) -> Harness:
    """Round-robin over the targets, ``rounds`` examples at a time, until ``seconds`` are spent."""
    h = harness or Harness(out_dir)
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="duban-fuzz-") as folder:
        targets = make_targets(h, folder)
        while time.monotonic() < deadline:
            for run in targets.values():
                if time.monotonic() >= deadline:
                    break
                run(rounds)
    return h


def report(h: Harness, seconds: float) -> str:
    out = [f"fuzz: {sum(s.examples for s in h.stats.values())} 个输入，{seconds:.0f} s"]
    for name, s in sorted(h.stats.items()):
        out.append(f"  {name:<12} {s.examples:>6} 个  最慢 {s.slowest:.2f} s（{s.slowest_size / 1024:.0f} KB）")
    for f in h.findings:
        out.append(f"发现 [{f.kind}] {f.target}: {f.detail}  输入已存 {f.saved}")
    if not h.findings:
        out.append("未发现 IngestError 以外的异常，也没有超时的输入")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="对解析库做模糊测试（fuzz the ingest library）")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--out", default=os.path.join(ROOT, "fuzz", "findings"), help="保存问题输入的目录")
    ap.add_argument("--derandomize", action="store_true",
                    help="每次生成同样的输入序列（CI 用：结果可复现；长时间运行不加此项以探索新输入）")
    args = ap.parse_args(argv)
    global FUZZ
    if args.derandomize:
        FUZZ = settings(FUZZ, derandomize=True)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # damaged PDFs make it chatty; errors still count
    t0 = time.monotonic()
    h = fuzz(args.seconds, args.out)
    print(report(h, time.monotonic() - t0))
    return 1 if h.findings else 0


if __name__ == "__main__":
    sys.exit(main())
