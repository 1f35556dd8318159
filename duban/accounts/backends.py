"""The login backend: Django's ModelBackend, with the user's role and scope read in the same query.

Every page and API call asks who the user is (``request.user``, one query per request) and then what
the user may see (:func:`duban.accounts.permissions.profile_of`, the UserProfile with its unit,
region and campaign: a second query). Reading them as one join saves a round trip on every request
(on PostgreSQL, a tenth of a report submission).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from duban.accounts.permissions import PROFILE_RELATED

PROFILE_JOINS = tuple(f"profile__{path}" for path in PROFILE_RELATED)


class ProfileBackend(ModelBackend):
    path = "duban.accounts.backends.ProfileBackend"  # as sessions record it

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related(*PROFILE_JOINS)
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
