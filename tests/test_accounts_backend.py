"""Who the user is and what it may see come from one query (duban.accounts.backends.ProfileBackend),
read once per process until an account or the plan structure changes,
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


def test_the_profile_comes_with_the_user_in_one_join_read_once_per_version(reporter):
    user, unit, _ = reporter

    def joins(q):
        sqls = [x["sql"] for x in q.captured_queries]
        assert all("accounts_userprofile" in s or "accounts_auditentry" in s for s in sqls), sqls
        return [s for s in sqls if "accounts_userprofile" in s]

    with CaptureQueriesContext(connection) as q:
        loaded = ProfileBackend().get_user(user.pk)
        profile = permissions.profile_of(loaded)
        assert profile.unit == unit and profile.unit.region == unit.region
    assert len(joins(q)) == 1
    with CaptureQueriesContext(connection) as q:  # read again: the version only, its own copy
        again = ProfileBackend().get_user(str(user.pk))
        assert again is not loaded and permissions.profile_of(again).unit == unit
    assert joins(q) == []
    admin = get_user_model().objects.create_superuser("管理员", password="x" * 12)
    with CaptureQueriesContext(connection) as q:
        assert permissions.profile_of(ProfileBackend().get_user(admin.pk)) is None  # no profile: no query
    assert len(joins(q)) == 1
    assert ProfileBackend().get_user(999999) is None and ProfileBackend().get_user("x") is None


def test_an_account_change_is_seen_at_once_and_a_login_changes_nothing(reporter):
    from duban.accounts.actions import do_set_active
    from duban.audit.cache import STRUCTURE, version

    user, unit, task = reporter
    backend = ProfileBackend()
    assert permissions.role_of(backend.get_user(user.pk)) == REPORTER
    token = version(STRUCTURE)
    client = Client()
    client.force_login(user)  # a login only touches last_login: the cached users stay
    assert version(STRUCTURE) == token
    assert client.get(f"/report/{task.pk}/").status_code == 200
    do_set_role(get_user_model().objects.get(pk=user.pk), LEADER, Scope(region=unit.region))
    assert permissions.role_of(backend.get_user(user.pk)) == LEADER
    assert client.get(f"/report/{task.pk}/").status_code == 403  # a leader does not report
    changed = get_user_model().objects.get(pk=user.pk)
    changed.set_password("新的口令-" + "x" * 12)  # as `duban changepassword` or the admin does
    changed.save()
    assert client.get(f"/report/{task.pk}/").status_code == 302  # other sessions end with the old password
    do_set_active(get_user_model().objects.get(pk=user.pk), False)
    assert backend.get_user(user.pk) is None  # a disabled account is logged out at once


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
