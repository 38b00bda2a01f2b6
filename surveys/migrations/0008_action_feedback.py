"""The action-feedback question ("Did the changes … make a difference for you?"): which departments
an opened cycle asks it about (ActionFeedbackQuestion), and each released response's answer
(Response.action_feedback), with the partial index the scorecards' count of those answers reads.

Like the cycle's questions, the departments asked are fixed once the cycle opens: the triggers of
0005 (made again for the renamed table in 0006) guard the new table too, whatever the code.
"""

import django.db.models.deletion
from django.db import migrations, models


EDITABLE = "('draft', 'scheduled')"
TABLE = "surveys_actionfeedbackquestion"
MESSAGE = "the departments rated and the questions of a cycle are fixed once it has opened"


def _sqlite_triggers():
    # No DELETE trigger on SQLite, as in 0005: emptying the database deletes these rows first.
    for operation, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"])):
        condition = " OR ".join(
            f"(SELECT status FROM surveys_cycle WHERE id = {row}.cycle_id) NOT IN {EDITABLE}" for row in rows
        )
        yield (
            f"CREATE TRIGGER {TABLE}_frozen_{operation.lower()} BEFORE {operation} ON {TABLE} WHEN {condition}"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def _run(schema_editor, postgresql, sqlite):
    statements = {"postgresql": postgresql, "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def make_triggers(apps, schema_editor):
    _run(
        schema_editor,
        [
            f"CREATE TRIGGER {TABLE}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {TABLE}"
            " FOR EACH ROW EXECUTE FUNCTION surveys_cycle_part_frozen()"
        ],
        list(_sqlite_triggers()),
    )


def drop_triggers(apps, schema_editor):
    _run(
        schema_editor,
        [f"DROP TRIGGER IF EXISTS {TABLE}_frozen ON {TABLE}"],
        [f"DROP TRIGGER IF EXISTS {TABLE}_frozen_{operation}" for operation in ("insert", "update")],
    )


class Migration(migrations.Migration):

    dependencies = [
        ('departments', '0001_initial'),
        ('surveys', '0007_imported_invitations'),
    ]

    operations = [
        migrations.CreateModel(
            name='ActionFeedbackQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('done_since', models.DateField(help_text='Items done on this date or later: the day the previous cycle opened.')),
                ('done_before', models.DateField(help_text='…and before this date: the day this cycle opened.')),
            ],
        ),
        migrations.AddField(
            model_name='response',
            name='action_feedback',
            field=models.CharField(blank=True, choices=[('yes', 'Yes'), ('somewhat', 'Somewhat'), ('no', 'No'), ('unnoticed', 'Didn’t notice')], max_length=10, null=True),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(condition=models.Q(('action_feedback__isnull', False)), fields=['cycle', 'department', 'action_feedback'], name='response_action_feedback'),
        ),
        migrations.AddConstraint(
            model_name='response',
            constraint=models.CheckConstraint(condition=models.Q(('action_feedback__in', ['yes', 'somewhat', 'no', 'unnoticed']), ('action_feedback', None), _connector='OR'), name='response_action_feedback_choice'),
        ),
        migrations.AddField(
            model_name='actionfeedbackquestion',
            name='cycle',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='action_feedback_questions', to='surveys.cycle'),
        ),
        migrations.AddField(
            model_name='actionfeedbackquestion',
            name='department',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='departments.department'),
        ),
        migrations.AddConstraint(
            model_name='actionfeedbackquestion',
            constraint=models.UniqueConstraint(fields=('cycle', 'department'), name='unique_action_feedback_question'),
        ),
        migrations.RunPython(make_triggers, drop_triggers),
    ]
