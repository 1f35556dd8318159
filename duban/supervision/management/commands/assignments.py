"""`duban assignments`: 督办事项 — list, 交办 (create), 签收 (sign), 退回 a report (return)."""

from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from duban.plans.models import Campaign
from duban.plans.periods import KINDS, to_local
from duban.plans.regions import find_region
from duban.supervision.actions import SupervisionError
from duban.supervision.assignments import (
    SOURCES,
    do_create_assignment,
    do_return_report,
    do_sign_assignment,
)
from duban.supervision.models import Assignment
from duban.tracking.lookup import TaskLookupError, find_task, find_task_unit
from duban.tracking.models import ProgressReport


def _assignment(arg: str) -> Assignment:
    try:
        task = find_task(arg)
    except TaskLookupError as e:
        raise CommandError(str(e)) from None
    found = Assignment.objects.filter(task=task).select_related("task").first()
    if found is None:
        raise CommandError(f"任务 #{task.pk} 不是督办事项")
    return found


def assignment_json(a: Assignment) -> dict:
    rows = sorted(a.task.assignments.all(), key=lambda x: x.order)
    signed = {r.unit_id: r for r in a.receipts.all()}
    return {
        "task": a.task_id,
        "title": a.task.title,
        "source": a.source,
        "source_ref": a.source_ref,
        "region": a.region.name,
        "campaign": a.campaign.name if a.campaign_id else None,
        "due": a.due_date.isoformat(),
        "every": a.every,
        "by": a.created_by_name,
        "at": to_local(a.created_at).isoformat(),
        "units": [
            {
                "name": x.unit.name,
                "role": x.get_role_display(),
                "signed_at": to_local(signed[x.unit_id].at).isoformat() if x.unit_id in signed else None,
            }
            for x in rows
        ],
    }


class Command(BaseCommand):
    help = "督办事项：list 列出、create 交办、sign 签收、return 退回报送"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        ls = sub.add_parser("list", help="列出督办事项")
        ls.add_argument("--region", help="地区名（默认全部）")
        ls.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")
        new = sub.add_parser("create", help="交办一项督办事项")
        new.add_argument("region", help="地区名，如 邵阳市")
        new.add_argument("title", help="督办事项标题")
        new.add_argument("--source", required=True, choices=SOURCES, help="来源")
        new.add_argument("--lead", required=True, help="牵头单位（规范名称或别名）")
        new.add_argument("--co", action="append", default=[], help="责任/配合单位，可重复")
        new.add_argument("--due", required=True, help="办结时限，如 2026-12-31")
        new.add_argument("--every", default="月", choices=KINDS, help="报送周期（默认 月）")
        new.add_argument("--ref", default="", help="来源说明：会议名称、批示人、文号")
        new.add_argument("--text", default="", help="督办要求全文")
        new.add_argument("--campaign", help="仗 / 行动名称（专班交办时）")
        new.add_argument("--json", dest="as_json", action="store_true", help="输出 JSON")
        sign = sub.add_parser("sign", help="承办单位签收")
        sign.add_argument("task", help="督办事项的任务编号或标识")
        sign.add_argument("--unit", required=True, help="签收单位")
        ret = sub.add_parser("return", help="退回一份报送")
        ret.add_argument("report", type=int, help="报送编号")
        ret.add_argument("--reason", required=True, help="退回理由")

    def handle(self, *args, what, **o):
        try:
            getattr(self, f"_{what}")(**o)
        except (SupervisionError, PermissionDenied) as e:
            raise CommandError(f"未执行，数据库未改动：{e}") from None

    def _list(self, region=None, as_json=False, **_):
        rows = Assignment.objects.select_related("task", "region", "campaign").prefetch_related(
            "task__assignments__unit", "receipts"
        )
        if region:
            found = find_region(region)
            if found is None:
                raise CommandError(f"找不到地区“{region}”")
            rows = rows.filter(region=found)
        data = [assignment_json(a) for a in rows]
        if as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"督办事项 {len(data)} 项：")
        for a in data:
            units = "、".join(f"{u['name']}{'（已签收）' if u['signed_at'] else '（未签收）'}" for u in a["units"])
            self.stdout.write(f"  #{a['task']:<6} 【{a['source']}】{a['title'][:30]}  时限 {a['due']}  每{a['every']}报送")
            self.stdout.write(f"         {units}")

    def _create(self, region, title, source, lead, co, due, every, ref, text, campaign=None, as_json=False, **_):
        found = find_region(region)
        if found is None:
            raise CommandError(f"找不到地区“{region}”")
        try:
            day = date.fromisoformat(due)
        except ValueError:
            raise CommandError(f"日期“{due}”无效，应写作 2026-12-31") from None
        camp = None
        if campaign:
            camp = Campaign.objects.filter(region=found, name=campaign).first()
            if camp is None:
                raise CommandError(f"{found.name}没有名为“{campaign}”的仗 / 行动")
        a = do_create_assignment(
            found, title=title, source=source, lead=lead, co=co, due=day, every=every, source_ref=ref,
            text=text, campaign=camp,
        )  # fmt: skip
        if as_json:
            self.stdout.write(json.dumps(assignment_json(a), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(f"已交办：任务 #{a.task_id}（{a.task.plan.title}），时限 {a.task.deadline}")

    def _sign(self, task, unit, **_):
        a = _assignment(task)
        try:
            found = find_task_unit(a.task, unit)
        except TaskLookupError as e:
            raise CommandError(str(e)) from None
        do_sign_assignment(a, unit=found)
        self.stdout.write(f"{found.name} 已签收督办事项 #{a.task_id}")

    def _return(self, report, reason, **_):
        found = ProgressReport.objects.select_related("unit", "task").filter(pk=report).first()
        if found is None:
            raise CommandError(f"找不到报送 #{report}")
        do_return_report(found, reason)
        self.stdout.write(f"已退回 {found.unit.name} {found.period} 第{found.version}版报送")
