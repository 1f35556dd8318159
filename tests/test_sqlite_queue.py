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
