"""The five roles of duban, their Chinese names and the words a command line may use for them.

A role is stored on :class:`~duban.accounts.models.UserProfile` and mirrored as a Django group of
the same Chinese name, so the admin shows it and model permissions can hang on it.
"""

from __future__ import annotations

from duban.ingest.text import norm_key

OFFICE = "office"  # 督查室: runs the system, sees everything (of its region)
TASKFORCE = "taskforce"  # 专班办公室: sees and supervises its campaign
REPORTER = "reporter"  # 单位填报员: sees and reports its own unit's tasks
LEADER = "leader"  # 领导: reads, writes 批示
PUBLIC = "public"  # 公众: the read-only public progress page only

ROLES = [
    (OFFICE, "督查室"),
    (TASKFORCE, "专班办公室"),
    (REPORTER, "单位填报员"),
    (LEADER, "领导"),
    (PUBLIC, "公众"),
]
LABELS = dict(ROLES)

_WORDS = {
    OFFICE: ("督查室", "督查室管理员", "管理员", "督查"),
    TASKFORCE: ("专班办公室", "专班", "工作专班", "专班办"),
    REPORTER: ("单位填报员", "填报员", "单位", "责任单位"),
    LEADER: ("领导", "责任领导", "分管领导"),
    PUBLIC: ("公众", "公开", "访客"),
}
_BY_WORD = {norm_key(w): role for role, words in _WORDS.items() for w in (role, *words)}


class RoleError(ValueError):
    """A role word that names no role."""


def parse_role(word: str) -> str:
    """The role key for a Chinese or English role word ('单位填报员', '填报员', 'reporter')."""
    role = _BY_WORD.get(norm_key(word or "").lower())
    if role is None:
        names = "、".join(LABELS.values())
        raise RoleError(f"未知角色“{word}”，可用：{names}")
    return role


def label(role: str | None) -> str:
    return LABELS.get(role or "", "无角色")
