"""Attribute audit entries written during a request to the logged-in user."""

from __future__ import annotations

from duban.audit.trail import acting_as


class AuditActorMiddleware:
    """Must come after AuthenticationMiddleware (it reads ``request.user``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with acting_as(getattr(request, "user", None)):
            return self.get_response(request)
