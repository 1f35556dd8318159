"""Demo accounts (one per role) and a simulated reporting season, for `duban demo` only.

DEMO ONLY: the accounts share one published password (README); never run this on a real server.
Everything goes through the real actions (accounts.do_add_user, supervision.simulate), and running
it again changes nothing that is already there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Count

from duban.accounts.actions import Scope, do_add_user, do_set_role
from duban.accounts.roles import LEADER, OFFICE, PUBLIC, REPORTER, TASKFORCE, label
from duban.plans import clock
from duban.plans.models import Campaign, Region, Unit
from duban.plans.programmes import find_programme, programme_plans
from duban.supervision.simulate import simulate
from duban.tracking.models import ProgressReport

DEMO_PASSWORD = "Demo-Duban-2026"  # demo only: printed in the console and the README
DEMO_REGION = "邵阳市"  # sample 000, the largest plan
DEMO_CAMPAIGN = "科技创新攻坚仗"
DEMO_SHARES = (0.05, 0.10)  # silent, late units: a few red tasks, not a city in arrears


@dataclass
class DemoAccount:
    username: str
    role: str
    scope_text: str


def _region() -> Region | None:
    return Region.objects.filter(name=DEMO_REGION, plans__isnull=False).distinct().first()


def _campaign(region: Region | None) -> Campaign | None:
    qs = Campaign.objects.filter(name=DEMO_CAMPAIGN)
    return (qs.filter(region=region) if region else qs).first()


def demo_unit(campaign: Campaign | None) -> Unit | None:
    """The unit named on most active tasks of the demo campaign (a busy reporter)."""
    if campaign is None:
        return None
    return (
        Unit.objects.filter(
            is_group=False, assignments__task__plan__campaign=campaign, assignments__task__active=True
        )
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .first()
    )


@cache
def _demo_hash() -> str:
    """The demo password hashed once per process (argon2 takes a second; the accounts share it)."""
    return make_password(DEMO_PASSWORD)


def _ensure(username: str, role: str, scope: Scope, full_name: str) -> None:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = do_add_user(username, role, scope, full_name=full_name)  # no password yet
    else:
        do_set_role(user, role, scope)
    if user.password != _demo_hash():
        user.password = _demo_hash()  # DEMO_PASSWORD, already checked against the rules by the test
        user.save(update_fields=["password"])


def ensure_demo_accounts() -> list[DemoAccount]:
    """One account per role, scoped to the demo city; returns what was made (for the console)."""
    region = _region()
    campaign = _campaign(region)
    unit = demo_unit(campaign)
    wanted = [
        ("duchashi", OFFICE, Scope(region=region), "督查室（演示）", region.name if region else "全部"),
        ("lingdao", LEADER, Scope(region=region), "领导（演示）", region.name if region else "全部"),
    ]
    if campaign is not None:
        wanted.append(("zhuanban", TASKFORCE, Scope(campaign=campaign), "专班办公室（演示）", campaign.name))
    if unit is not None:
        wanted.append(("tianbao", REPORTER, Scope(unit=unit), "填报员（演示）", unit.name))
    wanted.append(("gongzhong", PUBLIC, Scope(), "公众（演示）", "公开进度页"))
    out = []
    for username, role, scope, full_name, scope_text in wanted:
        _ensure(username, role, scope, full_name)
        out.append(DemoAccount(username, role, scope_text))
    return out


def season(first: date, today: date) -> tuple[date, date]:
    """From the programme's first day to yesterday (today's items are left to report)."""
    return first, max(first, today - timedelta(days=1))


def ensure_demo_reports(today: date | None = None, say=None) -> str:
    """The demo city's programme played from its first day to yesterday (see :func:`season`): every
    unit reports on time (a reporting period ahead of plan), late (10%) or not at all (5%), the
    office checks every 旬, so the pages show a plausible half year (some work done, some lagging,
    a few red), not years of arrears.

    Returns a line for the console; ``say(line)`` gets a line per simulated month. Runs once:
    skipped when the programme already has reports.
    """

    today = today or clock.today()
    region = _region()
    programme = find_programme(region, today=today) if region else None
    if programme is None:
        return "未找到演示地区的年度工作，未生成模拟报送"
    if programme.period_start >= today:
        return f"{programme.name}：演示日期 {today} 尚未开始，未生成模拟报送"
    if ProgressReport.objects.filter(task__plan__source_document__programme=programme).exists():
        return f"{programme.name}：已有报送，跳过模拟"
    start, end = season(programme.period_start, today)
    plans = list(programme_plans(programme))
    if say is not None:
        say(f"{programme.name}：模拟 {start} 至 {end} 的报送与督办（每月一行）…")

    def month_done(day: date, played) -> None:
        if say is not None:
            say(f"  {day:%Y-%m}：累计报送 {played.submitted} 份，督办检查 {len(played.checks)} 次")

    played = simulate(plans, start, end, seed=1, progress=month_done, shares=DEMO_SHARES, ahead=True)
    return f"{programme.name}：模拟 {start} 至 {end} 的报送与督办，报送 {played.submitted} 份"


def console_lines(accounts: list[DemoAccount]) -> list[str]:
    lines = [f"演示账号（仅供演示，密码均为 {DEMO_PASSWORD}，切勿用于正式环境）："]
    lines += [f"  {a.username:<10} {label(a.role):<6} {a.scope_text}" for a in accounts]
    return lines
