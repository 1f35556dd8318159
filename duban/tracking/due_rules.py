"""Due rules: when a report for a period is due, read from a cadence's wording (调度机制的时限).

Pure Python, no Django. A cadence says how often (``every``: 旬/月/季 …) and, sometimes, by when
(``due``: '每季度末月中旬', '每天下午4:00之前', '每季度最后一个工作日', '每月22日前' …). This module turns
the two into a :class:`DueRule` and the rule into a due datetime (Asia/Shanghai) for each period.

Rules, in the words of the plans:

* No due text: the end of the period, 23:59 (a 旬 report is due on the 旬's last day).
* Days and dekads name a day of a month: 'N日/N号'; 上旬/月初 → the 5th, 中旬/月中 → the 15th,
  下旬 → the 25th (the middle of the dekad: '每季度末月中旬' is the 15th); 月底/月末/季末/年底 → last day.
* Which month: 末月/最后一个月 → the period's last month, 首月/第一个月 → its first, 'N月' → month N
  of the year (年 only); otherwise the period's own month (月), or for longer periods its
  first month for a day 1–10 and its last month for a later day.
* This period or the next: 次月/下月/下季度/次日/上月/上季度 … (a report on the period just ended)
  → the following period; 当月/本月/本季度 … → this one. Without such a word a report ON a period
  cannot be due in its first ten days, so a month-based date that falls there ('每月5日前',
  '每月上旬', '每季度首月10日前') is read in the following period; a later day ('每月22日前') stays.
* '最后一个工作日' → the last Monday–Friday of the period (or of the named month); '第N个工作日' /
  '前N个工作日' → the N-th; '周N/星期N' → that weekday of the week; '结束后N日(个工作日)内' → N days
  (working days) after the period ends.
* Times: '16:00', '下午4:00', '下午4点半', '17时30分' (下午/晚上 add 12 hours); without one, 23:59.
  '前/之前' means "at the latest by": the stated instant is the due instant.
* Weekends and public holidays do not move a stated date ('遇节假日往后顺延' is not applied).
* A dated text ('2023年9月15日前') is a one-off deadline, not a rhythm: not understood.
* Text that cannot be read gives the default with ``understood=False`` and a Chinese ``problem``;
  nothing here raises for bad wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from duban.ingest.text import norm_key
from duban.plans.periods import (
    KINDS,
    MONTHS_PER_PERIOD,
    Period,
    PeriodError,
    local_date,
    local_datetime,
    month_end,
    normalize_kind,
    period_containing,
    require_kind,
)

END_OF_DAY = time(23, 59)
_MULTI_MONTH = frozenset(k for k, n in MONTHS_PER_PERIOD.items() if n > 1)
_EARLY_DAYS = 10  # a report on a period is not due in the period's first 旬

_PERIOD_WORD = r"(天|日|周|星期|旬|两个?月|双月|个?月|季度?|半年度?|年度?)"
_SCOPE = re.compile(r"(?:每|按)" + _PERIOD_WORD)
_STAY = re.compile(r"(?:当|本)(天|日|周|星期|旬|月|季度?|年度?)")
_FOLLOWING = re.compile(r"(?:次|下个?|上个?|翌)(月|季度?|年度?|周|星期)|(?:次|翌)(日|旬)|第二天")
_PAREN = re.compile(r"\([^()]*\)")
_CN_NUMBER = re.compile(r"[〇零一二两三四五六七八九十]+(?=个?工作日|日|号|点|时|分|天)")
_AFTER_END = re.compile(r"(?<!最)后(\d{1,2})个?(工作日|天|日)")
_TIME = re.compile(r"(上午|中午|下午|晚上|傍晚)?(\d{1,2})(?::(\d{2})|[点时](?:(半)|(\d{1,2})分)?)")
_LAST_WORKDAY = re.compile(r"最后(?:1|一)个工作日")
_NTH_WORKDAY = re.compile(r"(?:第|前)(\d{1,2})个工作日")
_DEKAD = re.compile(r"([上中下])旬")
_MONTH_PART = re.compile(r"月(初|中)")
_PERIOD_END = re.compile(r"(?:月|季度?|年度?|周|旬|期)(?:底|末)(?!月)|最后一天")
_DAY = re.compile(r"(\d{1,2})[日号]")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天1-7])")
_MONTH_NO = re.compile(r"(\d{1,2})(?=月)")
_YEAR = re.compile(r"\d{4}")
_LAST_MONTH = re.compile(r"(?:末|最后一个|最后1个)月")
_FIRST_MONTH = re.compile(r"(?:首|第一个|第1个)月")

_DEKAD_DAY = {"上": 5, "中": 15, "下": 25}
_MONTH_PART_DAY = {"初": 5, "中": 15}
_WEEKDAYS = {c: i for i, c in enumerate("一二三四五六日")} | {"天": 6} | {str(i + 1): i for i in range(7)}
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}


def _cn_int(s: str) -> int:
    """'十五' → 15, '二十' → 20, '五' → 5, '两' → 2 (numbers up to 99)."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


