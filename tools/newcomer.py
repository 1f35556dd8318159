"""A newcomer's first hour, checked from a fresh clone (``make newcomer``; CI runs it).

1. ``git clone`` this repository's committed HEAD into a temporary folder (nothing of this checkout's
   venv, database or ECharts comes along; pip's download cache is reused, as on any machine);
2. the README's first command, ``make demo``, on a free port: it must build everything, import the
   samples and serve — a line per step is shown as it comes;
3. a login as every demo account through the real login form: each lands on its home page;
4. the 督办 check from the web as 督查室 (``POST /notices/generate/``) and from the command line
   (``duban notices 邵阳市 --generate``): no error, notices issued;
5. the server is stopped and the folder deleted.

``--with-test`` also runs the README's second command (``make test``, long). Exit status 0 only if
every step passed. Standard library only (it runs before anything is installed).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Demo-Duban-2026"  # the demo accounts' published password (README)
ACCOUNTS = {  # README: account -> the heading of the home page it lands on (rendered at /)
    "tianbao": "<h1>本期待报",
    "duchashi": "<h1>调度台",
    "zhuanban": "<h1>调度台",
    "lingdao": "<h1>需关注的红灯任务",
    "gongzhong": "<h1>重点工作推进情况",
}
TIMEOUT = float(os.environ.get("DUBAN_TEST_TIMEOUT", "60"))


def say(line: str) -> None:
    print(f"[newcomer] {line}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Cookies and CSRF like a browser: enough for Django's login form and a POST form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        status, _, page = self.get(path if path != "/notices/generate/" else "/notices/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise AssertionError(f"{path}：页面上没有表单（CSRF），状态 {status}")
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], **fields}).encode()
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        return self._open(request)

    def _open(self, request) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=TIMEOUT * 10) as r:
                return r.status, urllib.parse.urlsplit(r.url).path, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, urllib.parse.urlsplit(e.url).path, e.read().decode("utf-8", "replace")


def run(cmd: list[str], cwd: Path, env: dict, what: str) -> None:
    say(f"{what}：{' '.join(cmd)}")
    if subprocess.call(cmd, cwd=cwd, env=env) != 0:
        raise AssertionError(f"{what} 失败")


def serve_demo(clone: Path, env: dict, port: int) -> tuple[subprocess.Popen, list[str]]:
    """``make demo PORT=port`` in the background; its output is shown and kept."""
    proc = subprocess.Popen(
        ["make", "demo", f"PORT={port}"], cwd=clone, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []

    def pump():
        for line in proc.stdout:
            lines.append(line)
            print(f"  | {line}", end="", flush=True)

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def wait_for(base: str, proc: subprocess.Popen, limit: float) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(f"make demo 提前退出（状态 {proc.returncode}）")
        try:
            with urllib.request.urlopen(base + "/login/", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(2)
    raise AssertionError(f"make demo 在 {limit:.0f} 秒内没有开始服务 {base}")


def check_accounts(base: str) -> Browser:
    office = None
    for username, heading in ACCOUNTS.items():
        b = Browser(base)
        status, path, page = b.post_form("/login/", {"username": username, "password": PASSWORD})
        if status != 200 or heading not in page or 'id="logout"' not in page:
            found = re.search(r"<h1>([^<]*)", page)
            raise AssertionError(
                f"账号 {username} 登录后应看到“{heading[4:]}”，实际 {path} “{found[1] if found else ''}”（状态 {status}）"
            )
        say(f"登录 {username}：{path} “{heading[4:]}”")
        if username == "duchashi":
            office = b
    return office


def check_supervision(office: Browser, clone: Path, env: dict) -> None:
    _, _, form = office.get("/notices/")
    day = re.search(r'name="as_of"[^>]*value="([^"]+)"', form)  # the day the page offers (Asia/Shanghai)
    status, path, page = office.post_form("/notices/generate/", {"as_of": day[1] if day else time.strftime("%F")})
    if status >= 400 or "督办检查" not in page:
        raise AssertionError(f"网页督办检查失败：状态 {status}，{path}")
    if path.startswith("/jobs/"):  # the check runs as a job of the queue: wait for the worker to finish it
        limit = time.monotonic() + float(os.environ.get("DUBAN_TEST_TIMEOUT", "60")) * 10
        state = re.search(r'id="job" data-status="(\w+)"', page)
        while state and state[1] in ("queued", "running") and time.monotonic() < limit:
            time.sleep(2)
            status, path, page = office.get(path)
            state = re.search(r'id="job" data-status="(\w+)"', page)
        if not state or state[1] != "done":
            error = re.search(r'class="error"[^>]*>([^<]+)<', page)
            raise AssertionError(
                f"网页督办检查没有完成：{state[1] if state else '无状态'}，{error[1].strip() if error else path}"
            )
    message = re.search(r'class="msg[^"]*"[^>]*>([^<]+)<', page)
    say(f"网页督办检查：{message[1].strip() if message else path}")
    cmd = [str(clone / ".venv/bin/duban"), "notices", "邵阳市", "--generate"]
    done = subprocess.run(cmd, cwd=clone, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"命令行督办检查失败：{' '.join(cmd[1:])}：{done.stderr.strip()[-500:]}")
    say(f"命令行督办检查：{done.stdout.splitlines()[0] if done.stdout else ''}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description="新人检查：全新克隆、make demo、各演示账号登录、督办检查")
    ap.add_argument("--with-test", action="store_true", help="也运行 make test（很慢）")
    ap.add_argument("--keep", action="store_true", help="保留临时目录（排查用）")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="duban-newcomer-"))
    clone = folder / "duban"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DUBAN_HOME", "DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH"}
    }
    proc = None
    started = time.monotonic()
    try:
        run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], folder, env, "全新克隆")
        port = free_port()
        say(f"make demo PORT={port}（README 的第一条命令）")
        proc, _ = serve_demo(clone, env, port)
        base = f"http://127.0.0.1:{port}"
        wait_for(base, proc, TIMEOUT * 30)
        office = check_accounts(base)
        check_supervision(office, clone, env)
        if args.with_test:
            run(["make", "test"], clone, env, "make test（README 的第二条命令）")
        say(f"通过（{time.monotonic() - started:.0f} 秒）")
        return 0
    except (AssertionError, OSError) as e:  # OSError: the server went away (URLError is one)
        say(f"失败：{e}")
        return 1
    finally:
        if proc is not None:
            stop(proc)
        if args.keep:
            say(f"临时目录保留在 {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
