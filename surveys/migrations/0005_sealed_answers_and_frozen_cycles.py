"""Drafts and submitted answers wait sealed on their invitation (surveys/sealing.py); an opened
cycle is frozen.

Existing drafts are sealed in place, with SURVEY_ENCRYPTION_KEYS (which must then be set when any
exists). Responses that waited in PendingResponse cannot be put back on their invitations (nothing
ties them, by design): they are released now, per pair, in random order, and the table goes. The
triggers refuse, whatever the code: a status move outside the lifecycle, a threshold change once
the cycle has opened, and any change to an opened cycle's scope or questions.
"""

import random

from django.db import migrations, models

EDITABLE = "('draft', 'scheduled')"
MOVES = """(
       (OLD.status = 'draft' AND NEW.status IN ('scheduled', 'open'))
    OR (OLD.status = 'scheduled' AND NEW.status = 'open')
    OR (OLD.status = 'open' AND NEW.status = 'closed')
    OR (OLD.status = 'closed' AND NEW.status = 'published')
    OR (OLD.status = 'draft' AND NEW.status = 'closed' AND NEW.imported)
)"""
CYCLE_FROZEN = f"""(NEW.status <> OLD.status AND NOT {MOVES}) OR (OLD.status NOT IN {EDITABLE} AND (
    NEW.score_threshold <> OLD.score_threshold OR NEW.comment_threshold <> OLD.comment_threshold
    OR NEW.imported <> OLD.imported))"""
CHILDREN = ["surveys_cycle_providers", "surveys_cycleparameter"]

POSTGRESQL = f"""
CREATE FUNCTION surveys_cycle_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {CYCLE_FROZEN} THEN
        RAISE EXCEPTION 'cycle %: its status moves only through the lifecycle, and its thresholds are fixed once it has opened', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER surveys_cycle_frozen BEFORE UPDATE ON surveys_cycle
    FOR EACH ROW EXECUTE FUNCTION surveys_cycle_frozen();

CREATE FUNCTION surveys_cycle_part_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN ids := ARRAY[NEW.cycle_id];
    ELSIF TG_OP = 'DELETE' THEN ids := ARRAY[OLD.cycle_id];
    ELSE ids := ARRAY[NEW.cycle_id, OLD.cycle_id];
    END IF;
    IF EXISTS (SELECT 1 FROM surveys_cycle WHERE id = ANY(ids) AND status NOT IN {EDITABLE}) THEN
        RAISE EXCEPTION '%: the departments rated and the questions of a cycle are fixed once it has opened', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;
""" + "".join(
    f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}"
    " FOR EACH ROW EXECUTE FUNCTION surveys_cycle_part_frozen();\n"
    for table in CHILDREN
)
POSTGRESQL_REVERSE = "".join(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};\n" for table in CHILDREN) + """
DROP TRIGGER IF EXISTS surveys_cycle_frozen ON surveys_cycle;
DROP FUNCTION IF EXISTS surveys_cycle_part_frozen();
DROP FUNCTION IF EXISTS surveys_cycle_frozen();
"""

SQLITE = [
    f"""CREATE TRIGGER surveys_cycle_frozen BEFORE UPDATE ON surveys_cycle WHEN {CYCLE_FROZEN}
    BEGIN SELECT RAISE(ABORT, 'a cycle''s status moves only through the lifecycle, and its thresholds are fixed once it has opened'); END"""
]
# No DELETE trigger on SQLite: it has no TRUNCATE, and emptying the database (tests, `flush`)
# deletes these rows while their cycle is still there. PostgreSQL's flush truncates.
for table in CHILDREN:
    for operation, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"])):
        condition = " OR ".join(
            f"(SELECT status FROM surveys_cycle WHERE id = {row}.cycle_id) NOT IN {EDITABLE}" for row in rows
        )
        SQLITE.append(
            f"""CREATE TRIGGER {table}_frozen_{operation.lower()} BEFORE {operation} ON {table} WHEN {condition}
    BEGIN SELECT RAISE(ABORT, 'the departments rated and the questions of a cycle are fixed once it has opened'); END"""
        )
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS surveys_cycle_frozen"] + [
    f"DROP TRIGGER IF EXISTS {table}_frozen_{operation}" for table in CHILDREN for operation in ("insert", "update")
]


def create_triggers(apps, schema_editor):
    statements = {"postgresql": [POSTGRESQL], "sqlite": SQLITE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    statements = {"postgresql": [POSTGRESQL_REVERSE], "sqlite": SQLITE_REVERSE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def seal_drafts(apps, schema_editor):
    from surveys.sealing import Answers, seal

    Invitation = apps.get_model("surveys", "Invitation")
    for invitation in Invitation.objects.exclude(draft_saved_at=None).iterator():
        answers = Answers(invitation.draft_scores or {}, invitation.draft_comment_good, invitation.draft_comment_improve)
        Invitation.objects.filter(pk=invitation.pk).update(draft_sealed=seal(answers))


def release_pending_responses(apps, schema_editor):
    PendingResponse = apps.get_model("surveys", "PendingResponse")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    CycleParameter = apps.get_model("surveys", "CycleParameter")
    pending = list(PendingResponse.objects.all())
    random.SystemRandom().shuffle(pending)
    questions = {(q.cycle_id, q.department_id, q.code): q.pk for q in CycleParameter.objects.all()}
    for p in pending:
        given = [score for score in p.scores.values() if score is not None]
        response = Response.objects.create(
            cycle_id=p.cycle_id,
            provider_id=p.provider_id,
            rater_department_id=p.rater_department_id,
            comment_good=p.comment_good,
            comment_improve=p.comment_improve,
            rated_count=len(given),
            score_sum=sum(given),
        )
        Answer.objects.bulk_create(
            Answer(response=response, cycle_id=p.cycle_id, parameter_id=questions[p.cycle_id, p.provider_id, code], score=score)
            for code, score in p.scores.items()
        )
    PendingResponse.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('departments', '0001_initial'),
        ('surveys', '0004_draft_on_invitation'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='draft_sealed',
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='invitation',
            name='answers_sealed',
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(seal_drafts, migrations.RunPython.noop),
        migrations.RunPython(release_pending_responses, migrations.RunPython.noop),
        migrations.DeleteModel(name='PendingResponse'),
        migrations.RemoveConstraint(
            model_name='invitation',
            name='invitation_draft_only_while_pending',
        ),
        migrations.RemoveField(model_name='invitation', name='draft_comment_good'),
        migrations.RemoveField(model_name='invitation', name='draft_comment_improve'),
        migrations.RemoveField(model_name='invitation', name='draft_scores'),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(('draft_saved_at', None), ('draft_sealed', None)), _connector='OR'), name='invitation_draft_only_while_pending'),
        ),
        migrations.AddConstraint(
            model_name='invitation',
            constraint=models.CheckConstraint(condition=models.Q(('answers_sealed', None), ('status', 'completed'), _connector='OR'), name='invitation_answers_only_once_completed'),
        ),
        migrations.AddIndex(
            model_name='invitation',
            index=models.Index(condition=models.Q(('answers_sealed__isnull', False)), fields=['cycle', 'provider', 'rater_department'], name='invitation_waiting'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
