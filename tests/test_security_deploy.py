"""Safe by default: WSGI runs the production settings unless told otherwise, the ``duban`` command the
development ones only for development use; errors are logged to stderr with their traceback and
mailed to DUBAN_ADMINS; the files the server writes are its own (0600 / 0700); pages never show
where the server keeps a file."""

from __future__ import annotations

import logging
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from duban.accounts.roles import OFFICE
from duban.cli import DEVELOPMENT, PRODUCTION, default_settings
from duban.ingest.errors import IngestError
from tests.ui_wb_support import as_user, report, yuanjiang

ROOT = Path(__file__).resolve().parent.parent


def run(code: list[str], tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """A fresh process as a deployment starts it: none of the test run's DUBAN_/DJANGO_ variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DUBAN_", "DJANGO_", "DATABASE_URL"))}
    base.update({"DUBAN_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT), **env})
    return subprocess.run(code, cwd=tmp_path, env=base, capture_output=True, text=True, timeout=180)


SHOW = "from django.conf import settings as s; print(s.SETTINGS_MODULE, s.DEBUG)"


def test_wsgi_without_settings_runs_production_and_demands_the_secret(tmp_path):
    code = [sys.executable, "-c", f"import duban.web.wsgi; {SHOW}"]
    forgot = run(code, tmp_path)
    assert forgot.returncode != 0 and "DUBAN_SECRET_KEY" in forgot.stderr and "生产环境必须" in forgot.stderr
    ok = run(code, tmp_path, DUBAN_SECRET_KEY=secrets.token_urlsafe(50), DUBAN_ALLOWED_HOSTS="duban.example.gov.cn")
    assert ok.stdout.split() == [PRODUCTION, "False"], ok.stderr


def test_the_command_uses_development_settings_only_for_development():
    assert default_settings({}) == DEVELOPMENT  # make demo, a developer's shell
    assert default_settings({"DUBAN_DEBUG": "0"}) == PRODUCTION
    assert default_settings({"DUBAN_ALLOWED_HOSTS": "duban.example.gov.cn"}) == PRODUCTION


def test_a_deployment_that_forgot_the_settings_variable_gets_production(tmp_path):
    code = [sys.executable, "-m", "duban.cli", "shell", "-c", SHOW]
    forgot = run(code, tmp_path, DUBAN_ALLOWED_HOSTS="duban.example.gov.cn")
    assert forgot.returncode != 0 and "DUBAN_SECRET_KEY" in forgot.stderr
    dev = run(code, tmp_path)
    assert dev.stdout.split()[-2:] == [DEVELOPMENT, "True"], dev.stderr


def test_request_errors_reach_stderr_with_their_traceback(tmp_path):
    code = (
        "import django; django.setup()\nimport logging\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('django.request').error('Internal Server Error: /tasks/1/', exc_info=True)\n"
    )
    env = {"DJANGO_SETTINGS_MODULE": PRODUCTION, "DUBAN_SECRET_KEY": secrets.token_urlsafe(50),
           "DUBAN_ALLOWED_HOSTS": "duban.example.gov.cn"}  # fmt: skip
    r = run([sys.executable, "-c", code], tmp_path, **env)
    assert r.returncode == 0, r.stderr
    assert "ERROR django.request" in r.stderr and "Internal Server Error: /tasks/1/" in r.stderr
    assert "Traceback" in r.stderr and "ZeroDivisionError" in r.stderr


@pytest.mark.django_db
def test_server_errors_are_mailed_to_the_admins(settings):
    settings.DEBUG = False
    settings.ADMINS = [("值班员", "ops@duban.example.gov.cn")]
    request = RequestFactory().get("/tasks/1/")
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=True, extra={"status_code": 500, "request": request}
        )
    assert [m.to for m in mail.outbox] == [["ops@duban.example.gov.cn"]]
    assert "ZeroDivisionError" in mail.outbox[0].body


def test_admins_come_from_the_environment(tmp_path):
    code = [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.ADMINS)"]
    r = run(code, tmp_path, DJANGO_SETTINGS_MODULE=DEVELOPMENT, DUBAN_ADMINS="张三 <zs@x.gov.cn>, ops@x.gov.cn")
    assert r.stdout.strip() == "[('张三', 'zs@x.gov.cn'), ('ops@x.gov.cn', 'ops@x.gov.cn')]", r.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_backups_and_cache_are_the_servers_alone(tmp_path):
    home = tmp_path / "home"
    cli = [sys.executable, "-m", "duban.cli"]
    assert run([*cli, "migrate", "-v", "0"], tmp_path).returncode == 0
    done = run([*cli, "backup"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert mode(home) == 0o700
    assert mode(home / "duban.sqlite3") == 0o600
    backups = list((home / "backups").iterdir())
    assert backups and mode(home / "backups") == 0o700 and {mode(b) for b in backups} == {0o600}
    static = run([*cli, "collectstatic", "--noinput", "-v", "0"], tmp_path, DUBAN_STATIC_ROOT=str(tmp_path / "static"))
    assert static.returncode == 0, static.stderr
    css = tmp_path / "static" / "duban.css"
    assert mode(css) == 0o644 and mode(css.parent) == 0o755  # the web server (another account) reads these


@pytest.mark.django_db
def test_attachments_are_stored_0600(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    w = yuanjiang()
    r = report(w, attachments=[("现场照片.jpg", b"\xff\xd8\xffjpeg")])
    stored = Path(r.attachments.get().file.path)
    assert mode(stored) == 0o600 and mode(stored.parent) == 0o700


def test_error_messages_never_show_a_server_path():
    e = IngestError(
        "文件已损坏（FileNotFoundError [Errno 2] No such file or directory: '/srv/duban/var/imports/Ab3/upload.xlsx'）",
        path="/srv/duban/var/imports/Ab3/upload.xlsx",
    )
    assert "/srv" not in e.problem and "upload.xlsx" in e.problem
    assert "/srv/duban/var/imports/Ab3/upload.xlsx" in str(e)  # the command line still names it
    assert IngestError("完成 1/2，（市/县）").problem == "完成 1/2，（市/县）"


@pytest.mark.django_db
def test_the_wizard_shows_no_server_path_for_a_damaged_xlsx(client, settings, tmp_path):
    settings.DUBAN_IMPORT_DIR = str(tmp_path / "imports")
    w = yuanjiang()
    as_user(client, w.users[OFFICE])
    for data in (b"PK\x03\x04" + b"\0" * 100, b"not a workbook at all"):
        page = client.post("/import/", {"file": SimpleUploadedFile("方案.xlsx", data)}, follow=True)  # the parse job's page
        text = page.content.decode()
        assert page.status_code == 200 and page.context["job"].status == "failed" and "方案.xlsx" in text
        assert str(tmp_path) not in text and "/imports/" not in text
