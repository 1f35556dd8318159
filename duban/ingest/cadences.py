"""Pass: reporting / dispatch / review rhythms (调度机制).

A rhythm is a period plus an action, written in one of four ways:

* a formula list: '旬简报、月通报、季总结', '月调度、季点评、半年测评、年总结';
* a chained formula: '一周一调度', '两月一讲评', '一月一督导一排名一通报', '每季一通报', '一季度一行动';
* '每<period>' + action: '每季度最后一个工作日向市安委会报告…', '每天下午4:00之前报送市安委办';
* '按<period>' + action ('按季度归集并公开…') or a periodic report noun ('交易月报').

One record per sentence, with every rhythm in it. Not rhythms of reporting or dispatch: meetings,
drills and activities ('每年召开全体成员会议不少于4次'), quotas ('每月谋划新项目不少于3个'),
service frequencies ('每周随访3次'), rates ('600元每月') and '定期…' without a period.
"""

from __future__ import annotations

import bisect
import re

from duban.ingest.model import Cadence, CadenceItem, Task
from duban.ingest.structure import Outline, continued_lines
from duban.ingest.text import Line, nospace
from duban.ingest.units import split_units

_UNIT_LIKE = re.compile(r"(?:政府|办|委|局|会|部|组|部门|单位|中心|专班|指挥部|大队|支队)$")

_PERIOD = r"半年|半月|季度|季|旬|月|周|日|天|年"
EVERY = {"季度": "季", "天": "日", "双月": "两月", "双周": "两周"}
_ACTIONS = r"简报|通报|总结|小结|调度|点评|讲评|测评|会商|督查|督办|督导|考核|评估|报告|分析|研判|排名"
# '旬简报、月通报、季总结', '实行周调度、月通报': a period word that is not the tail of another word
# ('本月', '全年', '季度', '周年'), then an action
_LIST_ITEM = re.compile(rf"(?<![本每上下次当逐按去今明全周度前近半双])(双月|双周|半年|半月|季|旬|月|周|年)({_ACTIONS})")
# '一周一调度' '两月一讲评' '每月一统计' '一月一督导一排名一通报' '一季度一行动'
_CHAIN = re.compile(rf"(?<![\d年第])(每|一|两|二)个?({_PERIOD})((?:一(?!季|月|年|周|次|个|度|天)[\u4e00-\u9fff]{{2}})+)")
# '每季度…' '每天…' '每两个月…' (not '每个县市区')
_EVERY = re.compile(rf"(?<![元个])每(两个?|个|双)?({_PERIOD})(?!的|度?对应|(?<!周)[一二三四五六七八九十])")  # '每周五' is weekly
_NEXT_RHYTHM = re.compile(rf"、?(?:每|按)(?:两|双|个)?(?:{_PERIOD})")
_BY = re.compile(r"(?<![（(般])按(季度|季|月|周|年)(?!度?[）)])")
_REPORT_NOUN = re.compile(r"(?<=[\u4e00-\u9fff])(周|旬|月|季)报(?![送告名表])")
# what is not a reporting / dispatch rhythm
_NOT_RHYTHM = re.compile(
    r"不少于|至少|不得|不超过|演练|活动|宁静日|随访|值班|巡控|"  # quotas, drills, services
    r"发放|支付|拨付|缴纳|缴存|兑付|验收|"  # payment rules
    r"(?<![第\d.])\d+(?:\.\d+)?\s*(?:个(?!月)|家|项|亿|万|%|人|次|户|件|所|元)"  # amounts ('第1个月' is a date)
)
# a meeting is a rhythm only when it is a dispatch or review meeting ('每月召开一次调度会')
_MEETING = re.compile(r"会议|座谈会|沙龙|交流会|联席会|见面会|推介会")
_DISPATCH = re.compile(r"调度|讲评|点评|通报|督查|督办|推进会|总结")
# a line worth reading: it names a period the way a rhythm does
_HINT = re.compile(rf"年中|每|按(?:季|月|周|年)|[一两二]个?(?:{_PERIOD})一|(?:半年|[季旬月周年])(?:{_ACTIONS})|[周旬月季]报")
_QUOTE_OPEN = re.compile(r"[“\"「]")
_QUOTE_CLOSE = re.compile(r"[”\"」]")
_SENTENCE = re.compile(r"[^。；;！!？?]+(?:[。；;！!？?]|$)")
_COLON_BREAK = re.compile(r"[：:](?=每|按)")  # '…呈报市委市政府：每半年开展…' (a colon used as ；)
_CLAUSE_END = re.compile(r"[，,。；;]|[：:](?!\d)")
# when in the period: '末月中旬', '最后一个工作日', '22日前', '下午4:00之前', '周五下午5点前', '结束后5个工作日内'
_WHEN = (
    r"(?:[上中下]旬|最后一个工作日|\d{1,2}(?:个工作日|日)(?:内|前|之前)?|"
    r"(?:上午|下午|晚上)?\d{1,2}(?:[:：]\d{2}|点|时)(?:前|之前)?)"
)
_WHEN_START = rf"(?:(?:末月|末|结束后|初)(?:{_WHEN})?|[一二三四五六日]?(?:上午|下午)?{_WHEN})"
_DUE = re.compile(rf"每(?:季度|季|月|周|天|日|年|半年){_WHEN_START}(?:[（(][^）)]*[)）])?")
_CUTOFF = re.compile(r"截止(?:时间)?为(当[月周年季]\d{1,2}日)")
_RECIPIENT = re.compile(
    r"向([^，。；,;]{2,30}?)(?:报告|报送|汇报|报)|"
    r"(?:报送|上报|呈报)[^，。；,;至]{0,20}?[至给]([^，。；,;]{2,40})|"  # '报送上月进展情况至县发改局'
    r"(?:报送|呈报|上报|汇报|报告(?=[市县省])|报(?=[市县省区]))(?:至|给)?(?:分别)?([^，。；,;]{2,40})"
)
_BODY_END = re.compile(r"(?:政府|办|委|局|会|厅|部|组|系统|部门|领导|中心|室)$")
_ACTION_NOISE = re.compile(r"^(?:开展一次|一次|定时|及时|按时|要|将|于|对|实行|进行|开展|做好|形成|同时)+")
_ACTION_TAIL = re.compile(r"(?:一次|1次|一遍)$")
_DUE_HEAD = re.compile(f"^{_WHEN_START}")


