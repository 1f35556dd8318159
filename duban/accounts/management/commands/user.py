"""`duban user add|list|set-role|disable|enable`: accounts and their roles from the command line."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from duban.accounts.actions import AccountError, Scope, do_add_user, do_set_active, do_set_role
from duban.accounts.lookup import LookupProblem, get_campaign, get_region, get_unit, get_user
from duban.accounts.models import UserProfile
from duban.accounts.roles import ROLES, RoleError, label, parse_role

ROLE_HELP = "角色：" + "、".join(r.label for r in ROLES.values())


def _scope_arguments(parser) -> None:
    parser.add_argument("--role", required=True, help=ROLE_HELP)
    parser.add_argument("--unit", help="单位（单位填报员必填），如 市发改委")
    parser.add_argument("--region", help="地区，如 邵阳市：督查室、领导的范围；也用于区分同名单位")
    parser.add_argument("--campaign", help="仗（行动）（专班办公室必填），如 经济增长主动仗")


def _describe_scope(profile: UserProfile | None) -> str:
    if profile is None:
        return "-"
    parts = [p.name for p in (profile.region, profile.campaign, profile.unit) if p is not None]
    return " / ".join(parts) or "全部"


class Command(BaseCommand):
    help = "账号管理：新建账号并指定角色、列出账号、修改角色、停用/启用账号"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{add,list,set-role,disable,enable}"
        )
        add = sub.add_parser("add", help="新建账号")
        add.add_argument("username", metavar="NAME", help="用户名（登录名）")
        _scope_arguments(add)
        add.add_argument("--email", default="", help="邮箱（提醒邮件也发到这里）")
        add.add_argument("--full-name", default="", help="姓名")
        add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
        lst = sub.add_parser("list", help="列出账号")
        lst.add_argument("--role", help=ROLE_HELP)
        setrole = sub.add_parser("set-role", help="修改角色和范围")
        setrole.add_argument("username", metavar="NAME")
        _scope_arguments(setrole)
        for name, text in (("disable", "停用账号（不删除）"), ("enable", "重新启用账号")):
            sub.add_parser(name, help=text).add_argument("username", metavar="NAME")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except (AccountError, LookupProblem, RoleError) as e:
            raise CommandError(str(e)) from e

    def _scope(self, role: str, unit=None, region=None, campaign=None, **_) -> Scope:
        region_obj = get_region(region)
        return Scope(
            unit=get_unit(unit, region_obj) if unit else None,
            region=region_obj,
            campaign=get_campaign(campaign, region_obj) if campaign else None,
        )

    def _add(self, username, role, password_stdin=False, email="", full_name="", **options):
        role = parse_role(role)
        scope = self._scope(role, **options)
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("标准输入中没有密码")
        user = do_add_user(username, role, scope, password=password, email=email, full_name=full_name)
        self.stdout.write(f"已新建账号 {user.username}（{label(role)}：{_describe_scope(user.profile)}）")
        if not password:
            self.stdout.write("该账号尚未设置密码，无法登录；可用 duban changepassword " + user.username)

    def _set_role(self, username, role, **options):
        user = get_user(username)
        role = parse_role(role)
        profile = do_set_role(user, role, self._scope(role, **options))
        self.stdout.write(f"账号 {user.username} 现为 {label(role)}：{_describe_scope(profile)}")

    def _disable(self, username, **_):
        user = get_user(username)
        changed = do_set_active(user, False)
        self.stdout.write(f"已停用账号 {username}" if changed else f"账号 {username} 本已停用")

    def _enable(self, username, **_):
        user = get_user(username)
        changed = do_set_active(user, True)
        self.stdout.write(f"已启用账号 {username}" if changed else f"账号 {username} 本已启用")

    def _list(self, role=None, **_):
        users = get_user_model().objects.order_by("username")
        profiles = {p.user_id: p for p in UserProfile.objects.select_related("unit", "region", "campaign")}
        wanted = parse_role(role) if role else None
        rows = []
        for user in users:
            profile = profiles.get(user.pk)
            user_role = profile.role if profile else None
            if wanted and user_role != wanted:
                continue
            shown = label(user_role) + ("（超级用户）" if user.is_superuser else "")
            rows.append(
                (user.username, shown, _describe_scope(profile), "启用" if user.is_active else "停用")
            )
        if not rows:
            self.stdout.write("没有账号")
            return
        self.stdout.write(f"{'用户名':<16}{'角色':<12}{'状态':<6}范围")
        for name, shown, scope, state in rows:
            self.stdout.write(f"{name:<16}{shown:<12}{state:<6}{scope}")
