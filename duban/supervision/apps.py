from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "duban.supervision"
    label = "supervision"
    verbose_name = "督办"

    def ready(self):
        from duban.supervision import timeline

        timeline.register()
