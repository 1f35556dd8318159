from django.urls import path

from duban.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
]
