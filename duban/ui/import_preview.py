"""What the import wizard shows before anything is stored: counts, warnings, units to fix, the diff.

Warnings come from the parse result itself (the parser's own warnings, tasks without a lead unit or
without any unit) and from the unit names (names the region does not know yet, and names that look
like a bad split: too long or too short, list punctuation left inside, no unit-like ending). Reading
the region's units is the only database access; the diff is a dry run of the real ingest action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from duban.ingest import ParseResult
from duban.ingest.year import PlanYear, detect_year
from duban.plans.models import Region
from duban.plans.unitnames import is_group
from duban.plans.units import UnitDirectory

LONG_NAME = 24  # characters; longer unit names are usually two names glued together
SHORT_NAME = 2
# endings of real unit names (局, 委员会, 人民政府, 有限公司, 街道 …); a name ending otherwise is suspect
_UNIT_ENDING = re.compile(
    r"(?:局|委|委员会|办|办公室|室|中心|公司|集团|院|所|会|部|厅|处|科|队|站|政府|街道|乡|镇|区|县|市|州|省|行|社|团|联|馆|台|校|"
    r"学校|大学|医院|协会|商会|协|投|银行|支行|分行|管委会|园区|开发区|指挥部|专班|小组|组|办事处|分局|支队|大队|法院|检察院|监狱|"
    r"海关|机场|港|站|场|厂|矿|区块|单位|部门)$"
)
# a unit ending, a level character, then another whole unit name: 市发改委市财政局
_GLUED = re.compile(
    r"(?:局|委员会|委|办公室|中心|政府)[省市州县区乡镇][\u4e00-\u9fff]{2,}(?:局|委员会|委|办|中心|政府)$"
)
_NOTE = re.compile(r"[（(][^（()）]*[）)]$")  # 市委组织部（市绩效办）: the ending is before the note
_LIST_MARKS = re.compile(r"[、，,；;：:。]|等$|及$|和$|与$|\d")


@dataclass
class Warning:
    kind: str  # 解析 | 缺牵头 | 无单位 | 新单位 | 可疑拆分 | 地区 | 年度
    text: str
    line: int | None = None


@dataclass
class Preview:
    """Counts and warnings of one parsed file for one region."""

    documents: list = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)
    unknown_units: list[str] = field(default_factory=list)  # written names the region does not know
    group_units: list[str] = field(default_factory=list)  # 各县市区人民政府 …: expanded, not mapped
    year: PlanYear | None = None  # the programme year read from the document


def suspicious(name: str) -> str | None:
    """Why a unit name looks like a bad split, or None."""
    if len(name) > LONG_NAME:
        return f"名称过长（{len(name)} 字），可能是几个单位连在一起"
    if _GLUED.search(name):
        return "像是两个单位连在一起，可能拆分有误"
    if len(name) <= SHORT_NAME:
        return "名称过短，可能被截断"
    if is_group(name):  # 各镇（街道、中心）: a placeholder, expanded later, may list things
        return None
    if _LIST_MARKS.search(name):
        return "含有列举标点、数字或连接词，可能拆分有误"
    if not _UNIT_ENDING.search(_NOTE.sub("", name)):
        return "结尾不像单位名称"
    return None


def written_units(result: ParseResult) -> dict[str, int]:
    """{written unit name: first line} of every unit named in tasks and task forces."""
    out: dict[str, int] = {}
    for t in result.tasks:
        for n in (*t.lead_units, *t.units):
            if n:
                out.setdefault(n, t.line)
    for team in result.teams:
        for n in (*team.members, team.office_at or ""):
            if n:
                out.setdefault(n, team.line)
    return out


def preview(result: ParseResult, region: Region | None, unit_map: dict[str, int] | None = None) -> Preview:
    """The preview of ``result`` as it would be stored in ``region`` (None: not yet known)."""
    unit_map = unit_map or {}
    p = Preview(documents=list(result.documents))
    p.year = detect_year(result.source_lines, [d.title for d in result.documents])
    if p.year is None:
        p.warnings.append(Warning("年度", "没有识别出方案的年度，请在下面填写年度"))
    p.counts = {
        "文档": len(result.documents),
        "任务": len(result.tasks),
        "目标": len(result.targets),
        "工作专班": len(result.teams),
        "调度机制": len(result.cadences),
    }
    p.warnings += [Warning("解析", w) for w in result.warnings]
    for t in result.tasks:
        if not t.units and not t.lead_units:
            p.warnings.append(Warning("无单位", f"任务“{_short(t.title)}”没有责任单位", t.line))
        elif not t.lead_units:
            p.warnings.append(Warning("缺牵头", f"任务“{_short(t.title)}”没有写明牵头单位", t.line))
    names = written_units(result)
    p.counts["单位写法"] = len(names)
    for name, line in names.items():
        why = suspicious(name)
        if why:
            p.warnings.append(Warning("可疑拆分", f"“{name}”：{why}", line))
    if region is None:
        p.warnings.append(Warning("地区", "没有识别出发文地区，请在下面选择方案所属的地区"))
        return p
    directory = UnitDirectory(region)  # reads only
    for name, line in names.items():
        if directory.knows(name):
            continue
        if is_group(name):
            p.group_units.append(name)
            continue
        p.unknown_units.append(name)
        if name not in unit_map:
            p.warnings.append(
                Warning("新单位", f"“{name}”不是{region.name}已有的单位或别名，将新建或识别为简称", line)
            )
    return p


def _short(title: str, n: int = 30) -> str:
    return title if len(title) <= n else title[: n - 1] + "…"
