from django.urls import path

from . import views

app_name = "concerns"
urlpatterns = [
    path("concerns/raise/", views.concern_raise, name="raise"),
    path("concerns/mine/", views.my_concerns, name="mine"),
    path("concerns/receipt/", views.receipt, name="receipt"),
    path("concerns/overview/", views.hr_concerns, name="hr"),
    path("concerns/settings/", views.concern_settings, name="settings"),
    path("concerns/settings/closures/", views.closure_add, name="closure_add"),
    path("concerns/settings/closures/<int:pk>/delete/", views.closure_delete, name="closure_delete"),
    path("concerns/<uuid:pk>/", views.concern_detail, name="detail"),
    path("concerns/<uuid:pk>/acknowledge/", views.move, {"name": "acknowledge"}, name="acknowledge"),
    path("concerns/<uuid:pk>/message/", views.move, {"name": "message"}, name="message"),
    path("concerns/<uuid:pk>/answer/", views.move, {"name": "answer"}, name="answer"),
    path("concerns/<uuid:pk>/not-ours/", views.move, {"name": "not_ours"}, name="not_ours"),
    path("concerns/<uuid:pk>/action/", views.to_action, name="to_action"),
    path("concerns/<uuid:pk>/reopen/", views.move, {"name": "reopen"}, name="reopen"),
    path("concerns/<uuid:pk>/rate/", views.move, {"name": "rate"}, name="rate"),
    path("concerns/<uuid:pk>/hide/", views.move, {"name": "hide"}, name="hide"),
    path("concerns/<uuid:pk>/reassign/", views.move, {"name": "reassign"}, name="reassign"),
    path("departments/<slug:code>/concerns/", views.department_concerns, name="department"),
]
