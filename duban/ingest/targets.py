"""Pass: quantitative targets (主要目标 / 工作目标 / 主要指标).

Only paragraphs and table rows under a target heading ('二、主要目标', '一、工作目标', '一、主要指标',
'二、指标任务和责任单位') or opened by a target label ('主要目标：…') are read: figures in task bodies
are work quantities, not targets. Each figure (number + unit) becomes one target; its indicator is
the words before it in its clause ('地区生产总值增长 7.5%左右'), or after it when the verb comes first
('完成省定5个县级妇幼保健机构标准化建设任务'), or the previous figure's when the subject is elided
('…增长 7.5%左右，总量达到 2800 亿元'). 'A、B分别增长X' and 'A和B均增长X' give one target per subject.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from duban.ingest.model import Target
from duban.ingest.structure import Outline, continued_lines, numbering_level, strip_numbering
from duban.ingest.text import Line, nospace

# heading labels that open a target section: 主要目标, 工作目标, 主要指标, 目标任务, 指标任务和责任单位
_TARGET_HEADING = re.compile(
    r"^(?:20\d\d年)?(?:[\u4e00-\u9fff]{0,4}?|[\u4e00-\u9fff]{0,8}的主要(?:预期)?)(?:目标|指标)(?:任务)?(?:和[\u4e00-\u9fff]{1,8})?$"
)
_TARGET_LABEL = re.compile(r"^(?:主要|工作|总体|发展|年度)?(?:预期)?(?:目标|指标)(?:是|为)?[:：。]")
_LABEL_END = re.compile(r"[。，,：:；;\t（(]")

# units of a target figure; an alternation tries them in this order, so longer spellings come first
UNITS = (
    "个百分点 百分点 个工作日 工作日 万人次 人次 户次 亿美元 万美元 美元 亿元 万元 元 万户 户 万人 人 万名 名 "
    "万亩 亩 万公顷 公顷 平方公里 万平方米 平方米 万立方米 立方米 万方 万吨标准煤 吨标准煤 万吨 吨 公里 千米 "
    "万千瓦时 千瓦时 万千瓦 千瓦 兆瓦 万个 个 万家 家 项 件 所 万套 套 张 万台 台 万辆 辆 座 处 条 天 次 床 "
    "万株 株 万头 头 批 场 篇 倍 % ％ ‰ 亿 万"
).split()
_UNIT = "|".join(re.escape(u) for u in UNITS)
_FIGURE = re.compile(
    rf"(?<![\d.,A-Za-z×*－\-~～—–])(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)((?:{_UNIT})?(?:/[月年日天人户次亩](?:·人)?)?)"
    r"(及以上|以上|左右|以内|以下)?"
)
_PARENS = re.compile(r"[（(\[【][^（()）\[\]【】]*[)）\]】]")
_CLAUSE = re.compile(r"(?:[^。；;，,：:！!？?]|(?<=\d),(?=\d{3}))+")  # '1,500亿元' is one figure
_OTHER_SCOPE = re.compile(r"全[省国](?:共|计|合计)?\d")  # a higher region's totals quoted as context
_CATEGORY_AFTER = re.compile(r"^[\u4e00-\u9fffA-Za-z]")  # '20户以上自然村': a class, not a target
_MULTI = re.compile(r"(分别|均)(?=增长|下降|提高|达到|达|新增|减少|增加|超过|突破)")
_COUNT_WORDS = re.compile(r"[一二三四五六七八九十两\d]+项(?:指标)?$|等$")
_SUBJECT_SPLIT = re.compile(r"[、和与及]")
# measure verbs (longer spellings first) and the measure each records
_VERB = re.compile(
    r"(?:压缩|缩短|降低|减少|下降|降)(?:至|到)|(?:提高|提升|增加|增)(?:至|到)|"
    r"增速达到|增速|增幅|增长|增加(?!值)|下降|降低|减少|提高|净增|新增|达到|达|控制在|稳定在|保持在|"
    r"完成|开展|开工改造|开工|启动|新建|建成|建设(?!任务)|恢复和改善|提升|入库|备案|实现|培育|引进|突破|超过"
)
_VERB_MEASURE = {
    "增速达到": "增长", "增速": "增长", "增幅": "增长", "增加": "增长", "降低": "下降", "减少": "下降",
    "达": "达到", "稳定在": "总量", "保持在": "总量",
}
_VERB_MEASURE.update({v + to: "下降到" for v in ("压缩", "缩短", "降低", "减少", "下降", "降") for to in "至到"})
_VERB_MEASURE.update({v + to: "提高到" for v in ("提高", "提升", "增加", "增") for to in "至到"})
_VERB_FIRST = {"完成", "开展", "实现", "建设", "新建", "启动", "开工", "开工改造", "新增", "净增", "突破"}
_QUALIFIER_BEFORE = ("不低于", "不少于", "不超过", "突破", "超过", "高于", "力争")
_LEAD = re.compile(
    r"^(?:[★☆▲△●■◆]|其中|努力实现|实现|确保|力争|并|和|与|及|、|到?20\d\d年(?:底|末)?|全年|全部|[省市县]定|"
    r"\d{1,3}[.．、]|[（(][一二三四五六七八九十\d]{1,3}[)）]|完成|开展)+"
)
_TEXT_LEAD = re.compile(r"^(?:[★☆▲△●■◆]|努力实现|实现|并|和|与|及|、|\d{1,3}[.．、]|[（(][一二三四五六七八九十\d]{1,3}[)）])+")
_SHARED = re.compile(r"(?:均|分别)(?=不低于|不少于|不超过|超过|高于|低于|增长|下降|提高|达|新增|减少)")
_TRAIL = re.compile(r"(?:分别|均|的|为|在|可比)+$")
_NOUN = re.compile(r"[\u4e00-\u9fff“”\"A-Za-z]+")
_STATE_WORDS = re.compile(r"(?:稳中向好|持续改善|稳步提升|持续提升|保持稳定|稳定向好|逐步提高)$")
_SCOPE = {"全市", "全县", "全区", "全省", "全州"}
_ELIDED = {"", "总量", "总额", "总数", "规模"}


@dataclass
class _Figure:
    start: int
    end: int  # end of the figure, its unit and any bound word after it
    value: float
    unit: str
    bound: str | None


def _heading_label(text: str) -> str:
    """'二、主要目标' -> '主要目标'; '（一）经济运行稳中提质。…' -> '经济运行稳中提质'."""
    t = strip_numbering(nospace(text))
    return _LABEL_END.split(t, 1)[0]


def is_target_heading(text: str) -> bool:
    """'二、主要目标', '一、主要指标', '二、指标任务和责任单位' — not '（四）强化目标考核'."""
    if "目标" not in text and "指标" not in text:
        return False
    return bool(numbering_level(nospace(text))) and bool(_TARGET_HEADING.match(_heading_label(text)))


def _is_bare_heading(text: str) -> bool:
    """A numbered heading with no sentence after it: '（三）2023年全市重点监测4个民生项目'."""
    t = nospace(text).rstrip("。")
    return bool(numbering_level(t)) and _heading_label(t) == strip_numbering(t)


def _content(text: str) -> str:
    """The text of a line to read figures from: for a tab-separated row, its task cell."""
    if "\t" in text:
        cells = [c for c in text.split("\t") if c.strip()]
        if len(cells) > 1 and cells[0].strip().isdigit():
            return cells[1]
        return cells[0] if cells else ""
    return text


# an indicator statement standing alone as a numbered item or a ★/▲ line, wherever it is:
# '1.努力实现地区生产总值增长6.2%左右。', '(一)地区生产总值增长11%。(牵头单位:…)', '▲增加值可比增长14%左右,其中…'
_MARK = re.compile(r"^[★☆▲△●■◆]\s*")
_FIRST_SENTENCE = re.compile(r"[。（(\[【]")
_PIECE_SPLIT = re.compile(r"[,，;；、]")
_INDICATOR_PIECE = re.compile(
    r"^(?:努力实现|实现|确保|力争)?[\u4e00-\u9fffA-Za-z“”]{2,16}?(?:可比)?"
    r"(?:增长|下降|减少|达到|控制在|保持在|提高到|降低到|提高|降低)\d+(?:\.\d+)?"
    r"(?:%|％|个百分点|亿元|万元|万人|万吨|万户|万亩)(?:[—\-~～]\d+(?:\.\d+)?[%％]?)?(?:左右|以上|以内|以下)?$"
)
# a '|' table row cell that is a figure with its verb ('增长5.5%(市下达指标)'), the indicator in the cell before
_VALUE_CELL = re.compile(r"^(?:增长|下降|减少|达到|控制在|保持在|提高到|降低到)\d+(?:\.\d+)?(?:%|％|个百分点|亿元|万元)")


_FIGURE_HINT = re.compile(r"\d[%％万亿个]")
_ITEM_START = frozenset("一二三四五六七八九十（(0123456789★☆▲△●■◆")


def indicator_item(text: str) -> str:
    """The indicator statements of an item that states only targets, '' otherwise."""
    if not _FIGURE_HINT.search(text):
        return ""
    t = _MARK.sub("", text)
    level = numbering_level(t)
    if not level and t == text:
        return ""
    t = nospace(strip_numbering(t) if level else t)
    pieces = _PIECE_SPLIT.split(_FIRST_SENTENCE.split(t, 1)[0])
    kept = []
    for piece in pieces:
        if not _INDICATOR_PIECE.match(piece):
            break
        kept.append(piece)
    return "，".join(kept)


def _row_targets(text: str) -> str:
    """'1 | 地区生产总值 | 增长5.5%(市下达指标) | …' -> '地区生产总值增长5.5%'."""
    cells = [nospace(c) for c in text.strip().strip("|").split("|")]
    out = []
    for a, b in zip(cells, cells[1:], strict=False):
        if _VALUE_CELL.match(b) and a and not a.isdigit() and len(a) <= 20:
            out.append(a + b)
    return "；".join(out)


def target_paragraphs(lines: list[Line], outline: Outline) -> list[tuple[list[Line], str]]:
    """(lines, text) of every paragraph in a target section, with page-broken halves rejoined."""
    out: list[tuple[list[Line], str]] = []
    in_zone = bytearray(len(lines) + 2)  # by line number: under a target heading
    for a, b in outline.spans_under(is_target_heading):
        in_zone[a : b + 1] = b"\x01" * (b + 1 - a)
    label_open = False
    i = 0
    while i < len(lines):
        ln = lines[i]
        if not ln.text:
            i += 1
            continue
        if label_open and numbering_level(ln.text) and not is_target_heading(ln.text):
            label_open = False
        if ("目标" in ln.text[:8] or "指标" in ln.text[:8]) and _TARGET_LABEL.match(nospace(ln.text)):
            label_open = True
        if not (label_open or in_zone[ln.no]) or _is_bare_heading(ln.text):
            item = indicator_item(ln.text) if ln.text[0] in _ITEM_START else ""
            item = item or (_row_targets(ln.text) if "|" in ln.text else "")
            if item:
                out.append(([ln], item))
            i += 1
            continue
        if "\t" in ln.raw or outline.in_table(ln.no):
            out.append(([ln], _content(ln.text)))
            i += 1
            continue
        parts, i = continued_lines(lines, i)
        out.append((parts, "".join(p.text for p in parts)))
    return out


def _squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without spaces, and for each kept character its index in ``text``."""
    kept = [(i, c) for i, c in enumerate(text) if not c.isspace() and c not in "\u200b\ufeff"]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def _figures(part: str) -> list[_Figure]:
    figs = [
        _Figure(m.start(), m.end(), float(m.group(1).replace(",", "")), m.group(2).replace("％", "%"), m.group(3))
        for m in _FIGURE.finditer(part)
        if m.group(2)
    ]
    # '不低于650/月' after '600元/月': the rate unit lost its base; borrow it from the figure before
    for a, b in zip(figs, figs[1:], strict=False):
        if b.unit.startswith("/") and "/" in a.unit:
            b.unit = a.unit.split("/", 1)[0] + b.unit
    return [f for f in figs if not f.unit.startswith("/")]


