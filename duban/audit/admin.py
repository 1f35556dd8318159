from django.contrib import admin

from duban.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: an audit trail that can be edited is no audit trail."""

    list_display = ["at", "actor_name", "action", "object_type", "object_id", "short_summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["summary", "actor_name", "object_id"]
    date_hierarchy = "at"

    @admin.display(description="说明")
    def short_summary(self, obj):
        return obj.summary.split("\n", 1)[0][:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
