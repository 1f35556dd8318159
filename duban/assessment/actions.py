"""State changes of the assessment app; each writes its rows and the audit entry in one transaction."""

from __future__ import annotations

from django.db import transaction

from duban.assessment.models import AssessmentScheme
from duban.assessment.scoring import Scheme
from duban.audit.trail import record


def do_set_scheme(plan, config: dict, *, actor=None) -> AssessmentScheme:
    """Set (or replace) a plan's scoring scheme. A bad config raises SchemeError and changes nothing."""
    clean = Scheme.from_config(config).to_config()  # validate before touching the database
    with transaction.atomic():
        row = AssessmentScheme.objects.select_for_update().filter(plan=plan).first()
        before = row.config if row else None
        if row is None:
            row = AssessmentScheme(plan=plan)
        row.config = clean
        row.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        row.save()
        record(
            "assessment.set_scheme",
            row,
            summary=f"设置考核方案：{plan.title}",
            before=before,
            after=clean,
            actor=actor,
        )
    return row


def scheme_for(plan) -> Scheme:
    """The plan's scheme, or the default one when none was set."""
    row = AssessmentScheme.objects.filter(plan=plan).first()
    return row.scheme if row else Scheme.from_config(None)
