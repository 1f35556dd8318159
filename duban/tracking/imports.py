"""Importing target actuals (指标实际值) from an .xlsx sheet: all rows or none.

Layout (the first sheet; a header row, then one value per row; other columns are ignored):

    | 指标                 | 地区或单位 | 期间     | 数值 |
    | 社会消费品零售总额   | 沅江市     | 2023-03  | 6.8  |
    | #8                   | 市工信局   | 2023Q1   | 5    |

* 指标: the target's indicator as in the plan (every target of the selected plans with that
  indicator gets the value) or its number '#8' / '8'.
* 地区或单位: empty or the plans' region (沅江市) → a region-wide value; otherwise a unit of that
  region (name or alias) → that unit's value.
* 期间: a period code or label (2023-03, 2023-03上旬, 2023Q1, 2023年第一季度, 2023H1, 2023); a date cell
  is read as its month (spreadsheets turn '2023-03' into 2023-03-01).
* 数值: a number ('6.8', '6.8%', '1,200' are accepted). For growth targets it is the rate so far
  (6.8 = +6.8%), for amounts the cumulative amount.

Any bad row (unknown target or unit, unreadable period or number) rejects the whole file with a
Chinese message per row (行号 as in the spreadsheet); nothing is written.
"""

from __future__ import annotations

import os
from datetime import date, datetime

from duban.ingest.text import nospace
from duban.plans.models import Target, Unit, UnitAlias
from duban.plans.periods import PeriodError, parse_period, period_containing
from duban.tracking.actions import TrackingError, do_record_actuals
from duban.tracking.models import TargetActual

COLUMNS = {"指标": "target", "地区或单位": "unit", "期间": "period", "数值": "value"}
ALT_HEADERS = {"地区": "unit", "单位": "unit", "实际值": "value", "指标名称": "target"}
MAX_ERRORS = 20  # listed in the message


def _cell(value) -> str:
    return "" if value is None else nospace(str(value))


def _header(row) -> dict[str, int] | None:
    names = {**COLUMNS, **ALT_HEADERS}
    found = {names[_cell(v)]: k for k, v in enumerate(row) if _cell(v) in names}
    return found if {"target", "period", "value"} <= set(found) else None


def _period(value):
    if isinstance(value, datetime | date):
        return period_containing("月", value)
    return parse_period(_cell(value))


def _value(value) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float(_cell(value).replace(",", "").replace("，", "").rstrip("%"))


def read_rows(path: str):
    """(row number, cells) of the first sheet."""
    from openpyxl import load_workbook

    if not os.path.exists(path):
        raise TrackingError(f"文件不存在：{path}")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        raise TrackingError(f"{os.path.basename(path)} 不是有效的 .xlsx 文件（{type(e).__name__}）") from None
    try:
        sheet = book.worksheets[0]
        return [(k, list(row)) for k, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def import_actuals(path: str, plans, *, user=None, at=None) -> list[TargetActual]:
    """Read ``path`` and store its actuals for the targets of ``plans`` (one transaction)."""
    plans = list(plans)
    name = os.path.basename(path)
    rows = read_rows(path)
    header_at, columns = next(((k, h) for k, row in rows if (h := _header(row))), (None, None))
    if columns is None:
        raise TrackingError(f"{name}：找不到表头（需要列：指标、地区或单位、期间、数值）")
    targets = list(Target.objects.filter(plan__in=plans))
    by_id = {t.pk: t for t in targets}
    by_name: dict[str, list[Target]] = {}
    for t in targets:
        by_name.setdefault(nospace(t.indicator), []).append(t)
    regions = {p.region_id for p in plans if p.region_id}
    region_names = {n for p in plans if p.region for n in (p.region.name, p.region.short_name) if n}
    units = {u.name: u for u in Unit.objects.filter(region_id__in=regions)}
    units.update(
        {a.name: a.unit for a in UnitAlias.objects.filter(region_id__in=regions).select_related("unit")}
    )

    out, errors = [], []
    for row_no, row in rows:
        if row_no <= header_at:
            continue
        cells = {key: (row[k] if k < len(row) else None) for key, k in columns.items()}
        if all(_cell(v) == "" for v in cells.values()):
            continue
        problems = []
        word = _cell(cells["target"]).lstrip("#")
        found = [by_id[int(word)]] if word.isdigit() and int(word) in by_id else by_name.get(word, [])
        if not found:
            problems.append(f"指标“{_cell(cells['target'])}”不在所选方案中")
        place = _cell(cells.get("unit"))
        unit = None
        if place and place not in region_names:
            unit = units.get(place)
            if unit is None:
                problems.append(f"单位“{place}”不存在")
        try:
            period = _period(cells["period"])
        except PeriodError as e:
            problems.append(str(e))
        try:
            value = _value(cells["value"])
        except ValueError:
            problems.append(f"数值“{_cell(cells['value'])}”不是数字")
        if problems:
            errors.append(f"第 {row_no} 行：" + "；".join(problems))
            continue
        out.extend((t, unit, period, value) for t in found)
    if errors:
        more = f"（另有 {len(errors) - MAX_ERRORS} 行错误）" if len(errors) > MAX_ERRORS else ""
        raise TrackingError([f"{name} 未导入，{len(errors)} 行有错误{more}：", *errors[:MAX_ERRORS]])
    if not out:
        raise TrackingError(f"{name}：表头之后没有数据行")
    return do_record_actuals(
        out, source=TargetActual.IMPORTED, user=user, at=at, summary=f"从 {name} 导入指标实际值 {len(out)} 条"
    )
