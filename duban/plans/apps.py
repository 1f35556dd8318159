from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "duban.plans"
    label = "plans"
    verbose_name = "方案与任务"

    def ready(self):
        """Structure changes made outside an action are audited too (they version the structure cache)."""
        from duban.plans import signals

        signals.connect()
