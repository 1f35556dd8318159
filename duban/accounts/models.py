"""Audit trail: who did what, when, with the state before and after."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from duban.accounts.roles import REPORTER, ROLES, TASKFORCE


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
    # from them (duban.accounts.cache.STRUCTURE)
    structural = models.BooleanField("改变方案结构", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["-id"], condition=models.Q(structural=True), name="audit_structural"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or self.actor} {self.action}"


class UserProfile(models.Model):
    """A user's role and scope: which unit, region or campaign the role applies to.

    The permission helpers in :mod:`duban.accounts.permissions` read only this row (and the
    user's is_active / is_superuser), so what a person may see is decided in one place.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField("角色", max_length=12, choices=ROLES)
    unit = models.ForeignKey(
        "plans.Unit",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="单位填报员必填：只能查看和报送本单位的任务",
    )
    region = models.ForeignKey(
        "plans.Region",
        verbose_name="地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="督查室、领导的查看范围（含下级地区）；空表示全部",
    )
    campaign = models.ForeignKey(
        "plans.Campaign",
        verbose_name="仗 / 行动",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="专班办公室必填：只能查看和督办本仗（行动）的任务",
    )

    class Meta:
        verbose_name = verbose_name_plural = "账号角色"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}）"

    def clean(self):
        """A reporter needs a unit and a task-force office a campaign; the region follows them."""
        if self.role == REPORTER and not self.unit_id:
            raise ValidationError({"unit": "单位填报员必须指定单位"})
        if self.role == TASKFORCE and not self.campaign_id:
            raise ValidationError({"campaign": "专班办公室必须指定所属的仗（行动）"})

    def save(self, *args, **kwargs):
        if self.region_id is None:
            if self.unit_id:
                self.region_id = self.unit.region_id
            elif self.campaign_id:
                self.region_id = self.campaign.region_id
        super().save(*args, **kwargs)
