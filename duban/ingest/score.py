"""Accuracy of the parser against hand-checked gold annotations (data/gold, format SCHEMA.md).

Matching rules (stated here so the figures mean something):

* task: records linked by ``same_as`` / ``same_as_more`` (one obligation written as prose and as a
  table row) form one group, in the gold and in the parse alike, counted as one task. A gold group
  matches a parsed group when some member of each has its source line within ±3 of the other's and
  titles that agree (equal, one a prefix of the other, or similarity ≥ 0.6 after NFKC and removing
  spaces and final punctuation); pairs are taken best title, then nearest line, first, one to one.
  A parsed group left over that matches an already matched gold group is a duplicate (a false
  positive, listed as "duplicate").
* units / lead units / persons / leaders: micro-averaged over all tasks, comparing multisets of names
  after NFKC and white-space removal, each group represented by its table record (the record the
  others point at); names of unmatched tasks count as false positives/negatives.
* implicit / lead_from_heading: per matched task group, whether some member carries the flag;
  flags of unmatched groups count as false positives/negatives.
* target: same line ±3, same value and same unit.
* team: same line ±3 or the same name.
* cadence: same line ±3 and the same set of periods (旬/月/季 …).
"""

from __future__ import annotations

import difflib
import glob
import json
import os
from collections import Counter
from dataclasses import dataclass, field

from duban.ingest.text import norm_key

MATCH_LINES = 3
_PERIOD_ALIASES = {"季度": "季", "月度": "月", "年度": "年", "每周": "周", "每天": "日", "天": "日", "每日": "日"}


@dataclass
class PRF:
    tp: float = 0
    fp: float = 0
    fn: float = 0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


FIELDS = ["tasks", "units", "lead_units", "persons", "leaders", "targets", "teams", "cadences"]
# figures reported beside FIELDS (the acceptance bars are on FIELDS)
FLAGS = ["implicit", "lead_from_heading"]
ALL = FIELDS + FLAGS


@dataclass
class Score:
    seed: str
    figures: dict[str, PRF] = field(default_factory=lambda: {k: PRF() for k in ALL})
    misses: dict[str, list] = field(default_factory=lambda: {k: [] for k in ALL})
    duplicates: int = 0

    def add(self, other: Score) -> None:
        self.duplicates += other.duplicates
        for k in ALL:
            self.figures[k].add(other.figures[k])
            self.misses[k].extend(other.misses[k])


