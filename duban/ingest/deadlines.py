"""Pass: a task's due date from its deadline or its own text ('9月1日前竣工', '6月底前', '年底前').

``deadline`` keeps the words as the document states a whole-task deadline (gold schema);
``due_date`` is the date the office checks against (YYYY-MM-DD): the deadline's, else the latest
dated milestone in the task's text, the year taken from the plan when the text names none
(a 2023 plan's '6月底前' is 2023-06-30). Dates of the past ('截至2022年底') are not deadlines.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter

from duban.ingest.model import ParseResult
from duban.ingest.text import nospace

_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_MONTH = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DATE = re.compile(
    r"(?P<past>截至|截止|比|较|同比|去)?(?:到|于|在)?(?:(?P<y>20\d\d)年?)?"
    r"(?:" + _MONTH + r"月(?:(?P<d>[0-3]?\d)日|(?P<part>底|末|中旬|上旬|下旬))?(?P<m_end>前|之前|以前|内|完成|竣工|底)?"
    r"|(?P<ye>年底|年末|年内|上半年))(?P<end>前|之前|以前|内|完成|竣工)?"
)
_YEAR_IN_TITLE = re.compile(r"(20\d\d)年")
# the notice's date or number: '2023年3月1日', '2024-03-18', '新政办发〔2024〕'
_SIGNED = re.compile(r"(20\d\d)(?:年\d{1,2}月\d{1,2}日|-\d{1,2}-\d{1,2})|〔(20\d\d)")


def plan_year(result: ParseResult) -> int | None:
    """The year a plan is for: in its titles ('2023年全市…实施方案'), else the notice's date or number."""
    years = Counter(int(y) for d in result.documents for y in _YEAR_IN_TITLE.findall(d.title))
    if years:
        return years.most_common(1)[0][0]
    for raw in result.source_lines[:80] + result.source_lines[-80:]:
        m = _SIGNED.search(nospace(raw))
        if m:
            return int(m.group(1) or m.group(2))
    return None


def _month(s: str) -> int:
    return int(s) if s.isdigit() else _CN[s]


# where a deadline can be: a month with a day or part, or a year's end (cheap to find)
_ANCHOR = re.compile(r"月(?:[0-3]?\d日|底|末|[上中下]旬)|年底|年末|年内|上半年")
_REACH = 10  # characters before an anchor that a deadline can start with ('截至2023年12')


def _matches(text: str):
    """_DATE matches around each anchor: the full pattern has a long optional head, too slow to try
    at every position of every task."""
    last = -1
    for a in _ANCHOR.finditer(text):
        if a.start() < last:
            continue
        lo = max(last, a.start() - _REACH, 0)
        for m in _DATE.finditer(text, lo, a.end() + 6):
            if m.start() <= a.start() < m.end():
                last = m.end()
                yield m
                break


def dates_in(text: str, year: int | None) -> list[str]:
    """Deadlines a text states, as YYYY-MM-DD, in order."""
    out = []
    for m in _matches(nospace(text)):
        if m.group("past"):
            continue
        y = int(m.group("y")) if m.group("y") else year
        if y is None or (year and y < year):
            continue
        if m.group("ye"):
            # '年底前' with a year or a 前/内; '上半年' / '年内' only with one of them
            if not (m.group("y") or m.group("end")) and m.group("ye") != "年底":
                continue
            month, day = (6, 30) if m.group("ye") == "上半年" else (12, 31)
        else:
            if not (m.group("d") or m.group("part")) or not (m.group("m_end") or m.group("end") or m.group("part")):
                continue  # '3月' alone, '5日召开' are not deadlines
            month = _month(m.group("m"))
            last = calendar.monthrange(y, month)[1]
            part = m.group("part")
            day = int(m.group("d")) if m.group("d") else {"上旬": 10, "中旬": 20}.get(part, last)
            if not 1 <= day <= last:
                continue
        out.append(f"{y:04d}-{month:02d}-{day:02d}")
    return out


def resolve(result: ParseResult) -> None:
    year = plan_year(result)
    for t in result.tasks:
        stated = dates_in(t.deadline, year) if t.deadline else []
        found = stated or dates_in(t.text or t.title, year)
        t.due_date = max(found) if found else None
