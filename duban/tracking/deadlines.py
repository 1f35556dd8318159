"""Task deadlines (时限) as dates: '2023年6月底前' → 2023-06-30, '2023年底前' → 2023-12-31.

Pure Python. Task.deadline is free text copied from the plan; most tasks have none. A text that
names no date we can place ('长期坚持', '持续推进', '2024年秋季开学前') gives None: the task's window
is then the year.
"""

from __future__ import annotations

import re
from datetime import date

from duban.ingest.text import norm_key
from duban.plans.periods import month_end

_YEAR = re.compile(r"(\d{4})年")
_MONTH_DAY = re.compile(r"(\d{1,2})月(?:(\d{1,2})[日号])?")
_YEAR_END = re.compile(r"年(?:底|末|内)|年年底|全年")
_HALF = re.compile(r"(上|下)半年")
_QUARTER = re.compile(r"(?:第)?([一二三四1-4])季度")
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def parse_deadline(text: str | None, default_year: int) -> date | None:
    """The last day a task may take, or None when the text names no date."""
    s = norm_key(text or "")
    if not s:
        return None
    m = _YEAR.search(s)
    year = int(m.group(1)) if m else default_year
    rest = s[m.end() :] if m else s
    if m := _MONTH_DAY.search(rest):
        month = int(m.group(1))
        if not 1 <= month <= 12:
            return None
        if m.group(2):
            try:
                return date(year, month, int(m.group(2)))
            except ValueError:
                return None
        return month_end(year, month)
    if m := _HALF.search(rest):
        return date(year, 6, 30) if m.group(1) == "上" else date(year, 12, 31)
    if m := _QUARTER.search(rest):
        return month_end(year, _QUARTERS[m.group(1)] * 3)
    if _YEAR_END.search(s) or (m and rest in ("", "前", "底前", "底")):
        return date(year, 12, 31)
    return None