def load_gold(gold_dir: str) -> dict[str, dict]:
    """Gold records per seed file, the parts (.a/.b) merged."""
    merged: dict[str, dict] = {}
    for path in sorted(glob.glob(os.path.join(gold_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            part = json.load(f)
        seed = part["seed"]
        g = merged.setdefault(seed, {"seed": seed, "issuer": part.get("issuer"), **{k: [] for k in
                                     ("documents", "targets", "teams", "cadences", "tasks")}})
        for k in ("documents", "targets", "teams", "cadences", "tasks"):
            g[k].extend(part.get(k, []))
    return merged


def _title_key(s: str) -> str:
    return norm_key(s or "").rstrip("。.;；，,")


def title_similarity(a: str, b: str) -> float:
    ka, kb = _title_key(a), _title_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0
    if ka.startswith(kb) or kb.startswith(ka):
        return 0.9
    return difflib.SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def _multiset(names) -> Counter:
    return Counter(norm_key(n) for n in names or [] if norm_key(n))


def _compare_sets(gold, pred) -> PRF:
    g, p = _multiset(gold), _multiset(pred)
    tp = sum((g & p).values())
    return PRF(tp, sum(p.values()) - tp, sum(g.values()) - tp)


def _match(gold: list[dict], pred: list[dict], agree) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Greedy one-to-one matching; ``agree(g, p)`` gives a score > 0 for an acceptable pair."""
    used: set[int] = set()
    pairs, missed = [], []
    for g in gold:
        best, best_key = None, None
        for i, p in enumerate(pred):
            if i in used:
                continue
            s = agree(g, p)
            if s <= 0:
                continue
            key = (s, -abs(g["line"] - p["line"]))
            if best_key is None or key > best_key:
                best, best_key = i, key
        if best is None:
            missed.append(g)
        else:
            used.add(best)
            pairs.append((g, pred[best]))
    extra = [p for i, p in enumerate(pred) if i not in used]
    return pairs, missed, extra


def task_groups(tasks: list[dict]) -> list[list[dict]]:
    """Records linked by same_as / same_as_more, as groups; the record the others point at (the
    table row) comes first, then the rest in line order."""
    by_id = {str(t.get("id")): i for i, t in enumerate(tasks) if t.get("id") not in (None, "")}
    parent = list(range(len(tasks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    targets: set[int] = set()
    for i, t in enumerate(tasks):
        for ref in [t.get("same_as"), *(t.get("same_as_more") or [])]:
            j = by_id.get(str(ref)) if ref not in (None, "") else None
            if j is not None and j != i:
                if ref == t.get("same_as"):
                    targets.add(j)
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(tasks)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        members.sort(key=lambda i: (i not in targets, tasks[i]["line"]))
        out.append([tasks[i] for i in members])
    out.sort(key=lambda g: min(t["line"] for t in g))
    return out


def _match_groups(gold: list[list[dict]], pred: list[list[dict]]):
    """One-to-one matching of task groups, best pair first; returns pairs, missed gold groups,
    duplicate parsed groups (they agree with a matched gold group) and other extra parsed groups."""
    pred_at: dict[int, list[tuple[int, dict]]] = {}
    for j, grp in enumerate(pred):
        for p in grp:
            pred_at.setdefault(p["line"], []).append((j, p))
    best: dict[tuple[int, int], tuple] = {}
    for i, grp in enumerate(gold):
        for rank, g in enumerate(grp):
            for line in range(g["line"] - MATCH_LINES, g["line"] + MATCH_LINES + 1):
                for j, p in pred_at.get(line, []):
                    s = _task_agree(g, p)
                    if s > 0:
                        # through the gold group's table record first: the figures compare it
                        key = (rank == 0, s, -abs(g["line"] - p["line"]))
                        if key > best.get((i, j), (False, 0, 0)):
                            best[(i, j)] = key
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for (i, j), _key in sorted(best.items(), key=lambda kv: (kv[1], -kv[0][0], -kv[0][1]), reverse=True):
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((gold[i], pred[j]))
    dup_of = {j for (i, j) in best if j not in used_p and i in used_g}
    missed = [g for i, g in enumerate(gold) if i not in used_g]
    dups = [p for j, p in enumerate(pred) if j in dup_of]
    extra = [p for j, p in enumerate(pred) if j not in used_p and j not in dup_of]
    return pairs, missed, dups, extra


def _near(g: dict, p: dict) -> bool:
    return abs(g["line"] - p["line"]) <= MATCH_LINES


def _task_agree(g, p):
    if not _near(g, p):
        return 0
    s = title_similarity(g["title"], p["title"])
    return s if s >= 0.6 else 0


def _num(v) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _target_agree(g, p):
    if not _near(g, p):
        return 0
    gv, pv = _num(g.get("value")), _num(p.get("value"))
    if gv is None or pv is None or abs(gv - pv) > 1e-9:
        return 0
    if norm_key(g.get("unit") or "") != norm_key(p.get("unit") or ""):
        return 0
    return 1 + title_similarity(g.get("indicator", ""), p.get("indicator", ""))


def _team_agree(g, p):
    same_name = norm_key(g.get("name") or "") == norm_key(p.get("name") or "")
    return 2 if same_name and _near(g, p) else (1 if same_name or _near(g, p) else 0)


def _periods(c: dict) -> frozenset:
    return frozenset(_PERIOD_ALIASES.get(i["every"], i["every"]) for i in c.get("items", []))


def _cadence_agree(g, p):
    return 1 if _near(g, p) and _periods(g) == _periods(p) else 0


def score_one(gold: dict, pred: dict) -> Score:
    sc = Score(gold["seed"])
    f = sc.figures
    pairs, missed, dups, extra = _match_groups(task_groups(gold["tasks"]), task_groups(pred.get("tasks", [])))
    sc.duplicates = len(dups)
    f["tasks"] = PRF(len(pairs), len(extra) + len(dups), len(missed))
    sc.misses["tasks"] = (
        [("missed", g[0]["line"], g[0]["title"]) for g in missed]
        + [("duplicate", p[0]["line"], p[0]["title"]) for p in dups]
        + [("extra", p[0]["line"], p[0]["title"]) for p in extra]
    )
    unmatched = dups + extra
    for k in ("units", "lead_units", "persons", "leaders"):
        acc = PRF()
        for g, p in pairs:
            one = _compare_sets(g[0].get(k), p[0].get(k))
            acc.add(one)
            if one.fp or one.fn:
                sc.misses[k].append((g[0]["line"], g[0].get(k), p[0].get(k)))
        for g in missed:
            acc.fn += sum(_multiset(g[0].get(k)).values())
        for p in unmatched:
            acc.fp += sum(_multiset(p[0].get(k)).values())
        f[k] = acc
    for k in FLAGS:
        acc = PRF()
        for g, p in pairs:
            gf, pf = any(t.get(k) for t in g), any(t.get(k) for t in p)
            acc.tp += gf and pf
            acc.fp += pf and not gf
            acc.fn += gf and not pf
            if gf != pf:
                sc.misses[k].append(("missed" if gf else "extra", g[0]["line"], g[0]["title"]))
        acc.fn += sum(any(t.get(k) for t in g) for g in missed)
        acc.fp += sum(any(t.get(k) for t in p) for p in unmatched)
        f[k] = acc
    for k, agree in (("targets", _target_agree), ("teams", _team_agree), ("cadences", _cadence_agree)):
        pairs_k, missed_k, extra_k = _match(gold[k], pred.get(k, []), agree)
        f[k] = PRF(len(pairs_k), len(extra_k), len(missed_k))
        sc.misses[k] = [("missed", g["line"], g.get("text") or g.get("name")) for g in missed_k] + [
            ("extra", p["line"], p.get("text") or p.get("name")) for p in extra_k]
    return sc


def format_table(scores: list[Score], total: Score | None = None) -> str:
    cols = [*FIELDS, "implicit", "lead_hd"]
    head = f"{'文件 file':<28}" + "".join(f"{k:>11}" for k in cols) + f"{'dup':>5}"
    rows = [head]
    for s in [*scores, *([total] if total else [])]:
        rows.append(f"{s.seed[:28]:<28}" + "".join(f"{s.figures[k].f1:>11.3f}" for k in ALL)
                    + f"{s.duplicates:>5}")
    return "\n".join(rows)
