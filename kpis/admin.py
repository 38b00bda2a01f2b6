from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Kpi, KpiBreach, KpiValue


class ReadOnly:
    """Written only through the portal: KPIs by their form (levels on the right side of each other),
    values by the import (no overlapping periods, history by uploader), breaches by their rule."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Kpi)
class KpiAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "department", "code", "unit", "direction", "agreed", "warning", "active"]
    list_filter = ["active", "unit", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "code"]


@admin.register(KpiValue)
class KpiValueAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["kpi", "period_start", "period_end", "value"]
    list_filter = ["kpi__department"]
    list_select_related = ["kpi"]


@admin.register(KpiBreach)
class KpiBreachAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["kpi", "period_start", "period_end", "value", "agreed", "action_item", "notified_at"]
    list_select_related = ["kpi", "action_item"]
