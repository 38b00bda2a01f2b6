"""python manage.py export_responses --cycle NAME FILE.csv — a cycle's anonymous responses, for backup.

The file has the columns `import_responses` reads, so it loads back as it is. It holds what the
database holds and nothing more: departments, parameter codes, scores, comments and the answer to
the action-feedback question. Each response
gets a fresh random identifier that exists nowhere in the database (its stored id would lead back
to its row, and from there to its transaction id), and rows follow no submission order. Text cells
a spreadsheet would run as a formula are written as text (survey_portal/spreadsheets.py); the
import reads them back unchanged.
"""

from __future__ import annotations

import csv
import uuid

from django.core.management.base import BaseCommand, CommandError

from survey_portal.spreadsheets import cell_from_text
from surveys.models import Answer, Cycle, Invitation
from surveys.past_import import FEEDBACK, OPTIONAL, REQUIRED

COLUMNS = [*REQUIRED, *OPTIONAL, FEEDBACK]  # exactly what import_responses reads


class Command(BaseCommand):
    help = "Write a cycle's anonymous responses as CSV (the format import_responses reads)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument("--cycle", required=True, help="Name of the cycle.")

    def handle(self, *args, file: str, cycle: str, **options) -> None:
        found = Cycle.objects.filter(name=cycle).first()
        if found is None:
            raise CommandError(f"No cycle named {cycle!r}.")
        if found.purged_at:
            raise CommandError(f"{cycle!r}: its responses were deleted on {found.purged_at:%Y-%m-%d} (retention).")
        answers = (
            Answer.objects.filter(cycle=found)
            .order_by("response_id", "parameter__position", "parameter__code")
            .values_list(
                "response_id",
                "response__rater_department__code",
                "response__department__code",
                "parameter__code",
                "score",
                "response__comment_good",
                "response__comment_improve",
                "response__action_feedback",
            )
        )
        rows = 0
        fresh_ids: dict[uuid.UUID, str] = {}  # stored id -> the id this file gives it
        try:
            with open(file, "w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(COLUMNS)
                for response_id, rater, department, parameter, score, good, improve, feedback in answers.iterator(
                    chunk_size=5000
                ):
                    exported_id = fresh_ids.setdefault(response_id, uuid.uuid4().hex)
                    writer.writerow(
                        [
                            exported_id,
                            cell_from_text(rater),
                            cell_from_text(department),
                            cell_from_text(parameter),
                            "" if score is None else score,
                            cell_from_text(good),
                            cell_from_text(improve),
                            feedback or "",
                        ]
                    )
                    rows += 1
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        waiting = Invitation.objects.filter(cycle=found, answers_sealed__isnull=False).count()
        self.stdout.write(f"{file}: {rows} ratings")
        if waiting:
            self.stdout.write(
                f"  {waiting} responses of this open cycle wait to be released and are not included yet."
            )
