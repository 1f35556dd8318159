"""The load test of ``duban bench``: the real server (gunicorn) and a load tool (locust) on loopback.

1. Accounts: reporters of units that have synthetic tasks (one per simulated user), a 督查室 of
   the province and of one city; their sessions are written straight into the session store
   (no password hashing in the measured path) and a fixed CSRF secret is sent as cookie and field.
2. ``gunicorn duban.web.wsgi`` with ``workers`` sync workers on 127.0.0.1 (DEBUG off).
3. ``locust --headless`` for a bounded time: first the report submissions (``POST /report/<task>/``,
   the form a unit uses; users back to back, for throughput), then on a fresh server the pages (unit
   home, dashboard and plan browser for a city and for the province), one page per run, users pausing
   1–3 s between pages as people do, and the trivial ``/ping/`` view in the same way as baseline; the
   gated pages once more back to back (saturated).
4. The submissions locust saw acknowledged (HTTP 302) are compared with the new rows in the
   database: none may be lost, none invented.
"""

from __future__ import annotations

import csv
import importlib
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import cache
from django.utils import timezone

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.backends import ProfileBackend
from duban.accounts.roles import OFFICE, REPORTER
from duban.plans.models import Region, TaskUnit
from duban.scale.figures import Figure, skipped
from duban.tracking.models import ProgressReport
from duban.tracking.schedule import task_schedules
from duban.ui.duelist import open_periods

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
DEV_EXTRAS = "pip install -e '.[dev]'"
BIN = Path(sys.executable).parent
PAGE_TARGET_MS = 300
SUBMIT_TARGET = 200


@dataclass
class LoadSpec:
    users: int = 50
    seconds: int = 30
    workers: int = 4
    think: tuple[float, float] = (1.0, 3.0)  # page users' pause between requests (submissions: none)


def missing_tools() -> str:
    """One Chinese line when the load tool (locust, with gevent) is not installed, else "": it comes with
    the dev extras only, so a production install says so instead of failing halfway through a bench."""
    absent = [name for name in ("locust", "gevent") if importlib.util.find_spec(name) is None]
    if not absent and not (BIN / "locust").exists():
        absent = [str(BIN / "locust")]
    if not absent:
        return ""
    return f"duban bench 需要压测工具 {'、'.join(absent)}（开发依赖，正式部署不装）：先运行 {DEV_EXTRAS}（或 make setup）"


def _session(user) -> str:
    s = importlib.import_module(settings.SESSION_ENGINE).SessionStore()  # as a login stores it
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = ProfileBackend.path  # as a password login records it
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.set_expiry(8 * 3600)
    s.save()
    return s.session_key


def _user(username: str, role: str, scope: Scope):
    user = get_user_model().objects.filter(username=username).first()
    return user or do_add_user(username, role, scope)


TASKS_PER_REPORTER = 30  # the tasks one simulated reporter reports on in turn (a unit leads ~10–40)


