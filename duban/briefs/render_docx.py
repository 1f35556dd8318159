"""A brief's :class:`~duban.briefs.content.BriefData` as a 公文 .docx (GB/T 9704 via GongwenDoc).

Each kind has the form offices use for it (docs/briefs.md):

* 旬简报 — a 工作简报: red 报头, a few short items with their numbers, 报尾 (报、送, 共印份数) at the foot
  of the last page;
* 月通报 — a 通报: 版头 (red 发文机关标志, 发文字号, red rule), title, 主送, lead-in, 一、总体情况 (shares),
  二、工作亮点, 三、存在问题及原因 (the worst tasks and units named), 四、下一步工作要求 (一是…二是…), 附件说明,
  落款, then the 附件 (full lists, 红黑榜 rules) and the 版记 (抄送, 印发机关和印发日期) at the foot of the last page;
* 季总结 / 年总结 — a written summary of the period: completion against 序时进度 (and 双过半 at mid-year),
  targets, each 仗, reporting discipline and the change since the period before, with its tables in 附件.

No database access: every figure comes from the BriefData, through the sentences of
:mod:`duban.briefs.writing`, so what the document says can be checked against that one object.
"""

from __future__ import annotations

from duban.briefs import charts
from duban.briefs.content import BULLETIN, LIGHT_LABELS, NOTICE, STATUSES, SUMMARY, BriefData, ChartSpec
from duban.briefs.gbt9704 import Cell, FontSet, GongwenDoc, numbered
from duban.briefs.writing import (  # noqa: F401  (re-exported for the web page)
    OVERDUE,
    campaign_clause,
    campaigns_highlight,
    campaigns_sentence,
    clean,
    cn_date,
    headline_sentence,
    honours_sentence,
    lagging_sentence,
    month_day,
    next_steps,
    one_line,
    ordinal,
    pct,
    points,
    problem_groups,
    problems_sentence,
    reporting_sentence,
    share,
    short_title,
    status_sentence,
    targets_sentence,
    units_text,
    worst_first,
)

LIGHT_COLORS = {"green": "2E9D4F", "yellow": "E6A700", "red": "D62728", "": "7F7F7F"}
STATUS_COLORS = {"已完成": charts.GREEN, "正常推进": charts.BLUE, "滞后": charts.YELLOW, "逾期未报": charts.RED,
                 "未启动": charts.GREY}
ANNEX_PT = 10.5  # 五号 in the 附件 tables


def by_region_sentence(data: BriefData) -> str:
    """What precedes the table by region (also printed by the web page, word for word)."""
    overdue = sum(r.overdue for r in data.lagging_by_region)
    lagging = sum(r.lagging for r in data.lagging_by_region)
    where = sum(1 for r in data.lagging_by_region if r.total)
    return f"逾期未报{overdue}项、滞后{lagging}项，分布在{where}个地区，各地情况如下表（逐项任务见各地{data.kind}）。"


def by_region_rows(data: BriefData) -> list[list[str]]:
    """地区 | 任务 | 逾期未报 | 滞后 | 较突出的任务 (the worst few, worst first)."""
    return [
        [r.region, str(r.tasks), str(r.overdue), str(r.lagging),
         "；".join(f"{clean(t.title)}（{units_text(t)}，{t.status}）" for t in r.worst) or "—"]
        for r in data.lagging_by_region
    ]  # fmt: skip


def draw(spec: ChartSpec) -> bytes:
    if spec.kind == "status":
        counts = dict(zip(spec.labels, next(iter(spec.series.values())), strict=True))
        return charts.status_chart({k: int(v) for k, v in counts.items() if v}, title=spec.title,
                                   colors=STATUS_COLORS)
    return charts.bar_chart(list(spec.labels), {k: list(v) for k, v in spec.series.items()},
                            title=spec.title, unit=spec.unit)


# ---------------------------------------------------------------- tables (附件 and the 简报's one table)

CAMPAIGN_HEADER = ["仗（行动）", "任务", *STATUSES, "平均进度", "序时进度"]
LAGGING_HEADER = ["序号", "仗（行动）", "任务", "责任单位", "状态", "进度", "序时进度"]
TARGET_HEADER = ["序号", "仗（行动）", "指标", "目标", "完成", "完成率", "序时进度", "状态"]
REPORTING_HEADER = ["序号", "单位", "应报", "按时", "迟报", "未报", "逾期未报任务", "迟报任务"]
RANK_HEADER = ["组别", "名次", "单位", "得分", "榜单"]
PROBLEM_HEADER = ["序号", "类别", "提出单位", "任务", "问题", "状态"]


