"""Who the user is and what it may see come from one query (duban.accounts.backends.ProfileBackend),
and a report's task snapshot takes its lead units from the task's assignments (tracking.snapshot).

Real plans (sample 001 沅江市), real accounts and the real report page.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from duban.accounts import permissions
from duban.accounts.actions import Scope, do_add_user, do_set_role
from duban.accounts.backends import ProfileBackend
from duban.accounts.roles import LEADER, REPORTER
from duban.plans.actions import do_ingest_file
from duban.plans.models import Task, TaskUnit, Unit
from duban.tracking.snapshot import lead_units, task_leads
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter():
    do_ingest_file(sample_path("001"))
    task = Task.objects.filter(
        active=True, assignments__role=TaskUnit.LEAD, assignments__unit__is_group=False
    ).first()
    unit = task.assignments.filter(role=TaskUnit.LEAD, unit__is_group=False).first().unit
    user = do_add_user("填报员甲", REPORTER, Scope(unit=unit, region=unit.region))
    return user, unit, task


def test_the_profile_comes_with_the_user_in_one_query(reporter):
    user, unit, _ = reporter
    with CaptureQueriesContext(connection) as q:
        loaded = ProfileBackend().get_user(user.pk)
        profile = permissions.profile_of(loaded)
        assert profile.unit == unit and profile.unit.region == unit.region
    assert len(q.captured_queries) == 1 and "accounts_userprofile" in q.captured_queries[0]["sql"]
    admin = get_user_model().objects.create_superuser("管理员", password="x" * 12)
    with CaptureQueriesContext(connection) as q:
        assert (
            permissions.profile_of(ProfileBackend().get_user(admin.pk)) is None
        )  # no profile: no more queries
    assert len(q.captured_queries) == 1


def test_a_role_change_is_seen_on_the_user_read_with_its_profile(reporter):
    user, unit, _ = reporter
    loaded = ProfileBackend().get_user(user.pk)
    assert permissions.role_of(loaded) == REPORTER
    do_set_role(loaded, LEADER, Scope(region=unit.region))
    assert permissions.role_of(loaded) == LEADER and permissions.profile_of(loaded).region == unit.region


def test_a_page_request_reads_no_profile_of_its_own(reporter):
    user, _, task = reporter
    client = Client()
    client.force_login(user)
    client.get(f"/report/{task.pk}/")  # fills the structure cache
    with CaptureQueriesContext(connection) as q:
        assert client.get(f"/report/{task.pk}/").status_code == 200
    assert not [x for x in q.captured_queries if x["sql"].startswith('SELECT "accounts_userprofile"')]
    assert not [x for x in q.captured_queries if 'FROM "plans_unit" WHERE "plans_unit"."id" IN' in x["sql"]]


def test_task_leads_agree_with_the_lead_units_query(reporter):
    tasks = Task.objects.filter(active=True).prefetch_related("assignments")
    for task in tasks:
        assert task_leads(task) == lead_units([task.pk])[task.pk]
    unit = Unit.objects.filter(assignments__role=TaskUnit.LEAD, is_group=False).first()
    unit.is_group = True  # a unit found to be a group: the cached set of group units follows
    unit.save()
    task = Task.objects.filter(assignments__unit=unit, assignments__role=TaskUnit.LEAD).first()
    assert unit.pk not in task_leads(task) and task_leads(task) == lead_units([task.pk])[task.pk]
    assert unit.pk in {a.unit_id for a in task.assignments.all() if a.role == TaskUnit.LEAD}
