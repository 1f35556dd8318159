"""Account changes: create an account with its role, change the role, disable and enable.

Each runs in one transaction. The audit entries are written by :mod:`duban.accounts.signals`
inside that transaction (the same code path as admin and shell changes, so no change escapes the
trail and none is recorded twice). A role is mirrored as the Django group of its Chinese name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from duban.accounts import permissions
from duban.accounts.models import UserProfile
from duban.accounts.roles import REGION, ROLES, label
from duban.accounts.signals import quiet_group_sync
from duban.plans.models import Campaign, Region, Unit

User = get_user_model()


class AccountError(ValueError):
    """A change that cannot be made; the message (Chinese) names the problem."""


@dataclass(frozen=True)
class Scope:
    """What a role applies to: a reporter's unit, a task-force office's campaign, a region."""

    unit: Unit | None = None
    region: Region | None = None
    campaign: Campaign | None = None


_FIELD_NAMES = {"unit": "单位（--unit）", "region": "地区（--region）", "campaign": "仗/行动（--campaign）"}


def check_scope(role: str, scope: Scope) -> None:
    """The scope must fit the role: required parts present, foreign parts absent, parts agreeing."""
    allowed = ROLES[role].fields
    required = ROLES[role].required
    if required and getattr(scope, required) is None:
        raise AccountError(f"角色“{label(role)}”必须指定{_FIELD_NAMES[required]}")
    for name in ("unit", "campaign", "region"):
        if getattr(scope, name) is not None and name not in allowed:
            raise AccountError(f"角色“{label(role)}”不需要指定{_FIELD_NAMES[name]}")
    for part in (scope.unit, scope.campaign):
        if part is not None and scope.region is not None and part.region_id != scope.region.pk:
            raise AccountError(f"“{part.name}”不属于{scope.region.name}")


def _sync_group(user, role: str | None) -> None:
    """The user is in the group of its role and in no other role's group."""
    with quiet_group_sync():
        others = Group.objects.filter(name__in=[r.label for r in ROLES.values() if r.key != role])
        user.groups.remove(*others)
        if role is not None:
            group, _ = Group.objects.get_or_create(name=ROLES[role].label)
            user.groups.add(group)


def _save_profile(user, role: str, scope: Scope) -> UserProfile:
    profile = UserProfile.objects.filter(user=user).first() or UserProfile(user=user)
    profile.role = role
    profile.unit = scope.unit
    profile.campaign = scope.campaign
    # a reporter's and a task-force office's region follow their unit / campaign (model save)
    profile.region = scope.region if ROLES[role].scope == REGION else None
    try:
        profile.full_clean(exclude=["user"])
    except ValidationError as e:
        raise AccountError("；".join(m for ms in e.message_dict.values() for m in ms)) from e
    profile.save()
    _sync_group(user, role)
    permissions.forget(user)
    return profile


@transaction.atomic
def do_add_user(
    username: str,
    role: str,
    scope: Scope = Scope(),
    *,
    password: str | None = None,
    email: str = "",
    full_name: str = "",
):
    """Create an active account with ``role``; without a password it cannot log in until one is set."""
    username = (username or "").strip()
    if not username:
        raise AccountError("请指定用户名")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"账号“{username}”已存在；改角色请用 duban user set-role")
    try:
        User.username_validator(username)
    except ValidationError as e:
        raise AccountError(f"用户名“{username}”不合法：只能用文字、数字和 @ . + - _") from e
    check_scope(role, scope)
    user = User(username=username, email=email, first_name=full_name)
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    _save_profile(user, role, scope)
    return user


@transaction.atomic
def do_set_role(user, role: str, scope: Scope = Scope()) -> UserProfile:
    """Give ``user`` a new role and scope (the old one is replaced, not added to)."""
    check_scope(role, scope)
    return _save_profile(user, role, scope)


@transaction.atomic
def do_set_active(user, active: bool) -> bool:
    """Disable (or enable again) an account; returns False when it already was so.

    Accounts are disabled, never deleted: the audit trail and reports keep pointing at them.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    return True


def _check_password(password: str, user) -> None:
    """The project's password rules (settings.AUTH_PASSWORD_VALIDATORS), in Chinese."""
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise AccountError("密码不合要求：" + "；".join(e.messages)) from e
