"""One word for the department being rated: `department`, as in the scorecards (the rater is
`rater_department`). Invitation.provider, Response.provider and Cycle.providers are renamed; the
indexes and constraints naming the old field are made again.

The frozen-cycle triggers of 0005 guard the table of the cycle's departments rated, which is
renamed: PostgreSQL keeps its trigger on the renamed table (only its name changes); SQLite copies
the rows into a new table, so its triggers are made again on it.
"""

from django.db import migrations, models

EDITABLE = "('draft', 'scheduled')"
OLD, NEW = "surveys_cycle_providers", "surveys_cycle_departments"
MESSAGE = "the departments rated and the questions of a cycle are fixed once it has opened"


def _sqlite_triggers(table):
    for operation, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"])):
        condition = " OR ".join(
            f"(SELECT status FROM surveys_cycle WHERE id = {row}.cycle_id) NOT IN {EDITABLE}" for row in rows
        )
        yield (
            f"CREATE TRIGGER {table}_frozen_{operation.lower()} BEFORE {operation} ON {table} WHEN {condition}"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def _run(schema_editor, postgresql, sqlite):
    statements = {"postgresql": postgresql, "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_old_triggers(apps, schema_editor):
    _run(schema_editor, [], [f"DROP TRIGGER IF EXISTS {OLD}_frozen_{op}" for op in ("insert", "update")])


def make_new_triggers(apps, schema_editor):
    _run(schema_editor, [f"ALTER TRIGGER {OLD}_frozen ON {NEW} RENAME TO {NEW}_frozen"], list(_sqlite_triggers(NEW)))


def drop_new_triggers(apps, schema_editor):
    _run(
        schema_editor,
        [f"ALTER TRIGGER {NEW}_frozen ON {NEW} RENAME TO {OLD}_frozen"],
        [f"DROP TRIGGER IF EXISTS {NEW}_frozen_{op}" for op in ("insert", "update")],
    )


def make_old_triggers(apps, schema_editor):
    _run(schema_editor, [], list(_sqlite_triggers(OLD)))


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("surveys", "0005_sealed_answers_and_frozen_cycles"),
    ]

    operations = [
        migrations.RunPython(drop_old_triggers, make_old_triggers),
        migrations.RemoveConstraint(
            model_name="invitation",
            name="unique_invitation",
        ),
        migrations.RemoveConstraint(
            model_name="invitation",
            name="invitation_not_own",
        ),
        migrations.RemoveIndex(
            model_name="invitation",
            name="invitation_participation",
        ),
        migrations.RemoveIndex(
            model_name="invitation",
            name="invitation_waiting",
        ),
        migrations.RemoveIndex(
            model_name="response",
            name="response_aggregation",
        ),
        migrations.RenameField(
            model_name="cycle",
            old_name="providers",
            new_name="departments",
        ),
        migrations.RenameField(
            model_name="invitation",
            old_name="provider",
            new_name="department",
        ),
        migrations.RenameField(
            model_name="response",
            old_name="provider",
            new_name="department",
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                fields=["cycle", "department", "rater_department", "status"], name="invitation_participation"
            ),
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                condition=models.Q(("answers_sealed__isnull", False)),
                fields=["cycle", "department", "rater_department"],
                name="invitation_waiting",
            ),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                fields=["cycle", "department", "rater_department", "rated_count", "score_sum"],
                name="response_aggregation",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(fields=("cycle", "employee", "department"), name="unique_invitation"),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.CheckConstraint(
                condition=models.Q(("department", models.F("rater_department")), _negated=True),
                name="invitation_not_own",
            ),
        ),
        migrations.RunPython(make_new_triggers, drop_new_triggers),
    ]
