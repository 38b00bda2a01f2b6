from django.contrib import admin

from .models import Cycle, CycleParameter, Notification


class CycleParameterInline(admin.TabularInline):
    model = CycleParameter
    extra = 0
    readonly_fields = ["department", "code", "name", "description", "target", "weight", "position"]
    can_delete = False


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "opens_at", "closes_at", "imported"]
    list_filter = ["status", "imported"]
    filter_horizontal = ["providers"]
    inlines = [CycleParameterInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["cycle", "employee", "kind", "sent_at"]
    list_filter = ["kind", "cycle"]
    list_select_related = ["cycle", "employee__user"]
    raw_id_fields = ["employee"]
