from django.urls import path

from . import views

app_name = "kpis"
urlpatterns = [
    path("departments/<slug:code>/kpis/", views.department, name="department"),
    path("departments/<slug:code>/kpis/new/", views.create, name="create"),
    path("departments/<slug:code>/kpis/<int:pk>/", views.edit, name="edit"),
    path("kpis/upload/", views.upload, name="upload"),
    path("kpis/upload/confirm/", views.upload_confirm, name="upload_confirm"),
    path("hr/kpis/", views.hr, name="hr"),
]
