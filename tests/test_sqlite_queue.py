"""SQLite writers queue on a lock file beside the database (duban.web.sqlite_queue): taken where
BEGIN IMMEDIATE takes SQLite's write lock, released after COMMIT and ROLLBACK, and concurrent
writers in threads all get through, one at a time."""

import fcntl
import os
import threading

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture(autouse=True)
def own_databases(django_db_blocker):
    with django_db_blocker.unblock():  # files of the test's own, not the test database
        yield


def _connection(path):
    return _handler(path, {"transaction_mode": "IMMEDIATE", "timeout": 5})


def _handler(path, options):
    """A connection of its own to a database file of the test (not the test database)."""
    settings = {"ENGINE": "duban.web.sqlite_queue", "NAME": str(path), "OPTIONS": options}
    return ConnectionHandler({"default": settings})["default"]


def _held(path) -> bool:
    fd = os.open(str(path) + ".writers", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _begin(conn):
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def test_the_lock_is_held_from_begin_to_commit_or_rollback(tmp_path):
    db = tmp_path / "q.sqlite3"
    conn = _connection(db)
    with conn.cursor() as c:
        c.execute("CREATE TABLE t (x INTEGER)")
    assert not _held(db)
    _begin(conn)
    assert _held(db)
    with conn.cursor() as c:
        c.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.set_autocommit(True)
    assert not _held(db)
    _begin(conn)
    assert _held(db)
    conn.rollback()
    conn.set_autocommit(True)
    assert not _held(db)
    conn.close()
    assert not _held(db)


def test_concurrent_writers_all_get_through(tmp_path):
    db = tmp_path / "q.sqlite3"
    setup = _connection(db)
    with setup.cursor() as c:
        c.execute("CREATE TABLE t (x INTEGER)")
    setup.close()
    errors = []

    def writer():
        conn = _connection(db)
        try:
            for _ in range(50):
                _begin(conn)
                with conn.cursor() as c:
                    c.execute("SELECT COUNT(*) FROM t")
                    (count,) = c.fetchone()
                    c.execute("INSERT INTO t VALUES (%s)", [count])  # read-then-write: needs the lock
                conn.commit()
                conn.set_autocommit(True)
        except Exception as e:  # noqa: BLE001 — reported below
            errors.append(e)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = _connection(db)
    with check.cursor() as c:
        c.execute("SELECT COUNT(*), COUNT(DISTINCT x) FROM t")
        assert c.fetchone() == (200, 200)  # every write saw all the earlier ones
    check.close()


@pytest.mark.parametrize("mode", [None, "DEFERRED"])
def test_no_lock_file_without_immediate_transactions(tmp_path, mode):
    db = tmp_path / "q.sqlite3"
    conn = _handler(db, {"transaction_mode": mode})
    _begin(conn)
    conn.commit()
    conn.set_autocommit(True)
    conn.close()
    assert not os.path.exists(str(db) + ".writers")


def test_django_still_calls_the_private_methods_the_queue_overrides(tmp_path):
    """duban.web.sqlite_queue overrides private methods of Django's SQLite backend (measured 1.4× the
    submissions/s of Django's own engine, docs/benchmarks.md). This fails when a Django upgrade renames
    them or stops calling them on the public paths (atomic, commit, rollback, close): then check the
    engine against the new backend before upgrading."""
    import inspect

    from django.db import connections, transaction
    from django.db.backends.sqlite3.base import DatabaseWrapper

    for name in ("_start_transaction_under_autocommit", "_commit", "_rollback", "_close"):
        method = getattr(DatabaseWrapper, name, None)
        assert method is not None and list(inspect.signature(method).parameters) == ["self"], name
    db = tmp_path / "q.sqlite3"
    conn = _connection(db)
    connections["queue_probe"] = conn  # so that the public API can be used on it
    try:
        with transaction.atomic(using="queue_probe"):
            assert _held(db)  # BEGIN IMMEDIATE through atomic() takes the queue
        assert not _held(db)  # released after COMMIT
        with pytest.raises(RuntimeError), transaction.atomic(using="queue_probe"):
            assert _held(db)
            raise RuntimeError("回滚")
        assert not _held(db)  # released after ROLLBACK
        _begin(conn)
        assert _held(db)
        conn.close()  # closed mid-transaction: released too
        assert not _held(db)
    finally:
        del connections["queue_probe"]
