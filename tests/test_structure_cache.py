"""Values derived from the plan structure are cached per structure version (duban.audit.cache).

Real plans (sample 001 沅江市) and the real actions: a structure change made any way — an action
with its audit entry, the ORM or the admin (signals), a bulk import — is seen by the next read; a
report is not a structure change; a change rolled back never leaves its values behind.
"""

from datetime import date, datetime

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duban.accounts.actions import Scope, do_add_user
from duban.accounts.roles import REPORTER
from duban.audit.cache import STRUCTURE, cached, version
from duban.audit.models import AuditEntry
from duban.plans.actions import do_ingest_file
from duban.plans.members import member_tasks, members_of
from duban.plans.models import Plan, Task, TaskUnit, Unit
from duban.plans.periods import period_containing
from duban.tracking.actions import do_add_cadence, do_submit_report
from duban.tracking.schedule import PlanTree, load_rhythms, schedule_for
from tests.cascade_support import ingest_city_and_county
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans():
    do_ingest_file(sample_path("001"))
    return Plan.objects.order_by("id")


def child_plan(root: Plan, title: str) -> Plan:
    """A plan under ``root`` saved straight through the ORM (as the admin does): no action, no audit entry."""
    return Plan.objects.create(
        source_document=root.source_document, region=root.region, parent=root, title=title, order=999, line=1
    )


def test_an_import_changes_the_version_and_a_report_does_not(plans):
    before = version(STRUCTURE)
    assert before != "0", "the import changed the structure's version"
    task = Task.objects.filter(active=True, assignments__role=TaskUnit.LEAD).first()
    lead = task.assignments.filter(role=TaskUnit.LEAD).first().unit
    period = period_containing(schedule_for(task).rhythms[0].every, date(2023, 3, 15))
    at = timezone.make_aware(datetime(2023, 3, 16, 9))  # inside 沅江市's 2023 programme
    do_submit_report(lead, task, period, narrative="按计划推进", percent=30, status="正常推进", at=at)
    assert version(STRUCTURE) == before, "a report leaves the structure's values cached"
    do_add_cadence(plans.first(), items=[("月", "报送")], due="每月25日前")
    assert version(STRUCTURE) != before


def test_the_tree_and_rhythms_follow_changes_made_through_the_orm(plans):
    root = plans.first()
    tree = PlanTree.load()
    assert PlanTree.load() is tree, "the second read is the cached tree"
    child = child_plan(root, "新增的工作方案")
    assert PlanTree.load().up(child.pk) == [child.pk, *tree.up(root.pk)], (
        "a plan saved through the ORM is seen"
    )

    cadences = load_rhythms([root.pk])[root.pk]
    do_add_cadence(root, items=[("季", "报送")], due="每季末月25日前")
    again = load_rhythms([root.pk])[root.pk]
    assert len(again) == len(cadences) + 1 and again[-1].every == "季"


def test_a_rolled_back_change_leaves_no_cached_value(plans):
    root = plans.first()
    before = version(STRUCTURE)
    with pytest.raises(RuntimeError), transaction.atomic():
        ghost = child_plan(root, "撤回的方案")
        assert ghost.pk in PlanTree.load().parents, "inside the transaction the change is seen"
        raise RuntimeError("rolled back")
    assert version(STRUCTURE) == before
    assert ghost.pk not in PlanTree.load().parents, "the rolled-back plan is not served from the cache"


def test_member_tasks_are_recomputed_when_an_assignment_changes():
    ingest_city_and_county()  # 邵阳市 (its 各县市区人民政府) and 新邵县
    group = Unit.objects.get(region__name="邵阳市", name="各县市区人民政府", is_group=True)
    county = next(u for u in members_of(group) if u.region.name == "新邵县")  # creates the government unit
    known = member_tasks(county)
    group_tasks = set(Task.objects.filter(active=True, assignments__unit=group).values_list("id", flat=True))
    assert group_tasks and group_tasks <= set(known)
    assert member_tasks(county) is known, "the second read is the cached value"
    extra = Task.objects.filter(active=True, plan__region__name="邵阳市").exclude(pk__in=known).first()
    TaskUnit.objects.create(task=extra, unit=group, role=TaskUnit.CO, order=99)
    assert extra.pk in member_tasks(county), "the new group assignment is seen at once"


def test_a_county_office_sees_a_city_task_assigned_to_its_unit_at_once():
    """The city tasks assigned to a county (cached per region and structure version) follow a new
    assignment made straight through the ORM."""
    from duban.plans.members import assigned_task_ids
    from duban.plans.models import Region

    ingest_city_and_county()
    county = Region.objects.get(name="新邵县")
    known = assigned_task_ids(county, {county.pk})
    assert assigned_task_ids(county, {county.pk}) is known, "the second read is the cached value"
    unit = Unit.objects.create(region=county, name="新邵县商务局")
    task = Task.objects.filter(active=True, plan__region__name="邵阳市").exclude(pk__in=known).first()
    TaskUnit.objects.create(task=task, unit=unit, role=TaskUnit.CO, order=99)
    assert task.pk in assigned_task_ids(county, {county.pk}), "the new assignment is seen at once"


def test_a_request_reads_the_version_once(plans):
    task = Task.objects.filter(active=True, assignments__role=TaskUnit.LEAD).first()
    lead = task.assignments.filter(role=TaskUnit.LEAD).first().unit
    user = do_add_user("structure-reporter", REPORTER, Scope(unit=lead, region=lead.region))
    client = Client()
    client.force_login(user)
    client.get(f"/report/{task.pk}/")  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/report/{task.pk}/").status_code == 200
    reads = [q for q in queries.captured_queries if 'FROM "accounts_auditentry"' in q["sql"] and "structural" in q["sql"]]
    assert len(reads) == 1, "one read of the version per request, whatever the request derives from it"
    assert not any('FROM "plans_cadence"' in q["sql"] for q in queries.captured_queries), (
        "rhythms from the cache"
    )


@pytest.mark.django_db(transaction=True)  # each change commits
def test_a_change_through_the_orm_writes_one_entry_and_an_action_replaces_it(plans):
    """Outside an action (the admin, a shell) a structure change writes one ``structure.change`` entry
    per transaction, which moves the version; an action's own entry in the same transaction replaces it."""
    root = plans.first()
    before, entries = version(STRUCTURE), AuditEntry.objects.count()
    with transaction.atomic():
        child_plan(root, "管理后台新增的方案")
        child_plan(root, "又一份")
    assert AuditEntry.objects.count() == entries + 1
    assert AuditEntry.objects.order_by("-id").first().action == "structure.change"
    assert version(STRUCTURE) != before
    before, entries = version(STRUCTURE), AuditEntry.objects.count()
    do_add_cadence(root, items=[("月", "报送")], due="每月25日前")  # saves a cadence, then its entry
    assert AuditEntry.objects.count() == entries + 1
    assert AuditEntry.objects.order_by("-id").first().action == "add_cadence"
    assert version(STRUCTURE) != before


def test_private_values_are_a_copy_per_read_and_shared_values_are_not():
    """``private=True`` (a user, a task: a view may change them) gives each read its own object."""
    shared = cached(("shared-list",), STRUCTURE, lambda: [1, 2])
    assert cached(("shared-list",), STRUCTURE, lambda: [3]) is shared
    first = cached(("private-list",), STRUCTURE, lambda: [1, 2], private=True)
    first.append(3)
    assert cached(("private-list",), STRUCTURE, lambda: [4], private=True) == [1, 2]
