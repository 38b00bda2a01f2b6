from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/<int:cycle_id>/", views.survey, name="survey"),
    path("surveys/<int:cycle_id>/<slug:department_code>/", views.answer, name="answer"),
    path("surveys/<int:cycle_id>/<slug:department_code>/decline/", views.decline, name="decline"),
    path("hr/cycles/", views.cycle_list, name="cycle_list"),
    path("hr/cycles/new/", views.cycle_create, name="cycle_create"),
    path("hr/cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("hr/cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("hr/cycles/<int:pk>/launch/", views.cycle_launch, name="cycle_launch"),
    path("hr/cycles/<int:pk>/open/", views.cycle_open_now, name="cycle_open"),
    path("hr/cycles/<int:pk>/close/", views.cycle_close_now, name="cycle_close"),
    path("hr/cycles/<int:pk>/publish/", views.cycle_publish, name="cycle_publish"),
    path("hr/cycles/<int:pk>/repeat/", views.cycle_repeat, name="cycle_repeat"),
    path("hr/cycles/<int:pk>/invite-new/", views.cycle_invite_new, name="cycle_invite_new"),
    path("hr/cycles/<int:pk>/remind/", views.cycle_remind, name="cycle_remind"),
]