def _clean(due: str) -> str:
    """NFKC, no spaces, Chinese numerals as digits, parenthetical remarks dropped."""
    s = _PAREN.sub("", norm_key(due).replace("每一", "每"))
    return _CN_NUMBER.sub(lambda m: str(_cn_int(m.group(0))), s)


@dataclass
class _Words:
    """What was recognised in a due text (the tokens are removed from ``rest`` as they are read)."""

    rest: str
    scope: str | None = None
    following: bool | None = None
    following_word: str | None = None
    month: int | str | None = None
    day: int | str | None = None
    weekday: int | None = None
    workday: int | None = None
    after_end: tuple[int, bool] | None = None
    at: time | None = None
    found: list[str] = field(default_factory=list)

    def take(self, pattern: re.Pattern) -> re.Match | None:
        m = pattern.search(self.rest)
        if m:
            self.found.append(m.group(0))
            self.rest = self.rest[: m.start()] + self.rest[m.end() :]
        return m


def _read_time(w: _Words) -> None:
    m = w.take(_TIME)
    if not m:
        return
    part, hour = m.group(1), int(m.group(2))
    minute = 30 if m.group(4) else int(m.group(3) or m.group(5) or 0)
    if (part in ("下午", "晚上", "傍晚") and hour < 12) or (part == "中午" and hour < 3):
        hour += 12
    w.at = END_OF_DAY if hour >= 24 else time(hour, min(minute, 59))


def _read_anchor(w: _Words) -> None:
    """The day inside the period: after-end offset, working day, dekad, month part, N日, weekday."""
    if w.take(_LAST_WORKDAY):
        w.workday = -1
    elif m := w.take(_AFTER_END):
        w.after_end = (int(m.group(1)), m.group(2) == "工作日")
    elif m := w.take(_NTH_WORKDAY):
        w.workday = max(1, int(m.group(1)))
    elif m := w.take(_DEKAD):
        w.day = _DEKAD_DAY[m.group(1)]
    elif m := w.take(_MONTH_PART):
        w.day = _MONTH_PART_DAY[m.group(1)]
    elif w.take(_PERIOD_END):
        w.day = "end"
    elif m := w.take(_DAY):
        w.day = int(m.group(1))
    elif m := w.take(_WEEKDAY):
        w.weekday = _WEEKDAYS[m.group(1)]


def _read_month(w: _Words) -> None:
    if m := w.take(_MONTH_NO):
        w.month = int(m.group(1))
    elif w.take(_LAST_MONTH):
        w.month = "last"
    elif w.take(_FIRST_MONTH):
        w.month = "first"


def _read_period_words(w: _Words) -> None:
    """Scope (每季度 → 季) and this-period / following-period words (当月, 次月, 上季度 …)."""
    if m := _SCOPE.search(w.rest):
        w.scope = normalize_kind(m.group(1))
        w.found.append(m.group(0))
    if m := _STAY.search(w.rest):
        w.following = False
        w.found.append(m.group(0))
    elif m := _FOLLOWING.search(w.rest):
        w.following = True
        w.following_word = normalize_kind(m.group(1) or m.group(2) or "日")
        w.found.append(m.group(0))


