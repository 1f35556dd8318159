"""The one place 督办 tells people about a notice: the notify app (in-app message, e-mail, webhooks).

Called by the actions after each step. Only a 下发 of a 督办单 is delivered, to each addressed unit,
and only after the transaction commits (``transaction.on_commit``): the notify app sends e-mail
and webhooks at most once per key and wants to run outside a transaction; a rolled-back notice
must not be announced. A 提示单 goes to leaders, who are people named in the plan rather than
units with channels: it is shown on the task's timeline and in ``duban notices``.
"""

from __future__ import annotations

from django.db import transaction

from duban.notify.actions import Notice as Message
from duban.notify.actions import deliver as send
from duban.supervision import lifecycle

MESSAGE_KIND = "督办单"


def notice_changed(notice, event) -> None:
    """Deliver a step of ``notice`` to the units it is addressed to (see the module docstring)."""
    if event.step != lifecycle.ISSUE or notice.kind != "notice":
        return
    units = list(notice.units.all())
    transaction.on_commit(lambda: deliver(notice, units))


def deliver(notice, units) -> None:
    for unit in units:
        send(
            Message(
                kind=MESSAGE_KIND,
                unit=unit,
                title=f"【{notice.get_color_display()}督办单】{notice.number}",
                body=notice.reason,
                link=f"/tasks/{notice.task_id}/",
                ref=("supervision.notice", str(notice.pk), str(unit.pk)),
            )
        )
