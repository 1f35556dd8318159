"""State changes of plans, tasks and units (Zulip-style ``do_*`` functions: one place per change,
one transaction, audited), by concern:

- :mod:`~.ingest` — importing a parsed plan file (``do_ingest_file``: the one way plans, tasks and
  units get written), in ONE transaction: all records or none;
- :mod:`~.documents` — which stored file an import continues (:func:`document_scope`), plans,
  parent plans and campaigns;
- :mod:`~.tasks` — tasks and their unit assignments; :mod:`~.records` — targets, task forces, cadences;
- :mod:`~.report` — the change report; :mod:`~.base` — what they share;
- :mod:`~.units` — the office's corrections of units (merge, alias).
"""

from duban.plans.actions.base import Tally, clip
from duban.plans.actions.documents import annex_label, document_scope, link_plans_of, title_key
from duban.plans.actions.ingest import do_ingest_file, do_ingest_result
from duban.plans.actions.report import IngestReport
from duban.plans.actions.units import UnitError, do_add_alias, do_merge_units

__all__ = [
    "IngestReport",
    "Tally",
    "UnitError",
    "annex_label",
    "clip",
    "do_add_alias",
    "do_ingest_file",
    "do_ingest_result",
    "do_merge_units",
    "document_scope",
    "link_plans_of",
    "title_key",
]
