"""Notifications: in-app messages, each unit's channels, and one row per delivery attempt target.

A :class:`Delivery` is keyed by an idempotency key (UNIQUE in the database): whoever inserts the
row first sends; a second run, or a second process running at the same moment, finds the key
taken and sends nothing. A failed delivery keeps its row and is retried by the next run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Message(models.Model):
    """An in-app message (站内消息) to a unit (every account of it) and/or to one user."""

    unit = models.ForeignKey(
        "plans.Unit",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    kind = models.CharField("类别", max_length=40, db_index=True)
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文")
    link = models.CharField("链接", max_length=500, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="阅读人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(user__isnull=False),
                name="message_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ChannelConfig(models.Model):
    """Where a unit's reminders go besides the in-app message: e-mail, 企业微信 and 钉钉 group robots."""

    unit = models.OneToOneField(
        "plans.Unit", verbose_name="单位", on_delete=models.CASCADE, related_name="channel_config"
    )
    emails = models.JSONField("邮箱", default=list, blank=True)
    wecom_webhook = models.URLField("企业微信群机器人地址", max_length=500, blank=True)
    dingtalk_webhook = models.URLField("钉钉群机器人地址", max_length=500, blank=True)
    dingtalk_secret = models.CharField(
        "钉钉加签密钥", max_length=200, blank=True, help_text="机器人安全设置选“加签”时填写（SEC 开头）"
    )
    updated_at = models.DateTimeField("更新", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位通知渠道"

    def __str__(self) -> str:
        return f"{self.unit} 的通知渠道"


class Delivery(models.Model):
    """One message to one recipient over one channel; ``key`` makes it happen at most once."""

    INAPP, EMAIL, WECOM, DINGTALK = "inapp", "email", "wecom", "dingtalk"
    CHANNELS = [(INAPP, "站内消息"), (EMAIL, "邮件"), (WECOM, "企业微信"), (DINGTALK, "钉钉")]
    SENDING, SENT, FAILED = "sending", "sent", "failed"
    STATES = [(SENDING, "发送中"), (SENT, "已发送"), (FAILED, "失败")]

    key = models.CharField("幂等键", max_length=64, unique=True)
    message = models.ForeignKey(
        Message, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=10, choices=CHANNELS)
    recipient = models.CharField("接收方", max_length=500, help_text="邮箱，或去掉令牌的机器人地址")
    state = models.CharField("状态", max_length=8, choices=STATES)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建", auto_now_add=True)
    updated_at = models.DateTimeField("最近尝试", auto_now=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "channel"], name="delivery_state")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}：{self.get_state_display()}"