def campaign_rows(data: BriefData) -> list[list[str]]:
    rows = [[c.name, str(c.tasks), *(str(c.tasks_by_status.get(s, 0)) for s in STATUSES), pct(c.progress),
             pct(c.expected)] for c in data.campaigns]
    if len(data.campaigns) > 1:
        h = data.headline
        rows.append(["合计", str(h.tasks), *(str(h.tasks_by_status.get(s, 0)) for s in STATUSES), pct(h.progress),
                     pct(h.expected)])
    return rows


def lagging_rows(data: BriefData) -> list[list[str]]:
    """Every lagging and overdue task; an overdue one shows 未报 as its progress, never last period's figure."""
    return [[str(i), t.campaign, one_line(t.title), units_text(t), t.status,
             "未报" if t.status == OVERDUE else ("—" if t.percent is None else f"{t.percent:g}%"), f"{t.expected:g}%"]
            for i, t in enumerate(data.lagging, 1)]


def target_rows(data: BriefData) -> list[list]:
    return [[str(i), t.campaign, one_line(t.indicator), t.target, t.actual or "未报", pct(t.completion),
             pct(t.expected), Cell(LIGHT_LABELS[t.light], color=LIGHT_COLORS[t.light], bold=bool(t.light))]
            for i, t in enumerate(data.targets, 1)]


def reporting_rows(data: BriefData) -> list[list[str]]:
    return [[str(i), r.unit, str(r.due), str(r.on_time), str(r.late), str(r.missing), str(r.missing_tasks),
             str(r.late_tasks)] for i, r in enumerate(data.reporting, 1)]


def rank_rows(data: BriefData) -> list[list[str]]:
    red = {(r.group, r.unit) for g in data.honours for r in g.red}
    black = {(r.group, r.unit) for g in data.honours for r in g.black}
    return [[r.group, str(r.rank), r.unit, f"{r.score:.2f}",
             "红榜" if (r.group, r.unit) in red else "黑榜" if (r.group, r.unit) in black else ""]
            for r in data.ranking]


def problem_rows(data: BriefData) -> list[list[str]]:
    rows, i = [], 0
    for topic, items in problem_groups(data.problems):
        for p in items:
            i += 1
            rows.append([str(i), topic, p.unit, short_title(p.task, 30), one_line(p.text), p.status])
    return rows


# ---------------------------------------------------------------- the kinds


def render(data: BriefData, fonts: FontSet | None = None) -> GongwenDoc:
    """Build the document in its kind's form (:data:`FORMS`); call ``.save(path)`` or ``.to_bytes()`` on the result."""
    return FORMS[data.spec.form](data, fonts)


def _bulletin(data: BriefData, fonts) -> GongwenDoc:
    """工作简报: 报头, short items with numbers, the 仗 table, 报尾 at the foot of the last page."""
    doc = GongwenDoc(title="\n".join(data.title_lines), issuer=data.issuer, number=f"第{data.number}期",
                     date=cn_date(data.issued_on), masthead=data.masthead, fonts=fonts)
    h = data.headline
    doc.para(headline_sentence(data) + targets_sentence(data), bold_lead="总体进展。")
    if data.campaigns:
        doc.para(campaigns_highlight(data), bold_lead="各仗进展。")
        doc.table(CAMPAIGN_HEADER, campaign_rows(data), size_pt=ANNEX_PT)
    bright = []
    if h.tasks_by_status.get("已完成"):
        bright.append(f"已完成任务{h.tasks_by_status['已完成']}项")
    ahead = [c.name for c in data.campaigns if c.progress is not None and c.expected and c.progress >= c.expected]
    if ahead and len(data.campaigns) > 1:
        bright.append("、".join(ahead) + "平均进度达到序时进度")
    red = honours_sentence(data, "red")
    if red:
        bright.append(f"考核得分居前的有{red}")
    if bright:
        doc.para("；".join(bright) + "。", bold_lead="工作亮点。")
    doc.para(lagging_sentence(data, 3) + reporting_sentence(data, 3), bold_lead="存在问题。")
    if data.problems:
        doc.para(problems_sentence(data), bold_lead="需协调事项。")
    doc.colophon(data.distribution, right=f"（共印{data.copies}份）" if data.copies else "")
    return doc


def _header(data: BriefData, fonts) -> GongwenDoc:
    doc = GongwenDoc(title="", issuer=data.issuer, date=cn_date(data.issued_on), fonts=fonts)
    doc.title = data.title
    doc.issuer_header(data.issuer, data.doc_number)
    doc._title("\n".join(data.title_lines))
    return doc


ANNEXES = ("lagging", "campaigns", "targets", "reporting", "problems", "ranking")  # a kind's BriefKind.annexes


