"""A page's SQL query count does not grow with the data: every GET page of the declared URL table
(tests/urltable.py), as every working role allowed on it, runs the same number of queries on a
database holding one county plan (sample 003) as on one holding all three samples with the
largest (000, 邵阳市) as the main plan — or at most the rule's declared ``max_queries``.

The per-page ``django_assert_max_num_queries`` tests of the UI (tests/test_ui_*.py) bound each page;
this one is generic over the URL table, so a new list page with an N+1 query fails here too.
Pages cache their heavy figures (duban/audit/cache.py); the cache is emptied before each request, so
what is counted is the uncached path that follows every change.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.urltable import ROLE_NAMES, ROLE_USERS, RULES, url_of, walk
from tests.webdata import build

WORKING_ROLES = "otrl"


def measure(web) -> dict[tuple[str, str], int]:
    """(URL name, role) -> queries of one GET, for every countable page and allowed role."""
    client = Client()
    counts = {}
    for entry in walk():
        rule = RULES.get(entry.name)
        if rule is None or not rule.count or rule.method != "GET":
            continue
        url = url_of(entry, rule, web.objects)
        for role in WORKING_ROLES:
            if role not in rule.allow:
                continue
            client.force_login(web.users[ROLE_USERS[role]])
            cache.clear()  # count the uncached path: any change (a report, a notice step) empties it
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (
                f"{entry.name} {url} {ROLE_NAMES[role]}: {response.status_code}"
            )
            counts[(entry.name, role)] = len(ctx)
    return counts


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_the_plan():
    with transaction.atomic():  # the small database, rolled back once measured
        small = measure(build(samples=("003",), main="003"))
        transaction.set_rollback(True)
    large_web = build(samples=("000", "001", "003"), main="000")
    large = measure(large_web)
    assert set(small) == set(large)
    assert len(large) >= 10  # the table really was walked
    grown = []
    for key, n in sorted(large.items()):
        rule = RULES[key[0]]
        bound = rule.max_queries if rule.max_queries is not None else small[key] + rule.slack
        if n > bound:
            grown.append(
                f"{key[0]:<28} {ROLE_NAMES[key[1]]:<6} 小 {small[key]:>3} → 大 {n:>3}（上限 {bound}）"
            )
    assert not grown, "查询次数随数据量增长的页面：\n" + "\n".join(grown)
