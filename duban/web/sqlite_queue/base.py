"""Django's SQLite backend, with the writers of all processes queued by the kernel.

SQLite lets one transaction write at a time; ``transaction_mode=IMMEDIATE`` takes that lock at BEGIN.
A transaction that finds it taken does not wait in a queue: SQLite's busy handler sleeps and retries
(1, 2, 5, 10, 15, 20, 25 … ms), so under load a writer sleeps on long after the lock came free and
the cores idle while every worker waits (docs/benchmarks.md, 第七轮: a fifth of the submissions per
second). Here each connection first takes an exclusive ``flock`` on a file beside the database,
trying every half millisecond, so the next writer starts within that of the lock coming free. The
lock is taken where SQLite's is (every transaction of an IMMEDIATE connection) and released after
COMMIT or ROLLBACK, so it adds no waiting SQLite's lock would not impose; after SQLite's own timeout a
writer stops waiting for it and leaves the decision to SQLite, as do other programs opening the
database.
"""

from __future__ import annotations

import fcntl
import os
import time

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _queue_fd: int | None = None
    _queued = False

    def _queue_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.transaction_mode != "IMMEDIATE" or self.is_in_memory_db() or not name:
            return None
        return name + ".writers"

    def _enter_queue(self) -> None:
        path = self._queue_path()
        if path is None or self._queued:
            return
        if self._queue_fd is None:
            self._queue_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        while True:  # half-millisecond polls; after SQLite's own timeout, leave it to SQLite
            try:
                fcntl.flock(self._queue_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.0005)
            else:
                self._queued = True
                return

    def _leave_queue(self) -> None:
        if self._queued:
            self._queued = False
            fcntl.flock(self._queue_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._enter_queue()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
            if self._queue_fd is not None:
                os.close(self._queue_fd)
                self._queue_fd = None
