"""`duban channel set UNIT [--email …] [--wecom URL] [--dingtalk URL [--dingtalk-secret S]]`, `duban channel list`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from duban.accounts.lookup import LookupProblem, get_region, get_unit
from duban.notify.actions import ChannelError, do_set_channels, email_recipients
from duban.notify.channels import public_url
from duban.notify.models import ChannelConfig


def _emails(values: list[str]) -> list[str]:
    """--email may repeat and each may hold several addresses separated by , ; or 、."""
    out = []
    for value in values:
        for sep in "；;、，":
            value = value.replace(sep, ",")
        out.extend(a.strip() for a in value.split(",") if a.strip())
    return out


class Command(BaseCommand):
    help = "单位通知渠道：邮箱、企业微信群机器人、钉钉群机器人（duban remind 按此发送提醒）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{set,list}")
        s = sub.add_parser("set", help="设置一个单位的通知渠道（未给出的项保持不变，给空值清除）")
        s.add_argument("unit", metavar="UNIT", help="单位，如 市发改委")
        s.add_argument("--region", help="地区，用于区分同名单位，如 邵阳市")
        s.add_argument("--email", action="append", help="邮箱，可重复或用逗号分隔；--email '' 清除")
        s.add_argument("--wecom", help="企业微信群机器人 webhook 地址")
        s.add_argument("--dingtalk", help="钉钉群机器人 webhook 地址")
        s.add_argument("--dingtalk-secret", help="钉钉机器人“加签”密钥（SEC 开头）")
        sub.add_parser("list", help="列出已设置通知渠道的单位")

    def handle(self, *args, action: str, **options):
        try:
            if action == "set":
                self._set(**options)
            else:
                self._list()
        except (ChannelError, LookupProblem) as e:
            raise CommandError(str(e)) from e

    def _set(self, unit, region=None, email=None, wecom=None, dingtalk=None, dingtalk_secret=None, **_):
        target = get_unit(unit, get_region(region))
        changes = {}
        if email is not None:
            changes["emails"] = _emails(email)
        for name, value in (("wecom", wecom), ("dingtalk", dingtalk), ("dingtalk_secret", dingtalk_secret)):
            if value is not None:
                changes[name] = value
        if not changes:
            raise CommandError("请至少给出一项：--email、--wecom、--dingtalk 或 --dingtalk-secret")
        config = do_set_channels(target, **changes)
        self.stdout.write(f"已设置 {target.region.name} {target.name} 的通知渠道：")
        self._show(config)

    def _show(self, config: ChannelConfig) -> None:
        emails = email_recipients(config.unit, config)
        self.stdout.write(f"  邮箱：{'、'.join(emails) or '-'}")
        self.stdout.write(f"  企业微信：{public_url(config.wecom_webhook) if config.wecom_webhook else '-'}")
        signed = "（加签）" if config.dingtalk_secret else ""
        self.stdout.write(
            f"  钉钉：{public_url(config.dingtalk_webhook) + signed if config.dingtalk_webhook else '-'}"
        )

    def _list(self) -> None:
        configs = ChannelConfig.objects.select_related("unit__region").order_by(
            "unit__region_id", "unit__name"
        )
        if not configs:
            self.stdout.write("尚未给任何单位设置通知渠道（站内消息总是发送）")
            return
        for config in configs:
            self.stdout.write(f"{config.unit.region.name} {config.unit.name}")
            self._show(config)
