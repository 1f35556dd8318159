"""序时进度 maths, lights and 双过半 on hand-computed cases; task deadlines as dates (pure, no DB)."""

from datetime import date, datetime

import pytest

from duban.plans.periods import LOCAL_TZ, parse_period
from duban.tracking.deadlines import parse_deadline
from duban.tracking.progress import (
    GREEN,
    RED,
    YELLOW,
    double_half,
    expected_share,
    light_for,
    target_progress,
)

END_OF_MARCH = date(2023, 3, 31)  # 90 of 365 days gone
SHARE = 90 / 365


def test_expected_share_is_elapsed_days_over_the_year():
    assert expected_share(parse_period("2023"), END_OF_MARCH) == pytest.approx(SHARE)
    assert expected_share(parse_period("2023Q1"), END_OF_MARCH) == 1.0
    assert expected_share(parse_period("2023"), datetime(2023, 1, 1, tzinfo=LOCAL_TZ)) == 0.0


@pytest.mark.parametrize(
    "ratio, light",
    [(1.0, GREEN), (1.3, GREEN), (0.9, YELLOW), (0.95, YELLOW), (0.8999, RED), (0, RED), (None, GREEN)],
)
def test_light_thresholds(ratio, light):
    assert light_for(ratio) == light


@pytest.mark.parametrize(
    "actual, completion, light",
    [(4, 0.25, GREEN), (3.6, 0.225, YELLOW), (3, 0.1875, RED)],  # ratios 1.014, 0.913, 0.760
)
def test_amount_target_against_elapsed_share(actual, completion, light):
    p = target_progress("新增", 16, "家", "", actual, END_OF_MARCH)  # 新增规模以上工业企业16家
    assert p.kind == "amount" and p.expected == pytest.approx(SHARE)
    assert p.completion == pytest.approx(completion)
    assert p.ratio == pytest.approx(completion / SHARE)
    assert p.light == light


def test_total_target_with_breakthrough_qualifier():
    p = target_progress("总量", 1500, "亿元", "突破", 400, END_OF_MARCH)  # 突破1500亿元
    assert p.completion == pytest.approx(400 / 1500) and p.ratio == pytest.approx(400 / 1500 / SHARE)
    assert p.light == GREEN  # 26.7% done when 24.7% of the year is gone


@pytest.mark.parametrize(
    "measure, value, unit, qualifier, actual, completion, light",
    [
        ("增长", 7.5, "%", "左右", 7.5, 1.0, GREEN),
        ("增长", 7.5, "%", "左右", 6.8, 6.8 / 7.5, YELLOW),
        ("增长", 7.5, "%", "", 6.0, 0.8, RED),
        ("下降", 10, "%", "左右", 12, 1.2, GREEN),  # the decrease, as a positive number
        ("控制在", 3, "%", "以内", 2.5, 1.2, GREEN),  # lower is better: target / actual
        ("控制在", 3, "%", "以内", 4, 0.75, RED),
    ],
)
def test_rate_targets_compare_rates_whatever_the_date(
    measure, value, unit, qualifier, actual, completion, light
):
    for day in (date(2023, 2, 1), date(2023, 11, 30)):
        p = target_progress(measure, value, unit, qualifier, actual, day)
        assert p.kind == "rate"
        assert p.completion == pytest.approx(completion)
        assert p.light == light


def test_no_actual_is_red_once_something_is_expected():
    assert target_progress("新增", 16, "家", "", None, END_OF_MARCH).light == RED
    assert target_progress("增长", 8, "%", "", None, END_OF_MARCH).light == RED
    start = datetime(2023, 1, 1, tzinfo=LOCAL_TZ)
    assert target_progress("新增", 16, "家", "", None, start).light == GREEN


def test_double_half_at_mid_year():
    mid = date(2023, 6, 30)
    amount = target_progress("新增", 16, "家", "", 8, mid)
    rate = target_progress("增长", 7.5, "%", "", 7.6, mid)
    assert amount.half_done and rate.half_done
    check = double_half([amount, rate], [50, 60], mid)
    assert check.time_half and check.passed
    assert (check.targets_half, check.targets, check.tasks_half, check.tasks) == (2, 2, 2, 2)
    failing = double_half([amount, target_progress("新增", 16, "家", "", 7, mid)], [50, 40, None], mid)
    assert not failing.passed and (failing.targets_half, failing.tasks_half, failing.tasks) == (1, 1, 3)
    early = double_half([amount], [60], date(2023, 5, 31))
    assert not early.time_half and not early.passed


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2023年底前", date(2023, 12, 31)),
        ("2023 年 6 月底前", date(2023, 6, 30)),
        ("到 2023 年底", date(2023, 12, 31)),
        ("2023年9月15日前", date(2023, 9, 15)),
        ("上半年", date(2023, 6, 30)),
        ("三季度", date(2023, 9, 30)),
        ("2024年秋季开学前", None),
        ("长期坚持", None),
        ("", None),
    ],
)
def test_task_deadlines(text, expected):
    assert parse_deadline(text, 2023) == expected