def _every(pre: str, period: str) -> str:
    """'两'+'月' -> '两月'; '季度' -> '季'; '天' -> '日'."""
    period = EVERY.get(period, period)
    return "两" + period if pre in ("两", "二", "两个", "双") else period


def _chain_items(sentence: str) -> list[tuple[int, int, list[CadenceItem]]]:
    out = []
    for m in _CHAIN.finditer(sentence):
        if m.group(1) == "一" and m.start() > 0 and sentence[m.start() - 1] in "第每":
            continue
        every = _every(m.group(1), m.group(2))
        acts = [a for a in m.group(3).split("一") if a]
        out.append((m.start(), m.end(), [CadenceItem(every, a) for a in acts]))
    return out


# '于年中、年末对…进行专项督查': twice a year, at set points
_MID_AND_END = re.compile(r"年中[、和及与]年[末底]")
_MID_END_ACTION = re.compile(r"(?:专项|集中)?(?:督查|检查|考核|评估|通报|总结|督导|调度|讲评|点评)")


def _mid_end_items(sentence: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, list[CadenceItem]]]:
    m = _MID_AND_END.search(sentence)
    if not m or _inside(m.start(), taken):
        return []
    act = _MID_END_ACTION.search(sentence, m.end())
    if not act or act.start() - m.end() > 60:
        return []
    return [(m.start(), act.end(), [CadenceItem("半年", act.group(0))])]


def _list_items(sentence: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, list[CadenceItem]]]:
    found = [m for m in _LIST_ITEM.finditer(sentence) if not _inside(m.start(), taken)]
    quoted = any(_QUOTE_OPEN.search(sentence[: m.start()]) and _QUOTE_CLOSE.search(sentence[m.end() :]) for m in found)
    if len(found) < 2 and not quoted:
        return []
    return [(m.start(), m.end(), [CadenceItem(_every("", m.group(1)), m.group(2))]) for m in found]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _clause_ends(sentence: str) -> list[int]:
    """Where the clauses of a sentence end, found once (a search per rhythm word is quadratic)."""
    return [m.start() for m in _CLAUSE_END.finditer(sentence)] + [len(sentence)]


def _clause_after(sentence: str, ends: list[int], start: int) -> str:
    return sentence[start : ends[bisect.bisect_left(ends, start)]]


_SEND = re.compile(
    r"(?:将|把)?(?P<obj>[^，,]*)(?:分别|及时|按时)?(?P<verb>报送|上报|呈报|报告|汇报|报(?=[省市县区州镇乡]|专班|领导小组))"
    r"(?P<to>[^，,]*)$"
)  # '将进展情况报县委督查室' too


