from django.contrib import admin

from .models import ActionFeedbackQuestion, Cycle, CycleParameter, Notification


class CycleParameterInline(admin.TabularInline):
    """The charter snapshot: taken when the cycle opens, never edited (the database refuses too)."""

    model = CycleParameter
    extra = 0
    readonly_fields = ["department", "code", "name", "description", "target", "weight", "position"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ActionFeedbackQuestionInline(admin.TabularInline):
    """The departments asked whether their changes made a difference: fixed when the cycle opens."""

    model = ActionFeedbackQuestion
    extra = 0
    readonly_fields = ["department", "done_since", "done_before"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "opens_at", "closes_at", "imported"]
    list_filter = ["status", "imported"]
    filter_horizontal = ["departments"]
    inlines = [CycleParameterInline, ActionFeedbackQuestionInline]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        """The status moves only through the lifecycle (the HR cycle pages); what a cycle fixed
        when it opened stays as it was. The model and the database refuse both as well."""
        fields = ["status", "opened_at", "closed_at", "published_at", "purged_at", "imported"]
        if obj is not None and not obj.is_editable:
            fields += ["score_threshold", "comment_threshold", "departments"]
        return fields

    def has_delete_permission(self, request, obj=None) -> bool:
        """An opened cycle is never deleted: its responses go under the retention policy instead."""
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["cycle", "employee", "kind", "sent_at"]
    list_filter = ["kind", "cycle"]
    list_select_related = ["cycle", "employee__user"]
    raw_id_fields = ["employee"]
