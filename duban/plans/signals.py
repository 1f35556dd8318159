"""An audit entry for every change to the plan structure made outside an action (the admin, a lazily
created unit): the newest structural audit entry versions the values derived from the structure
(``duban.audit.cache.STRUCTURE``), so such a change must write one too."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from duban.audit.trail import STRUCTURE_CHANGED, open_structure_change, record, touch_structure_change
from duban.plans import models as m

# the plan structure: what the STRUCTURE-versioned cached values are derived from
STRUCTURE_MODELS = (
    m.Region, m.Programme, m.Unit, m.UnitAlias, m.Campaign, m.Plan, m.Target, m.TaskForce, m.TaskForceMember,
    m.Cadence, m.CadenceItem, m.Task, m.TaskUnit,
)  # fmt: skip


def _structure_changed(sender, instance, raw=False, **kwargs):
    """One entry per transaction, which every change moves (its time is part of the structure version);
    an action's own entry replaces it."""
    if raw:
        return
    opened = open_structure_change()
    if opened is not None:
        touch_structure_change(opened)
        return
    record(STRUCTURE_CHANGED, instance, summary=f"直接修改{instance._meta.verbose_name}（管理后台或程序）")


def connect() -> None:
    """Called once from PlansConfig.ready()."""
    for model in STRUCTURE_MODELS:
        uid = f"duban.plans.signals.{model.__name__}"
        post_save.connect(_structure_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(_structure_changed, sender=model, dispatch_uid=f"{uid}.delete")
