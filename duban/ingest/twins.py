"""Pass: a prose task that restates a row of the plan's own responsibility table (same_as).

Many plans come twice: a 工作方案 in prose and its 责任分解表 with one row per obligation. Both are
kept (each source line matters), but they are one obligation: the prose record gets ``same_as`` =
the row's id so the store keeps one task with both lines, and units report the work once.

Rules (general, no sample wording):
* a prose plan pairs with a table plan whose title names the same campaign: the titles, without
  quotes, years, the region and the generic words (打好, 工作方案, 责任分解表 …), share a core;
* inside a pair every prose task is compared with the rows near its relative place: units in
  common (names without their 市/县 prefix and 局/委 ending), words in common (character pairs of
  the row's opening found in the item's opening; some are required) and the distance in place;
  the best pairs are taken one to one;
* a pair of plans is linked only when most of its prose tasks find a row (a table of targets
  beside a prose plan of measures is not its twin); in a linked pair the prose tasks left between
  two linked neighbours take the rows left between theirs, in order, when as many are left; a row
  left right before or after a linked row whose words are the item's continues it (same_as_more).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

from duban.ingest.model import Task
from duban.ingest.text import nospace

_QUOTES = re.compile(r"[“”\"'‘’「」《》〈〉]")
_GENERIC = re.compile(
    r"重点工作任务责任分解表|重点任务责任分解表|任务责任分解表|责任分解表|工作任务清单|重点工作任务清单|任务清单|项目清单"
    r"|工作实施方案|实施方案|工作方案|行动方案|打好|实施|开展|全力|关于|印发|\d{4}年|全市|全县|全区|全省"
)
_REGION = re.compile(r"^.{1,8}?(?:市|县|区|州|省)(?=.{4,})")
_UNIT_AFFIX = re.compile(r"^(?:市|县|区|省|州)|(?:人民政府|管委会|局|委员会|委|办公室|办|中心|公司)$")
MIN_CORE = 4
LINK_SCORE = 0.9  # a pair needs about this much agreement (units count most)
MIN_WORDS = 0.3  # and some of the row's words: units alone do not make a restatement
MORE_WORDS = 0.8  # share of a left-over row's words found in the item before it: the item goes on
PLAN_SHARE = 0.6
TEXT_REACH = 150  # characters of a prose task compared: a restated row follows the item's opening words
ROW_REACH = 60  # characters of a row compared
PLACE_REACH = 0.35  # how far (share of the list) a twin may sit from the same relative place  # share of a prose plan's tasks that must find a row for the plans to be twins


def _core(title: str) -> str:
    t = _GENERIC.sub("", _QUOTES.sub("", nospace(title)))
    return _REGION.sub("", t) if len(t) > MIN_CORE + 2 else t


def _common_run(a: str, b: str) -> int:
    """Length of the longest common substring."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


@lru_cache(maxsize=256)
def same_campaign(prose_title: str, table_title: str) -> bool:
    a, b = _core(prose_title), _core(table_title)
    if len(a) < MIN_CORE or len(b) < MIN_CORE:
        return False
    run = _common_run(a, b)
    return run >= MIN_CORE and run >= 0.6 * min(len(a), len(b))


def _unit_keys(units: list[str]) -> set[str]:
    keys = set()
    for u in units:
        k = _UNIT_AFFIX.sub("", nospace(u))  # '市安委办' -> '安委', '市应急管理局' -> '应急管理'
        if len(k) >= 2:
            keys.add(k[:4])
    return keys


_NOISE = re.compile(r"[\s，,。；;、：:（）()“”\"0-9.%]+")


