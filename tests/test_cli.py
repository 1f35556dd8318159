"""The `duban parse` command on real and on bad files."""

import json
import subprocess
import sys
from pathlib import Path

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


def run_in(home, *args, **env):
    """``duban ARGS`` as a newcomer runs it: a fresh DUBAN_HOME, the embedded SQLite default."""
    import os

    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-m", "duban.cli", *args],
        capture_output=True,
        text=True,
        env={**clean, "DUBAN_HOME": str(home), **env},
    )


def test_bare_duban_prints_a_chinese_usage_summary():
    r = run()
    assert r.returncode == 0
    assert r.stdout.startswith("duban —— 督办") and "duban ingest" in r.stdout and "duban demo" in r.stdout
    assert "``" not in r.stdout and "sub-command" not in r.stdout  # no RST docstring


def test_usage_errors_are_chinese_for_pure_and_django_commands(tmp_path):
    r = run("parse")
    assert r.returncode == 2 and "错误：缺少参数：file" in r.stderr and "用法：duban parse" in r.stderr
    assert "required" not in r.stderr and "usage:" not in r.stderr
    r = run_in(tmp_path, "status")
    assert r.returncode == 2 and "错误：缺少参数：plan" in r.stderr and "查看全部参数：duban status --help" in r.stderr
    assert "the following arguments" not in r.stderr
    r = run_in(tmp_path, "plans", "--bogus")
    assert r.returncode == 2 and "错误：无法识别的参数：--bogus" in r.stderr


def test_ingest_on_a_fresh_home_builds_the_database_first(tmp_path):
    fixture = Path(__file__).parent / "fixtures" / "unseen_lianyuan.txt"
    r = run_in(tmp_path, "ingest", str(fixture))
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("正在自动执行 duban migrate") == 1
    assert "新导入" in r.stdout
    again = run_in(tmp_path, "plans")
    assert again.returncode == 0 and "migrate" not in again.stderr  # migrated once, not every time
    assert "涟源" in again.stdout
