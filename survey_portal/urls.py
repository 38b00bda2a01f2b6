from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("portal.home_urls")),
    path("", include("departments.urls")),
    path("", include("improvements.urls")),
    path("", include("surveys.urls")),
    path("", include("concerns.urls")),
    path("", include("recognition.urls")),
    path("", include("kpis.urls")),
    path("", include("audits.urls")),
    path("", include("hrsync.urls")),
    path("", include("scorecards.urls")),
    path("", include("portal.urls")),
    path("", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "survey_portal.views.server_error"
