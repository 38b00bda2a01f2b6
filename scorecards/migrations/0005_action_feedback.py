"""The answers to the action-feedback question per department rated: how many answered (NULL: not
asked) and, from the cycle's score threshold on, the count of each answer (NULL below it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scorecards", "0004_below_and_close_to_target"),
        ("surveys", "0008_action_feedback"),
    ]

    operations = [
        migrations.AddField(
            model_name="departmentscore",
            name="feedback_n",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Responses that answered the action-feedback question (empty: not asked).",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="departmentscore",
            name="feedback_no",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="departmentscore",
            name="feedback_somewhat",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="departmentscore",
            name="feedback_unnoticed",
            field=models.PositiveIntegerField(blank=True, help_text="“Didn’t notice”.", null=True),
        ),
        migrations.AddField(
            model_name="departmentscore",
            name="feedback_yes",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="departmentscore",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("feedback_n", None), _negated=True),
                    models.Q(
                        ("feedback_no", None),
                        ("feedback_somewhat", None),
                        ("feedback_unnoticed", None),
                        ("feedback_yes", None),
                    ),
                    _connector="OR",
                ),
                name="action_feedback_counts_only_when_asked",
            ),
        ),
    ]
