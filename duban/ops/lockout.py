"""Login lock-out: django-axes' backend and handler, applied to every login that comes with a request.

axes' own backend refuses ``authenticate()`` calls without a request. Those never come from the
network (scripts, the test client's ``login()``), so here they fall through to the next backend;
every login form and API passes its request and so is throttled.

Three limits, counted over the cool-off period (30 minutes) from one client address (the real client
behind ``DUBAN_PROXY_COUNT`` proxies, read from X-Forwarded-For by :func:`client_ip`; else the direct peer):

* one username: ``AXES_FAILURE_LIMIT`` (5) failures lock that username from that address;
* the address: ``DUBAN_LOGIN_IP_LIMIT`` (20) failures over any usernames lock the address;
* password spraying: failures for ``DUBAN_LOGIN_SPRAY_USERS`` (6) different usernames lock the address.

A locked address is refused even with a right password, until the period ends or an administrator
runs ``duban axes_reset_ip ADDRESS``. A whole office behind one NAT address shares the address limits,
hence their generous defaults (environment variables of the same names).
"""

from __future__ import annotations

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Q, Sum


def client_ip(request) -> str | None:
    """The client's address for the lock-out (axes' ``AXES_CLIENT_IP_CALLABLE``).

    Without ``DUBAN_PROXY_COUNT`` the direct peer (REMOTE_ADDR): X-Forwarded-For is ignored, since
    anyone can send it. Behind N proxies, each appending the address it received the request from
    (nginx ``$proxy_add_x_forwarded_for``), the N-th entry from the right was written by our outermost
    proxy and is the client; entries further left came from the client and are not trusted. A request
    without enough entries did not pass through the proxies: its direct peer is used.
    (django-ipware counts proxies differently and prefers public addresses even when forged, which
    on a government intranet of 10.x addresses picks the wrong entry; hence this small rule.)
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.DUBAN_PROXY_COUNT
    if not count:
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if e.strip()]
    if len(entries) < count:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def address_locked(ip: str | None, threshold=None) -> bool:
    """Has ``ip`` reached the per-address or the spraying limit (attempts since ``threshold``)?"""
    if not ip:
        return False
    attempts = AccessAttempt.objects.filter(ip_address=ip)
    if threshold is not None:
        attempts = attempts.filter(attempt_time__gte=threshold)
    got = attempts.aggregate(
        failures=Sum("failures_since_start"), users=Count("username", distinct=True, filter=Q(username__isnull=False))
    )
    return (got["failures"] or 0) >= settings.DUBAN_LOGIN_IP_LIMIT or got["users"] >= settings.DUBAN_LOGIN_SPRAY_USERS


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler whose failure count also reaches the limit when the address is locked."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        per_user = super().get_failures(request, credentials)  # username + address (AXES_LOCKOUT_PARAMETERS)
        threshold = get_cool_off_threshold(request) if settings.AXES_COOLOFF_TIME else None
        if address_locked(getattr(request, "axes_ip_address", None), threshold):
            return max(per_user, settings.AXES_FAILURE_LIMIT)
        return per_user