def _skip(part: str, f: _Figure) -> bool:
    """Figures that are not targets: start values, baselines, class thresholds, deadlines."""
    before, after = part[: f.start], part[f.end :]
    if re.search(r"从(?:不低于|不少于)?$", before) or re.search(r"一次[\u4e00-\u9fff]{0,3}$", before):
        return True
    if after.startswith(("的基础上", "基础上", "内")):
        return True
    return bool(f.bound in ("以上", "以下", "及以上") and _CATEGORY_AFTER.match(after))


def _qualifier(before: str, f: _Figure) -> str | None:
    """Bound word after the figure, else the one before it ('超过42%'); 力争 only when alone."""
    if f.bound:
        return "以上" if f.bound == "及以上" else f.bound
    tail = before[-8:]
    found = sorted((tail.rfind(w), w) for w in _QUALIFIER_BEFORE if w in tail)
    real = [w for _, w in found if w != "力争"]
    return real[-1] if real else ("力争" if found else None)


def _clean(words: str) -> str:
    """An indicator without lead words (其中, 确保, 省定, numbering), bound words or particles."""
    words = _LEAD.sub("", words)
    for w in _QUALIFIER_BEFORE:
        if words.endswith(w):
            words = words[: -len(w)]
    words = _TRAIL.sub("", words)
    return _SHARED.split(words, 1)[0]