def prepare(users: int) -> dict:
    """Accounts, sessions and the submission jobs for ``users`` reporters: each reporter one unit's
    session and up to :data:`TASKS_PER_REPORTER` of the tasks it leads, each with its open period,
    reported in turn (a unit files its tasks one after another; corrections come after a full round)."""
    province = Region.objects.filter(level="省", parent=None).order_by("id").first()
    city = Region.objects.filter(level="市", plans__tasks__isnull=False).order_by("id").distinct().first()
    now = timezone.now()
    picked: dict[int, list[TaskUnit]] = {}
    rows = (
        TaskUnit.objects.filter(task__active=True, unit__is_group=False, role=TaskUnit.LEAD)
        .select_related("unit", "task")
        .order_by("task__plan__region_id", "unit_id", "task_id")
    )
    for a in rows.iterator(chunk_size=2000):
        if a.unit_id not in picked:
            if len(picked) >= users:
                break
            picked[a.unit_id] = []
        if len(picked[a.unit_id]) < TASKS_PER_REPORTER:
            picked[a.unit_id].append(a)
    schedules = task_schedules({a.task.plan_id for rows in picked.values() for a in rows})
    jobs = []
    for k, unit_rows in enumerate(picked.values()):
        tasks = []
        for a in unit_rows:
            periods = [p for p, _ in open_periods(schedules[a.task.plan_id], now) if p.start <= now.date()]
            if periods:
                tasks.append({"task": a.task_id, "period": periods[-1].code})
        if not tasks:
            continue
        unit = unit_rows[0].unit
        user = _user(f"bench-reporter-{k}", REPORTER, Scope(unit=unit, region=unit.region))
        jobs.append({"unit": unit.pk, "tasks": tasks, "session": _session(user)})
    office_p = _user("bench-office-province", OFFICE, Scope(region=province))
    pages = [{"name": "ping", "path": "/ping/"}]
    if jobs:
        pages.append({"name": "unit_home", "path": "/report/", "session": jobs[0]["session"]})
    for label, office in (("province", office_p),) + (
        (("city", _user("bench-office-city", OFFICE, Scope(region=city))),) if city else ()
    ):
        session = _session(office)
        pages.append({"name": f"dashboard_{label}", "path": "/dashboard/", "session": session})
        pages.append({"name": f"plans_{label}", "path": "/plans/", "session": session})
    return {"jobs": jobs, "pages": pages, "city": city.name if city else None}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on loopback for the duration of a ``with`` block, with the task queue's worker
    (``duban run_huey``, at a lower CPU priority) beside it as in production (docs/deployment.md): big
    page figures are refreshed outside the web workers."""

    def __init__(self, workers: int, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DUBAN_DEBUG": "0",
            "DUBAN_SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are signed with it
            "DUBAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "duban.web.settings",
            "DUBAN_HOME": str(settings.DATA_DIR),
        }
        self.log = open(log, "w", encoding="utf-8")  # noqa: SIM115 — closed in __exit__
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "duban.web.wsgi:application", "-b", f"127.0.0.1:{self.port}",
             "-w", str(workers), "--timeout", "120", "--log-level", "warning", "--preload"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.worker = subprocess.Popen(
            [str(BIN / "duban"), "run_huey", "--quiet"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=lambda: os.nice(10),
        )  # fmt: skip

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn 启动失败，见 {self.log.name}")
            if self.worker.poll() is not None:
                raise RuntimeError(f"任务队列 worker（duban run_huey）启动失败，见 {self.log.name}")
            try:
                urllib.request.urlopen(self.url + "/ping/", timeout=2).read()  # noqa: S310 — loopback
                return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn 60 秒内未就绪")

    def peak_rss_mb(self) -> float:
        """Largest VmHWM (peak resident set) among the workers, from /proc."""
        peak = 0
        for pid in self._workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                continue
        return peak / 1024

    def _workers(self) -> list[int]:
        try:
            return [
                int(p)
                for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            ]
        except OSError:
            return []

    def __exit__(self, *exc):
        self.worker.terminate()
        try:
            self.worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.worker.kill()
            self.worker.wait()
        workers = self._workers()
        self.proc.send_signal(signal.SIGINT)  # quick shutdown: do not wait for a page that takes minutes
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for pid in workers:  # none may outlive the bench
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


def warm_up(url: str, pages: list[dict], csrf: str, rounds: int) -> dict[str, float]:
    """Let the workers import what a first request needs (not measured); returns each page's first time (s).

    The trivial view goes ``rounds`` times (every worker imports the URL tree); each page once, so a
    page that takes minutes does not hold the bench for minutes more.
    """
    first: dict[str, float] = {}
    for k, page in enumerate([pages[0]] * rounds + pages[1:]):
        request = urllib.request.Request(url + page["path"])
        if page.get("session"):
            request.add_header("Cookie", f"sessionid={page['session']}; csrftoken={csrf}")
        started = time.perf_counter()
        try:
            urllib.request.urlopen(request, timeout=180).read()  # noqa: S310 — loopback
        except OSError:
            pass
        if k >= rounds:
            first[page["name"]] = round(time.perf_counter() - started, 2)
    return first


def run_locust(url: str, plan: dict, users: int, seconds: int, workdir: Path, name: str) -> dict[str, dict]:
    """Run one headless locust; returns its stats rows by request name."""
    plan_file = workdir / f"{name}.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    prefix = workdir / name
    cmd = [
        str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(users),
        "-t", f"{seconds}s", "--host", url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
        "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {**os.environ, "DUBAN_LOCUST_PLAN": str(plan_file)}
    with open(workdir / f"{name}.log", "w", encoding="utf-8") as log:
        subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 120, check=False)
    stats = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            stats[row["Name"]] = row
    return stats


def _ms(row: dict, column: str) -> float:
    try:
        return float(row[column])
    except (KeyError, ValueError):
        return float("nan")


PAGE_LABELS = {
    "unit_home": "单位首页（本期待报）",
    "dashboard_city": "调度台（{city}督查室）",
    "dashboard_province": "调度台（全省督查室）",
    "plans_city": "方案浏览（{city}督查室）",
    "plans_province": "方案浏览（全省督查室）",
}
GATED = ("unit_home", "dashboard_city", "dashboard_province")  # the pages the < 300 ms target is for


def page_figures(server: Server, setup: dict, csrf: str, spec: LoadSpec, workdir: Path) -> list[Figure]:
    """p50/p99 of each page under ``spec.users`` users who pause ``spec.think`` seconds between pages,
    one page per run (the trivial ``/ping/`` in a run of its own is the baseline); the gated pages
    also with no pause at all (the server saturated: the latency is then users ÷ throughput)."""
    cache.clear()  # the page figures start cold: the first hit of each page computes them (first_request_s)
    first_hit = warm_up(server.url, setup["pages"], csrf, 2 * spec.workers)
    seconds = max(3, spec.seconds // 2)
    by_name = {p["name"]: p for p in setup["pages"]}

    def run(page: dict, think) -> dict:
        plan = {"mode": "pages", "csrf": csrf, "pages": [page], "think": think}
        name = f"page-{page['name']}-{'think' if think else 'saturated'}"
        return run_locust(server.url, plan, spec.users, seconds, workdir, name).get(page["name"], {})

    base = run(by_name["ping"], spec.think)
    base_p50, base_p99 = _ms(base, "50%"), _ms(base, "99%")
    city = setup["city"] or "市"
    think = f"每人两次请求间停 {spec.think[0]:g}–{spec.think[1]:g} 秒"
    figures = []
    for key, label in PAGE_LABELS.items():
        label = label.format(city=city)
        if key not in by_name:
            figures.append(skipped(f"page_{key}_p99_ms", label, "ms", "页面未测到"))
            continue
        row = run(by_name[key], spec.think)
        p50, p99, fails = _ms(row, "50%"), _ms(row, "99%"), int(row.get("Failure Count") or 0)
        gated = key in GATED
        extra = {
            "p50_ms": p50, "ping_p50_ms": base_p50, "requests": int(row.get("Request Count") or 0),
            "requests_per_s": round(float(row.get("Requests/s") or 0), 1), "first_request_s": first_hit.get(key),
            "p50_ratio": round(p50 / base_p50, 2) if base_p50 else None,
        }  # fmt: skip
        if gated:
            sat = run(by_name[key], None)
            extra["saturated"] = {
                "p50_ms": _ms(sat, "50%"), "p99_ms": _ms(sat, "99%"),
                "requests_per_s": round(float(sat.get("Requests/s") or 0), 1),
            }  # fmt: skip
        figures.append(
            Figure(
                f"page_{key}_p99_ms", f"{label} p99（{spec.users} 并发，{think}）", p99, "ms", base_p99,
                "ms（/ping/ p99）", f"< {PAGE_TARGET_MS} ms" if gated else "",
                (p99 < PAGE_TARGET_MS and not fails) if gated else None,
                note=f"失败 {fails} 次" if fails else "", extra=extra,
            )
        )  # fmt: skip
    return figures


def load_figures(spec: LoadSpec, workdir: Path | None = None) -> list[Figure]:
    """Page latency and submission throughput figures (see the module docstring)."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="duban-bench-"))
    setup = prepare(spec.users)
    if not setup["jobs"]:
        return [skipped("submit_per_s", "报送吞吐量", "条/s", "没有可报送的任务（先运行 duban synth）")]
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret
    figures: list[Figure] = []
    with Server(spec.workers, workdir / "gunicorn-submit.log") as server:
        warm_up(server.url, setup["pages"][:1], csrf, 2 * spec.workers)
        alone = run_locust(
            server.url, {"mode": "pages", "csrf": csrf, "pages": setup["pages"][:1]}, spec.users,
            max(3, spec.seconds // 3), workdir, "ping",
        ).get("ping", {})  # fmt: skip
        before = ProgressReport.objects.order_by("-id").values_list("id", flat=True).first() or 0
        acked_file = workdir / "acked.json"
        plan = {"mode": "submit", "csrf": csrf, "submit": setup["jobs"], "acked_file": str(acked_file)}
        started = time.perf_counter()
        submit = run_locust(server.url, plan, spec.users, spec.seconds, workdir, "submit")
        elapsed = time.perf_counter() - started
        peak = server.peak_rss_mb()
    # pages on a server of their own: a page that takes minutes must not eat the submissions' workers
    with Server(spec.workers, workdir / "gunicorn-pages.log") as server:
        figures += page_figures(server, setup, csrf, spec, workdir)
        peak = max(peak, server.peak_rss_mb())
    acked = json.loads(acked_file.read_text()) if acked_file.exists() else {"ok": 0, "refused": 0}
    stored = ProgressReport.objects.filter(id__gt=before, narrative__startswith="压测报送").count()
    row = submit.get("submit", {})
    rate = float(row.get("Requests/s") or 0) * (acked["ok"] / max(1, acked["ok"] + acked["refused"]))
    figures.append(
        Figure(
            "submit_per_s", f"报送吞吐量（{spec.users} 并发，{spec.seconds} 秒）", rate, "条/s",
            float(alone.get("Requests/s") or 0) or None, "次/s（同样并发下 /ping/ 的吞吐）", f"≥ {SUBMIT_TARGET} 条/s，无丢失",
            rate >= SUBMIT_TARGET and acked["ok"] == stored,
            note="" if acked["ok"] == stored else f"确认 {acked['ok']} 条而库中 {stored} 条",
            extra={"acknowledged": acked["ok"], "refused": acked["refused"], "stored": stored,
                   "p50_ms": _ms(row, "50%"), "p99_ms": _ms(row, "99%"), "wall_s": round(elapsed, 1)},
        )
    )  # fmt: skip
    figures.append(
        Figure(
            "submit_lost",
            "丢失的报送（确认数 − 库中行数）",
            acked["ok"] - stored,
            "条",
            target="= 0",
            met=acked["ok"] == stored,
            extra={"acknowledged": acked["ok"], "stored": stored},
        )
    )
    figures.append(
        Figure("server_memory_peak_mb", f"内存峰值（gunicorn 单个 worker，共 {spec.workers} 个）", peak, "MB")
    )
    return figures
