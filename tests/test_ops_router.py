"""The read-replica router: dashboard/brief reads go to 'replica' when one is configured, writes to default.

The "replica" here is a second real PostgreSQL database, migrated, holding a row the primary does
not: where a read lands is seen from what it finds. (PostgreSQL only: a replica is a production
PostgreSQL set-up; on SQLite only the no-replica test runs.)
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from duban.ops.router import ReplicaReadsMiddleware, ReplicaRouter, replica_reads
from duban.plans.models import Region

ONLY_IN_REPLICA = "只在副本中的地区"
ONLY_IN_PRIMARY = "只在主库中的地区"
WRITTEN = "副本块中写入的地区"


def _admin_connect(cfg):
    import psycopg

    return psycopg.connect(
        dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None, host=cfg["HOST"] or None,
        port=cfg["PORT"] or None, autocommit=True,
    )  # fmt: skip


@pytest.fixture
def replica(django_db_setup, django_db_blocker):
    """Add a migrated second database as the 'replica' alias; remove and drop it afterwards.

    Not a ``django_db`` test: Django's test case forbids aliases it did not know at class set-up,
    so the database is unblocked by hand and the test removes the rows it wrote to default.
    """
    from django.core.management import call_command

    blocker = django_db_blocker.unblock()
    blocker.__enter__()
    cfg = dict(connections.settings["default"])
    cfg["NAME"] = f"{connection.settings_dict['NAME']}_replica"
    with _admin_connect(cfg) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    cfg["TEST"] = {"NAME": cfg["NAME"]}
    settings.DATABASES["replica"] = cfg
    connections.settings["replica"] = cfg
    try:
        call_command("migrate", database="replica", verbosity=0)
        Region.objects.using("replica").create(name=ONLY_IN_REPLICA, level="县")
        yield cfg
    finally:
        Region.objects.using("default").filter(name__in=[ONLY_IN_PRIMARY, WRITTEN]).delete()
        connections["replica"].close()
        del connections["replica"]
        connections.settings.pop("replica", None)
        settings.DATABASES.pop("replica", None)
        with _admin_connect(cfg) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
        blocker.__exit__(None, None, None)


def _sees(name: str) -> bool:
    return Region.objects.filter(name=name).exists()


def test_without_a_replica_everything_stays_on_default():
    router = ReplicaRouter()
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert router.db_for_read(Region) is None
    assert router.db_for_write(Region) == "default"


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="副本是第二个 PostgreSQL 库（CI 的 PostgreSQL 部分）"
)
def test_dashboard_and_brief_reads_go_to_the_replica_writes_to_default(replica):
    Region.objects.create(name=ONLY_IN_PRIMARY, level="县")
    assert _sees(ONLY_IN_PRIMARY) and not _sees(ONLY_IN_REPLICA)  # ordinary code reads the primary
    with replica_reads():  # what brief generation and the bench wrap themselves in
        assert _sees(ONLY_IN_REPLICA) and not _sees(ONLY_IN_PRIMARY)
        written = Region.objects.create(name=WRITTEN, level="县")  # a write inside …
        assert written._state.db == "default"
        assert Region.objects.using("default").filter(pk=written.pk).exists()  # … lands on default
        with transaction.atomic():  # a read inside a write transaction must see its own rows
            assert _sees(ONLY_IN_PRIMARY)

    seen = {}

    def view(request):
        seen[request.method] = (_sees(ONLY_IN_REPLICA), _sees(ONLY_IN_PRIMARY))
        return HttpResponse("ok")

    middleware = ReplicaReadsMiddleware(view)
    factory = RequestFactory()
    middleware(factory.get("/dashboard/"))
    assert seen["GET"] == (True, False)  # the dashboard page reads the replica
    middleware(factory.post("/dashboard/"))
    assert seen["POST"] == (False, True)  # a form post is a write: primary
    middleware(factory.get("/report/"))
    assert seen["GET"] == (False, True)  # the unit's report page is not a replica page
