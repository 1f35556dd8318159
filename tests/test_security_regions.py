"""A document belongs to its region: importing another region's file (same bytes) through the web
wizard or ``duban ingest --region`` never moves, relinks or changes that region's plans, tasks, units
or access; it gives the importer an independent copy. Moving a file between regions is a separate,
audited act of the office above both regions (:mod:`duban.cascade.moves`)."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.permissions import visible_tasks
from duban.accounts.roles import OFFICE
from duban.audit.models import AuditEntry
from duban.cascade.moves import MoveError, do_move_document
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, Region, SourceDocument, Task, TaskForceMember, TaskUnit, Unit
from tests.conftest import sample_path
from tests.ui_wb_support import PASSWORD, as_user, report, yuanjiang

pytestmark = pytest.mark.django_db

VICTIMS = {"city": ("000", "邵阳市"), "county": ("001", "沅江市")}


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.DUBAN_IMPORT_DIR = str(tmp_path / "imports")


def office(name: str, region: Region):
    return do_add_user(name, OFFICE, Scope(region=region), password=PASSWORD)


def state(region: Region, users) -> dict:
    """Everything of ``region`` a takeover would change, and what each user may read of it."""
    docs = SourceDocument.objects.filter(region=region)
    tasks = Task.objects.filter(plan__source_document__in=docs)
    return {
        "docs": sorted(docs.values_list("pk", "sha256", "file_name")),
        "plans": sorted(
            Plan.objects.filter(source_document__in=docs).values_list(
                "pk", "region_id", "campaign_id", "parent_id", "title", "active"
            )
        ),
        "tasks": sorted(tasks.values_list("pk", "plan_id", "title", "active")),
        "links": sorted(TaskUnit.objects.filter(task__in=tasks).values_list("pk", "task_id", "unit_id", "role")),
        "members": sorted(
            TaskForceMember.objects.filter(task_force__plan__source_document__in=docs).values_list("pk", "unit_id")
        ),
        "units": sorted(Unit.objects.filter(region=region).values_list("pk", "name")),
        "access": {u.username: sorted(visible_tasks(u, tasks).values_list("pk", flat=True)) for u in users},
    }


def import_web(client, user, prefix: str, region: Region):
    as_user(client, user)
    path = sample_path(prefix)
    with open(path, "rb") as f:
        up = client.post("/import/", {"file": SimpleUploadedFile(os.path.basename(path), f.read()), "region": region.pk})
    assert up.status_code == 302, up.content.decode()[:500]
    job = client.get(up["Location"]).context["job"]  # the parse job's page (run at once in tests)
    assert job.status == "done", job.error
    confirm = job.result["url"] + "confirm/"
    page = client.get(confirm)
    assert page.status_code == 200
    assert page.context["diff"].new_document  # shown as a new file of the importer's region
    assert "另建独立的一份" in page.content.decode()
    done = client.post(confirm)
    assert done.status_code == 302 and done["Location"].endswith("/import/done/")


def import_cli(prefix: str, region: Region):
    out = io.StringIO()
    call_command("ingest", sample_path(prefix), region=region.name, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("path", ["web", "cli"])
@pytest.mark.parametrize("victim", ["city", "county"])
def test_importing_another_regions_file_leaves_it_alone(client, path, victim):
    prefix, victim_name = VICTIMS[victim]
    if victim == "county":
        w = yuanjiang()
        victim_region, victim_office = w.region, w.users[OFFICE]
    else:
        do_ingest_file(sample_path(prefix))
        victim_region = Region.objects.get(name=victim_name)
        victim_office = office("shi_duchashi", victim_region)
    county = Region.objects.get(name="新邵县")
    attacker = office("xinshao_duchashi", county)
    before = state(victim_region, [victim_office, attacker])
    assert before["tasks"] and before["links"] and before["access"][victim_office.username]

    if path == "web":
        import_web(client, attacker, prefix, county)
    else:
        assert "另建独立的一份" in import_cli(prefix, county)

    assert state(victim_region, [victim_office, attacker]) == before
    victim_doc = SourceDocument.objects.get(region=victim_region)
    copy = SourceDocument.objects.get(region=county)
    assert copy.pk != victim_doc.pk and copy.sha256 == victim_doc.sha256
    copy_tasks = Task.objects.filter(plan__source_document=copy)
    assert copy_tasks.count() == Task.objects.filter(plan__source_document=victim_doc).count()
    assert set(Plan.objects.filter(source_document=copy).values_list("region_id", flat=True)) == {county.pk}
    assert not TaskUnit.objects.filter(task__in=copy_tasks).exclude(unit__region=county).exists()
    # re-importing in the county continues the county's copy, still without touching the victim
    import_cli(prefix, county)
    assert SourceDocument.objects.filter(sha256=victim_doc.sha256).count() == 2
    assert state(victim_region, [victim_office, attacker]) == before


def test_the_import_wizard_refuses_a_region_outside_the_office(client):
    w = yuanjiang()
    attacker = office("xinshao_duchashi", Region.objects.get(name="新邵县"))
    before = state(w.region, [w.users[OFFICE], attacker])
    as_user(client, attacker)
    with open(sample_path("001"), "rb") as f:
        up = client.post("/import/", {"file": SimpleUploadedFile("a.txt", f.read()), "region": w.region.pk})
    assert up.status_code == 200 and up.context["form"].errors["region"]
    assert state(w.region, [w.users[OFFICE], attacker]) == before


# ---------------------------------------------------------------- moving a file to another region


def misfiled_city_plan() -> SourceDocument:
    """The city's plan (sample 000) imported by mistake as 新邵县's."""
    do_ingest_file(sample_path("000"), "新邵县")
    return SourceDocument.objects.get(region__name="新邵县")


def test_the_office_above_moves_a_misfiled_plan_audited():
    doc = misfiled_city_plan()
    city, county = Region.objects.get(name="邵阳市"), Region.objects.get(name="新邵县")
    county_units_before = sorted(Unit.objects.filter(region=county).values_list("pk", "name"))
    tasks = Task.objects.filter(plan__source_document=doc)
    n_tasks, n_links = tasks.count(), TaskUnit.objects.filter(task__in=tasks).count()
    city_office = office("shi_duchashi", city)
    counts = do_move_document(doc, city, actor=city_office)
    assert counts["tasks"] == n_tasks and counts["unit_links"] >= n_links
    doc.refresh_from_db()
    assert doc.region == city
    assert set(Plan.objects.filter(source_document=doc).values_list("region_id", flat=True)) == {city.pk}
    assert not TaskUnit.objects.filter(task__in=tasks).exclude(unit__region=city).exists()
    assert not Plan.objects.filter(source_document=doc, campaign__isnull=False).exclude(campaign__region=city).exists()
    assert sorted(Unit.objects.filter(region=county).values_list("pk", "name")) == county_units_before
    entry = AuditEntry.objects.get(action="move_document", object_id=str(doc.pk))
    assert entry.actor == city_office and entry.before["region"] == "新邵县" and entry.after["region"] == "邵阳市"
    assert visible_tasks(city_office, tasks).count() == n_tasks


@pytest.mark.parametrize("who", ["own county", "sibling county", "city to outside"])
def test_a_move_by_anyone_but_the_office_above_is_refused(who):
    doc = misfiled_city_plan()
    county = Region.objects.get(name="新邵县")
    yuanjiang_region = Region.objects.get(name="沅江市")
    actor, target = {
        "own county": (office("xinshao", county), Region.objects.get(name="邵阳市")),
        "sibling county": (office("yuanjiang", yuanjiang_region), yuanjiang_region),
        "city to outside": (office("shaoyang", Region.objects.get(name="邵阳市")), yuanjiang_region),
    }[who]
    before = state(county, [actor])
    with pytest.raises(MoveError, match="共同的上级督查室"):
        do_move_document(doc, target, actor=actor)
    assert state(county, [actor]) == before
    assert not AuditEntry.objects.filter(action="move_document").exists()


def test_a_plan_with_recorded_work_is_not_moved():
    w = yuanjiang()
    report(w)
    doc = w.task.plan.source_document
    with pytest.raises(MoveError, match="进展填报"):
        do_move_document(doc, Region.objects.get(name="新邵县"))
    doc.refresh_from_db()
    assert doc.region == w.region


def test_move_plan_command():
    doc = misfiled_city_plan()
    plan = Plan.objects.filter(source_document=doc).first()
    do_add_user("xinshao", OFFICE, Scope(region=Region.objects.get(name="新邵县")), password=PASSWORD)
    with pytest.raises(CommandError, match="共同的上级督查室"):
        call_command("move_plan", str(plan.pk), "邵阳市", user="xinshao", stdout=io.StringIO())
    out = io.StringIO()
    call_command("move_plan", str(plan.pk), "邵阳市", stdout=out)  # the server's operator
    assert "已将" in out.getvalue()
    doc.refresh_from_db()
    assert doc.region.name == "邵阳市"
    assert AuditEntry.objects.filter(action="move_document", object_id=str(doc.pk)).exists()
