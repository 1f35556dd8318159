"""Reporting periods (日/周/旬/月/两月/季/半年/年): the calendar arithmetic of 调度.

Pure Python, no Django: the reporting calendar, 序时进度 and the briefs all need the same answer to
"which 旬 is 2023-02-25 in" and "how much of 2023 has passed", so it is computed here once.

Conventions:

* 旬 (dekad): 上旬 1–10, 中旬 11–20, 下旬 21–end of month (8, 9, 10 or 11 days).
* 周: ISO weeks (Monday–Sunday); a week belongs to its ISO year, so 2024-12-30 is in 2025年第1周.
* 两月: calendar-aligned pairs of months (1–2, 3–4, … 11–12), like 季 and 半年 are aligned.
* Every period has a Chinese label ('2023年3月上旬') and a compact code ('2023-03上旬');
  :func:`parse_period` reads either back.
* Local time is Asia/Shanghai (no daylight saving since 1991).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from duban.ingest.text import norm_key

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    LOCAL_TZ = ZoneInfo("Asia/Shanghai")
except (ImportError, ZoneInfoNotFoundError):  # no tz database (e.g. Windows without tzdata)
    LOCAL_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

# finest to coarsest; the canonical kind names used everywhere in duban
KINDS = ("日", "周", "旬", "月", "两月", "季", "半年", "年")
# months per period for the kinds made of whole months
MONTHS_PER_PERIOD = {"月": 1, "两月": 2, "季": 3, "半年": 6, "年": 12}
_DEKADS = ("上旬", "中旬", "下旬")
_QUARTER_NAMES = "一二三四"

_KIND_WORDS = {
    "日": "日", "天": "日",
    "周": "周", "星期": "周", "礼拜": "周",
    "旬": "旬",
    "月": "月", "个月": "月",
    "两月": "两月", "两个月": "两月", "双月": "两月",
    "季": "季", "个季": "季",
    "半年": "半年", "个半年": "半年",
    "年": "年",
}  # fmt: skip
# leading words that only say "every/per/by": 每月, 按季, 逐日, 一周 (as in 一周一调度)
_KIND_PREFIX = re.compile(r"^(?:每|按|逐|一|每一)")
# trailing 度 of 季度/月度/年度/半年度/周度
_KIND_SUFFIX = re.compile(r"度$")


class PeriodError(ValueError):
    """A period word, code or label that cannot be understood."""


def normalize_kind(word: str | None) -> str | None:
    """The canonical kind for a period word (季度→季, 每月→月, 一周→周, 半年度→半年), or None."""
    if not word:
        return None
    s = norm_key(word)
    if s in KINDS:
        return s
    s = _KIND_SUFFIX.sub("", _KIND_PREFIX.sub("", s))
    return _KIND_WORDS.get(s)


def require_kind(word: str) -> str:
    """Like :func:`normalize_kind` but raises :class:`PeriodError` for an unknown word."""
    kind = normalize_kind(word)
    if kind is None:
        raise PeriodError(f"无法识别的周期：{word!r}（应为 日/周/旬/月/两月/季/半年/年）")
    return kind


def month_end(year: int, month: int) -> date:
    """Last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _bounds(kind: str, day: date) -> tuple[date, date]:
    """First and last day of the period of ``kind`` that contains ``day``."""
    if kind == "日":
        return day, day
    if kind == "周":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "旬":
        if day.day <= 20:
            first = 1 if day.day <= 10 else 11
            return day.replace(day=first), day.replace(day=first + 9)
        return day.replace(day=21), month_end(day.year, day.month)
    size = MONTHS_PER_PERIOD[kind]
    first_month = day.month - (day.month - 1) % size
    last_year, last_month = _add_months(day.year, first_month, size - 1)
    return date(day.year, first_month, 1), month_end(last_year, last_month)


