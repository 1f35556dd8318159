"""Plans, their campaigns, targets, task forces, cadences and tasks, with regions and units.

Every record read from a document keeps ``source_document`` + ``line`` so a page can show the
original text. Tasks keep their row (and ``key``) across re-imports of a revised document; a task
that disappears from the document is deactivated, never deleted, because later work (reports,
notices) hangs on it.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models


class Region(models.Model):
    """An administrative region: 省 > 市(州) > 县(市、区) > 乡镇."""

    LEVELS = [("省", "省"), ("市", "市（州）"), ("县", "县（市、区）"), ("乡镇", "乡镇（街道）")]

    name = models.CharField("名称", max_length=40)
    short_name = models.CharField("简称", max_length=20, blank=True, help_text="如 湘西州、城步县")
    level = models.CharField("层级", max_length=4, choices=LEVELS)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = verbose_name_plural = "地区"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="region_name_in_parent")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A responsible unit of one region, by its canonical (fullest) name; spellings are aliases."""

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT, related_name="units")
    name = models.CharField("规范名称", max_length=200)
    is_group = models.BooleanField("泛指单位", default=False, help_text="如 各县市区人民政府、各成员单位")
    confirmed = models.BooleanField(
        "人工确认", default=False, help_text="勾选后，自动学习不会再改这个单位的名称"
    )

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_name_in_region")]

    def __str__(self) -> str:
        return self.name


class UnitAlias(models.Model):
    """Another spelling of a unit in the same region (市发改委 -> 市发展和改革委员会)."""

    LEARNED, MANUAL = "learned", "manual"
    ORIGINS = [(LEARNED, "自动学习"), (MANUAL, "人工")]

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.CASCADE, related_name="+")
    name = models.CharField("别名", max_length=200)
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="aliases")
    origin = models.CharField("来源", max_length=8, choices=ORIGINS, default=MANUAL)

    class Meta:
        verbose_name = verbose_name_plural = "单位别名"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="alias_name_in_region")]

    def __str__(self) -> str:
        return f"{self.name} → {self.unit.name}"

    def clean(self):
        """One meaning per spelling in a region (the admin form does not see ``region``)."""
        if not self.unit_id:
            return
        region_id = self.unit.region_id
        taken = UnitAlias.objects.filter(region_id=region_id, name=self.name).exclude(pk=self.pk).first()
        if taken:
            raise ValidationError({"name": f"“{self.name}”已是“{taken.unit.name}”的别名"})
        if Unit.objects.filter(region_id=region_id, name=self.name).exclude(pk=self.unit_id).exists():
            raise ValidationError({"name": f"“{self.name}”已是另一个单位的规范名称"})

    def save(self, *args, **kwargs):
        self.region_id = self.unit.region_id  # an alias lives in its unit's region
        super().save(*args, **kwargs)


