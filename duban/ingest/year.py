"""The year a plan file is for (its programme year), read from the document. Pure logic, no database.

Offices think of their work as "邵阳市 2023年 打好发展六仗": one region, one year (or a stated span such
as a 三年行动 2023—2025). The year is read, strongest evidence first, from

1. a span or year in a plan title ('（2023—2025年）', '2023年全市打好…');
2. the stated implementation period ('实施期限：2023年3月至2025年12月');
3. the 文号 near the top ('邵市政办发〔2023〕4号', garbled '新政办发〔20242' too);
4. the 发文日期 ('2023年2月20日' alone on a line, a scraped '2024318', '更新时间: 2024-03-18',
   or the closing '2023年4月23日印发');
5. the years the body's targets name most ('2023年，实现地区生产总值增长8%').

A plan issued in December for the next year ('2023年12月28日' with 2024 targets) is the next year's.
Citations of other documents (《…（2022-2024年）》, 〔2022〕41号 in the body) are not evidence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from duban.ingest.text import nospace

_SPAN = re.compile(r"(20\d\d)\s*年?\s*[—–\-－~至到]\s*(20\d\d)\s*年")
_YEAR = re.compile(r"(20\d\d)\s*年")
# a 文号 opening its own line ('邵市政办发〔2023〕4号'), not one cited in a sentence
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[发办字函]\s*[〔\[【(（](20\d\d)")
_DATE = re.compile(r"(20\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(20\d\d)-(\d{1,2})-(\d{1,2})")
_COMPACT_DATE = re.compile(r"(20\d\d)(\d{2,4})")
_STATED = re.compile(
    r"(?:实施|执行|行动)(?:期限|时间|期间|周期)[为是:：]?\s*(?:自|从)?"
    r"(20\d\d)年(\d{1,2})月(?:(\d{1,2})日)?(?:起)?\s*[至到—–\-－~]\s*(?:(20\d\d)年)?(\d{1,2})月(?:(\d{1,2})日)?"
)
_CITATION = re.compile(r"《[^》]*》|〔[^〕]*〕|（[^）]*）|\([^)]*\)")
HEAD_LINES = 40  # the 文号 and 发文日期 of a notice sit in its first lines


@dataclass(frozen=True)
class PlanYear:
    """A programme's years and period as the document states or implies them.

    ``start``/``end`` are the period the document states (None: not stated); ``issued`` the 发文日期;
    ``evidence`` says in Chinese what the year was read from (shown in the import preview).
    """

    start_year: int
    end_year: int
    issued: date | None = None
    start: date | None = None
    end: date | None = None
    evidence: str = ""

    @property
    def label(self) -> str:
        if self.end_year != self.start_year:
            return f"{self.start_year}—{self.end_year}年"
        return f"{self.start_year}年"

    def period(self) -> tuple[date, date]:
        """(first, last day) of the programme: the stated start, else the issue date (not before
        1 January of its first year), else 1 January; the stated end, else 31 December of its last year."""
        first = date(self.start_year, 1, 1)
        if self.start:
            first = self.start
        last = self.end or date(self.end_year, 12, 31)
        if not self.start and self.issued and first < self.issued <= last:
            first = self.issued
        return first, max(first, last)


def _valid(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _compact(text: str) -> date | None:
    """'2024318' (a scraped date without 年月日) -> 2024-03-18; two-digit months first."""
    m = _COMPACT_DATE.fullmatch(text)
    if not m:
        return None
    year, rest = int(m.group(1)), m.group(2)
    for cut in (2, 1):
        if 0 < len(rest) - cut <= 2:
            found = _valid(year, int(rest[:cut]), int(rest[cut:]))
            if found:
                return found
    return None


def issue_date(lines: list[str]) -> date | None:
    """The 发文日期: a date alone on a line near the top (the notice's signature), else a '更新时间'
    stamp of a scraped page. The closing '…印发' is the printing date, only evidence of the year
    (:func:`printed_date`): an annex set without its notice may have been in force before it."""
    head = [nospace(x) for x in lines[:HEAD_LINES]]
    for line in head:
        m = _DATE.fullmatch(line)
        if m:
            return _valid(*map(int, m.groups()))
        found = _compact(line)
        if found:
            return found
    for line in head:
        if "更新时间" in line or "发布时间" in line or "成文日期" in line:
            m = _ISO_DATE.search(line) or _DATE.search(line)
            if m:
                return _valid(*map(int, m.groups()))
    return None


def printed_date(lines: list[str]) -> date | None:
    """The 印发 date of the 版记 ('沅江市人民政府办公室  2023年4月23日印发')."""
    for line in reversed(lines):
        s = nospace(line)
        if s.endswith("印发"):
            m = _DATE.search(s)
            if m:
                return _valid(*map(int, m.groups()))
    return None


def _stated_period(lines: list[str]) -> tuple[date, date] | None:
    for line in lines:
        m = _STATED.search(nospace(line))
        if not m:
            continue
        y1, m1, d1, y2, m2, d2 = m.groups()
        y2 = y2 or y1
        start = _valid(int(y1), int(m1), int(d1 or 1))
        if d2:
            end = _valid(int(y2), int(m2), int(d2))
        else:
            nxt = date(int(y2) + (m2 == "12"), int(m2) % 12 + 1, 1) if 1 <= int(m2) <= 12 else None
            end = date.fromordinal(nxt.toordinal() - 1) if nxt else None
        if start and end and start <= end:
            return start, end
    return None


def _body_year(lines: list[str]) -> int | None:
    """The year the body names most, citations of other documents and full dates left out."""
    counts = Counter(
        int(y) for line in lines for y in _YEAR.findall(_DATE.sub("", _CITATION.sub("", nospace(line))))
    )
    return counts.most_common(1)[0][0] if counts else None


def detect_year(lines: list[str], titles: list[str]) -> PlanYear | None:
    """The year (or span) the plan file is for, or None when the text names no year at all."""
    issued = issue_date(lines)
    stated = _stated_period(lines)
    for title in titles:
        t = nospace(title)
        m = _SPAN.search(t)
        if m and int(m.group(1)) < int(m.group(2)):
            y1, y2 = int(m.group(1)), int(m.group(2))
            return PlanYear(y1, y2, issued, *(stated or (None, None)), evidence=f"标题“{title}”")
    for title in titles:
        m = _YEAR.search(_CITATION.sub("", nospace(title)))
        if m:
            y = int(m.group(1))
            return PlanYear(y, y, issued, *(stated or (None, None)), evidence=f"标题“{title}”")
    if stated:
        s, e = stated
        return PlanYear(s.year, e.year, issued, s, e, evidence=f"实施期限 {s:%Y年%m月%d日}至{e:%Y年%m月%d日}")
    body = _body_year(lines)
    number = next(
        (int(m.group(1)) for x in lines[:HEAD_LINES] for m in [_DOC_NUMBER.search(nospace(x))] if m), None
    )
    if number:
        y = number
        if issued and issued.month == 12 and body == y + 1:
            y = body  # issued in December for the next year
        return PlanYear(y, y, issued, evidence=f"文号〔{number}〕")
    if issued:
        y = body if issued.month == 12 and body == issued.year + 1 else issued.year
        return PlanYear(y, y, issued, evidence=f"发文日期 {issued:%Y年%m月%d日}")
    printed = printed_date(lines)
    if printed:
        y = body if printed.month == 12 and body == printed.year + 1 else printed.year
        return PlanYear(y, y, None, evidence=f"印发日期 {printed:%Y年%m月%d日}")
    if body:
        return PlanYear(body, body, None, evidence=f"正文多次提到{body}年")
    return None
