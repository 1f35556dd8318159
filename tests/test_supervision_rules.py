"""督办 rules without a database: lifecycles, colours, the 提示单 streak."""

from datetime import date, datetime, timedelta

import pytest

from duban.plans.periods import LOCAL_TZ, period_containing
from duban.supervision import lifecycle as lc
from duban.supervision import rules
from duban.supervision.models import BLUE, RED, YELLOW
from duban.supervision.numbering import format_number


def test_notice_lifecycle_follows_issued_signed_answered_closed():
    state = lc.ISSUED
    state = lc.notice_step(state, lc.SIGN)
    assert state == lc.SIGNED
    state = lc.notice_step(state, lc.FEEDBACK)
    assert state == lc.ANSWERED
    assert lc.notice_step(state, lc.FEEDBACK) == lc.ANSWERED  # 补充反馈
    assert lc.notice_step(state, lc.CLOSE) == lc.CLOSED


@pytest.mark.parametrize(
    "state, step, words",
    [
        (lc.SIGNED, lc.SIGN, "不能重复签收"),
        (lc.ISSUED, lc.FEEDBACK, "请先签收"),
        (lc.ISSUED, lc.CLOSE, "尚未反馈"),
        (lc.SIGNED, lc.CLOSE, "尚未反馈"),
        (lc.CLOSED, lc.SIGN, "已办结"),
        (lc.CLOSED, lc.FEEDBACK, "已办结"),
    ],
)
def test_illegal_notice_steps_are_refused_in_chinese(state, step, words):
    with pytest.raises(lc.TransitionError, match=words):
        lc.notice_step(state, step)


def test_only_forced_close_skips_the_feedback():
    assert lc.notice_step(lc.ISSUED, lc.CLOSE, forced=True) == lc.CLOSED
    with pytest.raises(lc.TransitionError, match="已办结"):
        lc.notice_step(lc.CLOSED, lc.CLOSE, forced=True)


def test_problem_lifecycle():
    assert lc.problem_step(lc.PENDING, lc.ASSIGN) == lc.COORDINATING
    assert lc.problem_step(lc.COORDINATING, lc.ASSIGN) == lc.COORDINATING  # re-assigned
    assert lc.problem_step(lc.COORDINATING, lc.RESOLVE) == lc.RESOLVED
    assert lc.problem_step(lc.RESOLVED, lc.SHUT) == lc.PROBLEM_CLOSED
    with pytest.raises(lc.TransitionError, match="必须说明理由"):
        lc.problem_step(lc.PENDING, lc.SHUT)
    assert lc.problem_step(lc.PENDING, lc.SHUT, note="重复提出") == lc.PROBLEM_CLOSED
    with pytest.raises(lc.TransitionError, match="已关闭"):
        lc.problem_step(lc.PROBLEM_CLOSED, lc.RESOLVE)
    with pytest.raises(lc.TransitionError, match="已解决"):
        lc.problem_step(lc.RESOLVED, lc.ASSIGN)


def test_numbers_read_like_official_document_numbers():
    assert format_number("notice", 2023, 12) == "督〔2023〕12号"
    assert format_number("prompt", 2023, 3) == "提〔2023〕3号"


def _at(day: date, hour: int = 23, minute: int = 59) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


def _due(unit: int, day: date, kind="旬", submitted=None) -> rules.DueFact:
    period = period_containing(kind, day)
    return rules.DueFact(unit, f"单位{unit}", period.label, kind, "报送", _at(day), submitted)


def _facts(dues, status="", lead=(1,)):
    return rules.TaskFacts(
        1, "加快项目建设进度", {1: "市发改局", 2: "市财政局", 3: "市住建局"}, list(lead), dues, status
    )


def test_missing_reports_make_red_notices_with_the_facts():
    now = _at(date(2023, 1, 21), 0, 0)
    facts = _facts(
        [
            _due(1, date(2023, 1, 10), submitted=_at(date(2023, 1, 9))),  # on time
            _due(1, date(2023, 1, 20), submitted=_at(date(2023, 1, 20), 10)),
            _due(2, date(2023, 1, 10)),  # never came
            _due(2, date(2023, 1, 20)),
            _due(3, date(2023, 1, 10), submitted=_at(date(2023, 1, 14))),  # late, but in now
        ]
    )
    found = rules.findings(facts, now)
    assert [(f.color, f.unit_ids) for f in found] == [(RED, (2,))]
    reason = found[0].reason
    assert "单位2" not in reason and "市财政局" in reason
    assert "2023年1月上旬报送（应于2023-01-10 23:59前报送，已逾期10天）" in reason
    assert "2023年1月中旬报送（应于2023-01-20 23:59前报送，已逾期0天）" in reason
    assert rules.task_color(facts, found) == RED


def test_a_report_submitted_after_the_check_does_not_count_at_the_check():
    facts = _facts([_due(2, date(2023, 1, 10), submitted=_at(date(2023, 1, 25)))])
    assert [f.color for f in rules.findings(facts, _at(date(2023, 1, 21), 0, 0))] == [RED]
    assert rules.findings(facts, _at(date(2023, 1, 26), 0, 0)) == []


def test_blue_for_longer_periods_due_soon_not_for_daily_ones():
    now = _at(date(2023, 3, 11), 0, 0)
    facts = _facts(
        [
            _due(1, date(2023, 3, 15), kind="季"),  # 5 days after the check: blue
            _due(2, date(2023, 3, 17), kind="季"),  # 6 days: not yet
            _due(3, date(2023, 3, 11), kind="日"),  # daily: never blue
        ]
    )
    found = rules.findings(facts, now)
    assert [(f.color, f.unit_ids) for f in found] == [(BLUE, (1,))]
    assert "2023年第一季度报送将于2023-03-15 23:59到期" in found[0].reason


def test_behind_schedule_is_one_yellow_notice_to_the_lead_units():
    facts = _facts([], status=rules.BEHIND_STATUS, lead=(1, 3))
    facts.percent, facts.expected = 10.0, 19.7
    found = rules.findings(facts, _at(date(2023, 3, 11), 0, 0))
    assert [(f.color, f.unit_ids, f.cause) for f in found] == [(YELLOW, (1, 3), "yellow:1")]
    assert "完成10%，序时进度20%" in found[0].reason  # no tracking reason: the figures
    assert rules.task_color(facts, found) == YELLOW


def test_prompt_after_two_red_checks_or_ten_red_days():
    d = date(2023, 1, 10)
    assert rules.prompt_due([(d, RED)]) is None
    assert rules.prompt_due([(d, BLUE), (d + timedelta(10), RED), (d + timedelta(20), RED)]) == d + timedelta(
        10
    )
    assert rules.prompt_due([(d, RED), (d + timedelta(10), YELLOW)]) is None
    assert rules.prompt_due([(d, RED), (d + timedelta(10), "")]) is None
    # one check after a long red gap: 10 days since the streak began counts too
    assert rules.red_streak_start([(d, RED)]) == d
    assert rules.prompt_due([(d, YELLOW), (d + timedelta(1), RED)]) is None
