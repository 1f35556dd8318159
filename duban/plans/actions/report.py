"""The change report of one import: what was added, changed and removed, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field

from duban.plans.actions.base import Tally
from duban.plans.models import Programme, SourceDocument
from duban.plans.regions import UNKNOWN_REGION

EXAMPLES = 3  # examples per kind of change in the report


@dataclass
class IngestReport:
    source_document: SourceDocument
    new_document: bool
    same_bytes: bool
    tasks: Tally = field(default_factory=Tally)
    plans: Tally = field(default_factory=Tally)
    targets: Tally = field(default_factory=Tally)
    teams: Tally = field(default_factory=Tally)
    cadences: Tally = field(default_factory=Tally)
    new_units: list[str] = field(default_factory=list)
    new_aliases: list[str] = field(default_factory=list)
    dry_run: bool = False  # computed in a rolled-back transaction: nothing was stored
    copy_of_regions: list[str] = field(default_factory=list)  # same bytes stored for these regions
    unit_renames: list[str] = field(default_factory=list)  # fuller names kept as aliases, not renames
    programme: Programme | None = None

    def counts(self) -> dict:
        return {
            "tasks": self.tasks.counts(),
            "plans": self.plans.counts(),
            "targets": self.targets.counts(),
            "teams": self.teams.counts(),
            "cadences": self.cadences.counts(),
            "new_units": len(self.new_units),
            "new_aliases": len(self.new_aliases),
        }

    def lines(self) -> list[str]:
        """The report in Chinese: what was added, changed and removed, with examples."""
        doc = self.source_document
        how = (
            "新导入"
            if self.new_document
            else ("内容未变，重新导入" if self.same_bytes else "更新已导入的文件")
        )
        region = doc.region.name if doc.region else "未识别地区"
        out = [f"{doc.file_name}：{how}（{region}，来源文件 #{doc.pk}）"]
        if self.programme is not None:
            p = self.programme
            out.append(
                f"  年度工作：{p.name}（{p.period_start:%Y年%m月%d日}至{p.period_end:%Y年%m月%d日}；"
                f"年度依据：{p.year_evidence or '未注明'}）"
            )
        if region == UNKNOWN_REGION:
            out.append("  注意：没有识别出发文地区，已归入“未识别地区”；可用 --region 指定后重新导入")
        if self.copy_of_regions:
            out.append(
                f"  注意：同一文件已由{'、'.join(self.copy_of_regions)}导入；本次在{region}另建独立的一份，"
                "与其方案、任务、单位互不影响"
            )
        return out + self._tally_lines() + self._example_lines()

    def _tally_lines(self) -> list[str]:
        """How many records of each kind were added, changed, removed; what happened to units."""
        out = []
        for label, tally in (
            ("方案", self.plans),
            ("任务", self.tasks),
            ("目标", self.targets),
            ("专班", self.teams),
            ("调度机制", self.cadences),
        ):
            text = (
                f"  {label}：新增 {len(tally.added)}，修改 {len(tally.changed)}，"
                f"移除 {len(tally.removed)}，未变 {tally.unchanged}"
            )
            if tally.moved:
                text += f"（其中仅行号变动 {tally.moved}）"
            out.append(text)
        out.append(f"  单位：新增 {len(self.new_units)} 个，新学到别名 {len(self.new_aliases)} 个")
        if self.unit_renames:
            out.append(
                f"  单位：{len(self.unit_renames)} 个已有单位在文件中写作更完整的名称，已保留原名并把新写法记为别名；"
                "如需改名，请在单位管理中确认"
            )
        return out

    def _example_lines(self) -> list[str]:
        """A few examples of each kind of change (tasks, aliases, kept names)."""
        out = []
        for word, items in (
            ("新增", self.tasks.added),
            ("修改", self.tasks.changed),
            ("移除", self.tasks.removed),
            ("新学到别名", self.new_aliases),
            ("保留原名", self.unit_renames),
        ):
            for item in items[:EXAMPLES]:
                out.append(f"    {word}：{item}")
            if len(items) > EXAMPLES:
                out.append(f"    {word}：……等 {len(items)} 项")
        return out
