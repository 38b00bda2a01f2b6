from django.urls import path

from departments.decorators import member_required

from . import criteria_views, nomination_views, views
from .feeds import wall_feed

app_name = "recognition"
urlpatterns: list = [
    path("hr/awards/criteria/", criteria_views.criteria, name="criteria"),
    path("hr/awards/criteria/new/", criteria_views.criterion_create, name="criterion_create"),
    path("hr/awards/criteria/<int:pk>/", criteria_views.criterion_edit, name="criterion_edit"),
    path("recognition/", views.wall, name="wall"),
    path("recognition/feed/", member_required(wall_feed), name="feed"),
    path("recognition/thank/", views.thank, name="thank"),
    path("recognition/notes/<int:pk>/hide/", views.note_hide, name="note_hide"),
    path("recognition/preferences/", views.preferences, name="preferences"),
    path("recognition/nominate/", nomination_views.nominate, name="nominate"),
    path("recognition/my-nominations/", nomination_views.my_nominations, name="my_nominations"),
    path("recognition/nominations/", nomination_views.nominations, name="nominations"),
    path("recognition/nominations/<int:pk>/", nomination_views.nomination_review, name="nomination_review"),
    path("hr/awards/panel/", nomination_views.panel, name="panel"),
]
