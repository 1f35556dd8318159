"""A brief's :class:`~duban.briefs.content.BriefData` as the context of its web page.

The page (template ``ui/briefs/brief.html``) prints the same sections, in the same order and with
the same wording and number formats as the .docx (:mod:`duban.briefs.render_docx` helpers), so a
figure read on screen is the figure in the document. No database access; the template escapes all
text (task titles and problems are typed by units). Charts are the same PNGs, inlined as data: URIs
(allowed by the site's CSP ``img-src``).
"""

from __future__ import annotations

import base64

from duban.briefs.content import LIGHT_LABELS, STATUSES, BriefData
from duban.briefs.render_docx import by_region_rows, by_region_sentence, cn_date, draw, headline_sentence, pct


def _png(spec) -> str:
    return "data:image/png;base64," + base64.b64encode(draw(spec)).decode("ascii")


def context(data: BriefData, charts: bool = True) -> dict:
    """Everything the template prints, already formatted."""
    images = [(spec.title, spec.kind, _png(spec)) for spec in data.charts] if charts else []
    return {
        "data": data,
        "title": data.title,
        "masthead": data.masthead,
        "number": data.issue,
        "issued_on": cn_date(data.issued_on),
        "headline": headline_sentence(data),
        "status_charts": [(t, src) for t, kind, src in images if kind == "status"],
        "other_charts": [(t, src) for t, kind, src in images if kind != "status"],
        "statuses": STATUSES[:4],
        "campaigns": [
            {
                "name": c.name,
                "tasks": c.tasks,
                "counts": [c.tasks_by_status.get(s, 0) for s in STATUSES[:4]],
                "progress": pct(c.progress),
                "targets": f"{c.targets_on}/{c.targets_on + c.targets_behind}",
            }
            for c in data.campaigns
        ],
        "targets": [
            {
                "campaign": t.campaign,
                "indicator": t.indicator,
                "target": t.target,
                "actual": t.actual or "未报",
                "completion": pct(t.completion),
                "expected": pct(t.expected),
                "light": t.light,
                "light_label": LIGHT_LABELS[t.light],
            }
            for t in data.targets
        ],
        "lagging": [
            {
                "title": t.title,
                "units": "、".join(t.lead_units) or "、".join(t.co_units),
                "status": t.status,
                "percent": "—" if t.percent is None else f"{t.percent:g}%",
                "expected": f"{t.expected:g}%",
                "reason": t.reason,
            }
            for t in data.lagging
        ],
        # several regions: the .docx prints these instead of one row per task (see content.RegionLagLine)
        "lagging_by_region": by_region_rows(data) if data.lagging_by_region and data.lagging else [],
        "lagging_by_region_sentence": by_region_sentence(data)
        if data.lagging_by_region and data.lagging
        else "",
        "problems": data.problems,
        "late": [r for r in data.reporting if r.late],
        "missing": [r for r in data.reporting if r.missing],
        "reporting": data.reporting,
        "ranking": [{"rank": r.rank, "unit": r.unit, "score": f"{r.score:.2f}"} for r in data.ranking],
        "red_list": "、".join(data.red_list),
        "black_list": "、".join(data.black_list),
        "signed": not data.spec.masthead,
    }
