from django.urls import path

from . import views

app_name = "hrsync"
urlpatterns = [
    path("hr/sync/", views.runs, name="runs"),
    path("hr/sync/run-now/", views.run_now, name="run_now"),
    path("hr/sync/<int:pk>/", views.run_detail, name="run"),
    path("hr/sync/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("hr/sync/<int:pk>/discard/", views.discard, name="discard"),
]
