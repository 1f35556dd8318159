"""Accounts: a user's role and scope."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from duban.accounts.roles import CAMPAIGN, CHOICES, ROLES, UNIT


class UserProfile(models.Model):
    """A user's role and scope: which unit, region or campaign the role applies to.

    The permission helpers in :mod:`duban.accounts.permissions` read only this row (and the
    user's is_active / is_superuser), so what a person may see is decided in one place.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField("角色", max_length=12, choices=CHOICES)
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
        """A role bound to a unit needs one (单位填报员), one bound to a campaign a campaign (专班办公室);
        the region follows them."""
        required = ROLES[self.role].required if self.role in ROLES else None
        if required == UNIT and not self.unit_id:
            raise ValidationError({"unit": f"{ROLES[self.role].label}必须指定单位"})
        if required == CAMPAIGN and not self.campaign_id:
            raise ValidationError({"campaign": f"{ROLES[self.role].label}必须指定所属的仗（行动）"})

    def save(self, *args, **kwargs):
        if self.region_id is None:
            if self.unit_id:
                self.region_id = self.unit.region_id
            elif self.campaign_id:
                self.region_id = self.campaign.region_id
        super().save(*args, **kwargs)