def _split_parts(clause: str) -> list[tuple[int, int]]:
    """Spans of a clause split on 、 between figures: 'A增长7.5%、B增长10%' -> two parts; a subject
    list ('进出口、进口、出口三项指标分别增长10.5%') or a bare figure ('8%、10%以上') stays whole."""
    spans: list[list[int]] = []
    start = 0
    pos = 0
    for piece in clause.split("、"):
        end = pos + len(piece)
        # no figure spans a 、, so the piece's own figures are those of clause[start:end] that are
        # new; reading each piece once keeps a long list without figures linear
        figs = _figures(piece)
        if figs:
            if spans and not _clean(clause[start : pos + figs[0].start]):
                spans[-1][1] = end  # a bare figure continues the list before it
            else:
                spans.append([start, end])
            start = end + 1
        pos = end + 1
    if spans and start < len(clause):
        spans[-1][1] = len(clause)
    return [(a, b) for a, b in spans]


def _subjects(words: str) -> list[str]:
    """'进出口、进口、出口三项指标' -> ['进出口', '进口', '出口']."""
    words = _COUNT_WORDS.sub("", _LEAD.sub("", words))
    return [s for s in _SUBJECT_SPLIT.split(words) if s]


def _noun_after(after: str) -> str:
    """'县级妇幼保健机构标准化建设任务（…' -> '县级妇幼保健机构标准化建设'."""
    m = _NOUN.match(after)
    return re.sub(r"(?:任务|目标)$", "", m.group(0)) if m else ""


