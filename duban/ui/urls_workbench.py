"""URLs of the workbench pages (plan browser, import, calendar, 督办, downloads, 考核, admin, 上下级).

``urlpatterns`` are included by :mod:`duban.ui.urls` (names ``ui:…``); ``plan_urlpatterns`` keep
the plan browser's historical names (``plans:plan_list``, ``plans:task`` …) and paths, and
``cascade_urlpatterns`` the 上下级 pages' (``cascade:align``, ``cascade:rollup`` under ``/cascade/``);
both are included from :mod:`duban.web.urls` under their namespace.
"""

from django.urls import path

from duban.ui.views import (
    admin,
    assessment,
    assignments,
    calendar,
    cascade,
    downloads,
    imports,
    notices,
    plans,
    problems,
)

plan_urlpatterns = [
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("campaigns/<int:pk>/", plans.campaign_detail, name="campaign"),
    path("programmes/<int:pk>/", plans.programme_detail, name="programme"),
    path("programmes/<int:pk>/compare/", plans.programme_compare, name="programme_compare"),
    path("tasks/", plans.task_search, name="tasks"),
    path("tasks/<int:pk>/", plans.task_detail, name="task"),
    path("tasks/<int:pk>/units/", plans.task_units, name="task_units"),
]

cascade_urlpatterns = [
    path("align/", cascade.align_page, name="align"),
    path("rollup/<int:pk>/", cascade.rollup_page, name="rollup"),
]

urlpatterns = [
    path("import/", imports.upload, name="import_upload"),
    path("import/done/", imports.done, name="import_done"),
    path("import/<str:token>/", imports.preview_page, name="import_preview"),
    path("import/<str:token>/confirm/", imports.confirm, name="import_confirm"),
    path("import/<str:token>/cancel/", imports.cancel, name="import_cancel"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("notices/", notices.notice_list, name="notices"),
    path("notices/generate/", notices.notice_generate, name="notices_generate"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice"),
    path("notices/<int:pk>/sign/", notices.notice_sign, name="notice_sign"),
    path("notices/<int:pk>/feedback/", notices.notice_feedback, name="notice_feedback"),
    path("notices/<int:pk>/close/", notices.notice_close, name="notice_close"),
    path("assignments/", assignments.assignment_list, name="assignments"),
    path("assignments/new/", assignments.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/", assignments.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/sign/", assignments.assignment_sign, name="assignment_sign"),
    path("reports/<int:pk>/return/", assignments.report_return, name="report_return"),
    path("problems/", problems.problem_list, name="problems"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem"),
    path("problems/<int:pk>/assign/", problems.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/resolve/", problems.problem_resolve, name="problem_resolve"),
    path("problems/<int:pk>/close/", problems.problem_close, name="problem_close"),
    path("downloads/", downloads.downloads, name="downloads"),
    path("downloads/export/", downloads.export, name="download_export"),
    path("downloads/brief/", downloads.brief, name="download_brief"),
    path("downloads/brief/view/", downloads.brief_page, name="brief_page"),
    path("assessment/", assessment.assessment, name="assessment"),
    path("assessment/export/", assessment.assessment_export, name="assessment_export"),
    path("manage/units/", admin.units, name="admin_units"),
    path("manage/units/merge/", admin.unit_merge, name="admin_unit_merge"),
    path("manage/units/alias/", admin.unit_alias, name="admin_unit_alias"),
    path("manage/users/", admin.users, name="admin_users"),
    path("manage/users/<int:pk>/active/", admin.user_active, name="admin_user_active"),
]
