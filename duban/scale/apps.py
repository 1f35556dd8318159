from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "duban.scale"
    verbose_name = "性能测试工具"
    default_auto_field = "django.db.models.BigAutoField"
