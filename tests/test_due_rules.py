"""Due rules of the reporting calendar (duban.tracking.due_rules), on the gold cadences and short strings."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duban.ingest.model import Cadence, CadenceItem
from duban.plans.periods import KINDS, LOCAL_TZ, PeriodError, parse_period
from duban.tracking.due_rules import END_OF_DAY, due_items, due_rule

YEAR_2023 = (date(2023, 1, 1), date(2023, 12, 31))


def _at(y, m, d, hh=23, mm=59):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def _gold_cadence(gold, due_start):
    """The first gold cadence whose due text starts with ``due_start``."""
    for g in gold.values():
        for c in g["cadences"]:
            if (c["due"] or "").startswith(due_start):
                return c
    raise LookupError(due_start)


def _gold_cadence_with(gold, *everys):
    """The first gold cadence without a due text whose items have exactly these periods."""
    for g in gold.values():
        for c in g["cadences"]:
            if not c["due"] and [i["every"] for i in c["items"]] == list(everys):
                return c
    raise LookupError(everys)


def _due(every, due, code):
    return due_rule(every, due).due_at(parse_period(code))


# --- the gold cadences -----------------------------------------------------------------------


def test_quarterly_report_due_mid_month_of_quarter_end(gold):
    c = _gold_cadence(gold, "每季度末月中旬")  # 沅江市: 工作进展情况每季度末月中旬报送市优办
    items = due_items(c, *YEAR_2023)
    assert [(i.period.code, i.due_at) for i in items] == [
        ("2023Q1", _at(2023, 3, 15)), ("2023Q2", _at(2023, 6, 15)),
        ("2023Q3", _at(2023, 9, 15)), ("2023Q4", _at(2023, 12, 15))]  # fmt: skip
    assert {(i.action, i.report_to, i.understood) for i in items} == {("报送", c["report_to"], True)}


def test_daily_report_before_4pm_gives_31_items_in_march(gold):
    c = _gold_cadence(gold, "每天下午4：00之前")  # full-width colon, as in the document
    items = due_items(c, date(2023, 3, 1), date(2023, 3, 31))
    assert len(items) == 31
    assert {i.due_at.time() for i in items} == {time(16, 0)}
    assert [i.due_at.date() for i in items] == [date(2023, 3, d) for d in range(1, 32)]
    assert all(i.period.kind == "日" and i.period.start == i.due_at.date() for i in items)
    assert items[0].report_to == c["report_to"]


def test_daily_report_before_half_past_four(gold):
    c = _gold_cadence(gold, "每日下午4:30前")
    items = due_items(c, date(2024, 2, 1), date(2024, 2, 29))
    assert len(items) == 29 and {i.due_at.time() for i in items} == {time(16, 30)}


def test_last_working_day_of_each_quarter(gold):
    c = _gold_cadence(gold, "每季度最后一个工作日")
    items = due_items(c, *YEAR_2023)
    # 2023-09-30 is a Saturday and 2023-12-31 a Sunday: the Friday before
    assert [i.due_at.date() for i in items] == [
        date(2023, 3, 31),
        date(2023, 6, 30),
        date(2023, 9, 29),
        date(2023, 12, 29),
    ]
    assert all(i.due_at.weekday() < 5 for i in items)


def test_monthly_days_of_the_same_month(gold):
    cut_off = _gold_cadence(gold, "当月20日")
    report = _gold_cadence(gold, "每月22日前")
    to_province = _gold_cadence(gold, "每月25日前")  # '（遇节假日往后顺延）' is not applied
    assert [i.due_at for i in due_items(cut_off, date(2023, 2, 1), date(2023, 2, 28))] == [_at(2023, 2, 20)]
    assert [i.due_at for i in due_items(report, date(2023, 2, 1), date(2023, 2, 28))] == [_at(2023, 2, 22)]
    june = due_items(to_province, date(2023, 6, 1), date(2023, 6, 30))
    assert [(i.period.code, i.due_at) for i in june] == [("2023-06", _at(2023, 6, 25))]  # a Sunday: stays
    assert june[0].due_at.weekday() == 6 and june[0].understood


def test_dekad_month_quarter_cadence_without_due_text(gold):
    c = _gold_cadence_with(gold, "旬", "月", "季")  # 旬简报、月通报、季总结
    items = due_items(c, date(2023, 3, 1), date(2023, 3, 31))
    assert [(i.period.code, i.action, i.due_at) for i in items] == [
        ("2023-03上旬", "简报", _at(2023, 3, 10)),
        ("2023-03中旬", "简报", _at(2023, 3, 20)),
        ("2023-03下旬", "简报", _at(2023, 3, 31)),
        ("2023-03", "通报", _at(2023, 3, 31)),
        ("2023Q1", "总结", _at(2023, 3, 31)),
    ]
    feb = [
        i.due_at.date() for i in due_items(c, date(2024, 2, 1), date(2024, 2, 29)) if i.period.kind == "旬"
    ]
    assert feb == [date(2024, 2, 10), date(2024, 2, 20), date(2024, 2, 29)]


def test_two_month_cadence(gold):
    c = _gold_cadence_with(gold, "月", "两月", "季")  # 每月一统计、两月一调度、每季一通报
    bimonthly = [i for i in due_items(c, *YEAR_2023) if i.action == "调度"]
    assert [(i.period.code, i.due_at.date()) for i in bimonthly] == [
        ("2023-01/02", date(2023, 2, 28)), ("2023-03/04", date(2023, 4, 30)), ("2023-05/06", date(2023, 6, 30)),
        ("2023-07/08", date(2023, 8, 31)), ("2023-09/10", date(2023, 10, 31)), ("2023-11/12", date(2023, 12, 31))]  # fmt: skip


def test_every_gold_cadence_is_scheduled_and_understood(gold):
    cadences = [c for g in gold.values() for c in g["cadences"]]
    assert len(cadences) > 20
    for c in cadences:
        items = due_items(c, *YEAR_2023)
        assert items, c["text"]
        assert all(i.understood for i in items), c["due"]
        assert all(i.period.kind in KINDS and YEAR_2023[0] <= i.due_at.date() <= YEAR_2023[1] for i in items)
        assert {i.action for i in items} == {i["action"] for i in c["items"]}
        assert items == sorted(items, key=lambda i: i.due_at)


def test_parser_records_work_like_their_json():
    record = Cadence(
        10,
        "方案",
        "工作进展情况每季度末月中旬报送市优办",
        [CadenceItem("季度", "报送")],
        "市优办",
        "每季度末月中旬",
    )
    as_json = record.to_json()
    assert due_items(record, *YEAR_2023) == due_items(as_json, *YEAR_2023)
    assert len(due_items(record, *YEAR_2023)) == 4


# --- wording -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "every, due, code, expected",
    [
        ("月", None, "2023-02", _at(2023, 2, 28)),
        ("旬", None, "2024-02下旬", _at(2024, 2, 29)),
        ("周", None, "2023-W12", _at(2023, 3, 26)),
        ("年", "", "2023", _at(2023, 12, 31)),
        ("日", "每天16:00前", "2023-03-15", _at(2023, 3, 15, 16, 0)),
        ("日", "每日下午4点半前", "2023-03-15", _at(2023, 3, 15, 16, 30)),
        ("日", "每天17时30分前", "2023-03-15", _at(2023, 3, 15, 17, 30)),
        ("日", "每天上午9:00前", "2023-03-15", _at(2023, 3, 15, 9, 0)),
        ("日", "次日上午9时前", "2023-03-31", _at(2023, 4, 1, 9, 0)),
        ("日", "每天24时前", "2023-03-15", _at(2023, 3, 15)),
        ("季", "每季度末月二十日前", "2023Q2", _at(2023, 6, 20)),
        ("季", "每季度末月上旬", "2023Q1", _at(2023, 3, 5)),
        ("季", "每季度末", "2023Q3", _at(2023, 9, 30)),
        ("季度", "每季度首月10日前", "2023Q4", _at(2024, 1, 10)),
        ("季", "每季度结束后10日内", "2023Q1", _at(2023, 4, 10)),
        ("季", "季度结束后次月10日前", "2023Q1", _at(2023, 4, 10)),
        ("季", "每季度20日前", "2023Q1", _at(2023, 3, 20)),
        ("月", "每月5日前", "2023-02", _at(2023, 3, 5)),
        ("月", "每月五号前", "2023-12", _at(2024, 1, 5)),
        ("月", "每月上旬", "2023-02", _at(2023, 3, 5)),
        ("月", "每月中旬", "2023-02", _at(2023, 2, 15)),
        ("月", "本月5日前", "2023-02", _at(2023, 2, 5)),
        ("月", "次月10日前", "2023-12", _at(2024, 1, 10)),
        ("月", "每月31日前", "2023-04", _at(2023, 4, 30)),
        ("月", "每月底", "2023-02", _at(2023, 2, 28)),
        ("月", "每月最后一个工作日下午5点前", "2023-04", _at(2023, 4, 28, 17, 0)),
        ("月", "每月第三个工作日", "2023-03", _at(2023, 4, 5)),
        ("月", "每月结束后5个工作日内", "2023-04", _at(2023, 5, 5)),
        ("周", "每周五", "2023-W12", _at(2023, 3, 24)),
        ("周", "每周五下午5点前", "2023-W12", _at(2023, 3, 24, 17, 0)),
        ("周", "每周一上午10点前", "2023-W12", _at(2023, 3, 20, 10, 0)),
        ("周", "每周最后一个工作日", "2023-W12", _at(2023, 3, 24)),
        ("周", "下周一", "2023-W52", _at(2024, 1, 1)),
        ("两月", "每两月末月25日前", "2023-03/04", _at(2023, 4, 25)),
        ("半年", "每半年末月中旬", "2023H2", _at(2023, 12, 15)),
        ("年", "每年1月10日前", "2023", _at(2024, 1, 10)),
        ("年", "每年12月20日前", "2023", _at(2023, 12, 20)),
        ("年", "年底前", "2023", _at(2023, 12, 31)),
    ],
)
def test_due_wording(every, due, code, expected):
    rule = due_rule(every, due)
    assert rule.understood, rule.problem
    assert rule.due_at(parse_period(code)) == expected


@pytest.mark.parametrize(
    "every, due",
    [
        ("月", "及时报送"),
        ("月", "2023年9月15日前"),  # a one-off deadline
        ("月", "每月32日前"),
        ("月", "每季度末月中旬"),  # another period
        ("日", "每月5日前"),
        ("旬", "每旬5日前"),
        ("季", "每年12月20日前"),
        ("季", "（遇节假日往后顺延）"),
    ],
)
def test_unreadable_wording_falls_back_to_the_period_end(every, due):
    rule = due_rule(every, due)
    assert not rule.understood and rule.problem and due in rule.problem
    p = parse_period({"月": "2023-03", "日": "2023-03-15", "旬": "2023-03中旬", "季": "2023Q1"}[every])
    assert rule.due_at(p) == datetime.combine(p.end, END_OF_DAY, tzinfo=LOCAL_TZ)


def test_a_due_text_of_one_period_times_only_that_item():
    c = {"items": [{"every": "旬", "action": "简报"}, {"every": "季", "action": "总结"}], "due": "每季度末月中旬",
         "report_to": None}  # fmt: skip
    items = due_items(c, date(2023, 3, 1), date(2023, 3, 31))
    assert [(i.action, i.due_at.date(), i.understood) for i in items] == [
        ("简报", date(2023, 3, 10), True), ("总结", date(2023, 3, 15), True),
        ("简报", date(2023, 3, 20), True), ("简报", date(2023, 3, 31), True)]  # fmt: skip


def test_a_conflicting_due_text_is_flagged_on_the_items():
    c = {"items": [{"every": "月", "action": "报送"}], "due": "每季度末月中旬", "report_to": None}
    items = due_items(c, date(2023, 3, 1), date(2023, 3, 31))
    assert [(i.due_at, i.understood) for i in items] == [(_at(2023, 3, 31), False)]


def test_range_lists_reports_due_in_it_even_for_earlier_periods():
    c = {"items": [{"every": "月", "action": "报送"}], "due": "每月5日前", "report_to": "市统计局"}
    march = due_items(c, date(2023, 3, 1), date(2023, 3, 31))
    assert [(i.period.code, i.due_at) for i in march] == [("2023-02", _at(2023, 3, 5))]
    weekly = {"items": [{"every": "周", "action": "调度"}], "due": None}
    jan = due_items(weekly, date(2023, 1, 1), date(2023, 1, 31))
    assert [i.period.code for i in jan] == ["2022-W52", "2023-W01", "2023-W02", "2023-W03", "2023-W04"]
    after = {"items": [{"every": "日", "action": "汇总"}], "due": "每日结束后3个工作日内"}
    assert due_items(after, date(2023, 3, 6), date(2023, 3, 6))[0].period.code == "2023-03-01"


def test_unknown_periods_are_skipped_and_an_empty_cadence_gives_nothing():
    c = {"items": [{"every": "定期", "action": "调度"}, {"every": "天", "action": "报送"}], "due": None}
    assert [i.action for i in due_items(c, date(2023, 3, 1), date(2023, 3, 2))] == ["报送", "报送"]
    assert due_items({"items": [], "due": "每月5日前"}, *YEAR_2023) == []
    with pytest.raises(PeriodError):
        due_rule("定期", None)


def test_due_times_are_shanghai_local():
    due_at = _due("日", "每天下午4:00之前", "2023-03-15")
    assert due_at.utcoffset() == timedelta(hours=8)
    assert due_at.astimezone(LOCAL_TZ).hour == 16


@given(
    st.text(
        alphabet="每月季度周日旬年末首中上下前后内第个工作日点时分:之当本次0123456789一二三五十半",
        max_size=20,
    )
)
def test_any_wording_gives_a_due_date_without_raising(due):
    for every, code in (("日", "2023-03-15"), ("周", "2023-W12"), ("旬", "2023-03中旬"), ("月", "2023-02"),
                        ("季", "2023Q4"), ("年", "2023")):  # fmt: skip
        period = parse_period(code)
        due_at = due_rule(every, due).due_at(period)
        assert period.start <= due_at.date() <= period.next().end + timedelta(days=140)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.sampled_from(KINDS))
def test_default_due_is_the_last_day_of_the_period(day, kind):
    items = due_items({"items": [{"every": kind, "action": "报送"}], "due": None}, day, day)
    assert all(i.due_at.date() == day == i.period.end and i.due_at.time() == END_OF_DAY for i in items)
