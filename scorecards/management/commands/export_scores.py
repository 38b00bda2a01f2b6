"""python manage.py export_scores --cycle NAME --scores FILE.csv [--heatmap FILE.csv]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from scorecards import exports
from surveys.models import Cycle


class Command(BaseCommand):
    help = "Write a cycle's stored scores (and heatmap) as CSV, suppressed figures left empty."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cycle", required=True, help="Name of the cycle.")
        parser.add_argument("--scores", required=True, metavar="FILE.csv")
        parser.add_argument("--heatmap", metavar="FILE.csv")

    def handle(self, *args, cycle: str, scores: str, heatmap: str | None, **options) -> None:
        found = Cycle.objects.filter(name=cycle).select_related("result").first()
        if found is None:
            raise CommandError(f"No cycle named {cycle!r}.")
        if not hasattr(found, "result") or found.result.computed_at is None:
            raise CommandError(f"{cycle!r} has no results yet: it is aggregated when it closes.")
        outputs = [(scores, exports.SCORE_COLUMNS, exports.score_rows(found))]
        if heatmap:
            outputs.append((heatmap, exports.HEATMAP_COLUMNS, exports.heatmap_rows(found)))
        for path, columns, rows in outputs:
            try:
                with open(path, "w", encoding="utf-8", newline="") as out:
                    exports.write_csv(out, columns, rows)
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from None
            self.stdout.write(f"{path}: {len(rows)} rows")
