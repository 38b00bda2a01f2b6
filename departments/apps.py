from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_hr_group(sender, **kwargs) -> None:
    """The HR admins group exists with its permission after every migrate (like Django's own permissions)."""
    from django.contrib.auth.models import Group, Permission

    from .models import HR_GROUP_NAME

    permission = Permission.objects.filter(
        content_type__app_label="departments", codename="manage_organisation"
    ).first()
    if permission is None:  # not created yet: migrate ran without this app's models
        return
    group, _ = Group.objects.get_or_create(name=HR_GROUP_NAME)
    group.permissions.add(permission)


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = "Organisation"

    def ready(self) -> None:
        post_migrate.connect(ensure_hr_group, sender=self)
