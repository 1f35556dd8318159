"""Audit trail: who did what, when, with the state before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One change made through an action (导入、修改、督办 …); never edited after it is written."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(
        "操作人", max_length=150, blank=True, help_text="无登录用户时（命令行）记录系统账户名"
    )
    action = models.CharField("操作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    summary = models.TextField("说明", blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    # changed the plan structure or an account: the newest such entry versions the values derived
    # from them (duban.audit.cache.STRUCTURE)
    structural = models.BooleanField("改变方案结构", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        db_table = "accounts_auditentry"  # its table since it lived in accounts; the move kept the rows
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["-id"], condition=models.Q(structural=True), name="audit_structural"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or self.actor} {self.action}"
