"""PLAN arguments: ids, regions, title words; ambiguity and absence are clear errors."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from duban.plans.actions import do_ingest_file
from duban.plans.lookup import PlanLookupError, find_plan, find_plans
from duban.plans.models import Plan
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def yuanjiang():
    do_ingest_file(sample_path("001_0b2713fafafe7e4f.txt"))
    return Plan.objects.filter(active=True)


def test_id_region_and_title_words(yuanjiang):
    first = yuanjiang.order_by("pk").first()
    assert list(find_plans(str(first.pk))) == [first]
    assert list(find_plans(f"#{first.pk}")) == [first]
    by_region = find_plans("沅江市")
    assert by_region.count() == yuanjiang.count() > 1
    one = yuanjiang.exclude(kind="通知").order_by("pk").last()
    assert one in find_plans(one.title[2:12])


def test_ambiguous_and_missing_are_errors(yuanjiang):
    with pytest.raises(PlanLookupError, match="请用编号指定其一"):
        find_plan("沅江市")
    with pytest.raises(PlanLookupError, match="找不到方案"):
        find_plans("不存在的方案名")


def test_plans_command_lists_ids(yuanjiang, capsys):
    call_command("plans")
    out = capsys.readouterr().out
    assert f"#{yuanjiang.first().pk}" in out and "沅江市" in out
    with pytest.raises(CommandError, match="找不到方案"):
        call_command("plans", "不存在的方案名")
