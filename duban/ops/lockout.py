"""Login lock-out: django-axes' backend, applied to every login that comes with a request.

axes' own backend refuses ``authenticate()`` calls without a request. Those never come from the
network (scripts, the test client's ``login()``), so here they fall through to the next backend;
every login form and API passes its request and so is throttled.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
