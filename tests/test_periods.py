"""Period arithmetic of the reporting calendar (duban.plans.periods)."""

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from duban.plans.periods import (
    KINDS,
    LOCAL_TZ,
    Period,
    PeriodError,
    elapsed_fraction,
    normalize_kind,
    parse_period,
    period_containing,
    periods_between,
)


def test_importable_without_django_settings():
    code = "import duban.plans.periods, duban.tracking.due_rules, sys; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "kind, day, start, end, label, code",
    [
        ("日", date(2023, 3, 15), date(2023, 3, 15), date(2023, 3, 15), "2023年3月15日", "2023-03-15"),
        ("周", date(2023, 3, 22), date(2023, 3, 20), date(2023, 3, 26), "2023年第12周", "2023-W12"),
        ("旬", date(2023, 3, 10), date(2023, 3, 1), date(2023, 3, 10), "2023年3月上旬", "2023-03上旬"),
        ("旬", date(2023, 3, 11), date(2023, 3, 11), date(2023, 3, 20), "2023年3月中旬", "2023-03中旬"),
        ("旬", date(2023, 3, 31), date(2023, 3, 21), date(2023, 3, 31), "2023年3月下旬", "2023-03下旬"),
        ("月", date(2023, 3, 31), date(2023, 3, 1), date(2023, 3, 31), "2023年3月", "2023-03"),
        ("两月", date(2023, 4, 30), date(2023, 3, 1), date(2023, 4, 30), "2023年3—4月", "2023-03/04"),
        ("两月", date(2023, 12, 1), date(2023, 11, 1), date(2023, 12, 31), "2023年11—12月", "2023-11/12"),
        ("季", date(2023, 2, 14), date(2023, 1, 1), date(2023, 3, 31), "2023年第一季度", "2023Q1"),
        ("季", date(2023, 10, 1), date(2023, 10, 1), date(2023, 12, 31), "2023年第四季度", "2023Q4"),
        ("半年", date(2023, 6, 30), date(2023, 1, 1), date(2023, 6, 30), "2023年上半年", "2023H1"),
        ("半年", date(2023, 7, 1), date(2023, 7, 1), date(2023, 12, 31), "2023年下半年", "2023H2"),
        ("年", date(2023, 7, 1), date(2023, 1, 1), date(2023, 12, 31), "2023年", "2023"),
    ],
)
def test_period_containing_bounds_label_and_code(kind, day, start, end, label, code):
    p = period_containing(kind, day)
    assert (p.kind, p.start, p.end, p.label, p.code) == (kind, start, end, label, code)
    assert parse_period(code) == p
    assert parse_period(label) == p


def test_dekads_of_february_leap_and_common_years():
    leap = periods_between("旬", date(2024, 2, 1), date(2024, 2, 29))
    common = periods_between("旬", date(2023, 2, 1), date(2023, 2, 28))
    assert [(p.start.day, p.end.day) for p in leap] == [(1, 10), (11, 20), (21, 29)]
    assert [(p.start.day, p.end.day) for p in common] == [(1, 10), (11, 20), (21, 28)]
    assert [p.days for p in common] == [10, 10, 8]


def test_last_dekad_of_31_day_months_has_11_days():
    for month in (1, 3, 5, 7, 8, 10, 12):
        p = period_containing("旬", date(2023, month, 25))
        assert (p.start.day, p.end.day, p.days) == (21, 31, 11)
    assert period_containing("旬", date(2023, 4, 30)).days == 10


def test_iso_weeks_across_year_boundaries():
    # 2024-12-30 (Monday) begins ISO week 1 of 2025; 2021-01-03 (Sunday) ends week 53 of 2020
    w = period_containing("周", date(2024, 12, 31))
    assert (w.start, w.end, w.code, w.label) == (
        date(2024, 12, 30),
        date(2025, 1, 5),
        "2025-W01",
        "2025年第1周",
    )
    assert period_containing("周", date(2021, 1, 3)).code == "2020-W53"
    assert parse_period("2020-W53").start == date(2020, 12, 28)
    assert w.previous().code == "2024-W52"
    assert period_containing("周", date(2023, 1, 1)).code == "2022-W52"


def test_next_and_previous_cross_year_boundaries():
    assert parse_period("2023-12下旬").next().code == "2024-01上旬"
    assert parse_period("2024-01上旬").previous().code == "2023-12下旬"
    assert parse_period("2023Q4").next().code == "2024Q1"
    assert parse_period("2023-01/02").previous().code == "2022-11/12"
    assert parse_period("2023H1").previous().code == "2022H2"
    assert parse_period("2023-12-31").next().code == "2024-01-01"
    assert parse_period("2024-02-28").next().code == "2024-02-29"
    assert parse_period("2023-02上旬").shift(-36).code == "2022-02上旬"
    assert parse_period("2023-02上旬").shift(-37).code == "2022-01下旬"
    assert parse_period("2023-03").shift(10).code == "2024-01"


@pytest.mark.parametrize("kind", KINDS)
def test_consecutive_periods_tile_the_calendar(kind):
    periods = periods_between(kind, date(2023, 11, 20), date(2025, 2, 10))
    assert periods[0].contains(date(2023, 11, 20)) and periods[-1].contains(date(2025, 2, 10))
    for a, b in zip(periods, periods[1:], strict=False):
        assert b.start == a.end + timedelta(days=1)
        assert a.next() == b and b.previous() == a and a < b
        assert parse_period(b.code) == b and parse_period(b.label) == b


