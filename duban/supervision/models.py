"""督办: three-colour notices (督办单) and leader prompts (提示单), the problem list, 批示, checks.

Rows are written only by :mod:`duban.supervision.actions` (each with its audit entry); every step
of a notice or a problem is a row of its own (who, when, note), never an overwritten field.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from duban.supervision import lifecycle

BLUE, YELLOW, RED = "blue", "yellow", "red"
COLORS = [(BLUE, "蓝色"), (YELLOW, "黄色"), (RED, "红色")]
COLOR_LABELS = dict(COLORS)
COLOR_RANK = {BLUE: 1, YELLOW: 2, RED: 3}

NOTICE, PROMPT = "notice", "prompt"
KINDS = [(NOTICE, "督办单"), (PROMPT, "提示单")]
KIND_LABELS = dict(KINDS)
NUMBER_PREFIX = {NOTICE: "督", PROMPT: "提"}

_USER = settings.AUTH_USER_MODEL


class NoticeCounter(models.Model):
    """The last number given to a kind of notice in a region and year (督〔2023〕12号)."""

    region = models.ForeignKey("plans.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=KINDS)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "督办单编号"
        constraints = [models.UniqueConstraint(fields=["region", "year", "kind"], name="notice_counter_key")]


class Notice(models.Model):
    """A 督办单 to the units of a task, or a 提示单 to the task's supervising leaders."""

    number = models.CharField("编号", max_length=40)
    region = models.ForeignKey(
        "plans.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("类别", max_length=8, choices=KINDS, default=NOTICE)
    color = models.CharField("颜色", max_length=8, choices=COLORS)
    plan = models.ForeignKey("plans.Plan", verbose_name="方案", on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(
        "plans.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="notices"
    )
    units = models.ManyToManyField("plans.Unit", verbose_name="督办单位", related_name="notices", blank=True)
    leaders = models.JSONField("提示领导", default=list, blank=True, help_text="提示单：任务的责任领导")
    reason = models.TextField("督办事由")
    cause = models.CharField(
        "成因标识", max_length=200, blank=True, help_text="自动生成的依据（同一成因不重复下发）"
    )
    auto = models.BooleanField("自动生成", default=False)
    as_of = models.DateField("检查日期")
    state = models.CharField("状态", max_length=10, choices=lifecycle.NOTICE_STATES, default=lifecycle.ISSUED)
    issued_at = models.DateTimeField("下发时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-year", "region_id", "kind", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "kind", "seq"], name="notice_number_unique")
        ]
        indexes = [models.Index(fields=["task", "state"], name="notice_task_state")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_color_display()}{self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in lifecycle.OPEN_NOTICE_STATES

    @property
    def title(self) -> str:
        return f"{self.get_color_display()}{self.get_kind_display()} {self.number}"


class NoticeEvent(models.Model):
    """One step of a notice: 下发, 签收, 反馈, 办结 — who, when, what was said."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    step = models.CharField("步骤", max_length=10, choices=lifecycle.NOTICE_STEPS)
    state = models.CharField("之后状态", max_length=10, choices=lifecycle.NOTICE_STATES)
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150)
    unit = models.ForeignKey(
        "plans.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办单流转"
        ordering = ["notice_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.notice.number} {self.get_step_display()} {self.actor_name}"


class Problem(models.Model):
    """A problem / 需协调事项 raised in a progress report (问题清单)."""

    task = models.ForeignKey(
        "plans.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="problems"
    )
    unit = models.ForeignKey(
        "plans.Unit", verbose_name="提出单位", on_delete=models.PROTECT, related_name="problems_raised"
    )
    assignee = models.ForeignKey(
        "plans.Unit",
        verbose_name="协调单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems_assigned",
    )
    report = models.ForeignKey(
        "tracking.ProgressReport",
        verbose_name="首次提出的报送",
        on_delete=models.PROTECT,
        related_name="raised_problems",
    )
    period = models.CharField("报送期间", max_length=40, blank=True)
    text = models.TextField("问题")
    key = models.CharField(
        "去重键", max_length=64, help_text="规范化文本的摘要：同一单位同一任务同一问题只记一次"
    )
    state = models.CharField(
        "状态", max_length=12, choices=lifecycle.PROBLEM_STATES, default=lifecycle.PENDING
    )
    raised_at = models.DateTimeField("提出时间")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题清单"
        ordering = ["raised_at", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "unit", "key"], name="problem_once")]

    def __str__(self) -> str:
        return self.text[:60]


class ProblemEvent(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    step = models.CharField("步骤", max_length=10, choices=lifecycle.PROBLEM_STEPS)
    state = models.CharField("之后状态", max_length=12, choices=lifecycle.PROBLEM_STATES)
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "问题处理记录"
        ordering = ["problem_id", "at", "id"]


class Instruction(models.Model):
    """A leader's 批示 on a task."""

    task = models.ForeignKey(
        "plans.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="instructions"
    )
    author = models.ForeignKey(_USER, verbose_name="批示人", on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField("批示人姓名", max_length=150)
    text = models.TextField("批示内容")
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "领导批示"
        ordering = ["task_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.author_name}：{self.text[:40]}"


class TaskCheck(models.Model):
    """The colour a task had at one check (督办检查) — the memory behind the 提示单 rule."""

    task = models.ForeignKey("plans.Task", on_delete=models.CASCADE, related_name="checks")
    as_of = models.DateField("检查日期")
    color = models.CharField("颜色", max_length=8, choices=COLORS, blank=True)
    status = models.CharField("任务状态", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办检查"
        ordering = ["task_id", "as_of"]
        constraints = [models.UniqueConstraint(fields=["task", "as_of"], name="task_check_once")]


# --- 督办事项: tasks the office (or a 专班) gives out itself, beyond the plan documents ---------

SOURCE_MEETING, SOURCE_INSTRUCTION, SOURCE_HIGHER, SOURCE_DOCUMENT = "会议", "批示", "上级交办", "文件"
ASSIGNMENT_SOURCES = [(s, s) for s in (SOURCE_MEETING, SOURCE_INSTRUCTION, SOURCE_HIGHER, SOURCE_DOCUMENT)]


class Assignment(models.Model):
    """A 督办事项 交办ed by the office or a 专班: a Task of the region's 督办事项 plan, plus where it came
    from and when it is due. The task carries units, deadline text and cadence like any other task,
    so the calendar, status, 本期待报 and 督办检查 treat it as one (duban/supervision/assignments.py)."""

    task = models.OneToOneField(
        "plans.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="assignment"
    )
    region = models.ForeignKey("plans.Region", verbose_name="地区", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(
        "plans.Campaign", verbose_name="仗 / 行动", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=8, choices=ASSIGNMENT_SOURCES)
    source_ref = models.CharField("来源说明", max_length=300, blank=True, help_text="如 会议名称、批示人、文号")
    due_date = models.DateField("办结时限")
    every = models.CharField("报送周期", max_length=8)
    created_by = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by_name = models.CharField("交办人", max_length=150)
    created_at = models.DateTimeField("交办时间")

    class Meta:
        verbose_name = verbose_name_plural = "督办事项"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source}交办：{self.task.title[:40]}"


class AssignmentReceipt(models.Model):
    """A unit's 签收 of a 督办事项 (once per unit)."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("plans.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("签收人", max_length=150)
    at = models.DateTimeField("签收时间")

    class Meta:
        verbose_name = verbose_name_plural = "督办事项签收"
        ordering = ["assignment_id", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "unit"], name="assignment_receipt_once")]


class ReportReturn(models.Model):
    """The office's 退回 of a progress report, with its reason: the unit must report that period again
    (the returned version no longer counts as the unit's report on its 本期待报)."""

    # no database constraint: reports may live in a partitioned table (duban/tracking/partition.py)
    report = models.OneToOneField(
        "tracking.ProgressReport", verbose_name="报送", on_delete=models.DO_NOTHING, related_name="returned",
        db_constraint=False,
    )
    task = models.ForeignKey("plans.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("plans.Unit", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("期间", max_length=20)
    reason = models.TextField("退回理由")
    actor = models.ForeignKey(_USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("退回人", max_length=150)
    at = models.DateTimeField("退回时间")

    class Meta:
        verbose_name = verbose_name_plural = "报送退回"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "task"], name="report_return_unit_task")]
