"""Which task of a re-imported plan is which task of the stored plan. Pure logic, no database.

A revised document edits titles, inserts and removes rows (so 序号 and lines shift) and changes
units. A stored task keeps its identity when the new task is the same work: same plan, and a
combination of similar title, same 序号, same section and overlapping units. Exact matches are
paired first; the rest greedily by score, best pairs first.
"""

from __future__ import annotations

from dataclasses import dataclass

from duban.ingest.text import norm_key

# weights of the evidence; a pair is the same task from MATCH_SCORE up, or on a near-equal title
W_TITLE, W_SEQ, W_UNITS, W_SECTION, W_POSITION = 0.55, 0.2, 0.15, 0.1, 0.05
MATCH_SCORE = 0.6
SAME_TITLE = 0.9


@dataclass(frozen=True)
class TaskSig:
    """What identifies a task within its plan."""

    title: str
    seq: str = ""
    section: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


def _bigrams(s: str) -> set[str]:
    s = norm_key(s)
    return {s[i : i + 2] for i in range(len(s) - 1)} or ({s} if s else set())


def title_similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: 1.0 for equal titles, ~0 for unrelated ones."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 1.0 if x == y else 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def _jaccard(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    x, y = set(a), set(b)
    if not x and not y:
        return 1.0
    return len(x & y) / len(x | y)


def pair_score(old: TaskSig, new: TaskSig) -> tuple[float, float]:
    """(score, title similarity) of a candidate pair, without the position term."""
    t = title_similarity(old.title, new.title)
    score = (
        W_TITLE * t
        + W_SEQ * (old.seq == new.seq)
        + W_UNITS * _jaccard(old.units, new.units)
        + W_SECTION * (old.section == new.section)
    )
    return score, t


def _exact_key(t: TaskSig) -> tuple:
    return (norm_key(t.title), t.seq, t.section)


def match_tasks(old: list[TaskSig], new: list[TaskSig]) -> dict[int, int]:
    """{index in new: index in old} for every new task that continues a stored one."""
    pairs: dict[int, int] = {}
    by_key: dict[tuple, list[int]] = {}
    for i, t in enumerate(old):
        by_key.setdefault(_exact_key(t), []).append(i)
    for j, t in enumerate(new):
        candidates = by_key.get(_exact_key(t))
        if candidates:
            pairs[j] = candidates.pop(0)
    free_old = [i for i in range(len(old)) if i not in set(pairs.values())]
    free_new = [j for j in range(len(new)) if j not in pairs]
    if not free_old or not free_new:
        return pairs
    scored = []
    n_old, n_new = max(len(old) - 1, 1), max(len(new) - 1, 1)
    for j in free_new:
        for i in free_old:
            score, t = pair_score(old[i], new[j])
            if score >= MATCH_SCORE or t >= SAME_TITLE:
                score += W_POSITION * (1 - abs(i / n_old - j / n_new))
                scored.append((score, -abs(i - j), i, j))
    scored.sort(reverse=True)
    used_old: set[int] = set()
    for _score, _dist, i, j in scored:
        if i in used_old or j in pairs:
            continue
        pairs[j] = i
        used_old.add(i)
    return pairs