def _read_due(due: str) -> _Words:
    """Recognise the parts of a due text; see the module docstring for their meaning."""
    w = _Words(_clean(due))
    _read_period_words(w)
    _read_time(w)
    _read_month(w)
    _read_anchor(w)
    return w


def _nth_workday(first: date, last: date, n: int) -> date:
    """The n-th Monday–Friday of first..last (n = -1: the last one); clamped to the range."""
    if n < 0:
        day = last
        while day.weekday() >= 5 and day > first:
            day -= timedelta(days=1)
        return day
    day, count = first, 0
    while day <= last:
        if day.weekday() < 5:
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)
    return _nth_workday(first, last, -1)


def _days_after(day: date, n: int, working: bool) -> date:
    if not working:
        return day + timedelta(days=n)
    while n > 0:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


@dataclass(frozen=True)
class DueRule:
    """When the report of each period of ``kind`` is due. Build it with :func:`due_rule`."""

    kind: str
    text: str | None = None
    month: int | str | None = None  # 'first' | 'last' | 1–12: the month of the period the day is in
    day: int | str | None = None  # 1–31 | 'end'
    weekday: int | None = None  # 0 = Monday
    workday: int | None = None  # n-th Monday–Friday; -1 = the last
    after_end: tuple[int, bool] | None = None  # (n, working days?) after the period ends
    at: time = END_OF_DAY
    following: bool | None = None  # True: in the next period; False: in this one; None: by the date
    understood: bool = True
    problem: str | None = None

    def due_at(self, period: Period) -> datetime:
        """The due instant (aware, Asia/Shanghai) of the report on ``period``."""
        return local_datetime(self.due_date(period), self.at)

    def due_date(self, period: Period) -> date:
        if period.kind != self.kind:
            raise PeriodError(f"期间“{period.label}”不是{self.kind}")
        if self.after_end:
            return _days_after(period.end, *self.after_end)
        if self.following:
            return self._anchor(period.next())
        day = self._anchor(period)
        if self.following is None and self._too_early(period, day):
            return self._anchor(period.next())
        return day

    @property
    def lookback(self) -> timedelta:
        """How much earlier than a range to start looking for periods due in it ('结束后N日内')."""
        if not self.after_end:
            return timedelta(0)
        n, working = self.after_end
        return timedelta(days=n * 2 + 7 if working else n)

    def _too_early(self, period: Period, day: date) -> bool:
        dated = isinstance(self.day, int) or (self.workday or 0) > 0
        return dated and self.kind in MONTHS_PER_PERIOD and (day - period.start).days < _EARLY_DAYS

    def _window(self, period: Period) -> tuple[date, date]:
        """The days the anchor is counted in: the whole period or one of its months."""
        month = self.month
        if month is None and isinstance(self.day, int) and self.kind in _MULTI_MONTH:
            month = "first" if self.day <= _EARLY_DAYS else "last"
        if month is None:
            return period.start, period.end
        if month == "first":
            year, number = period.start.year, period.start.month
        elif month == "last":
            year, number = period.end.year, period.end.month
        else:
            year, number = period.start.year, month
        return date(year, number, 1), month_end(year, number)

    def _anchor(self, period: Period) -> date:
        first, last = self._window(period)
        if self.workday is not None:
            return _nth_workday(first, last, self.workday)
        if self.weekday is not None:
            if self.kind == "周":
                return first + timedelta(days=self.weekday)
            return last - timedelta(days=(last.weekday() - self.weekday) % 7)
        if isinstance(self.day, int):
            return first.replace(day=min(self.day, last.day))
        return last


