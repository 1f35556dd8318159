"""Moving an imported file (its plans, tasks and unit links) to another region: a deliberate, audited act.

A document belongs to its region, and an import never moves one (:func:`duban.plans.actions.document_scope`).
When a file was filed under the wrong region, an office ABOVE that region (or a superuser) moves it
here: both regions must lie within the actor's own region, so a county can neither take a city's
plan nor a sibling county's, and cannot give its own away either. The units written in the file are
read again as units of the new region; the old region's units stay as they are (other plans use them).

A file on whose tasks work has been recorded (reports, 督办单, problems, 批示) is not moved: those
records name the old region's units and belong to its history.
"""

from __future__ import annotations

from django.db import transaction

from duban.accounts.permissions import is_superuser, may, profile_of, region_ids
from duban.accounts.roles import ADMINISTER
from duban.audit.trail import record
from duban.plans.actions import document_scope, link_plans_of
from duban.plans.models import (
    Plan,
    Programme,
    Region,
    SourceDocument,
    Task,
    TaskForce,
    TaskForceMember,
    TaskUnit,
)
from duban.plans.units import UnitDirectory
from duban.supervision.models import Instruction, Notice, Problem
from duban.tracking.models import ProgressReport


class MoveError(Exception):
    """A move refused: the message (Chinese) says why; nothing was changed."""


def may_move(user, source: Region | None, target: Region) -> bool:
    """Superuser, or the 督查室 of a region strictly above ``source`` whose region also holds ``target``."""
    if is_superuser(user):
        return True
    profile = profile_of(user)
    if profile is None or not may(user, ADMINISTER) or profile.region is None or source is None:
        return False
    ids = region_ids(profile.region)
    return source.pk != profile.region.pk and source.pk in ids and target.pk in ids


def _worked_on(tasks) -> str:
    """The first kind of recorded work on ``tasks`` ('' when none)."""

    for model, word in ((ProgressReport, "进展填报"), (Notice, "督办单"), (Problem, "问题"), (Instruction, "批示")):
        if model.objects.filter(task__in=tasks).exists():
            return word
    return ""


def _programme_in(target: Region, programme: Programme | None) -> Programme | None:
    """The target region's programme of the same years (unsaved when it has none yet)."""
    if programme is None:
        return None
    found = Programme.objects.filter(
        region=target, start_year=programme.start_year, end_year=programme.end_year
    ).first()
    if found is not None:
        return found
    source = programme.region.name
    name = programme.name.replace(source, target.name, 1) if source in programme.name else programme.name
    return Programme(
        region=target, name=name[:120], start_year=programme.start_year, end_year=programme.end_year,
        period_start=programme.period_start, period_end=programme.period_end, issued=programme.issued,
        year_evidence=programme.year_evidence,
    )  # fmt: skip


def do_move_document(doc: SourceDocument, target: Region, *, actor=None, actor_name: str = "") -> dict:
    """Move ``doc`` with all its plans to ``target``; returns counts. Raises MoveError (nothing changed)."""
    source = doc.region
    if source is not None and source.pk == target.pk:
        raise MoveError(f"该文件已属于{target.name}")
    if actor is not None and not may_move(actor, source, target):
        raise MoveError("只有原地区和目标地区共同的上级督查室（或系统管理员）可以移动方案")
    tasks = Task.objects.filter(plan__source_document=doc)
    worked = _worked_on(tasks)
    if worked:
        raise MoveError(f"该文件的任务已有{worked}记录，不能移动到其他地区；请在原地区继续办理")
    programme = _programme_in(target, doc.programme)
    if programme is not None and programme.pk is not None and (
        document_scope(target, programme).filter(sha256=doc.sha256).exists()
    ):
        raise MoveError(f"{target.name}已导入同一文件，不能再移入")
    with transaction.atomic():
        units = UnitDirectory(target)
        links = list(TaskUnit.objects.filter(task__in=tasks).select_related("unit"))
        members = list(TaskForceMember.objects.filter(task_force__plan__source_document=doc).select_related("unit"))
        teams = list(TaskForce.objects.filter(plan__source_document=doc, office_unit__isnull=False)
                     .select_related("office_unit"))
        names = [r.written_as or r.unit.name for r in (*links, *members)] + [t.office_unit.name for t in teams]
        new = units.resolve(names)
        for row in (*links, *members):
            row.unit = new[row.written_as or row.unit.name]
        TaskUnit.objects.bulk_update(links, ["unit"])
        TaskForceMember.objects.bulk_update(members, ["unit"])
        for team in teams:
            team.office_unit = new[team.office_unit.name]
        TaskForce.objects.bulk_update(teams, ["office_unit"])
        plans = list(Plan.objects.filter(source_document=doc).order_by("order"))
        Plan.objects.filter(source_document=doc).update(region=target, campaign=None)
        if programme is not None and programme.pk is None:
            programme.save()
        doc.region, doc.programme = target, programme
        doc.save(update_fields=["region", "programme"])

        link_plans_of(doc, [p for p in plans if p.active])
        counts = {"plans": len(plans), "tasks": tasks.count(), "unit_links": len(links) + len(members)}
        record(
            "move_document",
            doc,
            summary=f"{doc.file_name}：从{source.name if source else '（无地区）'}移至{target.name}",
            before={"region": source.name if source else None, "region_id": source.pk if source else None},
            after={"region": target.name, "region_id": target.pk, **counts},
            actor=actor,
            actor_name=actor_name,
        )
    return counts
