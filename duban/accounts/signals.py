"""Audit entries for every change to an account or to the plan structure, however it is made
(command, admin, shell).

Django's own save paths (admin forms, ``createsuperuser``, ``set_password``) bypass our actions,
so the trail is written from model signals: the row as it was is read in ``pre_save`` and
compared in ``post_save``. Logins (which only touch ``last_login``) are not changes.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from duban.accounts.audit import STRUCTURE_CHANGED, open_structure_change, record
from duban.accounts.models import UserProfile
from duban.accounts.roles import label
from duban.plans import models as plans

# the plan structure: what the STRUCTURE-versioned cached values are derived from
STRUCTURE_MODELS = (
    plans.Region, plans.Programme, plans.Unit, plans.UnitAlias, plans.Campaign, plans.Plan, plans.Target,
    plans.TaskForce, plans.TaskForceMember, plans.Cadence, plans.CadenceItem, plans.Task, plans.TaskUnit,
)  # fmt: skip

User = get_user_model()

USER_FIELDS = {
    "username": "用户名",
    "first_name": "姓名",
    "last_name": "姓",
    "email": "邮箱",
    "is_active": "启用",
    "is_staff": "可登录管理后台",
    "is_superuser": "超级用户",
}
PASSWORD_CHANGED = "（已修改）"
_BEFORE = "_duban_audit_before"
_quiet_groups: ContextVar[bool] = ContextVar("duban_quiet_groups", default=False)


def user_snapshot(user) -> dict:
    """The audited fields of a user (never the password hash)."""
    return {f: getattr(user, f) for f in USER_FIELDS}


def profile_snapshot(profile: UserProfile | None) -> dict:
    """Role and scope by name, readable in the trail even after a unit is renamed."""
    if profile is None:
        return {"role": None, "unit": None, "region": None, "campaign": None}
    return {
        "role": label(profile.role),
        "unit": profile.unit.name if profile.unit_id else None,
        "region": profile.region.name if profile.region_id else None,
        "campaign": profile.campaign.name if profile.campaign_id else None,
    }


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _shown(value) -> str:
    if value is None or value == "":
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _describe(before: dict, after: dict, names: dict) -> str:
    return "；".join(f"{names.get(k, k)}：{_shown(before.get(k))} → {_shown(after[k])}" for k in after)


@contextmanager
def quiet_group_sync():
    """Group changes made by role synchronisation are part of the role change already audited."""
    token = _quiet_groups.set(True)
    try:
        yield
    finally:
        _quiet_groups.reset(token)


def _remember_user(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = User.objects.filter(pk=instance.pk).first()
    if old is not None:
        setattr(instance, _BEFORE, {**user_snapshot(old), "password": old.password})


def _record_user(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and set(update_fields) <= {"last_login"}):
        return
    name = instance.get_username()
    after = user_snapshot(instance)
    if created or not hasattr(instance, _BEFORE):
        record("account.create", instance, summary=f"新建账号 {name}", after=after)
        return
    old = getattr(instance, _BEFORE)
    delattr(instance, _BEFORE)
    before, changed = _changes(old, after)
    if old["password"] != instance.password:
        before["password"], changed["password"] = "", PASSWORD_CHANGED
    if not changed:
        return
    if set(changed) == {"is_active"}:
        action = "account.activate" if instance.is_active else "account.deactivate"
        summary = f"{'启用' if instance.is_active else '停用'}账号 {name}"
    elif set(changed) == {"password"}:
        action, summary = "account.password", f"修改账号 {name} 的密码"
    else:
        action = "account.update"
        summary = f"修改账号 {name}：{_describe(before, changed, {**USER_FIELDS, 'password': '密码'})}"
    record(action, instance, summary=summary, before=before, after=changed)


def _record_user_deleted(sender, instance, **kwargs):
    record(
        "account.delete",
        instance,
        summary=f"删除账号 {instance.get_username()}",
        before=user_snapshot(instance),
    )


def _remember_profile(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = UserProfile.objects.select_related("unit", "region", "campaign").filter(pk=instance.pk).first()
    setattr(instance, _BEFORE, profile_snapshot(old))


def _record_profile(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = getattr(instance, _BEFORE, profile_snapshot(None))
    if hasattr(instance, _BEFORE):
        delattr(instance, _BEFORE)
    before, changed = _changes(old, profile_snapshot(instance))
    if not changed:
        return
    names = {"role": "角色", "unit": "单位", "region": "地区", "campaign": "仗（行动）"}
    user = instance.user
    record(
        "account.role",
        user,
        summary=f"账号 {user.get_username()} 的角色：{_describe(before, changed, names)}",
        before=before,
        after=changed,
    )


def _record_groups(sender, instance, action, pk_set, reverse=False, **kwargs):
    if _quiet_groups.get() or reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    from django.contrib.auth.models import Group

    names = sorted(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    word = {"post_add": "加入", "post_remove": "移出", "post_clear": "清空"}[action]
    record(
        "account.groups",
        instance,
        summary=f"账号 {instance.get_username()} {word}用户组 {'、'.join(names)}".rstrip(),
        after={"groups": sorted(instance.groups.values_list("name", flat=True))},
    )


def _structure_changed(sender, instance, raw=False, **kwargs):
    """A plan, task, unit … saved or deleted outside an action (the admin, a lazily created unit):
    one entry per transaction, which moves the structure version; an action's own entry replaces it."""
    if raw or open_structure_change() is not None:
        return
    record(STRUCTURE_CHANGED, instance, summary=f"直接修改{instance._meta.verbose_name}（管理后台或程序）")


def connect() -> None:
    """Called once from AccountsConfig.ready()."""
    uid = "duban.accounts.audit"
    pre_save.connect(_remember_user, sender=User, dispatch_uid=f"{uid}.user.pre")
    post_save.connect(_record_user, sender=User, dispatch_uid=f"{uid}.user.post")
    post_delete.connect(_record_user_deleted, sender=User, dispatch_uid=f"{uid}.user.delete")
    pre_save.connect(_remember_profile, sender=UserProfile, dispatch_uid=f"{uid}.profile.pre")
    post_save.connect(_record_profile, sender=UserProfile, dispatch_uid=f"{uid}.profile.post")
    m2m_changed.connect(_record_groups, sender=User.groups.through, dispatch_uid=f"{uid}.groups")
    for model in STRUCTURE_MODELS:
        post_save.connect(_structure_changed, sender=model, dispatch_uid=f"{uid}.structure.{model.__name__}")
        post_delete.connect(_structure_changed, sender=model, dispatch_uid=f"{uid}.structure.{model.__name__}.delete")
