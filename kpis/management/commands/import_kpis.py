"""python manage.py import_kpis FILE.csv [--dry-run]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kpis.services import CsvFile, ImportFailed, kpi_values_import


class Command(BaseCommand):
    help = (
        "Import measured KPI values from CSV (department_code,kpi_code,period_start,period_end,value). "
        "All or nothing; a value for a stored period replaces it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, write nothing.")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            file = CsvFile(path.name, path.read_bytes())
        except OSError as exc:
            raise CommandError(f"{path}: cannot read ({exc.strerror})") from None
        try:
            summary = kpi_values_import(file=file, dry_run=options["dry_run"])
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing was imported: {len(failure.errors)} error(s).") from None
        heading = "Dry run, nothing written:" if options["dry_run"] else "Imported:"
        self.stdout.write(f"{heading} {summary}")
