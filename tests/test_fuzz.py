"""The fuzz harness (fuzz/fuzz_ingest.py): a short run over the real parser finds nothing, and the
harness does catch, save and report a crashing, a slow and a hanging parser."""

from __future__ import annotations

import time

import pytest

from duban.ingest import IngestError, parse_file
from duban.ingest.uploads import check_upload
from fuzz.fuzz_ingest import Harness, fuzz, main, report
from tests.test_properties import _docx_bytes, _xlsx_bytes


def test_short_run_over_the_real_parser_finds_nothing(tmp_path):
    h = fuzz(6, str(tmp_path / "findings"), rounds=5)
    text = report(h, 6)
    assert h.findings == [], text
    # every target ran, the damaged-file ones through the upload check and parse_file
    assert set(h.stats) == {
        "text",
        "soup",
        "mutated",
        "big",
        "file.docx",
        "file.xlsx",
        "file.pdf",
        "file.html",
    }
    assert all(s.examples >= 1 for s in h.stats.values())
    assert h.stats["big"].slowest_size > 900_000
    assert not (tmp_path / "findings").exists()


def test_harness_reports_and_saves_a_crash(tmp_path):
    def broken(text, source=""):
        if "专班" in text:
            raise KeyError("team")
        raise IngestError("没有找到方案标题")

    h = Harness(str(tmp_path), parse_text=broken)
    h.text("text", "普通的一行")  # IngestError: fine
    h.text("text", "成立工作专班")  # KeyError: a finding
    h.text("text", "另一个工作专班")  # the same crash again: not repeated
    assert [(f.target, f.kind) for f in h.findings] == [("text", "crash")]
    assert "KeyError" in h.findings[0].detail and "test_fuzz.py" in h.findings[0].detail
    with open(h.findings[0].saved, encoding="utf-8") as f:
        assert f.read() == "成立工作专班"
    assert "发现 [crash]" in report(h, 1)


def test_harness_reports_slow_and_hanging_inputs(tmp_path):
    def slow(text, source=""):
        time.sleep(0.3 if text == "slow" else 5)

    h = Harness(str(tmp_path), parse_text=slow, min_slow_s=0.1, hang_s=1)
    h.text("big", "slow")
    h.text("mutated", "hang")
    assert [(f.target, f.kind) for f in h.findings] == [("big", "slow"), ("mutated", "hang")]


def test_command_line_exit_code(tmp_path, capsys):
    assert main(["--seconds", "1", "--out", str(tmp_path)]) == 0
    assert "未发现 IngestError 以外的异常" in capsys.readouterr().out


# ---------------------------------------------------------------- regressions the harness found


@pytest.mark.parametrize("suffix,make", [(".xlsx", _xlsx_bytes), (".docx", _docx_bytes)])
def test_zip_with_unsupported_version_field_is_an_ingest_error(tmp_path, suffix, make):
    """Found by fuzzing: a central-directory 'version needed' byte above what zipfile supports made
    zipfile raise NotImplementedError through check_zip (and the upload check)."""
    data = bytearray(make(str(tmp_path)))
    at = data.find(b"PK\x01\x02")
    data[at + 6] = 236  # 'version needed to extract' = 23.6
    path = tmp_path / f"plan{suffix}"
    path.write_bytes(bytes(data))
    for check in (check_upload, parse_file):
        with pytest.raises(IngestError, match=f"文件已损坏或不是有效的 (Word|Excel) .*（\\{suffix}）"):
            check(str(path))