def _annexes(doc: GongwenDoc, data: BriefData) -> list[tuple[str, callable]]:
    """The 附件 the kind carries (BriefKind.annexes, of :data:`ANNEXES`): (title, writer) of those with content."""
    subject = data.subject
    out = []
    for key in data.spec.annexes:
        if key == "lagging" and data.lagging and data.lagging_by_region:  # several regions: counted per region
            out.append((f"{subject}滞后和逾期未报任务分地区情况", lambda: _by_region_annex(doc, data)))
        elif key == "lagging" and data.lagging:
            out.append((f"{subject}滞后和逾期未报任务清单",
                        lambda: doc.table(LAGGING_HEADER, lagging_rows(data), size_pt=ANNEX_PT)))
        elif key == "campaigns" and data.campaigns:
            out.append((f"{subject}各仗（行动）推进情况",
                        lambda: doc.table(CAMPAIGN_HEADER, campaign_rows(data), size_pt=ANNEX_PT)))
        elif key == "targets" and data.targets:
            out.append(("主要目标完成情况", lambda: doc.table(TARGET_HEADER, target_rows(data), size_pt=ANNEX_PT)))
        elif key == "reporting" and data.reporting:
            out.append(("各责任单位报送情况（有迟报或未报的单位）",
                        lambda: doc.table(REPORTING_HEADER, reporting_rows(data), size_pt=ANNEX_PT)))
        elif key == "problems" and data.problems:
            out.append(("需协调解决的问题清单", lambda: doc.table(PROBLEM_HEADER, problem_rows(data), size_pt=ANNEX_PT)))
        elif key == "ranking" and (data.ranking or data.rules):
            out.append(("考核排名及红黑榜评定规则", lambda: _ranking_annex(doc, data)))
    return out


def _by_region_annex(doc: GongwenDoc, data: BriefData) -> None:
    """A brief spanning several regions lists its laggards per region, the worst few named (content.RegionLagLine)."""
    doc.para(by_region_sentence(data))
    doc.table(["地区", "任务", "逾期未报", "滞后", "较突出的任务"], by_region_rows(data), size_pt=ANNEX_PT)


def _ranking_annex(doc: GongwenDoc, data: BriefData) -> None:
    if data.ranking:
        doc.table(RANK_HEADER, rank_rows(data), size_pt=ANNEX_PT)
    else:
        doc.para("本期没有可排名的单位。")
    doc.heading("评定规则", 3)
    for i, line in enumerate(data.rules, 1):
        doc.para(f"{i}.{line}")
    doc.para("按单位类别分组排名：县市区与市直单位、企业分别排名；牵头单位为各县市区、各成员单位等泛指单位，"
             "或为安委会、领导小组等议事协调机构的，由其成员单位报送，不单独排名。")


def _close(doc: GongwenDoc, data: BriefData, annexes) -> GongwenDoc:
    doc.attachment_note([title for title, _ in annexes])
    doc.signature(data.issuer, cn_date(data.issued_on))
    for i, (title, write) in enumerate(annexes, 1):
        doc.attachment_heading(i, title)
        write()
    doc.colophon([data.carbon_copy, data.issuer], right=f"{cn_date(data.issued_on)}印发")
    return doc


def _notice(data: BriefData, fonts) -> GongwenDoc:
    """通报: 版头, 主送, lead-in, four parts, 附件说明, 落款, 附件, 版记."""
    doc = _header(data, fonts)
    doc.addressees(data.addressees)
    doc.para(f"现将{data.period.label}{data.subject}重点任务推进、主要目标完成和进展报送情况通报如下：")
    h = data.headline
    doc.heading(numbered(1, 1) + "总体情况", 1)
    doc.para(headline_sentence(data) + targets_sentence(data))
    if campaigns_sentence(data):
        doc.para(campaigns_sentence(data))
    doc.heading(numbered(1, 2) + "工作亮点", 1)
    bright = []
    if h.tasks_by_status.get("已完成"):
        bright.append(f"累计已完成任务{h.tasks_by_status['已完成']}项")
    ahead = [c for c in data.campaigns if c.progress is not None and c.expected and c.progress >= c.expected]
    if ahead:
        more = f"等{len(ahead)}个仗（行动）" if len(ahead) > 2 else ""
        bright.append("、".join(f"{c.name}（{pct(c.progress)}）" for c in ahead[:2]) + f"{more}平均进度达到或超过序时进度")
    if data.previous and data.previous.progress is not None and h.progress is not None and h.progress > data.previous.progress:
        bright.append(f"全部任务平均进度较{data.previous.label}末提高{points(h.progress, data.previous.progress)}个百分点")
    if bright:
        doc.para("；".join(bright) + "。")
    red = honours_sentence(data, "red")
    doc.para(f"按考核办法评定，{red}列入本期红榜。" if red
              else "本期没有单位达到红榜分数线，红榜空缺。")
    doc.heading(numbered(1, 3) + "存在问题及原因", 1)
    doc.heading(numbered(2, 1) + "部分任务推进滞后", 2)
    doc.para(lagging_sentence(data))
    doc.heading(numbered(2, 2) + "进展报送不及时", 2)
    doc.para(reporting_sentence(data))
    black = honours_sentence(data, "black")
    if black:
        doc.para(f"{black}考核得分偏低，列入本期黑榜。")
    doc.heading(numbered(2, 3) + "需协调解决的问题", 2)
    doc.para(problems_sentence(data, examples=False))  # each one is in the 附件
    doc.heading(numbered(1, 4) + "下一步工作要求", 1)
    for i, text in enumerate(next_steps(data), 1):
        doc.para(text, bold_lead=f"{ordinal(i)}")
    return _close(doc, data, _annexes(doc, data))


