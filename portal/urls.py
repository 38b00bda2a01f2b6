from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("departments/<slug:code>/", views.charter, name="charter"),
    path("my/department/", views.head_home, name="head_home"),
    path("hr/", views.hr_home, name="hr_home"),
    path("my/surveys/", views.my_surveys, name="my_surveys"),
]
