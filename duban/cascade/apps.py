from django.apps import AppConfig


class CascadeConfig(AppConfig):
    name = "duban.cascade"
    label = "cascade"
    verbose_name = "上下级方案衔接"
