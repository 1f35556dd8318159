from django.urls import include, path

from duban.ui import views
from duban.ui.views import auth, dashboard, leader, public, report

app_name = "ui"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("report/", report.report_home, name="report_home"),
    path("report/<int:pk>/", report.report_task, name="report_task"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("leader/", leader.leader_home, name="leader"),
    path("leader/instruct/<int:pk>/", leader.instruct, name="instruct"),
    path("public/", public.public_page, name="public"),
    path("api/dashboard/", dashboard.dashboard_api, name="api_dashboard"),
    path("api/public/", public.public_api, name="api_public"),
    path("", include("duban.ui.urls_workbench")),  # plan browser, import, calendar, 督办, downloads …
]