def _actions(clause: str) -> list[str]:
    """Actions of the words after a period: '22日前将汇总数据报送市人社局、市统计局' -> ['报送汇总数据'];
    '实行监管执法排名、通报监管执法典型案例' -> two actions; '调度通报' -> ['调度', '通报']."""
    words = _DUE_HEAD.sub("", clause)
    words = re.sub(r"^[（(][^）)]*[)）]", "", words)  # '（遇节假日往后顺延）' after a due date
    words = re.sub(r"^向[^，。；,;]{2,30}?(?=报告|报送|汇报)", "", words)
    words = re.split(r"时间为|的(?:统计|汇总)", words)[0]
    words = _ACTION_NOISE.sub("", words.replace("一次", ""))
    send = _SEND.search(words)
    if send and (not send.group("to") or _recipient_like(send.group("to"))):
        obj = re.sub(r"(?:分别|及时|按时)$", "", _ACTION_NOISE.sub("", send.group("obj"))).replace("的", "")
        if not obj and re.search("[至给]", send.group("to")):
            obj = re.split("[至给]", send.group("to"))[0]  # '报送上月进展情况至县发改局'
        return [(send.group("verb") if send.group("verb") != "报" else "报送") + obj]
    over = _OVER.search(words)  # '对交警、交通…等部门的工作情况进行排名通报': one action about many
    if over and "、" in words[: over.start()]:
        words = over.group("act")
    pair = re.fullmatch(f"({_ACTIONS})({_ACTIONS})", words)
    if pair:
        return [pair.group(1), pair.group(2)]
    return [w for w in (_ACTION_TAIL.sub("", _ACTION_NOISE.sub("", p)) for p in words.split("、")) if w]


_OVER = re.compile(r"(?:进行|开展|实行|实施)(?P<act>[^、，,。；;]+)$")


def _every_items(sentence: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, list[CadenceItem]]]:
    out = []
    ends = _clause_ends(sentence)
    for rx in (_EVERY, _BY):
        for m in rx.finditer(sentence):
            if _inside(m.start(), taken):
                continue
            clause = _clause_after(sentence, ends, m.end())
            clause = _NEXT_RHYTHM.split(clause, 1)[0]  # '按月调度、按季通报': each period its own
            if not clause or _NOT_RHYTHM.search(_DUE_HEAD.sub("", clause)):
                continue
            if _MEETING.search(clause) and not _DISPATCH.search(clause):
                continue
            every = _every((m.group(1) or "") if rx is _EVERY else "", m.group(rx.groups))
            items = [CadenceItem(every, a) for a in _actions(clause)]
            if items:
                out.append((m.start(), m.end() + len(clause), items))
    for m in _REPORT_NOUN.finditer(sentence):
        if not _inside(m.start(), taken):
            word = re.search(r"[\u4e00-\u9fff]{0,4}$", sentence[: m.start()]).group(0)
            word = _ACTION_NOISE.sub("", word)
            out.append((m.start() - len(word), m.end(), [CadenceItem(EVERY.get(m.group(1), m.group(1)), word + m.group(0))]))
    return out


def _recipient_like(who: str) -> bool:
    return bool(_BODY_END.search(who))


def _recipient(sentence: str) -> str | None:
    for m in _RECIPIENT.finditer(sentence):
        who = re.sub(r"^分别", "", (m.group(1) or m.group(2) or m.group(3) or "").strip())
        if _recipient_like(who):
            return who
    return None


def _due(sentence: str) -> str | None:
    m = _DUE.search(sentence)
    if m:
        return m.group(0)
    m = _CUTOFF.search(sentence)
    return m.group(1) if m else None


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """Spans of the comma clauses of a sentence; commas inside quotes or brackets do not count
    ('“一周一调度,一月一小结,两月一讲评”' stays in one clause)."""
    spans, depth, start, ascii_quote = [], 0, 0, False
    for i, ch in enumerate(sentence):
        if ch in "“「《（(【":
            depth += 1
        elif ch in "”」》）)】":
            depth = max(0, depth - 1)
        elif ch == '"':
            ascii_quote = not ascii_quote
        elif ch in "，," and depth == 0 and not ascii_quote:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(sentence)))
    return spans


# data a task's own work sends to a business system ('…每日将接诊的数据上报“…”系统'): not a report
_SYSTEM = re.compile(r"(?:上报|上传|录入|报送|推送|导入|填报)[^，,。；;]{0,30}(?:系统|平台|数据库)(?![^，,。；;]{0,4}(?:领导|部门|单位))")
_HOLIDAY = re.compile(r"(?:节假日|假日|休息日)[^，,。；;]{0,6}顺延")
# the bodies a rhythm sentence names: its subject ('各专班每月…', '市人社局、市统计局对数据…于每月…')
# or whom it is about ('每季度对交警、交通…进行排名')
_SUBJECT_HEAD = re.compile(r"^(?P<u>[^，,。；;：:]{2,60}?)(?:要|须|应|对|于|在|将|每|按|$)")
_ABOUT = re.compile(r"对(?P<u>[^，,。；;]{2,80}?)(?:进行|开展|实行|实施)")


