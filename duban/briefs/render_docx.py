"""A brief's :class:`~duban.briefs.content.BriefData` as a 公文 .docx (GB/T 9704 via GongwenDoc).

No database access: every figure comes from the BriefData, so what the document says can be checked
against that one object. Sections are always present and numbered 一、二、…; an empty one says so
(“本期无…”) rather than disappearing, so readers see that it was looked at.
"""

from __future__ import annotations

from duban.briefs import charts
from duban.briefs.content import LIGHT_LABELS, STATUSES, BriefData, ChartSpec, TaskLine
from duban.briefs.gbt9704 import Cell, FontSet, GongwenDoc, numbered

LIGHT_COLORS = {"green": "2E9D4F", "yellow": "E6A700", "red": "D62728"}
STATUS_COLORS = {"已完成": charts.GREEN, "正常推进": charts.BLUE, "滞后": charts.YELLOW, "逾期未报": charts.RED,
                 "未启动": charts.GREY}


def pct(value: float | None, scale: float = 100) -> str:
    """0.256 → '25.6%' (scale 100) ; None → '—'."""
    return "—" if value is None else f"{value * scale:.1f}%".replace(".0%", "%")


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def status_sentence(by_status: dict[str, int]) -> str:
    parts = [f"{s}{by_status.get(s, 0)}项" for s in STATUSES if by_status.get(s, 0)]
    return "、".join(parts) if parts else "暂无任务"


def headline_sentence(data: BriefData) -> str:
    """The 总体情况 sentence (also printed by the web page, word for word)."""
    h = data.headline
    out = f"截至{cn_date(data.as_of)}，纳入调度的{h.tasks}项重点任务中，{status_sentence(h.tasks_by_status)}。"
    if h.targets:
        out += (f"{h.targets}个主要目标中，达到序时进度{h.targets_on}个，落后于序时进度{h.targets_behind}个"
                + (f"，尚无数据{h.targets_without_data}个" if h.targets_without_data else "") + "。")
    return out


def units_text(line: TaskLine) -> str:
    return "、".join(line.lead_units) or "、".join(line.co_units)


def by_region_sentence(data: BriefData) -> str:
    """What precedes the table by region (also printed by the web page, word for word)."""
    overdue = sum(r.overdue for r in data.lagging_by_region)
    lagging = sum(r.lagging for r in data.lagging_by_region)
    where = sum(1 for r in data.lagging_by_region if r.total)
    return (
        f"逾期未报{overdue}项、滞后{lagging}项，分布在{where}个地区，各地情况如下表"
        f"（逐项任务见各地{data.kind}）。"
    )


def by_region_rows(data: BriefData) -> list[list[str]]:
    """地区 | 任务 | 逾期未报 | 滞后 | 较突出的任务 (the worst few, worst first)."""
    return [
        [r.region, str(r.tasks), str(r.overdue), str(r.lagging),
         "；".join(f"{t.title.rstrip('。；;')}（{units_text(t)}，{t.status}）" for t in r.worst) or "—"]
        for r in data.lagging_by_region
    ]  # fmt: skip


def draw(spec: ChartSpec) -> bytes:
    if spec.kind == "status":
        counts = dict(zip(spec.labels, next(iter(spec.series.values())), strict=True))
        return charts.status_chart({k: int(v) for k, v in counts.items() if v}, title=spec.title,
                                   colors=STATUS_COLORS)
    return charts.bar_chart(list(spec.labels), {k: list(v) for k, v in spec.series.items()},
                            title=spec.title, unit=spec.unit)


