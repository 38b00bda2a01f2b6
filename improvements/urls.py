from django.urls import path

from . import views

app_name = "improvements"
urlpatterns = [
    path("departments/<slug:code>/actions/new/", views.action_create_page, name="action_create"),
    path("departments/<slug:code>/actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("departments/<slug:code>/actions/<int:pk>/edit/", views.action_edit_page, name="action_edit"),
    path("departments/<slug:code>/actions/<int:pk>/updates/", views.action_update, name="action_update"),
    path("departments/<slug:code>/commitments/", views.commitments, name="commitments"),
    path("departments/<slug:code>/commitments/<int:pk>/", views.commitment_edit, name="commitment_edit"),
    path("departments/<slug:code>/nudge/", views.nudge, name="nudge"),
    path("hr/suggested-actions/", views.template_list, name="templates"),
    path("hr/suggested-actions/<int:pk>/", views.template_edit, name="template_edit"),
    path("hr/suggested-actions/<int:pk>/delete/", views.template_delete, name="template_delete"),
]
