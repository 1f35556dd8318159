"""Shared set-up of the cascade tests: the real 邵阳市 (000) and 新邵县 (003) samples in one database."""

from __future__ import annotations

import re

from duban.plans.actions import do_ingest_file
from duban.plans.models import Plan, Region
from tests.conftest import sample_path

CITY, COUNTY = "000", "003"


def ingest_city_and_county(year: int | None = None) -> tuple[list[Plan], list[Plan]]:
    """Ingest both samples (as the programmes of ``year``, default the files' own: 2023 and 2024);
    (county plans, city plans), each in document order."""
    city = do_ingest_file(sample_path(CITY), year=year).source_document
    county = do_ingest_file(sample_path(COUNTY), year=year).source_document
    assert city.region.name == "邵阳市" and county.region.name == "新邵县"
    assert county.region.parent == city.region  # 新邵县 is a county of 邵阳市 in the shipped tree
    return list(county.plans.order_by("order")), list(city.plans.order_by("order"))


def sample_text(prefix: str) -> str:
    with open(sample_path(prefix), encoding="utf-8") as f:
        return f.read()


def growth_in_text(prefix: str, indicator: str) -> set[float]:
    """Every '<indicator>增长 N%' figure the sample's text states (read with a plain regex)."""
    text = re.sub(r"\s+", "", sample_text(prefix))
    return {float(v) for v in re.findall(re.escape(indicator) + r"增长(\d+(?:\.\d+)?)%", text)}


def root(plans: list[Plan]) -> Plan:
    return next(p for p in plans if p.parent_id is None)


def region(name: str) -> Region:
    return Region.objects.get(name=name)


def report_through_the_form(client, user, task, unit, narrative: str, percent: int):
    """``user`` (a county reporter) finds ``task`` in 本期待报 and reports its first pending period for
    ``unit`` through the real form; returns the stored report."""
    from duban.tracking.models import ProgressReport

    client.force_login(user)
    home = client.get("/report/")
    assert home.status_code == 200 and task.pk in {i.task.pk for i in home.context["items"]}
    form = client.get(f"/report/{task.pk}/")
    assert form.status_code == 200
    period = form.context["item"].pending[0].code
    data = {"unit": unit.pk, "period": period, "narrative": narrative, "percent": str(percent), "status": "正常推进"}
    r = client.post(f"/report/{task.pk}/", {f"t{task.pk}-{k}": v for k, v in data.items()})
    assert r.status_code == 302
    made = ProgressReport.objects.get(task=task)
    assert made.unit == unit and made.period == period and made.percent == percent
    return made
