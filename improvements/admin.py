from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ActionItem, ActionReminder, ActionTemplate, Commitment, NoActionNote, Nudge, ProgressUpdate


@admin.register(ActionTemplate)
class ActionTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "parameter_name", "created_at"]
    search_fields = ["title", "parameter_name"]


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    raw_id_fields = ["author"]


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    """Ops' view: the pages (improvements.views) apply the workflow's rules; the database keeps the
    essential ones here too (a dropped item has its reason, only a done one has a completion date)."""

    list_display = ["title", "department", "status", "due_on", "percent_complete", "completed_on"]
    list_filter = ["status", "department"]
    search_fields = ["title", "change"]
    list_select_related = ["department"]
    raw_id_fields = ["owners", "created_by", "template"]
    filter_horizontal = ["parameters"]
    inlines = [ProgressUpdateInline]


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
    list_display = ["text", "department", "due_on", "outcome"]
    list_filter = ["outcome", "department"]
    search_fields = ["text"]
    raw_id_fields = ["created_by"]


@admin.register(NoActionNote)
class NoActionNoteAdmin(SimpleHistoryAdmin):
    list_display = ["parameter", "written_by", "written_at"]
    raw_id_fields = ["parameter", "written_by"]


@admin.register(ActionReminder)
class ActionReminderAdmin(admin.ModelAdmin):
    """What was sent: read only (a row deleted here would be sent again)."""

    list_display = ["action", "kind", "due_on", "sent_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Nudge)
class NudgeAdmin(admin.ModelAdmin):
    list_display = ["department", "sent_on", "sent_by", "sent_at"]
    list_filter = ["sent_on"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
