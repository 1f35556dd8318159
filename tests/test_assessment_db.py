"""考核方案 on a real plan: set through the action with its audit entry; bad input changes nothing."""

from __future__ import annotations

import pytest

from duban.assessment.actions import do_set_scheme, scheme_for
from duban.assessment.models import AssessmentScheme
from duban.assessment.scoring import DEFAULT_CONFIG, SchemeError
from duban.audit.models import AuditEntry
from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan
from tests.conftest import sample_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    do_ingest_file(sample_path("000"))  # 邵阳市
    found = Plan.objects.filter(kind="责任分解表", active=True).order_by("pk").first()
    assert found is not None
    return found


def test_default_scheme_until_one_is_set(plan):
    assert scheme_for(plan).weights == DEFAULT_CONFIG["weights"]
    assert not AssessmentScheme.objects.exists()


def test_set_and_replace_scheme_is_audited(plan):
    do_set_scheme(plan, {"weights": {"timeliness": 40, "completion": 60}})
    row = AssessmentScheme.objects.get(plan=plan)
    assert row.scheme.weights == {"timeliness": 40.0, "completion": 60.0}
    assert row.config["deductions"] == DEFAULT_CONFIG["deductions"]  # defaults filled in
    do_set_scheme(plan, {"weights": {"timeliness": 20, "completion": 50, "targets": 30}, "top_n": 5})
    assert AssessmentScheme.objects.count() == 1
    entries = list(AuditEntry.objects.filter(action="assessment.set_scheme").order_by("pk"))
    assert len(entries) == 2
    assert entries[0].before is None
    assert entries[1].before["weights"] == {"timeliness": 40.0, "completion": 60.0}
    assert entries[1].after["top_n"] == 5
    assert scheme_for(plan).top_n == 5


def test_bad_scheme_changes_nothing(plan):
    do_set_scheme(plan, DEFAULT_CONFIG)
    audits = AuditEntry.objects.count()
    with pytest.raises(SchemeError, match="各项权重之和须为 100，现为 110"):
        do_set_scheme(plan, {"weights": {"timeliness": 50, "completion": 60}})
    assert AuditEntry.objects.count() == audits
    assert AssessmentScheme.objects.get(plan=plan).config["weights"] == DEFAULT_CONFIG["weights"]


def test_model_clean_reports_the_problem(plan):
    from django.core.exceptions import ValidationError

    row = AssessmentScheme(plan=plan, config={"weights": {"timeliness": 10}})
    with pytest.raises(ValidationError, match="各项权重之和须为 100"):
        row.full_clean()