def _summary(data: BriefData, fonts) -> GongwenDoc:
    """季总结 / 年总结: what the period achieved against 序时 and 双过半, targets, each 仗, discipline, change."""
    doc = _header(data, fonts)
    doc.addressees(data.addressees)
    h = data.headline
    year_end = data.period.kind == "年"
    half = data.period.kind == "季" and data.period.start.month == 4  # the second quarter: 双过半
    doc.para(f"{data.period.label}，各责任单位围绕{data.subject}目标任务，按照调度安排推进各项工作。现将"
             f"{data.period.label}工作情况总结如下：")
    doc.heading(numbered(1, 1) + ("全年任务完成情况" if year_end else "任务完成情况"), 1)
    text = headline_sentence(data)
    done = h.tasks_by_status.get("已完成", 0)
    if year_end:
        text += f"全年计划任务完成率{pct(done / h.tasks) if h.tasks else '0%'}。"
    elif half and h.progress is not None:
        verdict = "实现" if h.progress >= 0.5 else "未实现"
        text += f"上半年时间过半，全部任务平均进度{pct(h.progress)}，{verdict}“时间过半、任务过半”。"
    doc.para(text)
    doc.heading(numbered(1, 2) + "主要目标完成情况", 1)
    doc.para(targets_sentence(data) or "本期没有纳入监测的主要目标。")
    behind = [t for t in data.targets if t.light and t.light != "green"]
    if behind:
        doc.para("落后于序时进度的有：" + "、".join(
            f"{clean(t.indicator)}（目标{t.target}，完成{t.actual}）" for t in behind[:5])
            + (f"等{len(behind)}个" if len(behind) > 5 else "") + "。")
    doc.heading(numbered(1, 3) + "各仗（行动）推进情况", 1)
    for c in data.campaigns:
        doc.para(campaign_clause(c) + "。")
    doc.heading(numbered(1, 4) + "报送纪律和考核情况", 1)
    doc.para(reporting_sentence(data))
    red, black = honours_sentence(data, "red"), honours_sentence(data, "black")
    doc.para((f"考核得分居前的有{red}。" if red else "本期没有单位达到红榜分数线。")
             + (f"得分偏低的有{black}。" if black else ""))
    if data.previous:
        p = data.previous
        doc.heading(numbered(1, 5) + f"与{p.label}相比", 1)
        diff = []
        for s in ("已完成", "滞后", OVERDUE, "未启动"):
            a, b = h.tasks_by_status.get(s, 0), p.tasks_by_status.get(s, 0)
            if a != b:
                diff.append(f"{s}{'增加' if a > b else '减少'}{abs(a - b)}项（{b}项→{a}项）")
        text = f"与{p.label}末相比，" + ("；".join(diff) if diff else "各状态任务数没有变化")
        if p.progress is not None and h.progress is not None:
            if pct(p.progress) == pct(h.progress):
                text += f"；平均进度与上期持平（{pct(h.progress)}）"
            else:
                text += f"；平均进度由{pct(p.progress)}{'提高' if h.progress > p.progress else '下降'}到{pct(h.progress)}"
        doc.para(text + "。")
    n = 6 if data.previous else 5
    doc.heading(numbered(1, n) + "存在的主要问题", 1)
    doc.para(lagging_sentence(data))
    doc.para(problems_sentence(data))
    doc.heading(numbered(1, n + 1) + ("下一年度工作打算" if year_end else "下阶段工作打算"), 1)
    for i, text in enumerate(next_steps(data), 1):
        doc.para(text, bold_lead=f"{ordinal(i)}")
    return _close(doc, data, _annexes(doc, data))


FORMS = {BULLETIN: _bulletin, NOTICE: _notice, SUMMARY: _summary}  # BriefKind.form → its writer
