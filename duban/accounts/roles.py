"""The roles of duban, each declared once in :data:`ROLES`: name, scope, what it may do, home page.

A role is stored on :class:`~duban.accounts.models.UserProfile` and mirrored as a Django group of
the same Chinese name, so the admin shows it and model permissions can hang on it. Everything that
depends on a role reads its entry — the permission helpers (:mod:`duban.accounts.permissions`) its
scope and actions, the guards and the menu its actions, ``/`` its home page, account creation its
scope fields — so a new role is one :class:`Role` entry (docs/DESIGN.md, “Where to add a role”).
"""

from __future__ import annotations

from dataclasses import dataclass

from duban.ingest.text import norm_key

OFFICE = "office"  # 督查室: runs the system, sees everything (of its region)
TASKFORCE = "taskforce"  # 专班办公室: sees and supervises its campaign
REPORTER = "reporter"  # 单位填报员: sees and reports its own unit's tasks
LEADER = "leader"  # 领导: reads, writes 批示
PUBLIC = "public"  # 公众: the read-only public progress page only

# scopes: what a role's account is bound to, and so which tasks it sees
REGION = "region"  # the tasks of its region and the regions below (all without a region)
CAMPAIGN = "campaign"  # the tasks of its 仗 / 行动
UNIT = "unit"  # the tasks its unit is named on (or stands in for, as a member of a group unit)

# actions: what a role may do on the tasks of its scope, and the pages that go with it
WORK = "work"  # the workbench: 方案, 报送日历, 督办事项, 督办单, 问题清单
OVERSEE = "oversee"  # whole plans: 调度台, 下载 (briefs and exports), 考核, 方案对照 and 下级汇总
REPORT = "report"  # 进展报送: its unit's tasks, or (a region's role) on behalf of the region's units
INSTRUCT = "instruct"  # 领导批示
SUPERVISE = "supervise"  # 督办: 督办单 / 提示单, 督办事项 (交办), problems
RECEIVE_PROMPTS = "receive_prompts"  # 签收 and answer the 提示单 addressed to leaders
ADMINISTER = "administer"  # 导入方案, 单位, 账号 and audit trail, 督办检查, assigning units, moving plans
ACTIONS = (WORK, OVERSEE, REPORT, INSTRUCT, SUPERVISE, RECEIVE_PROMPTS, ADMINISTER)


@dataclass(frozen=True)
class Role:
    key: str  # stored on the profile
    label: str  # its Chinese name, and its Django group
    scope: str | None  # REGION | CAMPAIGN | UNIT | None (no tasks)
    may: frozenset[str]  # actions
    home: str  # URL name of the page ``/`` shows it
    words: tuple[str, ...] = ()  # other words a command line may use for it

    @property
    def fields(self) -> tuple[str, ...]:
        """The scope fields its account takes; the first is required (a unit, a campaign), and the
        region of a unit's or a campaign's account follows them."""
        return {REGION: (REGION,), CAMPAIGN: (CAMPAIGN, REGION), UNIT: (UNIT, REGION), None: ()}[self.scope]

    @property
    def required(self) -> str | None:
        return self.scope if self.scope in (CAMPAIGN, UNIT) else None


ROLES = {
    r.key: r
    for r in (
        Role(OFFICE, "督查室", REGION, frozenset({WORK, OVERSEE, REPORT, INSTRUCT, SUPERVISE, ADMINISTER}),
             "ui:dashboard", ("督查室管理员", "管理员", "督查")),
        Role(TASKFORCE, "专班办公室", CAMPAIGN, frozenset({WORK, OVERSEE, SUPERVISE}), "ui:dashboard",
             ("专班", "工作专班", "专班办")),
        Role(REPORTER, "单位填报员", UNIT, frozenset({WORK, REPORT}), "ui:report_home", ("填报员", "单位", "责任单位")),
        Role(LEADER, "领导", REGION, frozenset({WORK, OVERSEE, INSTRUCT, RECEIVE_PROMPTS}), "ui:leader",
             ("责任领导", "分管领导")),
        Role(PUBLIC, "公众", None, frozenset(), "ui:public", ("公开", "访客")),
    )
}  # fmt: skip
CHOICES = [(r.key, r.label) for r in ROLES.values()]  # the profile's field choices


class RoleError(ValueError):
    """A role word that names no role."""


def parse_role(word: str) -> str:
    """The role key for a Chinese or English role word ('单位填报员', '填报员', 'reporter')."""
    wanted = norm_key(word or "").lower()
    for r in ROLES.values():
        if wanted in {norm_key(w) for w in (r.key, r.label, *r.words)}:
            return r.key
    raise RoleError(f"未知角色“{word}”，可用：{'、'.join(r.label for r in ROLES.values())}")


def label(role: str | None) -> str:
    entry = ROLES.get(role or "")
    return entry.label if entry else "无角色"


def roles_that(action: str) -> list[str]:
    """The keys of the roles that may do ``action``, in table order (for messages)."""
    return [r.key for r in ROLES.values() if action in r.may]