def test_two_month_periods_are_aligned_pairs():
    assert [p.code for p in periods_between("两月", date(2023, 1, 1), date(2023, 12, 31))] == [
        "2023-01/02", "2023-03/04", "2023-05/06", "2023-07/08", "2023-09/10", "2023-11/12"]  # fmt: skip
    assert period_containing("两月", date(2024, 2, 29)).end == date(2024, 2, 29)
    with pytest.raises(PeriodError):
        parse_period("2023-02/03")


def test_periods_between_is_inclusive_and_empty_when_reversed():
    assert len(periods_between("日", date(2023, 3, 1), date(2023, 3, 31))) == 31
    assert [p.code for p in periods_between("季度", date(2023, 3, 31), date(2023, 4, 1))] == [
        "2023Q1",
        "2023Q2",
    ]
    assert periods_between("月", date(2023, 5, 1), date(2023, 4, 1)) == []


def test_parse_period_accepts_variant_spellings():
    assert parse_period("2023年一季度").code == "2023Q1"
    assert parse_period("2023年第3季度").code == "2023Q3"
    assert parse_period(" 2023 年 3 月 ").code == "2023-03"
    assert parse_period("2023年3-4月").code == "2023-03/04"
    assert parse_period("2023年度").code == "2023"
    assert parse_period("2023w5").code == "2023-W05"
    assert parse_period("２０２３Ｑ２").code == "2023Q2"  # full-width, NFKC


@pytest.mark.parametrize(
    "text", ["", "2023Q5", "2023-13", "2023-02-30", "2023-W54", "2023年第五季度", "上半年"]
)
def test_parse_period_rejects_bad_text(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_period_rejects_partial_ranges_and_unknown_kinds():
    with pytest.raises(PeriodError):
        Period("月", date(2023, 3, 2), date(2023, 3, 31))
    with pytest.raises(PeriodError):
        Period("旬", date(2023, 2, 21), date(2023, 2, 27))
    with pytest.raises(PeriodError):
        period_containing("季节", date(2023, 3, 1))


@pytest.mark.parametrize(
    "word, kind",
    [("季度", "季"), ("每季度", "季"), ("按季度", "季"), ("一季度", "季"), ("每月", "月"), ("月度", "月"),
     ("每个月", "月"), ("每旬", "旬"), ("一周", "周"), ("每星期", "周"), ("半年度", "半年"), ("每半年", "半年"),
     ("天", "日"), ("每日", "日"), ("两月", "两月"), ("每两个月", "两月"), ("双月", "两月"), ("年度", "年"),
     ("季", "季")],
)  # fmt: skip
def test_normalize_kind(word, kind):
    assert normalize_kind(word) == kind


@pytest.mark.parametrize("word", ["日常", "定期", "二月", "", None, "小时"])
def test_normalize_kind_rejects_non_period_words(word):
    assert normalize_kind(word) is None


def test_elapsed_fraction_is_day_of_year_over_year_length():
    year = parse_period("2023")
    assert elapsed_fraction(year, date(2023, 1, 1)) == pytest.approx(1 / 365)
    assert elapsed_fraction(year, date(2023, 3, 1)) == pytest.approx(60 / 365)
    assert elapsed_fraction(year, date(2023, 12, 31)) == 1.0
    assert elapsed_fraction(parse_period("2024"), date(2024, 7, 1)) == pytest.approx(183 / 366)
    # 时间过半: the end of 30 June is 181/365 of 2023
    assert elapsed_fraction(year, date(2023, 6, 30)) == pytest.approx(181 / 365)


def test_elapsed_fraction_of_datetimes_and_outside_the_period():
    q1 = parse_period("2023Q1")  # 90 days
    noon = datetime(2023, 1, 1, 12, 0)
    assert q1.elapsed(noon) == pytest.approx(0.5 / 90)  # naive: local time
    utc = datetime(2023, 1, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert q1.elapsed(utc) == pytest.approx(0.5 / 90)
    assert q1.elapsed(date(2022, 12, 31)) == 0.0
    assert q1.elapsed(date(2023, 4, 5)) == 1.0


def test_aware_datetimes_use_the_shanghai_date():
    late_utc = datetime(2023, 3, 31, 20, 0, tzinfo=UTC)  # 2023-04-01 04:00 in Shanghai
    assert period_containing("季", late_utc).code == "2023Q2"
    assert parse_period("2023-04-01").contains(late_utc)
    p = parse_period("2023-03")
    assert p.start_at == datetime(2023, 3, 1, tzinfo=LOCAL_TZ)
    assert p.end_at == datetime(2023, 4, 1, tzinfo=LOCAL_TZ)
    assert p.start_at.utcoffset() == timedelta(hours=8)


def test_periods_sort_by_time_then_finer_kind_first():
    periods = [parse_period(c) for c in ("2023Q1", "2023-02", "2023-01", "2023", "2023-01上旬")]
    assert [p.code for p in sorted(periods)] == ["2023-01上旬", "2023-01", "2023Q1", "2023", "2023-02"]
    assert len({parse_period("2023Q1"), parse_period("2023年第一季度")}) == 1
