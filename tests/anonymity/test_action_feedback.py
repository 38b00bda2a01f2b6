"""Attack 8: the answer to the action-feedback question ("Did the changes … make a difference for
you?"). It must travel like every other answer: unreadable in a copy of the database while it
waits, released only with its group, and counted only from k answers. And since whether a cycle
asks it is fixed when the cycle opens, no response can be told from another by having it."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.urls import reverse

from surveys.models import ActionFeedbackQuestion, Response
from tests.anonymity.test_transaction_ids import assert_nobody_is_singled_out
from tests.scenarios import K, build_scenario, every_file, every_row_as_text, table_file

ANSWERS = ["yes", "somewhat", "no", "unnoticed"]


def test_a_copy_of_the_database_reads_no_waiting_answer_to_the_question(postgresql):
    scenario = build_scenario(changes_done=("it",))
    assert ActionFeedbackQuestion.objects.filter(cycle=scenario.cycle).count() == 1
    # The WAL read starts where the answers start: a checkpoint may recycle older segments, which
    # would make a total counted from further back shrink between the two reads.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        start_lsn = cursor.fetchone()[0]
    # The words are in the catalog already (the column's CHECK constraint): count what answers add.
    before = every_file(start_lsn)
    invitations = [i for i in scenario.invitations() if i.department.code == "it"]
    for invitation in invitations[:4]:
        scenario.answer(invitation, action="draft", feedback="somewhat")
    for invitation in invitations[4:15]:
        scenario.answer(invitation, feedback="unnoticed")
    assert not Response.objects.exists()  # every pair is short of a release: all of it waits

    dump, files = every_row_as_text(), every_file(start_lsn)
    for word in (b"somewhat", b"unnoticed"):
        assert word.decode() not in dump, f"{word!r} is readable in a dump of the tables"
        assert files.count(word) == before.count(word), f"{word!r} is readable in the database's files or WAL"

    hr = scenario.hr_client()
    assert hr.post(reverse("surveys:cycle_close", args=[scenario.cycle.pk])).status_code == 302
    # The test would see it if it were there: a released answer is stored in clear, in the table's
    # own file (not counted against `before`, whose WAL segments a checkpoint may recycle).
    assert Response.objects.filter(action_feedback="unnoticed").count() == 11
    assert table_file(Response).count(b"unnoticed") >= 11


def test_transaction_ids_narrow_no_response_that_answered_it_below_its_group(postgresql):
    scenario = build_scenario(changes_done=("it", "fin"))
    invitations = scenario.invitations()
    scenario.rng.shuffle(invitations)
    for n, invitation in enumerate(invitations[: len(invitations) * 9 // 10]):
        scenario.answer(invitation, feedback=None if n % 3 == 0 else scenario.rng.choice(ANSWERS))

    assert_nobody_is_singled_out(scenario.cycle)
    hr = scenario.hr_client()
    assert hr.post(reverse("surveys:cycle_close", args=[scenario.cycle.pk])).status_code == 302
    attacked, _ = assert_nobody_is_singled_out(scenario.cycle)
    assert attacked == len(scenario.submitted)
    given = sorted(a["feedback"] for a in scenario.submitted.values() if a["feedback"])
    assert sorted(Response.objects.exclude(action_feedback=None).values_list("action_feedback", flat=True)) == given


def test_hr_sees_how_many_answered_but_no_count_below_k_answers(postgresql):
    scenario = build_scenario(changes_done=("it", "fin"))
    invitations = scenario.invitations()
    it = [i for i in invitations if i.department.code == "it"]
    fin = [i for i in invitations if i.department.code == "fin"]
    for invitation in it[: K - 1]:  # one short of k
        scenario.answer(invitation, feedback="no")
    for invitation in it[K - 1 : K + 5]:
        scenario.answer(invitation)
    for n, invitation in enumerate(fin[: K + 2]):
        scenario.answer(invitation, feedback=ANSWERS[n % 4])
    hr = scenario.hr_client()
    assert hr.post(reverse("surveys:cycle_close", args=[scenario.cycle.pk])).status_code == 302

    response = hr.get(reverse("scorecards:export_scores", args=[scenario.cycle.pk]))
    assert response.status_code == 200
    rows = {
        (r["provider_department"], r["parameter"]): r for r in csv.DictReader(io.StringIO(response.content.decode()))
    }
    it_row, fin_row = rows["it", "__overall__"], rows["fin", "__overall__"]
    assert it_row["feedback_n"] == str(K - 1)
    assert [it_row[f"feedback_{a}"] for a in ANSWERS] == [""] * 4
    assert fin_row["feedback_n"] == str(K + 2)
    assert [fin_row[f"feedback_{a}"] for a in ANSWERS] == ["2", "2", "2", "1"]