def _problem(kind: str, due: str, w: _Words) -> str | None:
    """Why the words cannot make a rule for ``kind`` (Chinese, for the user), or None."""
    if not w.found:
        return f"未能识别时限“{due}”，按期末计"
    if _YEAR.search(w.rest):
        return f"时限“{due}”是一次性期限，不是周期时限，按期末计"
    if w.scope and w.scope != kind:
        return f"时限“{due}”的周期与“{kind}”不一致，按期末计"
    monthly = w.month is not None or isinstance(w.day, int) or (w.workday or 0) > 0
    if monthly and kind not in MONTHS_PER_PERIOD:
        return f"时限“{due}”按月份计日，不适用于“{kind}”，按期末计"
    if w.weekday is not None and kind == "日":
        return f"时限“{due}”指定了星期，不适用于“{kind}”，按期末计"
    if isinstance(w.month, int) and kind != "年":
        return f"时限“{due}”指定了月份，不适用于“{kind}”，按期末计"
    bad_month = isinstance(w.month, int) and not 1 <= w.month <= 12
    if bad_month or (isinstance(w.day, int) and not 1 <= w.day <= 31):
        return f"时限“{due}”中的日期不存在，按期末计"
    return None


def due_rule(every: str, due: str | None = None) -> DueRule:
    """The due rule for reports every ``every`` (any period word) with the wording ``due``.

    Raises :class:`~duban.plans.periods.PeriodError` only for an unknown ``every``; an
    unreadable ``due`` gives the default rule with ``understood=False``.
    """
    kind = require_kind(every)
    if not due or not due.strip():
        return DueRule(kind)
    w = _read_due(due)
    problem = _problem(kind, due, w)
    if problem:
        return DueRule(kind, text=due, understood=False, problem=problem)
    month, after_end = w.month, w.after_end
    if w.following and w.following_word == "月" and kind in _MULTI_MONTH and month is None:
        month = "first"  # 季度结束后次月10日前: the first month of the next quarter
    if w.following and w.following_word == "日" and kind != "日" and not after_end:
        after_end = (1, False)  # 次日 after a longer period: the day after it ends
    return DueRule(
        kind,
        text=due,
        month=month,
        day=w.day,
        weekday=w.weekday,
        workday=w.workday,
        after_end=after_end,
        at=w.at or END_OF_DAY,
        following=w.following,
    )


# --- cadences --------------------------------------------------------------------------------


class DueItem(NamedTuple):
    """One report due: on ``period``, at ``due_at``, doing ``action``, sent to ``report_to``."""

    period: Period
    due_at: datetime
    action: str
    report_to: str | None
    understood: bool = True  # False: the due text was not understood, the default was used


def _field(obj, name: str):
    """A field of a parser record (dataclass) or of its JSON (dict)."""
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def cadence_rules(cadence) -> list[tuple[str, str, DueRule]]:
    """(kind, action, rule) for each item of a cadence whose period word is known.

    The due text belongs to the items of its own period ('旬简报、月通报、季总结' with '每季度末月中旬'
    times only the 季 item); when it names no period, or a period no item has, it applies to all.
    """
    due = _field(cadence, "due")
    scope = _read_due(due).scope if due else None
    items = []
    for item in _field(cadence, "items") or []:
        kind = normalize_kind(_field(item, "every"))
        if kind:
            items.append((kind, _field(item, "action") or ""))
    kinds = {kind for kind, _ in items}
    out = []
    for kind, action in items:
        applies = scope is None or scope == kind or scope not in kinds
        out.append((kind, action, due_rule(kind, due if applies else None)))
    return out


def due_items(cadence, first: date | datetime, last: date | datetime) -> list[DueItem]:
    """Every report a cadence makes due between the days ``first`` and ``last`` (inclusive).

    A report is listed when its due date falls in the range (a calendar of what is due), so the
    report on February due '每月5日前' is listed for March. Sorted by due time, finer periods first.
    """
    first_day, last_day = local_date(first), local_date(last)
    report_to = _field(cadence, "report_to")
    out = []
    for kind, action, rule in cadence_rules(cadence):
        period = period_containing(kind, first_day - rule.lookback).previous()
        while period.start <= last_day:
            due_at = rule.due_at(period)
            if first_day <= due_at.date() <= last_day:
                out.append(DueItem(period, due_at, action, report_to, rule.understood))
            period = period.next()
    out.sort(key=lambda i: (i.due_at, KINDS.index(i.period.kind), i.period, i.action))
    return out
