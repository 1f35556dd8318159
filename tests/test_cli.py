"""The `duban parse` command on real and on bad files."""

import json
import subprocess
import sys

from tests.conftest import sample_path


def run(*args):
    return subprocess.run([sys.executable, "-m", "duban.cli", *args], capture_output=True, text=True)


def test_parse_json_has_schema_keys():
    r = run("parse", sample_path("001"), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    for key in ("documents", "targets", "teams", "cadences", "tasks"):
        assert key in data
    assert data["issuer"]["region"] == "沅江市"


def test_parse_missing_file_is_one_line_error(tmp_path):
    r = run("parse", str(tmp_path / "nope.txt"))
    assert r.returncode == 2
    assert "文件不存在" in r.stderr and "nope.txt" in r.stderr
    assert "Traceback" not in r.stderr


def test_parse_empty_and_binary_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    for f, word in ((empty, "空"), (binary, "二进制")):
        r = run("parse", str(f))
        assert r.returncode == 2 and word in r.stderr and f.name in r.stderr
        assert "Traceback" not in r.stderr


def test_parse_text_that_is_not_a_plan(tmp_path):
    f = tmp_path / "poem.txt"
    f.write_text("床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n", encoding="utf-8")
    r = run("parse", str(f))
    assert r.returncode == 2 and "不像是一份工作方案" in r.stderr
