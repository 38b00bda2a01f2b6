from django.contrib import admin

from .models import Delegate, Department, Dependency, Employee, ServiceParameter


class ServiceParameterInline(admin.TabularInline):
    model = ServiceParameter
    extra = 0


class DelegateInline(admin.TabularInline):
    model = Delegate
    extra = 0
    raw_id_fields = ["employee"]


class DependencyInline(admin.TabularInline):
    model = Dependency
    fk_name = "consumer"
    extra = 0
    autocomplete_fields = ["provider"]
    verbose_name = "depends on"
    verbose_name_plural = "depends on"


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "head", "front_line", "active"]
    list_filter = ["front_line", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["head"]
    inlines = [ServiceParameterInline, DependencyInline, DelegateInline]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "department", "job_title", "active"]
    list_filter = ["active", "department"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "department"]
    raw_id_fields = ["user"]
