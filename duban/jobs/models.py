"""One background job as its owner sees it: what it is, how far it got, what came out."""

from __future__ import annotations

from django.conf import settings
from django.db import models

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = [(QUEUED, "排队中"), (RUNNING, "进行中"), (DONE, "已完成"), (FAILED, "失败")]


class Job(models.Model):
    kind = models.CharField("类型", max_length=40)  # a key of duban.jobs.queue.KINDS
    title = models.CharField("名称", max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    args = models.JSONField("参数", default=dict)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("进展说明", max_length=300, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)  # {"url", "label", "file", "summary"}
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)
