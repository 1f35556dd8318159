"""Crash test (issue 7): SIGKILL the real server in the middle of a burst of report submissions.

The server is ``duban runserver --noreload`` in a subprocess on its own database (a file SQLite
database, or ``<name>_crash`` beside the PostgreSQL test database when DATABASE_URL is PostgreSQL).
Several threads log in as a unit reporter (requests.Session, CSRF token from the cookie) and submit
the real report form — text, percent, status, a target actual and an attachment — as fast as the
server answers. After a number of acknowledged submissions the server is killed with SIGKILL and
started again. Then every acknowledged submission (HTTP 302 back to the list) must be in the
database, and no report may be half-written: each has its target actual, its attachment row whose
file exists, and its audit entry.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import TEST_TIMEOUT

ROOT = Path(__file__).resolve().parents[1]
DUBAN = str(ROOT / ".venv" / "bin" / "duban") if (ROOT / ".venv" / "bin" / "duban").exists() else "duban"
THREADS = 4
KILL_AFTER = 12  # acknowledged submissions before the SIGKILL
BURST_LIMIT_S = 120  # give up (fail) if the server never acknowledges that many
MARK = "崩溃测试"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crash_env(tmp_path: Path) -> dict:
    """Environment of the server and helper processes: their own database and data folder."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="duban.web.settings", DUBAN_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT)
    )
    env["DUBAN_MEDIA_ROOT"] = str(tmp_path / "media")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        env["DATABASE_URL"] = (
            url.rstrip("/") + "_crash" if "/" in urlparse(url).path else url + "/duban_crash"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    return env


def recreate_pg(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_pg(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def helper(env: dict, what: str) -> dict:
    """Run ``site_setup`` / ``site_check`` below in a fresh process on the crash database."""
    out = subprocess.run(
        [sys.executable, "-c", f"import tests.test_crash as m; m.{what}()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=10 * TEST_TIMEOUT,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def site_setup() -> None:
    """(Subprocess) migrate, ingest sample 003, one reporter account; print what the test needs."""
    import django

    django.setup()
    from django.core.management import call_command

    from duban.accounts.actions import Scope, do_add_user
    from duban.accounts.roles import REPORTER
    from duban.plans.actions import do_ingest_file
    from duban.plans.models import Plan, Unit
    from tests.ui_support import this_year
    from tests.webdata import PASSWORD, _pick_tasks, ensure_regions, sample_file

    call_command("migrate", interactive=False, verbosity=0)
    ensure_regions()
    do_ingest_file(sample_file("003"), year=this_year())  # reports at the real clock: this year's programme
    plans = Plan.objects.filter(active=True, tasks__isnull=False).distinct()
    task, unit_id, _, _ = _pick_tasks([p.pk for p in plans])
    do_add_user("crash_rep", REPORTER, Scope(unit=Unit.objects.get(pk=unit_id)), password=PASSWORD)
    print(json.dumps({"task": task.pk, "unit": unit_id}))


def site_check() -> None:
    """(Subprocess) every crash-test report with its parts, as JSON."""
    import django

    django.setup()
    from django.core.files.storage import default_storage

    from duban.audit.models import AuditEntry
    from duban.tracking.models import ProgressReport, ReportAttachment, TargetActual

    reports = list(
        ProgressReport.objects.filter(narrative__startswith=MARK).prefetch_related("actuals", "attachments")
    )
    audited = set(
        AuditEntry.objects.filter(object_type="tracking.ProgressReport").values_list("object_id", flat=True)
    )
    rows = [
        {
            "narrative": r.narrative,
            "actuals": [a.value for a in r.actuals.all()],
            "attachments": [default_storage.exists(a.file.name) for a in r.attachments.all()],
            "audited": str(r.pk) in {str(x) for x in audited},
        }
        for r in reports
    ]
    orphans = {
        "actuals": TargetActual.objects.filter(report__isnull=True, source=TargetActual.REPORTED).count(),
        "attachments": ReportAttachment.objects.filter(report__isnull=True).count(),
    }
    print(json.dumps({"reports": rows, "orphans": orphans}, ensure_ascii=False))


class Server:
    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.proc = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import requests

        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [DUBAN, "runserver", "--noreload", f"127.0.0.1:{self.port}"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + TEST_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                if requests.get(self.base + "/login/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)  # waiting for a port to open (not an assertion on speed)
        raise AssertionError(f"服务器 {TEST_TIMEOUT:.0f} 秒内未就绪：" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=TEST_TIMEOUT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=TEST_TIMEOUT)


def logged_in_session(base: str):
    import requests

    from tests.webdata import PASSWORD

    s = requests.Session()
    s.get(base + "/login/", timeout=TEST_TIMEOUT)
    r = s.post(
        base + "/login/",
        data={"username": "crash_rep", "password": PASSWORD, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
        headers={"Referer": base + "/login/"},
        allow_redirects=False,
        timeout=TEST_TIMEOUT,
    )
    assert r.status_code == 302 and "/login/" not in r.headers["Location"], r.text[:500]
    return s


def form_fields(html: str, task: int) -> dict:
    """The report form's unit, first period and target fields, read from the page like a browser."""
    p = f"t{task}-"
    period = re.search(rf'name="{p}period"[^>]*>\s*<option value="([^"]+)"', html)
    unit = re.search(rf'name="{p}unit" value="(\d+)"', html) or re.search(
        rf'value="(\d+)"[^>]*name="{p}unit"', html
    )
    targets = re.findall(rf'name="({p}actual_\d+)"', html)
    assert period and unit and targets, html[:2000]
    return {"period": period.group(1), "unit": unit.group(1), "target": targets[0]}


def burst(server: Server, task: int, acked: list, stop: threading.Event, n: int) -> None:
    """One reporter thread: submit until the server dies; record each acknowledged narrative."""
    import requests

    try:
        s = logged_in_session(server.base)
        url = f"{server.base}/report/{task}/"
        fields = form_fields(s.get(url, timeout=TEST_TIMEOUT).text, task)
    except requests.RequestException:
        return
    p = f"t{task}-"
    i = 0
    while not stop.is_set():
        i += 1
        narrative = f"{MARK}-{n}-{i}"
        data = {
            "csrfmiddlewaretoken": s.cookies["csrftoken"],
            p + "unit": fields["unit"],
            p + "period": fields["period"],
            p + "percent": str(i % 100),
            p + "status": "正常推进",
            p + "narrative": narrative,
            fields["target"]: str(1000 + i),
        }
        pdf = b"%PDF-1.4\n" + f"{narrative}\n".encode() * 200  # an allowed kind (attachments are checked by content)
        files = {p + "attachments": (f"附件-{n}-{i}.pdf", pdf, "application/pdf")}
        try:
            r = s.post(
                url, data=data, files=files, headers={"Referer": url}, allow_redirects=False, timeout=TEST_TIMEOUT
            )
        except requests.RequestException:
            return  # the server is gone
        if r.status_code == 302 and "/login/" not in r.headers.get("Location", ""):
            acked.append((narrative, 1000 + i))


@pytest.mark.django_db
def test_sigkill_during_a_burst_of_reports_loses_no_acknowledged_report(tmp_path):
    env = crash_env(tmp_path)
    pg = env["DATABASE_URL"].startswith("postgres")
    if pg:
        recreate_pg(env["DATABASE_URL"])
    server = Server(env, free_port(), tmp_path / "server.log")
    try:
        site = helper(env, "site_setup")
        server.start()
        acked: list = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=burst, args=(server, site["task"], acked, stop, n), daemon=True)
            for n in range(THREADS)
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + BURST_LIMIT_S
        while len(acked) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the counter; the kill comes mid-burst whatever the speed
        assert len(acked) >= KILL_AFTER, f"只确认了 {len(acked)} 次报送：" + server.log.read_text()[-3000:]
        server.kill()  # SIGKILL: no shutdown, no flush, requests in flight are cut
        killed_with = len(acked)
        stop.set()
        for t in threads:
            t.join(timeout=TEST_TIMEOUT)
        server.start()  # the database opens again after the crash
        s = logged_in_session(server.base)
        assert s.get(f"{server.base}/report/{site['task']}/", timeout=TEST_TIMEOUT).status_code == 200
        server.stop()

        found = helper(env, "site_check")
        stored = {r["narrative"]: r for r in found["reports"]}
        lost = [n for n, _ in acked if n not in stored]
        assert not lost, f"已确认却不在库中的报送：{lost}"
        half = [
            r
            for r in stored.values()
            if len(r["actuals"]) != 1 or r["attachments"] != [True] or not r["audited"]
        ]
        assert not half, f"写了一半的报送：{half}"
        for narrative, value in acked:
            assert stored[narrative]["actuals"] == [float(value)]
        assert found["orphans"] == {"actuals": 0, "attachments": 0}
        assert killed_with >= KILL_AFTER and len(stored) >= len(acked)
    finally:
        server.stop()
        if pg:
            drop_pg(env["DATABASE_URL"])


if __name__ == "__main__":  # pragma: no cover - the helpers run as `python -c` in a subprocess
    raise SystemExit("run through pytest")
