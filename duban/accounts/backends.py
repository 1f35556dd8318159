"""The login backend: Django's ModelBackend, with the user's role and scope read in the same query.

Every page and API call asks who the user is (``request.user``, one query per request) and then what
the user may see (:func:`duban.accounts.permissions.profile_of`, the UserProfile with its unit,
region and campaign: a second query). Reading them as one join saves a round trip on every request
(on PostgreSQL, a tenth of a report submission); and the joined row is kept per process until an
account or the plan structure changes (docs/benchmarks-history.md, 第七轮).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from duban.accounts.permissions import PROFILE_RELATED
from duban.audit.cache import STRUCTURE, cached

PROFILE_JOINS = tuple(f"profile__{path}" for path in PROFILE_RELATED)


class ProfileBackend(ModelBackend):
    path = "duban.accounts.backends.ProfileBackend"  # as sessions record it

    def get_user(self, user_id):
        """The user with its profile, read once per process and structure version, which every account
        change renews (``duban.audit.cache``); each request gets its own copy, so what a view sets on
        ``request.user`` stays in that request."""
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None

        def read():
            return get_user_model()._default_manager.select_related(*PROFILE_JOINS).filter(pk=user_id).first()

        user = cached(("user", user_id), STRUCTURE, read, private=True)
        return user if user is not None and self.user_can_authenticate(user) else None
