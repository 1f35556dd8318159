"""Importing target actuals from .xlsx (generated here with openpyxl): all rows or none."""

import io
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from duban.audit.models import AuditEntry
from duban.plans.models import Target, Unit
from duban.tracking.actions import TrackingError
from duban.tracking.imports import import_actuals
from duban.tracking.models import TargetActual
from tests.tracking_helpers import ingest_yuanjiang, plan_titled

pytestmark = pytest.mark.django_db


def workbook(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["沅江市2023年3月主要指标完成情况"])  # a title row above the header
    sheet.append(["指标", "地区或单位", "期间", "数值", "备注"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


@pytest.fixture
def growth():
    ingest_yuanjiang()
    return plan_titled("经济增长主动仗")


def test_import_actuals(growth, tmp_path):
    firms = Target.objects.get(plan=growth, indicator="规模以上工业企业")
    unit = Unit.objects.get(region__name="沅江市", name="市发改局")
    path = workbook(
        tmp_path / "actuals.xlsx",
        [
            ["社会消费品零售总额", "沅江市", "2023-03", "6.8%", "两个目标同名：都记"],
            [f"#{firms.pk}", "市发改局", datetime(2023, 3, 1), 5, "日期单元格按月读"],
            [None, None, None, None, None],
            ["粮食产量", "", "2023年第一季度", "12,5", ""],
        ],
    )
    written = import_actuals(path, [growth])
    got = sorted((a.target.indicator, a.unit_id, a.period, a.value, a.source) for a in written)
    assert got == [
        ("社会消费品零售总额", None, "2023-03", 6.8, "导入"),
        ("社会消费品零售总额", None, "2023-03", 6.8, "导入"),
        ("粮食产量", None, "2023Q1", 125.0, "导入"),
        ("规模以上工业企业", unit.pk, "2023-03", 5.0, "导入"),
    ]
    assert AuditEntry.objects.get(action="record_actuals").summary.startswith(
        "从 actuals.xlsx 导入指标实际值 4 条"
    )
    import_actuals(path, [growth])  # the same sheet again: new versions
    assert sorted(set(TargetActual.objects.values_list("version", flat=True))) == [1, 2]


def test_bad_rows_reject_the_whole_file_with_row_numbers(growth, tmp_path):
    path = workbook(
        tmp_path / "bad.xlsx",
        [
            ["社会消费品零售总额", "沅江市", "2023-03", 6.8],
            ["不存在的指标", "沅江市", "2023-03", 1],
            ["粮食产量", "不存在的局", "2023-03", 1],
            ["粮食产量", "沅江市", "2023年13月", 1],
            ["粮食产量", "沅江市", "2023-03", "很多"],
        ],
    )
    with pytest.raises(TrackingError) as err:
        import_actuals(path, [growth])
    text = str(err.value)
    assert "4 行有错误" in text
    assert "第 4 行：指标“不存在的指标”不在所选方案中" in text
    assert "第 5 行：单位“不存在的局”不存在" in text
    assert "第 6 行" in text and "第 7 行：数值“很多”不是数字" in text
    assert "第 3 行" not in text
    assert (
        TargetActual.objects.count() == 0 and not AuditEntry.objects.filter(action="record_actuals").exists()
    )


def test_import_command_and_unreadable_files(growth, tmp_path):
    path = workbook(tmp_path / "ok.xlsx", [["粮食产量", "沅江市", "2023-03", 10]])
    out = io.StringIO()
    call_command("import_actuals", "经济增长主动仗", path, stdout=out)
    assert "已导入指标实际值 1 条" in out.getvalue()
    not_xlsx = tmp_path / "plan.xlsx"
    not_xlsx.write_text("not a workbook")
    with pytest.raises(CommandError, match="不是有效的 .xlsx 文件"):
        call_command("import_actuals", "经济增长主动仗", str(not_xlsx))
    book = Workbook()
    book.active.append(["名称", "值"])
    book.save(tmp_path / "noheader.xlsx")
    with pytest.raises(CommandError, match="找不到表头"):
        call_command("import_actuals", "经济增长主动仗", str(tmp_path / "noheader.xlsx"))
    assert TargetActual.objects.count() == 1
