from django.contrib.auth.decorators import login_required
from django.urls import path

from . import docs, hr_views, views

app_name = "api"


urlpatterns = [
    path("hr/api-tokens/", hr_views.tokens, name="tokens"),
    path("hr/api-tokens/new/", hr_views.token_create, name="token_create"),
    path("hr/api-tokens/<int:pk>/revoke/", hr_views.token_revoke, name="token_revoke"),
    path("api/schema/", docs.SchemaView.as_view(), name="schema"),
    path("api/docs/", login_required(docs.SwaggerView.as_view(url_name="api:schema")), name="docs"),
    path(
        "api/docs/init.js", login_required(docs.SwaggerScriptView.as_view(url_name="api:schema")), name="docs_script"
    ),
    path("api/redoc/", login_required(docs.RedocView.as_view(url_name="api:schema")), name="redoc"),
    path("api/v1/departments/", views.DepartmentList.as_view(), name="departments"),
    path("api/v1/departments/<str:code>/", views.DepartmentDetail.as_view(), name="department"),
    path("api/v1/cycles/", views.CycleList.as_view(), name="cycles"),
    path("api/v1/cycles/<int:pk>/participation/", views.CycleParticipation.as_view(), name="participation"),
    path("api/v1/cycles/<int:pk>/scores/", views.CycleScores.as_view(), name="scores"),
    path("api/v1/cycles/<int:pk>/heatmap/", views.CycleHeatmap.as_view(), name="heatmap"),
    path("api/v1/action-items/", views.ActionItemList.as_view(), name="action_items"),
    path("api/v1/kpi-values/", views.KpiValues.as_view(), name="kpi_values"),
    path("api/v1/organisation/import/", views.OrgImport.as_view(), name="org_import"),
]
