"""Shared set-up of the UI tests: the largest sample (000, 邵阳市) ingested, the demo accounts made."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from duban.plans.actions import do_ingest_file
from duban.ui.demo_accounts import DEMO_PASSWORD, ensure_demo_accounts
from tests.conftest import sample_path


def this_year() -> int:
    """The current year (Asia/Shanghai): tests that report and read pages at the real clock import the
    samples as this year's programmes, or every obligation would lie in a finished year."""
    from django.utils import timezone

    from duban.plans.periods import local_date

    return local_date(timezone.now()).year


def setup_city():
    """Sample 000 ingested and one account per role; returns {username: User}. Call from a db fixture."""
    from django.core.cache import cache

    cache.clear()  # figures cached by an earlier test must not leak into this one
    do_ingest_file(sample_path("000"), year=this_year())  # the pages are read now: this year's programme
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


def login(client, user):
    client.force_login(user)
    return client


__all__ = ["DEMO_PASSWORD", "login", "setup_city"]