def _pairs(text: str) -> set[str]:
    t = _NOISE.sub("", text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _link_plan(prose: list[Task], rows: list[Task]) -> dict[int, list[Task]]:
    """Links of one pair of plans (prose index -> row), empty when they are not twins."""
    if len(rows) < PLAN_SHARE * len(prose):
        return {}  # too few rows for most prose tasks to find one
    pk = [_unit_keys(t.units) for t in prose]
    pw = [_pairs((t.text or t.title)[:TEXT_REACH]) for t in prose]
    rk = [_unit_keys(t.units) for t in rows]
    rw = [_pairs((t.text or t.title)[:ROW_REACH]) for t in rows]
    n, m = len(prose), len(rows)
    cand = []
    step = 1 / max(1, m - 1)
    for i in range(n):
        keys, words, at = pk[i], pw[i], i / max(1, n - 1)
        lo, hi = max(0, int((at - PLACE_REACH) * (m - 1))), min(m, int((at + PLACE_REACH) * (m - 1)) + 2)
        for j in range(lo, hi):  # a twin sits near the same relative place in its list
            row = rw[j]
            if not row:
                continue
            # units in common (share of the longer list) + the row's words found in the item - distance in place
            s = (len(keys & rk[j]) / max(len(keys), len(rk[j])) if keys and rk[j] else 0.0)
            s -= 0.5 * abs(at - j * step)
            if s + 1 < LINK_SCORE:
                continue  # even every word in common would not do
            shared = len(row & words) / len(row)
            if shared >= MIN_WORDS and s + shared >= LINK_SCORE:
                s += shared
                cand.append((s, i, j))
    cand.sort(reverse=True)
    link: dict[int, int] = {}
    taken: set[int] = set()
    for _s, i, j in cand:
        if i not in link and j not in taken:
            link[i] = j
            taken.add(j)
    if len(link) < PLAN_SHARE * n:
        return {}
    # a prose task between two linked neighbours takes the only row left between theirs
    for i in range(n):
        if i in link:
            continue
        before = max((k for k in link if k < i), default=None)
        after = min((k for k in link if k > i), default=None)
        lo = link[before] + 1 if before is not None else 0
        hi = link[after] if after is not None else m
        gap_items = [k for k in range((before + 1) if before is not None else 0, after if after is not None else n)]
        free = [j for j in range(lo, hi) if j not in taken]
        if len(free) == len(gap_items) and not any(k in link for k in gap_items):
            for k, j in zip(gap_items, free, strict=True):  # as many rows left as items: in order
                link[k] = j
                taken.add(j)
    # a row left right before or after an item's row, whose words are the item's, is more of it
    more: dict[int, list[int]] = {}
    order = sorted(link.items(), key=lambda kv: kv[1])
    for n_, (i, j) in enumerate(order):
        start = order[n_ - 1][1] if n_ else -1
        stop = order[n_ + 1][1] if n_ + 1 < len(order) else m
        for side in (range(j - 1, start, -1), range(j + 1, stop)):
            for j2 in side:
                if j2 in taken or not rw[j2] or len(pw[i] & rw[j2]) / len(rw[j2]) < MORE_WORDS:
                    break
                more.setdefault(i, []).append(j2)
                taken.add(j2)
    for i, extra in more.items():
        first, *rest = sorted([link[i], *extra])
        link[i], more[i] = first, rest
    return {i: [rows[j], *(rows[x] for x in more.get(i, []))] for i, j in link.items()}


def link(tasks: list[Task]) -> None:
    """Set ``same_as`` on prose tasks that restate a row of their plan's table (ids must be set)."""
    by_plan: dict[str, list[Task]] = {}
    for t in tasks:
        by_plan.setdefault(t.plan, []).append(t)
    prose_plans = [p for p, ts in by_plan.items() if all(t.source == "prose" for t in ts)]
    table_plans = [p for p, ts in by_plan.items() if all(t.source == "table" for t in ts)]
    used: set[str] = set()
    for p in prose_plans:
        for q in table_plans:
            if q in used or not same_campaign(p, q):
                continue
            links = _link_plan(by_plan[p], by_plan[q])
            if links:
                used.add(q)
                for i, (row, *more) in links.items():
                    by_plan[p][i].same_as = row.id
                    by_plan[p][i].same_as_more = [r.id for r in more]
                break
