from django.urls import path

from duban.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/file/", views.job_file, name="file"),
]
