"""Admin: units and aliases are edited here (合并、改名、人工别名); imported records are browsable."""

from django.contrib import admin

from duban.plans import models as m


@admin.register(m.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "short_name"]


@admin.register(m.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """年度工作: the office may correct a period (a start or end the document states differently)."""

    list_display = ["name", "region", "start_year", "end_year", "period_start", "period_end", "issued"]
    list_filter = ["start_year", "region"]
    search_fields = ["name"]
    readonly_fields = ["year_evidence", "created_at"]


class UnitAliasInline(admin.TabularInline):
    model = m.UnitAlias
    fields = ["name", "origin"]
    extra = 1


@admin.register(m.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "is_group", "confirmed", "alias_list"]
    list_filter = ["is_group", "confirmed", "region"]
    search_fields = ["name", "aliases__name"]
    list_editable = ["is_group", "confirmed"]
    inlines = [UnitAliasInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").prefetch_related("aliases")

    @admin.display(description="别名")
    def alias_list(self, obj):
        return "、".join(a.name for a in obj.aliases.all())


@admin.register(m.UnitAlias)
class UnitAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "region", "origin"]
    list_filter = ["origin", "region"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]
    exclude = ["region"]  # follows the unit


@admin.register(m.SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["file_name", "region", "format", "line_count", "ingested_at", "updated_at"]
    readonly_fields = ["sha256", "ingested_at", "updated_at"]
    search_fields = ["file_name"]


@admin.register(m.DocumentRevision)
class DocumentRevisionAdmin(admin.ModelAdmin):
    """Read-only: every imported text of a document, kept as it was."""

    list_display = ["document", "number", "file_name", "format", "actor_name", "imported_at"]
    search_fields = ["file_name", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]


@admin.register(m.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "annex", "campaign", "region", "line", "active"]
    list_filter = ["kind", "active", "region"]
    search_fields = ["title"]
    raw_id_fields = ["source_document", "parent"]


class TaskUnitInline(admin.TabularInline):
    model = m.TaskUnit
    fields = ["order", "written_as", "unit", "role", "origin"]
    autocomplete_fields = ["unit"]
    extra = 0


@admin.register(m.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "seq", "plan", "line", "active"]
    list_filter = ["active", "source", "plan__region"]
    search_fields = ["title", "key"]
    raw_id_fields = ["plan", "source_document"]
    readonly_fields = ["key", "created_at", "updated_at"]
    inlines = [TaskUnitInline]


@admin.register(m.Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "measure", "value", "measure_unit", "qualifier", "plan"]
    raw_id_fields = ["plan", "source_document"]


class TaskForceMemberInline(admin.TabularInline):
    model = m.TaskForceMember
    autocomplete_fields = ["unit"]
    extra = 0


@admin.register(m.TaskForce)
class TaskForceAdmin(admin.ModelAdmin):
    list_display = ["name", "convener", "office_text", "plan"]
    raw_id_fields = ["plan", "source_document", "office_unit"]
    inlines = [TaskForceMemberInline]


class CadenceItemInline(admin.TabularInline):
    model = m.CadenceItem
    extra = 0


@admin.register(m.Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["text", "report_to", "due", "plan"]
    raw_id_fields = ["plan", "source_document"]
    inlines = [CadenceItemInline]
