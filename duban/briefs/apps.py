from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "duban.briefs"
    label = "briefs"
    verbose_name = "简报"