def local_date(day: date | datetime) -> date:
    """The Asia/Shanghai calendar date of a date or datetime (naive datetimes are local)."""
    if isinstance(day, datetime):
        return to_local(day).date()
    return day


def to_local(moment: datetime) -> datetime:
    """An aware Asia/Shanghai datetime; a naive one is taken to be local already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def local_datetime(day: date, at: time) -> datetime:
    """``day`` at wall-clock time ``at`` in Asia/Shanghai."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ)


@dataclass(frozen=True)
class Period:
    """One reporting period: ``kind`` in :data:`KINDS`, first and last day (inclusive)."""

    kind: str
    start: date
    end: date

    def __post_init__(self):
        if self.kind not in KINDS:
            raise PeriodError(f"无法识别的周期：{self.kind!r}")
        if (self.start, self.end) != _bounds(self.kind, self.start):
            raise PeriodError(f"{self.start}–{self.end} 不是一个完整的{self.kind}")

    # ordering: by time, then finer kinds first (so a 月 sorts before its 季 when both start together)
    def _key(self):
        return self.start, self.end, KINDS.index(self.kind)

    def __lt__(self, other: Period) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Period) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Period) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Period) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        """The period's first instant (local midnight)."""
        return local_datetime(self.start, time(0))

    @property
    def end_at(self) -> datetime:
        """The instant the period is over: midnight after its last day (exclusive)."""
        return local_datetime(self.end + timedelta(days=1), time(0))

    def contains(self, day: date | datetime) -> bool:
        return self.start <= local_date(day) <= self.end

    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (negative: earlier), of the same kind."""
        if self.kind == "日":
            return period_containing("日", self.start + timedelta(days=n))
        if self.kind == "周":
            return period_containing("周", self.start + timedelta(weeks=n))
        if self.kind == "旬":
            index = (self.start.year * 12 + self.start.month - 1) * 3 + self.start.day // 10 + n
            year, month = divmod(index // 3, 12)
            return period_containing("旬", date(year, month + 1, index % 3 * 10 + 1))
        year, month = _add_months(self.start.year, self.start.month, n * MONTHS_PER_PERIOD[self.kind])
        return period_containing(self.kind, date(year, month, 1))

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def elapsed(self, at: date | datetime) -> float:
        """Share of the period that has passed at ``at``, 0.0–1.0 (序时进度).

        A date counts as finished (by the end of day d of 2023, d/365 of the year has passed);
        a datetime counts to the instant.
        """
        if isinstance(at, datetime):
            moment = to_local(at)
        else:
            moment = local_datetime(at + timedelta(days=1), time(0))
        share = (moment - self.start_at) / (self.end_at - self.start_at)
        return min(1.0, max(0.0, share))

    @property
    def label(self) -> str:
        """Chinese label: '2023年3月上旬', '2023年第一季度', '2023年第12周' …"""
        y, m = self.start.year, self.start.month
        match self.kind:
            case "日":
                return f"{y}年{m}月{self.start.day}日"
            case "周":
                iso = self.start.isocalendar()
                return f"{iso.year}年第{iso.week}周"
            case "旬":
                return f"{y}年{m}月{_DEKADS[self.start.day // 10]}"
            case "月":
                return f"{y}年{m}月"
            case "两月":
                return f"{y}年{m}—{m + 1}月"
            case "季":
                return f"{y}年第{_QUARTER_NAMES[(m - 1) // 3]}季度"
            case "半年":
                return f"{y}年{'上' if m == 1 else '下'}半年"
        return f"{y}年"

    @property
    def code(self) -> str:
        """Compact code: '2023-03上旬', '2023-03', '2023-03/04', '2023Q1', '2023H1', '2023-W12' …"""
        y, m = self.start.year, self.start.month
        match self.kind:
            case "日":
                return self.start.isoformat()
            case "周":
                iso = self.start.isocalendar()
                return f"{iso.year}-W{iso.week:02d}"
            case "旬":
                return f"{y}-{m:02d}{_DEKADS[self.start.day // 10]}"
            case "月":
                return f"{y}-{m:02d}"
            case "两月":
                return f"{y}-{m:02d}/{m + 1:02d}"
            case "季":
                return f"{y}Q{(m - 1) // 3 + 1}"
            case "半年":
                return f"{y}H{1 if m == 1 else 2}"
        return f"{y}"


def period_containing(kind: str, day: date | datetime) -> Period:
    """The period of ``kind`` (any period word: 季度, 每月 …) that contains ``day``."""
    kind = require_kind(kind)
    start, end = _bounds(kind, local_date(day))
    return Period(kind, start, end)


def periods_between(kind: str, first: date | datetime, last: date | datetime) -> list[Period]:
    """Every period of ``kind`` that overlaps the days ``first``..``last`` (inclusive), in order."""
    last_day = local_date(last)
    period = period_containing(kind, first)
    out = []
    while period.start <= last_day:
        out.append(period)
        period = period.next()
    return out


def elapsed_fraction(period: Period, at: date | datetime) -> float:
    """Share of ``period`` passed at ``at`` (序时进度); see :meth:`Period.elapsed`."""
    return period.elapsed(at)


# --- parsing codes and labels ---------------------------------------------------------------

_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日"), "日"),
    (re.compile(r"(\d{4})-?W(\d{1,2})|(\d{4})年第(\d{1,2})周"), "周"),
    (re.compile(r"(\d{4})-(\d{1,2})([上中下])旬|(\d{4})年(\d{1,2})月([上中下])旬"), "旬"),
    (re.compile(r"(\d{4})-(\d{1,2})/(\d{1,2})|(\d{4})年(\d{1,2})月?[-—–~至](\d{1,2})月"), "两月"),
    (re.compile(r"(\d{4})-(\d{1,2})|(\d{4})年(\d{1,2})月(?:份)?"), "月"),
    (re.compile(r"(\d{4})Q([1-4])|(\d{4})年第?([1-4一二三四])季度?"), "季"),
    (re.compile(r"(\d{4})H([12])|(\d{4})年([上下])半年"), "半年"),
    (re.compile(r"(\d{4})年?度?"), "年"),
]


def _groups(m: re.Match) -> list[str]:
    """The filled groups of whichever alternative (code or label) matched."""
    return [g for g in m.groups() if g is not None]


def _first_day(kind: str, g: list[str]) -> date:
    year = int(g[0])
    match kind:
        case "日":
            return date(year, int(g[1]), int(g[2]))
        case "周":
            return date.fromisocalendar(year, int(g[1]), 1)
        case "旬":
            return date(year, int(g[1]), "上中下".index(g[2]) * 10 + 1)
        case "两月":
            first, second = int(g[1]), int(g[2])
            if first % 2 == 0 or second != first + 1:
                raise ValueError("两月 must be 1–2, 3–4 … 11–12")
            return date(year, first, 1)
        case "月":
            return date(year, int(g[1]), 1)
        case "季":
            q = g[1]
            return date(year, 3 * (int(q) if q.isdigit() else _CN_DIGIT[q]) - 2, 1)
        case "半年":
            return date(year, 1 if g[1] in ("1", "上") else 7, 1)
    return date(year, 1, 1)


def parse_period(text: str) -> Period:
    """A period from its code ('2023Q1', '2023-03上旬') or Chinese label ('2023年第一季度')."""
    s = norm_key(text or "").upper()
    for pattern, kind in _PATTERNS:
        m = pattern.fullmatch(s)
        if m:
            try:
                return period_containing(kind, _first_day(kind, _groups(m)))
            except ValueError as exc:
                raise PeriodError(f"期间不存在：{text!r}") from exc
    raise PeriodError(f"无法识别的期间：{text!r}（例：2023-03上旬、2023Q1、2023年第一季度）")
