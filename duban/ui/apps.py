from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "duban.ui"
    label = "ui"
    verbose_name = "网页界面"
