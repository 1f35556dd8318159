"""Progress reports (进展报送), their attachments, target actuals and task status changes.

Nothing here is ever overwritten: a unit that corrects its report submits a new version, an
actual value entered again is a new version, a status change is a new row. Rows are written only
by :mod:`duban.tracking.actions` (each with its audit entry).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from duban.plans.periods import Period, parse_period

# self-assessed statuses a unit may report (自评状态)
NOT_STARTED, ON_TRACK, LAGGING, DONE = "未启动", "正常推进", "滞后", "已完成"
SELF_STATUSES = (NOT_STARTED, ON_TRACK, LAGGING, DONE)
# derived task statuses add one the system alone can see
OVERDUE = "逾期未报"
TASK_STATUSES = (*SELF_STATUSES, OVERDUE)

_USER = settings.AUTH_USER_MODEL


class PeriodFields(models.Model):
    """A reporting period stored as its code ('2023-03上旬', '2023-03', '2023Q1') and its days."""

    period = models.CharField("期间", max_length=20, help_text="期间编码，如 2023-03上旬、2023-03、2023Q1")
    period_start = models.DateField("期间起")
    period_end = models.DateField("期间止")

    class Meta:
        abstract = True

    @property
    def period_obj(self) -> Period:
        return parse_period(self.period)

    def set_period(self, period: Period) -> None:
        self.period, self.period_start, self.period_end = period.code, period.start, period.end


class ProgressReport(PeriodFields):
    """One submission of a unit's progress on a task for a period; each submission is a new version."""

    UNIT, CONSOLIDATED = "单位报送", "牵头汇总"
    KINDS = [(UNIT, UNIT), (CONSOLIDATED, CONSOLIDATED)]

    task = models.ForeignKey(
        "plans.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        "plans.Unit", verbose_name="报送单位", on_delete=models.PROTECT, related_name="reports"
    )
    version = models.PositiveIntegerField("版本")
    kind = models.CharField("类别", max_length=8, choices=KINDS, default=UNIT)
    narrative = models.TextField("工作进展")
    percent = models.FloatField("完成进度（%）")
    self_status = models.CharField("自评状态", max_length=8, choices=[(s, s) for s in SELF_STATUSES])
    problems = models.TextField("存在问题", blank=True)
    coordination_needs = models.TextField("需协调事项", blank=True)
    submitted_at = models.DateTimeField("报送时间", db_index=True)
    submitted_by = models.ForeignKey(
        _USER, verbose_name="报送人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField("报送时限", null=True, blank=True)
    late_by = models.DurationField("逾期时长", null=True, blank=True, help_text="按时报送为空")

    class Meta:
        verbose_name = verbose_name_plural = "进展报送"
        ordering = ["task_id", "period_start", "unit_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period", "version"], name="report_version"),
            models.CheckConstraint(
                condition=models.Q(percent__gte=0) & models.Q(percent__lte=100), name="report_percent_range"
            ),
        ]
        indexes = [models.Index(fields=["task", "period"], name="report_task_period")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} 第{self.version}版"

    @property
    def is_late(self) -> bool:
        return self.late_by is not None


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    return f"reports/{instance.report.task_id}/{instance.report.period}/{filename}"


class ReportAttachment(models.Model):
    """A file attached to a report (stored under MEDIA_ROOT; size limited by the action)."""

    report = models.ForeignKey(
        ProgressReport, verbose_name="报送", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = verbose_name_plural = "报送附件"
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return self.name


class TargetActual(PeriodFields):
    """An actual value of a target for a period (报送 with a report, or 导入 from a spreadsheet)."""

    REPORTED, IMPORTED = "报送", "导入"
    SOURCES = [(REPORTED, REPORTED), (IMPORTED, IMPORTED)]

    target = models.ForeignKey(
        "plans.Target", verbose_name="目标", on_delete=models.PROTECT, related_name="actuals"
    )
    unit = models.ForeignKey(
        "plans.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value = models.FloatField("实际值")
    version = models.PositiveIntegerField("版本")
    report = models.ForeignKey(
        ProgressReport,
        verbose_name="报送",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actuals",
    )
    source = models.CharField("来源", max_length=4, choices=SOURCES)
    entered_by = models.ForeignKey(
        _USER, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "指标实际值"
        ordering = ["target_id", "period_start", "version"]
        indexes = [models.Index(fields=["target", "period"], name="actual_target_period")]

    def __str__(self) -> str:
        return f"{self.target.indicator} {self.period} = {self.value:g}"


class TaskStatusChange(models.Model):
    """A change of a task's derived status, written by ``do_refresh_statuses``."""

    task = models.ForeignKey(
        "plans.Task", verbose_name="任务", on_delete=models.CASCADE, related_name="status_changes"
    )
    old = models.CharField("原状态", max_length=8, blank=True)
    new = models.CharField("新状态", max_length=8)
    light = models.CharField("灯色", max_length=8, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    reason = models.TextField("依据", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务状态变化"
        ordering = ["task_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.old or '—'} → {self.new}"


class TaskSnapshot(models.Model):
    """What a task's reports say, as the status rules need it — one row per task, so a page reads
    one row instead of every report (docs/tracking.md, 状态快照).

    Only report facts are kept, never the status itself: the status also depends on time (a due
    passing, 序时进度), so :func:`duban.tracking.status.task_states` derives it at read time from this
    row plus the due dates. Written by ``do_submit_report`` in its transaction (one report added,
    :func:`duban.tracking.snapshot.add_report`) and :func:`duban.tracking.snapshot.refresh_snapshots`
    (``duban refresh_statuses``, ``duban synth``); a row
    whose report count or newest report id no longer matches the reports table, or whose lead
    units changed, is ignored and recomputed from the reports, so it can never give a wrong status.
    """

    task = models.OneToOneField(
        "plans.Task", verbose_name="任务", on_delete=models.CASCADE, primary_key=True, related_name="snapshot"
    )
    report_count = models.PositiveIntegerField("报送条数", default=0)
    max_report_id = models.BigIntegerField("最新报送编号", null=True, blank=True)
    max_submitted_at = models.DateTimeField("最晚报送时间", null=True, blank=True)
    leads = models.JSONField("牵头单位", default=list, help_text="排序“代表任务的报送”时用的牵头单位")
    # the report that speaks for the task (a plain id: reports may live in a partitioned table)
    last_report_id = models.BigIntegerField("代表报送", null=True, blank=True)
    last_unit_id = models.BigIntegerField("代表报送单位", null=True, blank=True)
    last_percent = models.FloatField("进度（%）", null=True, blank=True)
    last_status = models.CharField("自评状态", max_length=8, blank=True)
    done_at = models.DateTimeField("首次报完成", null=True, blank=True)
    late_count = models.PositiveIntegerField("迟报次数", default=0)
    reported = models.JSONField("已报期间", default=dict, help_text="{期间编码: [报送单位]}")
    # the rest of the speaking report's rank, so a new report is added without reading the others
    last_period_end = models.DateField("代表报送期末", null=True, blank=True)
    last_kind = models.CharField("代表报送类型", max_length=8, blank=True)
    last_submitted_at = models.DateTimeField("代表报送时间", null=True, blank=True)
    last_version = models.PositiveIntegerField("代表报送版本", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务状态快照"

    def __str__(self) -> str:
        return f"任务 #{self.task_id}：{self.report_count} 条报送"
