"""The sentences of a brief, written from its :class:`~duban.briefs.content.BriefData` only.

Every figure a sentence states is read from the BriefData (the one set of facts of the brief), so
the text and the 附件 tables cannot disagree: the tests read the numbers back out of the sentences and
compare them with the tables. The wording follows the 督查通报 and 工作简报 offices publish: counts
with their shares ("滞后17项，占7.7%"), named laggards, "一是……二是……" for what is asked next, and
problems grouped by what they are about rather than pasted one by one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from duban.briefs.content import STATUSES, BriefData, CampaignLine, ProblemLine, TaskLine

OVERDUE = "逾期未报"  # duban.tracking.models.OVERDUE, without importing the models

NAMED = 4  # late units named in the text; the rest are in the 附件
TASKS_NAMED = 3  # lagging tasks named in the text
CN_NUMERALS = "一二三四五六七八九十"

# what a problem is about: the first pattern that matches its text; the rest are 其他
PROBLEM_TOPICS = (
    ("资金保障", r"资金|经费|财政|融资|拨付|预算|债"),
    ("用地和征拆", r"用地|土地|林地|征地|征收|拆迁|指标"),
    ("审批手续", r"审批|手续|报批|立项|环评|许可|备案|批复|核准"),
    ("人员力量", r"人员|人手|人才|编制|力量|专业"),
    ("部门协同", r"协调|配合|联动|对接|衔接|共享"),
)


def pct(value: float | None, scale: float = 100) -> str:
    """0.256 → '25.6%' (scale 100) ; None → '—'."""
    return "—" if value is None else f"{value * scale:.1f}%".replace(".0%", "%")


def share(n: int, total: int) -> str:
    """'17项，占7.7%'."""
    return f"{n}项，占{pct(n / total) if total else '0%'}"


def points(a: float, b: float) -> str:
    """Difference of two shares in 百分点, '0.4', from the figures as printed (25% and 24.7% → 0.3)."""
    return f"{abs(round(a * 100, 1) - round(b * 100, 1)):.1f}".rstrip("0").rstrip(".") or "0"


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def month_day(d) -> str:
    return f"{d.month}月{d.day}日"


def one_line(text: str) -> str:
    """Text typed by units or read from documents, on one line: line breaks and runs of spaces inside a
    sentence removed (they letter-spaced the problem text in the old briefs)."""
    text = re.sub(r"\s*[\r\n]+\s*", "", text or "")
    text = re.sub(r"(?<=[\u2E80-\uFFFF])\s+|\s+(?=[\u2E80-\uFFFF])", "", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def clean(text: str) -> str:
    """:func:`one_line`, without its closing punctuation, to be quoted inside a sentence."""
    return one_line(text).rstrip("。；;，,、 ")


def short_title(title: str, limit: int = 26) -> str:
    """A task named in a sentence: its first clause, at most ``limit`` characters."""
    text = clean(title)
    text = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]\s*", "", text)
    first = re.split(r"[。；;：:，,]", text, maxsplit=1)[0]
    if len(first) >= 6:
        text = first
    return text if len(text) <= limit else text[: limit - 1] + "…"


def units_text(line: TaskLine) -> str:
    return "、".join(line.lead_units) or "、".join(line.co_units)


def ordinal(i: int) -> str:
    """一是, 二是, …"""
    return (CN_NUMERALS[i - 1] if i <= 10 else str(i)) + "是"


# ---------------------------------------------------------------- 总体情况


def status_sentence(by_status: dict[str, int]) -> str:
    total = sum(by_status.values())
    parts = [f"{s}{share(by_status.get(s, 0), total)}" for s in STATUSES if by_status.get(s, 0)]
    return "；".join(parts) if parts else "暂无任务"


def headline_sentence(data: BriefData) -> str:
    """截至…，纳入调度的N项重点任务中，已完成a项，占x%；… (also printed by the web page, word for word)."""
    h = data.headline
    out = f"截至{cn_date(data.as_of)}，纳入调度的{h.tasks}项重点任务中，{status_sentence(h.tasks_by_status)}。"
    if h.progress is not None and h.expected is not None and h.tasks:
        gap = "超前" if h.progress >= h.expected else "落后"
        out += f"全部任务平均进度{pct(h.progress)}，序时进度{pct(h.expected)}，{gap}{points(h.progress, h.expected)}个百分点。"
    return out


def targets_sentence(data: BriefData) -> str:
    """What the targets say: how many have figures, and of those how many are on 序时进度."""
    h = data.headline
    if not h.targets:
        return ""
    if not h.targets_with_data:
        return f"{h.targets}个主要目标均尚无数据报送。"
    out = (f"{h.targets}个主要目标中，已报送数据的{h.targets_with_data}个，其中达到序时进度{h.targets_on}个、"
           f"落后于序时进度{h.targets_behind}个")
    return out + (f"；其余{h.targets_without_data}个尚无数据。" if h.targets_without_data else "。")


def campaign_clause(c: CampaignLine) -> str:
    """One 仗: its tasks, progress against 序时, what is behind, and 未启动 said when there is any."""
    idle = c.tasks_by_status.get("未启动", 0)
    if idle == c.tasks:
        return f"{c.name}{c.tasks}项任务均未启动"
    out = f"{c.name}{c.tasks}项任务平均进度{pct(c.progress)}（序时进度{pct(c.expected)}）"
    bad = c.tasks_by_status.get("滞后", 0) + c.tasks_by_status.get(OVERDUE, 0)
    extra = []
    if c.tasks_by_status.get("已完成", 0):
        extra.append(f"已完成{c.tasks_by_status['已完成']}项")
    if bad:
        extra.append(f"滞后和逾期未报{bad}项")
    if idle:
        extra.append(f"未启动{idle}项")
    return out + ("，" + "、".join(extra) if extra else "")


def campaigns_sentence(data: BriefData) -> str:
    """分仗看: each 仗 in a short clause (its progress, what is behind, 未启动 said); 序时进度 is in the overall sentence."""
    if len(data.campaigns) < 2:
        return ""
    parts = []
    for c in data.campaigns:
        idle = c.tasks_by_status.get("未启动", 0)
        if idle == c.tasks:
            parts.append(f"{c.name}{c.tasks}项任务均未启动")
            continue
        bad = c.tasks_by_status.get("滞后", 0) + c.tasks_by_status.get(OVERDUE, 0)
        extra = [f"滞后和逾期未报{bad}项"] if bad else []
        if idle:
            extra.append(f"未启动{idle}项")
        parts.append(f"{c.name}{pct(c.progress)}" + (f"（{'、'.join(extra)}）" if extra else ""))
    return "分仗（行动）看，平均进度分别为：" + "；".join(parts) + "。"


def campaigns_highlight(data: BriefData) -> str:
    """For a 简报 above its 仗 table: the fastest and the slowest, and those not started (the rest is in the table)."""
    moving = [c for c in data.campaigns if c.tasks_by_status.get("未启动", 0) != c.tasks and c.progress is not None]
    idle = [c for c in data.campaigns if c.tasks_by_status.get("未启动", 0) == c.tasks]
    parts = []
    if len(moving) > 1:
        fast, slow = max(moving, key=lambda c: c.progress), min(moving, key=lambda c: c.progress)
        parts.append(f"{fast.name}平均进度最快（{pct(fast.progress)}），{slow.name}相对较慢（{pct(slow.progress)}）")
    elif moving:
        parts.append(campaign_clause(moving[0]))
    if idle:
        parts.append("、".join(f"{c.name}{c.tasks}项任务" for c in idle) + "均未启动")
    return "；".join(parts) + ("，各仗情况见下表。" if len(data.campaigns) > 1 else "。")


# ---------------------------------------------------------------- laggards


def worst_first(lines: list[TaskLine]) -> list[TaskLine]:
    """逾期未报 before 滞后, then the furthest behind 序时进度."""
    return sorted(lines, key=lambda t: (t.status != OVERDUE, -(t.expected - (t.percent or 0))))


def task_named(t: TaskLine) -> str:
    """“推进重大项目建设”（市发展和改革委员会牵头，进度8%、序时进度19%）; an overdue task has no progress
    of this period, so none is printed beside its status."""
    who = units_text(t) or "责任单位未明确"
    if t.status == OVERDUE:
        state = "逾期未报"
    else:
        state = f"进度{'—' if t.percent is None else f'{t.percent:g}%'}、序时进度{t.expected:g}%"
    return f"“{short_title(t.title, 18)}”（{who}，{state}）"


def lagging_sentence(data: BriefData, named: int = TASKS_NAMED) -> str:
    """How many tasks are behind, where they are, and the worst ``named`` by name."""
    h = data.headline.tasks_by_status
    overdue, lagging = h.get(OVERDUE, 0), h.get("滞后", 0)
    if not overdue + lagging:
        return "本期没有滞后或逾期未报的任务。"
    out = f"全部任务中，逾期未报{overdue}项、滞后{lagging}项"
    where = Counter(t.campaign for t in data.lagging)
    if len(where) > 1:
        out += "，主要集中在" + "、".join(f"{c}（{n}项）" for c, n in where.most_common(3))
    if data.lagging_by_region:
        regions = sorted((r for r in data.lagging_by_region if r.total), key=lambda r: -r.total)[:3]
        out += "；分地区看，" + "、".join(f"{r.region}{r.total}项" for r in regions) + "较多"
    worst = worst_first(data.lagging)[:named]
    out += "。其中，" + "；".join(task_named(t) for t in worst)
    more = overdue + lagging - len(worst)
    return out + (f"等{more + len(worst)}项任务推进不力" if more > 0 else "推进不力") + "。"


def reporting_sentence(data: BriefData, named: int = NAMED) -> str:
    """报送纪律, counted per task: “市X局3项任务逾期未报”, never one count per reporting item."""
    missing = [r for r in data.reporting if r.missing_tasks]
    late = [r for r in data.reporting if r.late_tasks and not r.missing_tasks]
    if not missing and not late:
        overdue = data.headline.tasks_by_status.get(OVERDUE, 0)
        if overdue:  # nothing fell due late this period, but earlier reports are still missing: never “all on time”
            return f"本期到期的进展均按时报送，但仍有{overdue}项任务前期逾期未报、至今未补报。"
        return "本期各责任单位均按时报送。"
    out = []
    if missing:
        names = "、".join(f"{r.unit}{r.missing_tasks}项任务" for r in missing[:named])
        tail = f"等{len(missing)}个单位有任务逾期未报" if len(missing) > named else "逾期未报"
        out.append(f"{names}{tail}")
    if late:
        names = "、".join(r.unit for r in late[:named])
        tail = f"等{len(late)}个单位" if len(late) > named else ""
        out.append(f"{names}{tail}未按时报送")
    return "；".join(out) + "。"


# ---------------------------------------------------------------- problems


def topic_of(p: ProblemLine) -> str:
    for topic, pattern in PROBLEM_TOPICS:
        if re.search(pattern, p.text):
            return topic
    return "其他方面"


def problem_groups(problems: list[ProblemLine]) -> list[tuple[str, list[ProblemLine]]]:
    """Problems by topic, the largest group first (其他 last)."""
    groups: dict[str, list[ProblemLine]] = defaultdict(list)
    for p in problems:
        groups[topic_of(p)].append(p)
    return sorted(groups.items(), key=lambda kv: (kv[0] == "其他方面", -len(kv[1]), kv[0]))


def problems_sentence(data: BriefData, examples: bool = True) -> str:
    if not data.problems:
        return "本期各责任单位未提出需协调解决的问题。"
    parts = []
    for topic, items in problem_groups(data.problems)[:4]:
        units = list(dict.fromkeys(p.unit for p in items))
        who = "、".join(units[:3]) + ("等单位" if len(units) > 3 else "")
        example = ""
        if examples and len(parts) < 2:  # the two largest groups with an example, as the units wrote it
            text = clean(items[0].text)
            example = "，如“" + (text if len(text) <= 18 else text[:17] + "…") + "”"
        parts.append(f"{topic}{len(items)}个（{who}提出{example}）" if examples else f"{topic}{len(items)}个")
    return f"各单位提出需协调解决的问题{len(data.problems)}个，主要是" + ("；" if examples else "、").join(parts) + "。"


# ---------------------------------------------------------------- 红黑榜


def honours_sentence(data: BriefData, which: str) -> str:
    """红榜 or 黑榜 by group: 县市区中，新邵县（95.20分）…；市直单位中，…"""
    parts = []
    for g in data.honours:
        lines = g.red if which == "red" else g.black
        if lines:
            parts.append(f"{g.group}中，" + "、".join(f"{r.unit}（{r.score:.2f}分）" for r in lines))
    return "；".join(parts)


def next_steps(data: BriefData) -> list[str]:
    """下一步工作要求, each from what this period showed."""
    h = data.headline.tasks_by_status
    out = []
    missing_targets = data.headline.targets_without_data
    if h.get(OVERDUE, 0) or any(r.missing_tasks for r in data.reporting):
        text = f"严肃报送纪律。逾期未报的{h.get(OVERDUE, 0)}项任务，责任单位要在3个工作日内补报并说明原因"
        if missing_targets:
            text += f"；尚无数据的{missing_targets}个主要目标，牵头单位要按月报送完成值"
            missing_targets = 0
        out.append(text + "。")
    if h.get("滞后", 0):
        out.append(f"加快滞后任务推进。滞后的{h.get('滞后', 0)}项任务，牵头单位要逐项明确整改措施和时限。")
    if data.problems:
        topics = "、".join(t for t, _ in problem_groups(data.problems)[:3])
        out.append(f"协调解决突出问题。{topics}等方面的{len(data.problems)}个问题，由专班办公室分类交办、限期反馈。")
    if missing_targets:
        out.append(f"及时报送指标数据。尚无数据的{missing_targets}个主要目标，牵头单位要按月报送完成值。")
    if len(out) < 3:
        out.append("强化督查问效。考核排名和红黑榜结果纳入年度绩效考核，对工作推进不力、问题整改不到位的单位予以通报。")
    return out