def _subjects(head: str, context: str) -> list[str]:
    found: list[str] = []
    m = _SUBJECT_HEAD.match(head)
    about = _ABOUT.search(context)
    for text in [m.group("u") if m else "", about.group("u") if about else ""]:
        text = re.sub(r"^[（(]?\d{1,3}[)）.、]|牵头", "", text)  # '（1）各行业部门', '市直牵头单位'
        for u in split_units(text) if text else []:
            if _UNIT_LIKE.search(u) and u not in found:
                found.append(u)
    return found


def _sentence_cadences(sentence: str) -> list[tuple[dict, int]]:
    """One record per clause that holds rhythms; the clauses after it that hold none (up to the
    next rhythm) still tell where it is reported and when ('…工作调度机制，…，相关情况及时报市政府')."""
    found = _chain_items(sentence)
    found += _list_items(sentence, [(a, b) for a, b, _ in found])
    found += _every_items(sentence, [(a, b) for a, b, _ in found])
    if "年中" in sentence:
        found += _mid_end_items(sentence, [(a, b) for a, b, _ in found])
    if not found:
        return []
    clauses = _clauses(sentence)
    owner = [next(k for k, (a, b) in enumerate(clauses) if a <= f[0] <= b) for f in found]
    out = []
    for k in sorted(set(owner)):
        mine = sorted((f for f, o in zip(found, owner, strict=True) if o == k), key=lambda f: f[0])
        nxt = min((o for o in owner if o > k), default=len(clauses))
        context = sentence[clauses[k][0] : clauses[nxt - 1][1]]
        out.append((
            {
                "text": sentence[clauses[k][0] : max(clauses[k][1], max(b for _, b, _ in mine))].strip("。；;! "),
                "items": [it for _, _, its in mine for it in its],
                "report_to": _recipient(context),
                "due": _due(context),
                "units": _subjects(sentence[: min(f[0] for f in mine)], context),
                "reporting": not _SYSTEM.search(context),
                "holiday_shift": bool(_HOLIDAY.search(context)),
            },
            clauses[k][0],
        ))
    return out


def parse_cadences(text: str) -> list[dict]:
    """Rhythms in a paragraph: one dict per clause that holds any (text, items, report_to, due)
    plus ``offset``, where the clause starts in ``text``."""
    out = []
    for sm in _SENTENCE.finditer(_COLON_BREAK.sub("；", text)):
        for record, at in _sentence_cadences(sm.group(0)):
            out.append({**record, "offset": sm.start() + at})
    return out


def extract(lines: list[Line], outline: Outline) -> list[Cadence]:
    out = []
    i = 0
    while i < len(lines):
        if not _HINT.search(lines[i].text):
            i += 1
            continue
        if outline.in_table(lines[i].no):
            parts, i = [lines[i]], i + 1
        else:
            parts, i = continued_lines(lines, i)
        texts = [nospace(p.text) if "\t" not in p.raw else p.text for p in parts]
        text = "".join(texts)
        starts = [sum(len(t) for t in texts[:k]) for k in range(len(texts))]
        for c in parse_cadences(text):
            k = max(n for n, s in enumerate(starts) if s <= c["offset"])
            line_no = parts[k].no
            c.pop("offset")
            out.append(Cadence(line=line_no, plan=outline.plan_at(line_no), **c))
    return out


# headings of sections that state how the whole plan is run, not tasks
_MECHANISM = re.compile(r"机制|保障|组织|要求|领导|督查|督办|考核|调度|推进|实施步骤|工作步骤")


def bind(found: list[Cadence], tasks: list[Task], outline: Outline) -> None:
    """Say what each rhythm binds: the task whose own text holds it (a table row or a prose item),
    else the section it is written in, else — in a mechanism section (推进机制, 保障措施 …) or
    outside any numbered section — the whole plan."""
    spans = sorted((t.line, t.end_line or t.line, t) for t in tasks)
    starts = [a for a, _, _ in spans]
    for c in found:
        k = bisect.bisect_right(starts, c.line) - 1
        while k >= 0 and spans[k][0] >= c.line - 200:
            a, b, t = spans[k]
            if a <= c.line <= b and t.plan == c.plan:
                c.scope, c.task, c.section = "task", t.id, list(t.section)
                break
            k -= 1
        if c.task:
            continue
        path = [h for h in outline.heading_path(c.line) if h.line != c.line]
        if path and not any(_MECHANISM.search(h.text[:30]) for h in path[:2]):
            c.scope, c.section, c.section_line = "section", [h.text[:60] for h in path], path[-1].line