def _indicator(before: str, after: str, prev: str, unit: str) -> tuple[str, str]:
    """Indicator and measure of a figure from the words before (and after) it."""
    head = before.split("从", 1)[0]
    verbs = list(_VERB.finditer(before))
    if not verbs:
        indicator, verb = _clean(head), ""
    else:
        v = verbs[-1]
        verb = v.group(0)
        if "从" in before and v.start() > before.index("从"):
            subject, obj = _clean(head), ""
        else:
            subject, obj = _clean(before[: v.start()]), _clean(before[v.end() :])
        if subject in _SCOPE:
            subject = ""
        if subject and obj:
            indicator = subject + verb + obj if len(obj) <= 2 else subject + obj
        else:
            indicator = subject or obj
        if not obj and verb in _VERB_FIRST and verb not in ("新增", "净增", "突破"):
            indicator = _noun_after(after) or indicator  # '完成省定…5个县级妇幼保健机构…任务'
        verb = verb if obj or verb not in ("突破", "超过") else "达到"
    measure = _VERB_MEASURE.get(verb, verb)
    if indicator in _ELIDED and verb in _VERB_FIRST:
        indicator = _noun_after(after) or indicator
    if indicator in _ELIDED:
        indicator = prev
        if measure in ("", "达到", "突破", "超过"):
            measure = "总量"
    elif indicator.startswith("占") and prev:
        indicator = prev + indicator  # '…研发投入增速达到12%以上，占GDP比重达到2.1%'
    if re.search(r"比重|之比", indicator) or (unit == "%" and before.endswith("的")):
        measure = "占比"
    return indicator, measure or ("总量" if indicator else "达到")


