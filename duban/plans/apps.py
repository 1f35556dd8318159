from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "duban.plans"
    label = "plans"
    verbose_name = "方案与任务"

    def ready(self):
        from duban.plans import structure  # noqa: F401 — connects the signals that version the structure
