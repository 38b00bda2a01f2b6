"""Open cycles have no results any more (scorecards.services.cycle_aggregate): early results let two
views differ by one person's answers. Delete those computed before, and the beat entry that
recomputed them every few minutes (its task is gone; the sweep is `aggregate-missed-cycles`)."""

from django.db import migrations

FIGURES = ["ParameterScore", "DepartmentScore", "HeatmapCell", "Participation", "CycleResult"]


def delete_early_results(apps, schema_editor):
    Cycle = apps.get_model("surveys", "Cycle")
    open_cycles = list(Cycle.objects.exclude(status__in=["closed", "published"]).values_list("pk", flat=True))
    for name in FIGURES:
        apps.get_model("scorecards", name).objects.filter(cycle_id__in=open_cycles).delete()
    if apps.is_installed("django_celery_beat"):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="aggregate-open-cycles").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0001_initial"),
        ("surveys", "0005_sealed_answers_and_frozen_cycles"),
        ("django_celery_beat", "0001_initial"),
    ]

    operations = [migrations.RunPython(delete_early_results, migrations.RunPython.noop)]