def _part_targets(s: str, a: int, b: int, prev: str) -> list[tuple[dict, int, int, int]]:
    """Targets of the part ``s[a:b]``, each with the span of its text and where its figure starts."""
    part = s[a:b]
    figs = [f for f in _figures(part) if not _skip(part, f)]
    if not figs:
        return []
    multi = _MULTI.search(part)
    if multi and multi.start() < figs[0].start:
        subjects = _subjects(part[: multi.start()])
        if len(subjects) > 1:
            words = part[multi.end() : figs[0].start]
            v = _VERB.search(words)
            measure = _VERB_MEASURE.get(v.group(0), v.group(0)) if v else "总量"
            out = []
            for k, subject in enumerate(subjects):
                f = figs[k] if len(figs) == len(subjects) else figs[0]
                out.append((_target(subject, measure, f, _qualifier(words, f)), a, b, a + f.start))
            return out
    out = []
    cursor = 0
    for f in figs:
        before = part[cursor : f.start]
        after = part[f.end :]
        if out and not _clean(before):  # '分别增长6.5%、8%': a bare figure goes on the list before it
            indicator, measure = out[-1][0]["indicator"], out[-1][0]["measure"]
        else:
            indicator, measure = _indicator(before, after, prev, f.unit)
        end = f.end
        if indicator and after.startswith(indicator):
            end += _NOUN.match(after).end()  # the text runs on to the noun the figure counts
        out.append((_target(indicator, measure, f, _qualifier(before, f)), a + cursor, a + end, a + f.start))
        prev = indicator
        cursor = f.end
    return out


def _target(indicator: str, measure: str, f: _Figure, qualifier: str | None) -> dict:
    return {"indicator": indicator, "measure": measure, "value": f.value, "unit": f.unit, "qualifier": qualifier}


def parse_targets(text: str) -> list[dict]:
    """Targets in one paragraph: dicts with indicator, measure, value, unit, qualifier and text
    (the source words of the target, spaces kept)."""
    return [t for t, _ in _parse(text)]


def _parse(text: str) -> list[tuple[dict, int]]:
    """Targets with the offset in ``text`` where each one's figure starts (to find its line)."""
    src = _PARENS.sub(lambda m: " " * len(m.group(0)), text)  # blanked, so offsets stay those of text
    s, offsets = _squeeze(src)
    out: list[tuple[dict, int]] = []
    prev = ""
    last_plain = None  # the clause before, when it had no figure: '…比例稳中向好，达到100%'
    for clause in _CLAUSE.finditer(s):
        found = []
        for a, b in _split_parts(clause.group(0)):
            a, b = a + clause.start(), b + clause.start()
            if not _OTHER_SCOPE.search(s[a:b]):
                found += _part_targets(s, a, b, prev)
                prev = found[-1][0]["indicator"] if found else prev
        for t, a, b, at in found:
            if not t["indicator"] and last_plain:
                subject = _STATE_WORDS.sub("", s[last_plain[0] : last_plain[1]])
                t["indicator"], a = _clean(subject), last_plain[0]
            t["text"] = _text(text, s, offsets, a, b)
            out.append((t, offsets[at]))
        last_plain = None if found or _figures(clause.group(0)) else clause.span()
    return out


def _text(src: str, s: str, offsets: list[int], a: int, b: int) -> str:
    lead = _TEXT_LEAD.match(s[a:b])
    a = a + lead.end() if lead and lead.end() < b - a else a
    return src[offsets[a] : offsets[b - 1] + 1]


def extract(lines: list[Line], outline: Outline) -> list[Target]:
    out = []
    for parts, text in target_paragraphs(lines, outline):
        ends = list(accumulate(len(p.text) for p in parts))
        for t, at in _parse(text):
            line_no = parts[bisect_right(ends, at)].no if at < ends[-1] else parts[-1].no
            out.append(Target(line=line_no, plan=outline.plan_at(line_no), **t))
    return out
