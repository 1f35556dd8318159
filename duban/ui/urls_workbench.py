"""URLs of the workbench pages (plan browser, import, calendar, 督办, downloads, 考核, admin).

``urlpatterns`` are included by :mod:`duban.ui.urls` (names ``ui:…``); ``plan_urlpatterns`` keep
the plan browser's historical names (``plans:plan_list``, ``plans:task`` …) and paths, included
from :mod:`duban.web.urls` under the ``plans`` namespace.
"""

from django.urls import path

from duban.ui import (
    views_admin,
    views_assessment,
    views_assignments,
    views_calendar,
    views_downloads,
    views_import,
    views_notices,
    views_plans,
    views_problems,
)

plan_urlpatterns = [
    path("plans/", views_plans.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views_plans.plan_detail, name="plan"),
    path("campaigns/<int:pk>/", views_plans.campaign_detail, name="campaign"),
    path("programmes/<int:pk>/", views_plans.programme_detail, name="programme"),
    path("programmes/<int:pk>/compare/", views_plans.programme_compare, name="programme_compare"),
    path("tasks/", views_plans.task_search, name="tasks"),
    path("tasks/<int:pk>/", views_plans.task_detail, name="task"),
    path("tasks/<int:pk>/units/", views_plans.task_units, name="task_units"),
]

urlpatterns = [
    path("import/", views_import.upload, name="import_upload"),
    path("import/done/", views_import.done, name="import_done"),
    path("import/<str:token>/", views_import.preview_page, name="import_preview"),
    path("import/<str:token>/confirm/", views_import.confirm, name="import_confirm"),
    path("import/<str:token>/cancel/", views_import.cancel, name="import_cancel"),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("notices/", views_notices.notice_list, name="notices"),
    path("notices/generate/", views_notices.notice_generate, name="notices_generate"),
    path("notices/<int:pk>/", views_notices.notice_detail, name="notice"),
    path("notices/<int:pk>/sign/", views_notices.notice_sign, name="notice_sign"),
    path("notices/<int:pk>/feedback/", views_notices.notice_feedback, name="notice_feedback"),
    path("notices/<int:pk>/close/", views_notices.notice_close, name="notice_close"),
    path("assignments/", views_assignments.assignment_list, name="assignments"),
    path("assignments/new/", views_assignments.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/", views_assignments.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/sign/", views_assignments.assignment_sign, name="assignment_sign"),
    path("reports/<int:pk>/return/", views_assignments.report_return, name="report_return"),
    path("problems/", views_problems.problem_list, name="problems"),
    path("problems/<int:pk>/", views_problems.problem_detail, name="problem"),
    path("problems/<int:pk>/assign/", views_problems.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/resolve/", views_problems.problem_resolve, name="problem_resolve"),
    path("problems/<int:pk>/close/", views_problems.problem_close, name="problem_close"),
    path("downloads/", views_downloads.downloads, name="downloads"),
    path("downloads/export/", views_downloads.export, name="download_export"),
    path("downloads/brief/", views_downloads.brief, name="download_brief"),
    path("downloads/brief/view/", views_downloads.brief_page, name="brief_page"),
    path("assessment/", views_assessment.assessment, name="assessment"),
    path("assessment/export/", views_assessment.assessment_export, name="assessment_export"),
    path("manage/units/", views_admin.units, name="admin_units"),
    path("manage/units/merge/", views_admin.unit_merge, name="admin_unit_merge"),
    path("manage/units/alias/", views_admin.unit_alias, name="admin_unit_alias"),
    path("manage/users/", views_admin.users, name="admin_users"),
    path("manage/users/<int:pk>/active/", views_admin.user_active, name="admin_user_active"),
]
