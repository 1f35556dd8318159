"""The trivial view that ``duban bench`` measures page latency against (same server, no database)."""

from django.http import HttpResponse


def ping(request):
    return HttpResponse("ok", content_type="text/plain")
