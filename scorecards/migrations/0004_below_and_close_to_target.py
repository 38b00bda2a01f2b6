"""A department's shown parameters are counted below target and close to target separately (the
count was of both), as the scorecard shows them; stored figures are counted again from their
parameters."""

from decimal import Decimal

from django.db import migrations, models


CLOSE_MARGIN = Decimal("0.25")  # scorecards.models.CLOSE_MARGIN when this was written


def count_again(apps, schema_editor):
    DepartmentScore = apps.get_model("scorecards", "DepartmentScore")
    ParameterScore = apps.get_model("scorecards", "ParameterScore")
    counts: dict[tuple[int, int], list[int]] = {}
    shown = ParameterScore.objects.filter(suppressed=False, mean__isnull=False, target__isnull=False)
    for cycle_id, department_id, mean, target in shown.values_list("cycle_id", "department_id", "mean", "target"):
        gap = Decimal(str(round(mean, 4))) - Decimal(target)
        below_close = counts.setdefault((cycle_id, department_id), [0, 0])
        if gap < -CLOSE_MARGIN:
            below_close[0] += 1
        elif gap < 0:
            below_close[1] += 1
    for score in DepartmentScore.objects.all():
        below, close = counts.get((score.cycle_id, score.department_id), (0, 0))
        if (score.below_target, score.close_to_target) != (below, close):
            DepartmentScore.objects.filter(pk=score.pk).update(below_target=below, close_to_target=close)


class Migration(migrations.Migration):

    dependencies = [
        ('scorecards', '0003_department_rated'),
    ]

    operations = [
        migrations.AddField(
            model_name='departmentscore',
            name='close_to_target',
            field=models.PositiveSmallIntegerField(default=0, help_text='Shown parameters close to target.'),
        ),
        migrations.AlterField(
            model_name='departmentscore',
            name='below_target',
            field=models.PositiveSmallIntegerField(default=0, help_text='Shown parameters below target.'),
        ),
        migrations.RunPython(count_again, migrations.RunPython.noop),
    ]
