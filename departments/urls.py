from django.urls import path

from . import views

app_name = "departments"

urlpatterns = [
    path("departments/", views.directory, name="directory"),
    path("departments/<slug:code>/edit/", views.department_edit, name="edit"),
    path("departments/<slug:code>/charter/", views.charter_edit, name="charter_edit"),
    path("departments/<slug:code>/dependencies/", views.dependencies_edit, name="dependencies_edit"),
    path("departments/<slug:code>/delegates/", views.delegates_edit, name="delegates"),
    path("hr/departments/", views.hr_departments, name="hr_departments"),
    path("hr/departments/new/", views.department_create, name="create"),
    path("hr/people/", views.hr_people, name="hr_people"),
    path("hr/import/", views.org_import_upload, name="org_import"),
    path("hr/import/confirm/", views.org_import_confirm, name="org_import_confirm"),
]
