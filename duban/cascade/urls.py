from django.urls import path

from duban.cascade import views

app_name = "cascade"
urlpatterns = [
    path("align/", views.align_page, name="align"),
    path("rollup/<int:pk>/", views.rollup_page, name="rollup"),
]