def render(data: BriefData, fonts: FontSet | None = None) -> GongwenDoc:
    """Build the document; call ``.save(path)`` or ``.to_bytes()`` on the result."""
    doc = GongwenDoc(title=data.title, issuer=data.issuer, number=f"第{data.number}期",
                     date=cn_date(data.issued_on), masthead=data.masthead, fonts=fonts)
    n = 0

    def section(text: str) -> None:
        nonlocal n
        n += 1
        doc.heading(numbered(1, n) + text, 1)

    section("总体情况")
    doc.para(headline_sentence(data))
    for spec in data.charts:
        if spec.kind == "status":
            doc.image(draw(spec), 150, caption=f"图：{spec.title}")

    section("各仗（行动）推进情况")
    if data.campaigns:
        rows = []
        for c in data.campaigns:
            rows.append([c.name, str(c.tasks), *(str(c.tasks_by_status.get(s, 0)) for s in STATUSES[:4]),
                         pct(c.progress), f"{c.targets_on}/{c.targets_on + c.targets_behind}"])
        doc.table(["仗（行动）", "任务", "已完成", "正常推进", "滞后", "逾期未报", "平均进度", "目标达序时"], rows,
                  [36, 14, 16, 18, 14, 18, 20, 20])
        for spec in data.charts:
            if spec.kind != "status":
                doc.image(draw(spec), 150, caption=f"图：{spec.title}")
    else:
        doc.para("本期无纳入调度的仗（行动）。")

    section("主要目标完成情况")
    if data.targets:
        rows = [[t.campaign, t.indicator, t.target, t.actual or "未报", pct(t.completion), pct(t.expected),
                 Cell(LIGHT_LABELS[t.light], color=LIGHT_COLORS[t.light], bold=True)] for t in data.targets]
        doc.table(["仗（行动）", "指标", "目标", "完成", "完成率", "序时进度", "状态"], rows,
                  [26, 36, 22, 20, 18, 18, 16], size_pt=10.5)
    else:
        doc.para("本期无纳入监测的主要目标。")

    section("滞后和逾期任务")
    if data.lagging_by_region and data.lagging:  # several regions: counted per region, the worst named
        doc.para(by_region_sentence(data))
        header = ["地区", "任务", "逾期未报", "滞后", "较突出的任务"]
        doc.table(header, by_region_rows(data), [28, 14, 18, 14, 82], size_pt=10.5)
    elif data.lagging:
        rows = [[str(i), t.title, units_text(t), t.status,
                 "—" if t.percent is None else f"{t.percent:g}%", f"{t.expected:g}%"]
                for i, t in enumerate(data.lagging, 1)]
        doc.table(["序号", "任务", "责任单位", "状态", "进度", "序时进度"], rows, [12, 62, 34, 16, 14, 18],
                  size_pt=10.5)
    else:
        doc.para("本期无滞后或逾期任务。")

    section("需协调解决的问题")
    if data.problems:
        for i, p in enumerate(data.problems, 1):
            doc.para(f"{p.text}（{p.unit}，{p.task}；{p.status}）", bold_lead=f"{numbered(3, i)}")
    else:
        doc.para("本期各责任单位未提出需协调解决的问题。")

    section("报送情况通报")
    late = [r for r in data.reporting if r.late]
    missing = [r for r in data.reporting if r.missing]
    if late or missing:
        if late:
            doc.para("、".join(f"{r.unit}（{r.late}次）" for r in late) + "未按时报送。", bold_lead="迟报单位：")
        if missing:
            doc.para("、".join(f"{r.unit}（{r.missing}次）" for r in missing) + "未报送。", bold_lead="未报单位：")
        rows = [[r.unit, str(r.due), str(r.on_time), str(r.late), str(r.missing)] for r in data.reporting]
        doc.table(["单位", "应报", "按时", "迟报", "未报"], rows, [64, 22, 22, 22, 22])
    else:
        doc.para("本期各责任单位均按时报送。")

    section("考核排名")
    if data.ranking:
        doc.table(["名次", "单位", "得分"], [[str(r.rank), r.unit, f"{r.score:.2f}"] for r in data.ranking],
                  [20, 96, 30])
        if data.red_list:
            doc.para("、".join(data.red_list) + "。", bold_lead="红榜：")
        if data.black_list:
            doc.para("、".join(data.black_list) + "。", bold_lead="黑榜：")
    else:
        doc.para("本期未开展考核排名。")

    if data.kind != "旬简报":
        doc.signature(data.issuer, cn_date(data.issued_on))
    if data.distribution:
        doc.colophon(data.distribution)
    return doc
