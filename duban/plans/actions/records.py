"""Targets, task forces and cadences of an import: matched by key, updated in place, the vanished
ones deleted (or deactivated when other data points to them)."""

from __future__ import annotations

from duban.plans.actions.base import Tally, clip
from duban.plans.models import Cadence, CadenceItem, Plan, SourceDocument, Target, TaskForce, TaskForceMember
from duban.plans.units import UnitDirectory


def _sync_simple(
    model, plan: Plan, doc: SourceDocument, new: list, key, fields, tally: Tally, children=None, stored=None,
    soft=False,
):
    """Update records matched by ``key`` (in order), create the new ones, delete the vanished ones.

    ``children(obj, rec, created) -> bool`` writes related rows and says whether they changed;
    ``stored`` limits the records this sync owns (default: all of the plan's); ``soft``: vanished
    records are deactivated (``active=False``) and matched ones reactivated, for records that other
    data points to.
    """
    pool: dict = {}
    if stored is None:
        stored = (model.all_objects if soft else model.objects).filter(plan=plan)
    for obj in stored.order_by("-active" if soft else "order", "order", "id"):
        pool.setdefault(key(obj), []).append(obj)
    for order, rec in enumerate(new):
        values = {**fields(rec), "line": rec.line, "order": order, **({"active": True} if soft else {})}
        found = pool.get(key(values))
        obj = found.pop(0) if found else model(plan=plan, source_document=doc)
        created = obj.pk is None
        diff = [k for k, v in values.items() if getattr(obj, k) != v]
        for k, v in values.items():
            setattr(obj, k, v)
        obj.source_document = doc
        if created or diff:
            obj.save()
        kids = children(obj, rec, created) if children else False
        label = getattr(rec, "text", None) or getattr(rec, "name", "")
        if created:
            tally.added.append(label)
        elif kids or set(diff) - {"line", "order"}:
            tally.changed.append(label)
        else:
            tally.unchanged += 1
            tally.moved += bool(diff)
    for objs in pool.values():
        for obj in objs:
            if soft and not obj.active:
                continue  # removed by an earlier revision
            tally.removed.append(str(obj))
            if soft:
                obj.active = False
                obj.save(update_fields=["active"])
            else:
                obj.delete()


def _get(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def sync_targets(plan, doc, new, tally):
    _sync_simple(
        Target,
        plan,
        doc,
        new,
        key=lambda o: (_get(o, "indicator"), _get(o, "measure")),
        fields=lambda t: {
            "indicator": clip(Target, "indicator", t.indicator),
            "measure": clip(Target, "measure", t.measure),
            "value": float(t.value),
            "measure_unit": clip(Target, "measure_unit", t.unit),
            "qualifier": clip(Target, "qualifier", t.qualifier),
            "text": t.text,
        },
        tally=tally,
        soft=True,  # reported actual values (TargetActual) keep their target
    )


def sync_teams(plan, doc, new, directory: UnitDirectory, tally):
    units = directory.resolve(n for t in new for n in [*t.members, t.office_at or ""])

    def members(team: TaskForce, rec, created: bool) -> bool:
        rows = [(clip(TaskForceMember, "written_as", n), units[n].pk) for n in rec.members if n in units]
        old = [] if created else [(m.written_as, m.unit_id) for m in team.memberships.order_by("order")]
        if rows == old:
            return False
        team.memberships.all().delete()
        TaskForceMember.objects.bulk_create(
            TaskForceMember(task_force=team, written_as=n, unit_id=u, order=k)
            for k, (n, u) in enumerate(rows)
        )
        return not created

    _sync_simple(
        TaskForce,
        plan,
        doc,
        new,
        key=lambda o: _get(o, "name"),
        fields=lambda t: {
            "name": clip(TaskForce, "name", t.name),
            "convener": clip(TaskForce, "convener", t.convener),
            "deputy_conveners": list(t.deputy_conveners),
            "office_text": clip(TaskForce, "office_text", t.office_at),
            "office_unit": units.get(t.office_at or ""),
        },
        tally=tally,
        children=members,
    )


def sync_cadences(plan, doc, new, tally):
    """Only document cadences (文件) are replaced; the office's (手工, including document cadences
    edited by hand, which keep the wording they replaced) are never touched, and a document cadence
    the office removed stays removed."""
    replaced = set(
        Cadence.objects.filter(plan=plan, origin=Cadence.MANUAL).exclude(document_text="").values_list(
            "document_text", flat=True
        )
    )
    skipped = [c for c in new if c.text in replaced]
    tally.unchanged += len(skipped)
    new = [c for c in new if c.text not in replaced]

    def items(cadence: Cadence, rec, created: bool) -> bool:
        rows = [
            (clip(CadenceItem, "every", i.every), clip(CadenceItem, "action", i.action)) for i in rec.items
        ]
        old = [] if created else [(i.every, i.action) for i in cadence.items.order_by("order")]
        if rows == old:
            return False
        cadence.items.all().delete()
        CadenceItem.objects.bulk_create(
            CadenceItem(cadence=cadence, every=e, action=a, order=k) for k, (e, a) in enumerate(rows)
        )
        return not created

    _sync_simple(
        Cadence,
        plan,
        doc,
        new,
        key=lambda o: _get(o, "text"),
        fields=lambda c: {
            "text": c.text,
            "report_to": clip(Cadence, "report_to", c.report_to),
            "due": clip(Cadence, "due", c.due),
        },
        tally=tally,
        children=items,
        stored=Cadence.objects.filter(plan=plan, origin=Cadence.DOCUMENT),
    )
