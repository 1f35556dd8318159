"""The office's corrections of units: merging two spellings found to be one unit, adding an alias.
Each is one transaction with an audit entry."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from duban.audit.trail import record
from duban.ingest.text import norm_key
from duban.plans.models import TaskForceMember, TaskUnit, Unit, UnitAlias


class UnitError(ValueError):
    """A unit change that cannot be made; the message (Chinese) says why. Nothing was changed."""


def _unit_references():
    """Every (model, field name) holding a foreign key to Unit, hidden ones (related_name='+') too."""
    for rel in Unit._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete and not rel.many_to_many:
            if rel.related_model is not UnitAlias:
                yield rel.related_model, rel.field.name


def do_merge_units(source: Unit, target: Unit, *, actor=None) -> dict[str, int]:
    """Merge ``source`` into ``target`` (two spellings found to be one unit): every record that
    names ``source`` — task assignments, reports, notices, problems, accounts … — now names
    ``target``; its name and aliases become aliases of ``target``, which is marked 人工确认 so
    later imports keep it. Returns {model label: rows moved}. One transaction, audited."""
    if source.pk == target.pk:
        raise UnitError("不能把单位合并到它自己")
    if source.region_id != target.region_id:
        raise UnitError(f"只能合并同一地区的单位：“{source.name}”与“{target.name}”不在同一地区")
    if source.is_group != target.is_group:
        raise UnitError("泛指单位（如 各县市区人民政府）不能与具体单位合并")
    moved: dict[str, int] = {}
    label = ""
    try:
        with transaction.atomic():
            _drop_duplicate_assignments(source, target)
            for model, name in _unit_references():
                label = str(model._meta.verbose_name)
                n = model._base_manager.filter(**{name: source}).update(**{name: target})
                if n:
                    moved[label] = moved.get(label, 0) + n
            aliases = [a.name for a in UnitAlias.objects.filter(unit=source)]
            UnitAlias.objects.filter(unit=source).update(unit=target, origin=UnitAlias.MANUAL)
            before = {"source": {"id": source.pk, "name": source.name, "aliases": aliases}}
            name = source.name
            source.delete()
            UnitAlias.objects.create(
                region_id=target.region_id, name=name, unit=target, origin=UnitAlias.MANUAL
            )
            target.confirmed = True
            target.save(update_fields=["confirmed"])
            record(
                "unit.merge",
                target,
                summary=f"单位“{name}”并入“{target.name}”："
                + "、".join(f"{k} {v}" for k, v in moved.items()),
                before=before,
                after={"target": target.pk, "moved": moved},
                actor=actor,
            )
    except IntegrityError as e:
        raise UnitError(
            f"不能合并：两个单位在“{label}”中有相互冲突的记录（如同一任务同一期间都有报送），请先处理"
        ) from e
    return moved


def _drop_duplicate_assignments(source: Unit, target: Unit) -> None:
    """A task or notice naming both units keeps one row: the target's (as lead if either led)."""
    both = TaskUnit.objects.filter(unit=source, task__assignments__unit=target)
    for row in both.select_related(None):
        kept = TaskUnit.objects.get(task_id=row.task_id, unit=target)
        if row.role == TaskUnit.LEAD and kept.role != TaskUnit.LEAD:
            kept.role = TaskUnit.LEAD
            kept.save(update_fields=["role"])
        row.delete()
    TaskForceMember.objects.filter(unit=source, task_force__memberships__unit=target).delete()
    for model, name in _unit_references():
        if model._meta.auto_created:  # a plain many-to-many table (督办单位): drop the doubles
            owner = next(f.name for f in model._meta.fields if f.is_relation and f.name != name)
            taken = model._base_manager.filter(**{name: target}).values(owner)
            model._base_manager.filter(**{name: source, f"{owner}__in": taken}).delete()


@transaction.atomic
def do_add_alias(unit: Unit, name: str, *, actor=None) -> UnitAlias:
    """Record ``name`` as another spelling of ``unit`` (manual alias, audited)."""
    key = norm_key(name or "")
    if not key:
        raise UnitError("别名不能为空")
    taken = UnitAlias.objects.filter(region_id=unit.region_id, name=key).select_related("unit").first()
    if taken:
        raise UnitError(f"“{key}”已是“{taken.unit.name}”的别名")
    if Unit.objects.filter(region_id=unit.region_id, name=key).exists():
        raise UnitError(f"“{key}”已是一个单位的规范名称；如是同一单位，请用合并")
    alias = UnitAlias.objects.create(region_id=unit.region_id, name=key, unit=unit, origin=UnitAlias.MANUAL)
    record("unit.alias", unit, summary=f"单位“{unit.name}”新增别名“{key}”", after={"alias": key}, actor=actor)
    return alias
