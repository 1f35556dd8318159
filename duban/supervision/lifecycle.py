"""The lifecycles of a 督办单/提示单 and of a 问题清单 entry: which step may follow which.

Pure Python. Every action in :mod:`duban.supervision.actions` asks here first, so an illegal step
(签收 a notice twice, 办结 before 反馈, resolve a closed problem) is refused with one Chinese message
before anything is written.

Notice: 下发 → 签收 → 反馈 (may be repeated: 补充反馈) → 办结. The office may only 办结 a notice that
has a 反馈; the system alone closes earlier (``forced``: the cause is gone or a red notice replaced it).

Problem: 待协调 → 协调中 (assigned to a unit; may be re-assigned) → 已解决 → 已关闭. A problem may
be resolved straight from 待协调 (the owner solved it) and closed from any open state, but closing an
unresolved problem needs a note saying why.
"""

from __future__ import annotations

# --- notices ---------------------------------------------------------------------------------

ISSUED, SIGNED, ANSWERED, CLOSED = "issued", "signed", "answered", "closed"
NOTICE_STATES = [(ISSUED, "已下发"), (SIGNED, "已签收"), (ANSWERED, "已反馈"), (CLOSED, "已办结")]
NOTICE_STATE_LABELS = dict(NOTICE_STATES)
OPEN_NOTICE_STATES = (ISSUED, SIGNED, ANSWERED)

ISSUE, SIGN, FEEDBACK, CLOSE = "issue", "sign", "feedback", "close"
NOTICE_STEPS = [(ISSUE, "下发"), (SIGN, "签收"), (FEEDBACK, "反馈"), (CLOSE, "办结")]
NOTICE_STEP_LABELS = dict(NOTICE_STEPS)

# step -> (states it may start from, state it leads to)
_NOTICE_MOVES = {
    SIGN: ((ISSUED,), SIGNED),
    FEEDBACK: ((SIGNED, ANSWERED), ANSWERED),
    CLOSE: ((ANSWERED,), CLOSED),
}


class TransitionError(ValueError):
    """A step that the current state does not allow; the message is for the user (Chinese)."""


def notice_step(state: str, step: str, *, forced: bool = False) -> str:
    """The state after ``step`` from ``state``; raises :class:`TransitionError` if not allowed.

    ``forced`` (the system closing a notice whose cause is gone) may close any open notice.
    """
    if step not in _NOTICE_MOVES:
        raise TransitionError(f"未知的督办步骤“{step}”")
    label = NOTICE_STEP_LABELS[step]
    if state == CLOSED:
        raise TransitionError(f"督办单已办结，不能再{label}")
    if step == CLOSE and forced:
        return CLOSED
    starts, after = _NOTICE_MOVES[step]
    if state not in starts:
        needs = {
            SIGN: "已签收，不能重复签收",
            FEEDBACK: "尚未签收，请先签收再反馈",
            CLOSE: "尚未反馈，不能办结",
        }
        raise TransitionError(f"督办单{needs[step]}（当前状态：{NOTICE_STATE_LABELS.get(state, state)}）")
    return after


# --- problems --------------------------------------------------------------------------------

PENDING, COORDINATING, RESOLVED, PROBLEM_CLOSED = "pending", "coordinating", "resolved", "closed"
PROBLEM_STATES = [
    (PENDING, "待协调"),
    (COORDINATING, "协调中"),
    (RESOLVED, "已解决"),
    (PROBLEM_CLOSED, "已关闭"),
]
PROBLEM_STATE_LABELS = dict(PROBLEM_STATES)
OPEN_PROBLEM_STATES = (PENDING, COORDINATING, RESOLVED)

RAISE, ASSIGN, RESOLVE, SHUT = "raise", "assign", "resolve", "close"
PROBLEM_STEPS = [(RAISE, "提出"), (ASSIGN, "交办协调"), (RESOLVE, "解决"), (SHUT, "关闭")]
PROBLEM_STEP_LABELS = dict(PROBLEM_STEPS)

_PROBLEM_MOVES = {
    ASSIGN: ((PENDING, COORDINATING), COORDINATING),
    RESOLVE: ((PENDING, COORDINATING), RESOLVED),
    SHUT: ((PENDING, COORDINATING, RESOLVED), PROBLEM_CLOSED),
}


def problem_step(state: str, step: str, *, note: str = "") -> str:
    """The problem's state after ``step``; raises :class:`TransitionError` if not allowed."""
    if step not in _PROBLEM_MOVES:
        raise TransitionError(f"未知的问题处理步骤“{step}”")
    label = PROBLEM_STEP_LABELS[step]
    starts, after = _PROBLEM_MOVES[step]
    if state not in starts:
        now = PROBLEM_STATE_LABELS.get(state, state)
        raise TransitionError(f"问题当前状态为“{now}”，不能{label}")
    if step == SHUT and state != RESOLVED and not note.strip():
        raise TransitionError("问题尚未解决，关闭时必须说明理由")
    return after
