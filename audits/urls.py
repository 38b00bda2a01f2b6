from django.urls import path

from . import views

app_name = "audits"
urlpatterns = [
    path("hr/audits/", views.hr_list, name="hr"),
    path("hr/audits/templates/", views.templates, name="templates"),
    path("hr/audits/templates/new/", views.template_create, name="template_create"),
    path("hr/audits/templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("hr/audits/new/", views.schedule, name="schedule"),
    path("hr/audits/<int:pk>/", views.detail, name="detail"),
    path("my/audits/", views.mine, name="mine"),
    path("my/audits/<int:pk>/", views.record, name="record"),
    path("audits/<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
