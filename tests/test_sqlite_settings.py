"""SQLite as the product configures it (settings.DATABASES, Django's documented OPTIONS only): WAL,
synchronous=NORMAL, a 20 s busy timeout, BEGIN IMMEDIATE; concurrent read-then-write transactions in
threads all get through, one at a time, none lost (docs/deployment.md)."""

import threading

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="SQLite only"
)


@pytest.fixture(autouse=True)
def own_databases(django_db_blocker):
    with django_db_blocker.unblock():  # files of the test's own, not the test database
        yield


def _connection(path):
    """A connection with the product's settings to a database file of the test's own."""
    product = {**settings.DATABASES["default"], "NAME": str(path)}
    return ConnectionHandler({"default": product})["default"]


def test_the_product_connection_uses_wal_normal_sync_busy_timeout_and_plain_django(tmp_path):
    conn = _connection(tmp_path / "s.sqlite3")
    assert type(conn).__module__ == "django.db.backends.sqlite3.base"  # no private method overridden
    with conn.cursor() as c:
        c.execute("PRAGMA journal_mode")
        assert c.fetchone()[0] == "wal"
        c.execute("PRAGMA synchronous")
        assert c.fetchone()[0] == 1  # NORMAL
        c.execute("PRAGMA busy_timeout")
        assert c.fetchone()[0] == 20000
    assert conn.transaction_mode == "IMMEDIATE"
    conn.close()


def test_a_transaction_holds_the_write_lock_from_begin(tmp_path):
    """BEGIN IMMEDIATE: a second writer cannot start until the first commits (no read-then-upgrade
    deadlock), and readers go on meanwhile (WAL)."""
    db = tmp_path / "s.sqlite3"
    first, second = _connection(db), _connection(db)
    with first.cursor() as c:
        c.execute("CREATE TABLE t (x INTEGER)")
    second.settings_dict["OPTIONS"] = {**second.settings_dict["OPTIONS"], "timeout": 0.1}
    second.settings_dict["OPTIONS"]["init_command"] = "PRAGMA busy_timeout=100"
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with first.cursor() as c:
        c.execute("INSERT INTO t VALUES (1)")
    with second.cursor() as c:
        c.execute("SELECT COUNT(*) FROM t")
        assert c.fetchone() == (0,)  # reads go on, without the uncommitted row
    with pytest.raises(Exception, match="locked"):
        second.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    second.close()
    first.commit()
    first.close()


def test_concurrent_writers_all_get_through(tmp_path):
    db = tmp_path / "s.sqlite3"
    setup = _connection(db)
    with setup.cursor() as c:
        c.execute("CREATE TABLE t (x INTEGER)")
    setup.close()
    errors = []

    def writer():
        conn = _connection(db)
        try:
            for _ in range(50):
                conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
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
