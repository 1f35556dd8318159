"""Shared set-up of the UI tests: the largest sample (000, 邵阳市) ingested, the demo accounts made."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from duban.plans.actions import do_ingest_file
from duban.ui.demo_accounts import DEMO_PASSWORD, ensure_demo_accounts
from tests.conftest import sample_path


def setup_city():
    """Sample 000 ingested and one account per role; returns {username: User}. Call from a db fixture."""
    from django.core.cache import cache

    cache.clear()  # figures cached by an earlier test must not leak into this one
    do_ingest_file(sample_path("000"))
    ensure_demo_accounts()
    return {u.username: u for u in get_user_model().objects.all()}


def login(client, user):
    client.force_login(user)
    return client


__all__ = ["DEMO_PASSWORD", "login", "setup_city"]
