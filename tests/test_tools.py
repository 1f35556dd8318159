"""tools/with_postgres.py (``make test-postgres``) and the demo's busy-port line, on this machine."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "with_postgres.py"
sys.path.insert(0, str(ROOT / "tools"))
import with_postgres  # noqa: E402


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def with_postgres_run(*command, **env):
    url = f"postgres://postgres@127.0.0.1:{unused_port()}/duban"
    return subprocess.run(
        [sys.executable, str(TOOL), url, "--", *command],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )


def test_no_postgresql_at_all_skips_with_one_line_or_fails_on_ci():
    r = with_postgres_run("false", DUBAN_PG_BINDIR="/nonexistent", DUBAN_REQUIRE_POSTGRES="0")
    assert r.returncode == 0  # the command is not run: skipped
    assert r.stdout.count("\n") == 1 and "跳过 PostgreSQL 部分" in r.stdout and "apt-get install postgresql" in r.stdout
    r = with_postgres_run("true", DUBAN_PG_BINDIR="/nonexistent", DUBAN_REQUIRE_POSTGRES="1")
    assert r.returncode == 1 and "不能跳过" in r.stderr


@pytest.mark.skipif(with_postgres.bindir() is None, reason="本机没有 PostgreSQL 程序（initdb）")
def test_a_throwaway_cluster_is_started_used_and_removed(tmp_path):
    probe = (
        "import os, psycopg; url = os.environ['DATABASE_URL'];"
        "port = url.rsplit(':', 1)[1].split('/')[0];"
        "c = psycopg.connect(f'host=127.0.0.1 port={port} user=postgres dbname=postgres');"
        "print(url, c.execute('select 41 + 1').fetchone()[0])"
    )
    r = with_postgres_run(sys.executable, "-c", probe, TMPDIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.splitlines()[:2]
    assert "临时目录起一个测试用集群" in first
    assert second.endswith(" 42") and second.startswith("postgres://postgres@127.0.0.1:")
    folder = re.search(r"，(/\S+duban-pg-\w+)，", first)[1]
    assert not os.path.exists(folder)  # stopped and deleted
    r = with_postgres_run("false", TMPDIR=str(tmp_path))
    assert r.returncode == 1  # the command's status is make's status
    assert not os.path.exists(re.search(r"，(/\S+duban-pg-\w+)，", r.stdout)[1])


@pytest.mark.django_db
def test_demo_says_a_busy_port_before_building_anything(tmp_path):
    from django.core.management import call_command

    from duban.plans.models import SourceDocument

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(SystemExit) as exit_, open(tmp_path / "err", "w") as err:
            call_command("demo", "--port", str(port), stderr=err)
    assert exit_.value.code == 2
    line = (tmp_path / "err").read_text()
    assert f"端口 {port} 已被占用" in line and "--port 8001" in line
    assert not SourceDocument.objects.exists()
