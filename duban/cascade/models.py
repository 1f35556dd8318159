"""Links between a lower-level plan's tasks and the upper-level tasks they implement.

The plan link itself is ``Plan.parent`` (set across documents by
:func:`duban.cascade.actions.do_link_plans`); a task link is suggested by text similarity and then
confirmed or rejected by a person, so a decision is kept when suggestions are recomputed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from duban.plans.models import Task


class TaskLink(models.Model):
    """A child-plan task that implements a parent-plan task (下级任务 → 上级任务)."""

    SUGGESTED, CONFIRMED, REJECTED = "suggested", "confirmed", "rejected"
    STATES = [(SUGGESTED, "建议"), (CONFIRMED, "已确认"), (REJECTED, "已否决")]

    child_task = models.ForeignKey(
        Task, verbose_name="下级任务", on_delete=models.CASCADE, related_name="parent_links"
    )
    parent_task = models.ForeignKey(
        Task, verbose_name="上级任务", on_delete=models.CASCADE, related_name="child_links"
    )
    score = models.FloatField("相似度")
    state = models.CharField("状态", max_length=10, choices=STATES, default=SUGGESTED, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by_name = models.CharField("确认人（名称）", max_length=150, blank=True)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("创建", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务衔接"
        ordering = ["child_task_id", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["child_task", "parent_task"], name="task_link_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.child_task} → {self.parent_task}（{self.get_state_display()} {self.score:.2f}）"
