"""Background jobs: work too long for a request, run by the Huey task queue (docs/jobs.md).

:func:`duban.jobs.queue.enqueue` records a :class:`~duban.jobs.models.Job` and hands it to the
queue; the job reports its progress, and ``/jobs/<id>/`` shows it, then its result or its error.
"""
