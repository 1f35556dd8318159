from django.contrib import admin

from duban.assessment.actions import do_set_scheme
from duban.assessment.models import AssessmentScheme


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    list_display = ["plan", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        """Through the action, so the change is validated and audited like any other."""
        saved = do_set_scheme(obj.plan, obj.config, actor=request.user)
        obj.pk, obj.config = saved.pk, saved.config
