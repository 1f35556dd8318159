"""Run a command with DATABASE_URL pointing at a PostgreSQL server — starting a throw-away one if needed.

``python tools/with_postgres.py PG_URL -- pytest …`` (what ``make test-postgres`` runs):

* something listens at PG_URL: the command runs against it;
* nothing does, but PostgreSQL's binaries are installed (``initdb`` on PATH or under
  /usr/lib/postgresql/*/bin): a cluster is created in a temporary folder, started on a free port of
  127.0.0.1, the command runs against it, then the cluster is stopped and deleted — one line says so.
  initdb refuses to run as root: as root the cluster belongs to the ``postgres`` user (``runuser``);
* no binaries: one line says how to install them and the part is skipped (exit 0) — unless
  ``DUBAN_REQUIRE_POSTGRES=1`` (CI), which fails instead.

The command's exit status is returned. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

INSTALL = "apt-get install postgresql（macOS：brew install postgresql）"


def listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bindir() -> str | None:
    """The folder of initdb and pg_ctl (newest installed version first), or None.
    ``DUBAN_PG_BINDIR`` names it (a folder without initdb: as if none were installed)."""
    if "DUBAN_PG_BINDIR" in os.environ:
        given = os.environ["DUBAN_PG_BINDIR"]
        return given if os.access(os.path.join(given, "initdb"), os.X_OK) else None
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=os.path.dirname(os.path.realpath(found))):
        return os.path.dirname(os.path.realpath(found))
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]), reverse=True
    )
    return os.path.dirname(versions[0]) if versions else None


def _as_owner(argv: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


class Cluster:
    """A throw-away PostgreSQL cluster in a temporary folder, trusted local connections only."""

    def __init__(self, bins: str):
        self.bins = bins
        self.port = free_port()
        # as root the folder is the postgres user's: under /tmp, not a TMPDIR only root may enter
        parent = "/tmp" if os.geteuid() == 0 and os.path.isdir("/tmp") else None  # noqa: S108
        self.dir = tempfile.mkdtemp(prefix="duban-pg-", dir=parent)
        self.data = os.path.join(self.dir, "data")
        self.owner = None
        if os.geteuid() == 0:  # initdb will not run as root
            self.owner = "postgres"
            try:
                user = pwd.getpwnam(self.owner)
            except KeyError:
                raise SystemExit(
                    f"错误：以 root 运行时需要系统用户 postgres 来建临时 PostgreSQL 集群（{INSTALL}）"
                ) from None
            os.chown(self.dir, user.pw_uid, user.pw_gid)

    def run(self, *argv: str) -> None:
        cmd = _as_owner([os.path.join(self.bins, argv[0]), *argv[1:]], self.owner)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> None:
        self.run(
            "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions"
        )
        opts = f"-p {self.port} -k {self.dir} -h 127.0.0.1 -c fsync=off -c full_page_writes=off"
        self.run("pg_ctl", "-D", self.data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "start")
        for _ in range(60):
            if listening("127.0.0.1", self.port):
                return
            time.sleep(0.5)
        raise SystemExit(f"错误：临时 PostgreSQL 集群没有在端口 {self.port} 上启动（日志：{self.dir}/log）")

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        except (subprocess.CalledProcessError, OSError):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") != 1:
        print("用法：python tools/with_postgres.py PG_URL -- 命令 …", file=sys.stderr)
        return 2
    url, command = argv[0], argv[2:]
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 5432
    if listening(host, port):
        return subprocess.call(command, env={**os.environ, "DATABASE_URL": url})
    bins = bindir()
    if bins is None:
        line = f"PostgreSQL：{host}:{port} 上没有服务，本机也没有 PostgreSQL（initdb）；安装：{INSTALL}，或用 PG_URL=… 指向已有服务"
        if os.environ.get("DUBAN_REQUIRE_POSTGRES") == "1":
            print(f"错误：{line}（DUBAN_REQUIRE_POSTGRES=1：不能跳过）", file=sys.stderr)
            return 1
        print(f"跳过 PostgreSQL 部分——{line}", flush=True)
        return 0
    cluster = Cluster(bins)
    try:
        cluster.start()
    except subprocess.CalledProcessError as e:
        cluster.stop()
        print(
            f"错误：建临时 PostgreSQL 集群失败：{e.stderr.decode(errors='replace').strip()}", file=sys.stderr
        )
        return 1
    netloc = f"postgres@127.0.0.1:{cluster.port}"
    temp_url = urlunsplit((parts.scheme or "postgres", netloc, parts.path or "/duban", "", ""))
    print(
        f"PostgreSQL：{host}:{port} 上没有服务，已用本机 PostgreSQL（{bins}）在临时目录起一个测试用集群"
        f"（127.0.0.1:{cluster.port}，{cluster.dir}，测试后停止并删除）",
        flush=True,
    )
    try:
        return subprocess.call(command, env={**os.environ, "DATABASE_URL": temp_url})
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
