from django.urls import path

from duban.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
]
