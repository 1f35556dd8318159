from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail: a low core every app writes to (below plans), so no app imports upward to audit."""

    name = "duban.audit"
    label = "audit"
    verbose_name = "审计"
