"""Periodic reminders on the task queue: the worker (``duban run_huey``) chases the reports every
30 minutes as ``duban remind`` does (the command stays, for a catch-up run or a test at a given
moment). Each delivery is claimed once, so a cron ``duban remind`` left beside it sends nothing twice."""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from duban.notify.reminders import do_send_reminders
from duban.plans import clock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/30"))
def remind() -> None:
    if not settings.DUBAN_REMIND_PERIODIC:
        return
    result = do_send_reminders(clock.now())
    c = result.counts
    log.info(
        "催报提醒：%s 条，发送 %s，已发送跳过 %s，失败 %s", len(result.reminders), c.sent, c.skipped, c.failed
    )