class Programme(models.Model):
    """A region's work of one year or a stated span (年度工作): "邵阳市2023年打好发展六仗".

    It holds the files, campaigns and, through them, every plan, target, team, cadence and task of
    that year. Every obligation lies inside ``period_start``..``period_end`` (the issue date or a start
    the document states, to 31 December of ``end_year`` unless stated): nothing is due before the
    plan was issued or after its year. Once the period is over the programme is archived: read-only,
    its briefs still reproducible. Next year's plan of the region is a new programme.
    """

    region = models.ForeignKey(Region, verbose_name="地区", on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField("名称", max_length=120)
    start_year = models.PositiveSmallIntegerField("年度")
    end_year = models.PositiveSmallIntegerField("止年度")
    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期")
    issued = models.DateField("发文日期", null=True, blank=True)
    year_evidence = models.CharField("年度依据", max_length=300, blank=True)
    created_at = models.DateTimeField("创建", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度工作"
        ordering = ["region_id", "start_year", "end_year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "start_year", "end_year"], name="programme_year_in_region")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year_label(self) -> str:
        if self.end_year != self.start_year:
            return f"{self.start_year}—{self.end_year}年"
        return f"{self.start_year}年"

    def archived(self, today=None) -> bool:
        """Whether the period is over (``today``: a local date; default the current one)."""
        if today is None:
            from duban.plans import clock  # clock reads settings and periods; models load first

            today = clock.today()
        return today > self.period_end


class SourceDocument(models.Model):
    """An imported file: its text as read (lines are numbered as in ``text``) and its hash."""

    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    format = models.CharField("格式", max_length=8)
    text = models.TextField("全文")
    line_count = models.PositiveIntegerField("行数", default=0)
    region = models.ForeignKey(
        Region, verbose_name="发文地区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, verbose_name="年度工作", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    issuer = models.JSONField("发文机关（解析结果）", default=dict, blank=True)
    warnings = models.JSONField("解析警告", default=list, blank=True)
    ingested_at = models.DateTimeField("首次导入", auto_now_add=True)
    updated_at = models.DateTimeField("最近导入", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "来源文件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.file_name

    def lines(self) -> list[str]:
        return self.text.split("\n")


class DocumentRevision(models.Model):
    """One imported version of a source document, never changed or deleted (append-only).

    ``SourceDocument`` holds the current text that task lines point into; each import that brings
    new bytes adds a revision here, so every text a plan was ever read from stays retrievable.
    """

    document = models.ForeignKey(
        SourceDocument, verbose_name="来源文件", on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField("版次")
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    format = models.CharField("格式", max_length=8)
    text = models.TextField("全文")
    summary = models.TextField("变更摘要", blank=True)
    actor_name = models.CharField("导入人", max_length=150, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "来源文件版本"
        ordering = ["document_id", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="revision_number_once")]

    def __str__(self) -> str:
        return f"{self.file_name} 第{self.number}版"


class Campaign(models.Model):
    """One battle (仗) or action (行动) of a programme: its 工作方案 and 责任分解表 share it.
    2023's and 2024's 经济增长主动仗 of a region are two campaigns."""

    region = models.ForeignKey(
        Region, verbose_name="地区", on_delete=models.PROTECT, related_name="campaigns"
    )
    programme = models.ForeignKey(
        Programme, verbose_name="年度工作", null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=4, choices=[("仗", "仗"), ("行动", "行动")])

    class Meta:
        verbose_name = verbose_name_plural = "仗 / 行动"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="campaign_name_in_programme")]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """A document inside a file: the notice, the 总体方案, an annex's 工作方案 or 责任分解表."""

    KINDS = [
        (k, k)
        for k in ("通知", "总体方案", "工作方案", "实施方案", "名单", "责任分解表", "任务清单", "项目清单")
    ]

    source_document = models.ForeignKey(
        SourceDocument, verbose_name="来源文件", on_delete=models.CASCADE, related_name="plans"
    )
    region = models.ForeignKey(
        Region, verbose_name="地区", null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="仗 / 行动",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级方案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    title = models.CharField("标题", max_length=300)
    kind = models.CharField("类别", max_length=8, choices=KINDS)
    annex = models.CharField("附件", max_length=20, blank=True)
    line = models.PositiveIntegerField("行")
    end_line = models.PositiveIntegerField("止行", null=True, blank=True)
    order = models.PositiveIntegerField("顺序", default=0)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "方案"
        ordering = ["source_document_id", "order"]

    def __str__(self) -> str:
        return self.title


class SourceRecord(models.Model):
    """Fields shared by every record read from a plan: where it is and where it came from."""

    plan = models.ForeignKey(Plan, verbose_name="方案", on_delete=models.CASCADE, related_name="%(class)ss")
    source_document = models.ForeignKey(
        SourceDocument, verbose_name="来源文件", on_delete=models.CASCADE, related_name="+"
    )
    line = models.PositiveIntegerField("行")
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        abstract = True
        ordering = ["plan_id", "order"]


class ActiveTargets(models.Manager):
    """Targets the plan's current revision still lists (the default everywhere)."""

    def get_queryset(self):
        return super().get_queryset().filter(active=True)


class Target(SourceRecord):
    """A quantitative target (主要目标/主要指标).

    A target dropped by a revised document is deactivated, not deleted: its reported actual values
    (tracking.TargetActual) stay with it, and it comes back if a later revision lists it again.
    """

    indicator = models.CharField("指标", max_length=300)
    measure = models.CharField("口径", max_length=40)
    value = models.FloatField("数值")
    measure_unit = models.CharField("计量单位", max_length=40, blank=True)
    qualifier = models.CharField("限定", max_length=40, blank=True)
    text = models.TextField("原文")
    active = models.BooleanField("有效", default=True, help_text="修订后的方案文件不再列出的目标置为无效，不删除")

    objects = ActiveTargets()
    all_objects = models.Manager()

    class Meta(SourceRecord.Meta):
        verbose_name = verbose_name_plural = "目标"
        base_manager_name = "all_objects"  # an actual value still reaches its deactivated target

    def __str__(self) -> str:
        return self.text


class TaskForce(SourceRecord):
    """A 工作专班 / 领导小组."""

    name = models.CharField("名称", max_length=300)
    convener = models.CharField("召集人", max_length=300, blank=True)
    deputy_conveners = models.JSONField("副召集人", default=list, blank=True)
    office_text = models.CharField("办公室设在（原文）", max_length=300, blank=True)
    office_unit = models.ForeignKey(
        Unit, verbose_name="办公室单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(
        Unit, through="TaskForceMember", verbose_name="成员单位", related_name="+"
    )

    class Meta(SourceRecord.Meta):
        verbose_name = verbose_name_plural = "工作专班"

    def __str__(self) -> str:
        return self.name


class TaskForceMember(models.Model):
    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField("顺序")
    written_as = models.CharField("原文写法", max_length=200)

    class Meta:
        verbose_name = verbose_name_plural = "专班成员单位"
        ordering = ["task_force_id", "order"]


class Cadence(SourceRecord):
    """A reporting / dispatch / review rhythm (调度机制).

    ``origin`` 文件: read from the document, replaced on re-import; 手工: added or edited by the
    office, never touched by a re-import (a document cadence edited by hand becomes 手工 and keeps
    the document wording it replaced in ``document_text``). Removal is soft (``active``).
    """

    DOCUMENT, MANUAL = "文件", "手工"
    ORIGINS = [(DOCUMENT, DOCUMENT), (MANUAL, MANUAL)]

    text = models.TextField("原文")
    report_to = models.CharField("报送对象", max_length=200, blank=True)
    due = models.CharField("报送时限", max_length=200, blank=True)
    origin = models.CharField("来源", max_length=4, choices=ORIGINS, default=DOCUMENT)
    active = models.BooleanField("有效", default=True, help_text="督查室移除的调度机制置为无效，不删除")
    document_text = models.TextField(
        "文件原文", blank=True, help_text="由文件中的调度机制手工修改而来时，记下文件原文，重新导入时不再新增"
    )

    class Meta(SourceRecord.Meta):
        verbose_name = verbose_name_plural = "调度机制"

    def __str__(self) -> str:
        return self.text[:40]


class CadenceItem(models.Model):
    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="items")
    every = models.CharField("周期", max_length=20)  # 日|周|旬|月|两月|季|半年|年
    action = models.CharField("动作", max_length=100)  # 简报|通报|总结|调度|报送 …
    order = models.PositiveIntegerField("顺序")

    class Meta:
        verbose_name = verbose_name_plural = "调度事项"
        ordering = ["cadence_id", "order"]

    def __str__(self) -> str:
        return f"{self.every}{self.action}"


def new_task_key() -> str:
    return uuid.uuid4().hex[:16]


class Task(SourceRecord):
    """A task with its responsibility (牵头单位, 责任单位, 责任人, 责任领导)."""

    SOURCES = [("table", "表格"), ("prose", "正文")]

    key = models.CharField("标识", max_length=32, unique=True, default=new_task_key, editable=False)
    source = models.CharField("出处", max_length=8, choices=SOURCES)
    section = models.JSONField("所在章节", default=list, blank=True)
    seq = models.CharField("序号", max_length=40, blank=True)
    title = models.TextField("任务")
    text = models.TextField("全文", blank=True)
    end_line = models.PositiveIntegerField("止行", null=True, blank=True)
    persons = models.JSONField("责任人", default=list, blank=True)
    leaders = models.JSONField("责任领导", default=list, blank=True)
    deadline = models.CharField("时限", max_length=300, blank=True)
    progress = models.TextField("工作进度", blank=True)
    active = models.BooleanField("有效", default=True, help_text="文件修订后不再出现的任务置为无效，不删除")
    units = models.ManyToManyField(Unit, through="TaskUnit", verbose_name="责任单位", related_name="tasks")
    created_at = models.DateTimeField("创建", auto_now_add=True)
    updated_at = models.DateTimeField("更新", auto_now=True)

    class Meta(SourceRecord.Meta):
        verbose_name = verbose_name_plural = "任务"

    def __str__(self) -> str:
        return self.title[:60]

    def _assignments(self, role: str | None = None) -> list[TaskUnit]:
        rows = sorted(self.assignments.all(), key=lambda a: a.order)  # uses prefetch when present
        return [a for a in rows if role is None or a.role == role]

    @property
    def unit_names(self) -> list[str]:
        """Every responsible unit as written, in order (责任单位)."""
        return [a.written_as for a in self._assignments()]

    @property
    def lead_names(self) -> list[str]:
        return [a.written_as for a in self._assignments(TaskUnit.LEAD)]

    @property
    def co_names(self) -> list[str]:
        return [a.written_as for a in self._assignments(TaskUnit.CO)]


class TaskUnit(models.Model):
    """A unit's part in a task, in the order the document names it.

    ``origin`` 文件: read from the document, rewritten by a re-import; 手工: assigned by the office
    (:mod:`duban.cascade.assign`), kept by every re-import and listed after the document's units.
    """

    LEAD, CO = "lead", "co"
    ROLES = [(LEAD, "牵头"), (CO, "责任/配合")]
    # the one wording of a role on pages and in commands (the choices above are the admin's, kept
    # as migrated)
    ROLE_LABELS = {LEAD: "牵头", CO: "责任"}
    DOCUMENT, MANUAL = "文件", "手工"
    ORIGINS = [(DOCUMENT, DOCUMENT), (MANUAL, MANUAL)]

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("角色", max_length=4, choices=ROLES)
    order = models.PositiveIntegerField("顺序")
    written_as = models.CharField("原文写法", max_length=200)
    origin = models.CharField("来源", max_length=4, choices=ORIGINS, default=DOCUMENT)

    class Meta:
        verbose_name = verbose_name_plural = "任务责任单位"
        ordering = ["task_id", "order"]
        constraints = [models.UniqueConstraint(fields=["task", "order"], name="task_unit_order")]

    @property
    def role_label(self) -> str:
        return self.ROLE_LABELS.get(self.role, self.role)
