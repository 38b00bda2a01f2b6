"""python manage.py import_responses --cycle NAME --opens YYYY-MM-DD --closes YYYY-MM-DD [--invited INVITED.csv] FILE.csv"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from survey_portal.csvfiles import CsvFile, ImportFailed
from surveys.past_import import responses_import


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _read(path: Path) -> CsvFile:
    try:
        return CsvFile(path.name, path.read_bytes())
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror})") from None


class Command(BaseCommand):
    help = "Create a closed cycle holding past results from CSV. All or nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument("--cycle", required=True, help="Name of the new cycle.")
        parser.add_argument("--opens", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument("--closes", required=True, type=_date, help="YYYY-MM-DD")
        parser.add_argument("--threshold", type=int, default=5, help="Responses needed to show a score (default 5).")
        parser.add_argument(
            "--comment-threshold", type=int, default=10, help="Responses needed to show comments (default 10)."
        )
        parser.add_argument(
            "--invited",
            metavar="INVITED.csv",
            help="People invited per pair (rater_department,provider_department,invited): shows participation.",
        )

    def handle(self, *args, **options) -> None:
        file = _read(Path(options["file"]))
        invited = _read(Path(options["invited"])) if options["invited"] else None
        try:
            result = responses_import(
                file=file,
                name=options["cycle"],
                opens=options["opens"],
                closes=options["closes"],
                threshold=options["threshold"],
                comment_threshold=options["comment_threshold"],
                invited=invited,
            )
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing was imported: {len(failure.errors)} error(s).") from None
        self.stdout.write(
            f"Imported “{result.cycle.name}” (closed): {result.responses} responses, {result.ratings} ratings."
        )
