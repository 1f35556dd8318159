from django.contrib import admin
from django.urls import include, path

from duban.ui.urls_workbench import cascade_urlpatterns, plan_urlpatterns
from duban.web.views import ping

urlpatterns = [
    path("admin/", admin.site.urls),
    path("cascade/", include((cascade_urlpatterns, "cascade"))),  # 上下级 pages (duban.ui.views.cascade)
    path("jobs/", include("duban.jobs.urls")),  # progress and results of background jobs (docs/jobs.md)
    path("ping/", ping, name="ping"),  # baseline of `duban bench` page latency
    path("", include("duban.ui.urls")),
    path("", include((plan_urlpatterns, "plans"))),  # the plan browser (duban.ui.views.plans)
]
