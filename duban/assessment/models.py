"""A plan's scoring scheme (考核方案), stored as the JSON of :class:`duban.assessment.scoring.Scheme`."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from duban.assessment.scoring import DEFAULT_CONFIG, Scheme, SchemeError


def default_config() -> dict:
    return Scheme.from_config(DEFAULT_CONFIG).to_config()


class AssessmentScheme(models.Model):
    """How the units of one plan are scored; written only through ``actions.do_set_scheme``."""

    plan = models.OneToOneField(
        "plans.Plan", verbose_name="方案", on_delete=models.CASCADE, related_name="assessment_scheme"
    )
    config = models.JSONField("考核规则", default=default_config)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核方案"

    def __str__(self) -> str:
        return f"{self.plan} 考核方案"

    def clean(self):
        try:
            Scheme.from_config(self.config)
        except SchemeError as e:
            raise ValidationError({"config": str(e)}) from None

    @property
    def scheme(self) -> Scheme:
        return Scheme.from_config(self.config)
