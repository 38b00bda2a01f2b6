from django.urls import path

from . import value_chain_views, views

app_name = "scorecards"

urlpatterns = [
    path("scorecards/<slug:code>/", views.scorecard, name="scorecard"),
    path("scorecards/<slug:code>/actions/", views.action_list, name="action_list"),
    path("scorecards/<slug:code>/actions/no-action/<int:parameter_id>/", views.no_action, name="no_action"),
    path("results/<int:cycle_id>/scores.csv", views.export, {"what": "scores", "fmt": "csv"}, name="export_scores"),
    path("results/<int:cycle_id>/heatmap.csv", views.export, {"what": "heatmap", "fmt": "csv"}, name="export_heatmap"),
    path("results/<int:cycle_id>/results.xlsx", views.export, {"what": "all", "fmt": "xlsx"}, name="export_xlsx"),
    path("value-chain/", value_chain_views.value_chain, name="value_chain"),
    path("value-chain/data.json", value_chain_views.value_chain_data, name="value_chain_data"),
    path("value-chain/table/", value_chain_views.value_chain_table, name="value_chain_table"),
    path("hr/results/", views.organisation, name="organisation"),
    path("hr/action-plans/", views.hr_actions, name="hr_actions"),
    path("hr/results/<int:cycle_id>/recalculate/", views.recalculate, name="recalculate"),
    path("hr/results/<int:cycle_id>/evaluate-awards/", views.awards_evaluate, name="awards_evaluate"),
]
