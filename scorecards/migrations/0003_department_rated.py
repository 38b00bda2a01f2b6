"""A department's participation as the department rated is stored as role "rated" (was "provider")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0002_no_results_while_open"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participation",
            name="role",
            field=models.CharField(
                choices=[("rated", "Department rated"), ("rater", "Rating department")], max_length=8
            ),
        ),
        migrations.RunSQL(
            "UPDATE scorecards_participation SET role = 'rated' WHERE role = 'provider'",
            "UPDATE scorecards_participation SET role = 'provider' WHERE role = 'rated'",
        ),
    ]
