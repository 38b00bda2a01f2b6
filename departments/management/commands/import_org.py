"""python manage.py import_org --departments d.csv --employees e.csv --dependencies x.csv --parameters p.csv"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from departments.org_import import CsvFile, ImportFailed, org_import

KINDS = ("departments", "employees", "dependencies", "parameters")


class Command(BaseCommand):
    help = "Import departments, employees, dependencies and charters from CSV. All or nothing."

    def add_arguments(self, parser) -> None:
        for kind in KINDS:
            parser.add_argument(f"--{kind}", metavar="FILE.csv", help=f"{kind}.csv")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Deactivate employees absent from the employees file (never deletes).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and report, write nothing.")

    def handle(self, *args, **options) -> None:
        files = {}
        for kind in KINDS:
            if options[kind]:
                path = Path(options[kind])
                try:
                    files[kind] = CsvFile(path.name, path.read_bytes())
                except OSError as exc:
                    raise CommandError(f"{path}: cannot read ({exc.strerror})") from None
        if not files:
            raise CommandError("Give at least one of --departments, --employees, --dependencies, --parameters.")
        try:
            summary = org_import(**files, deactivate_missing=options["deactivate_missing"], dry_run=options["dry_run"])
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing was imported: {len(failure.errors)} error(s).") from None
        heading = "Dry run, nothing written:" if options["dry_run"] else "Imported:"
        self.stdout.write(heading)
        for line in summary.lines():
            self.stdout.write(f"  {line}")
