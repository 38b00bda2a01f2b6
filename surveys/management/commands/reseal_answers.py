"""python manage.py reseal_answers — after putting a new key first in SURVEY_ENCRYPTION_KEYS.

Seals every draft and every waiting response again with the first key, so that the old key can
then be removed. Safe to run while people answer: each row is rewritten only if it is unchanged
since it was read (a draft saved or a response released meanwhile is left as it now is).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from surveys.models import Invitation
from surveys.sealing import UnreadableSeal, reseal


class Command(BaseCommand):
    help = "Re-seal drafts and waiting answers with the first key of SURVEY_ENCRYPTION_KEYS (key rotation)."

    def handle(self, *args, **options) -> None:
        counts = {"drafts": 0, "waiting responses": 0, "unreadable": 0}
        for kind, queryset, field in (
            ("drafts", Invitation.objects.exclude(draft_sealed=None), "draft_sealed"),
            ("waiting responses", Invitation.objects.exclude(answers_sealed=None), "answers_sealed"),
        ):
            for pk, sealed in queryset.values_list("pk", field).iterator(chunk_size=500):
                try:
                    fresh = reseal(sealed)
                except UnreadableSeal:
                    counts["unreadable"] += 1
                    continue
                counts[kind] += queryset.model.objects.filter(pk=pk, **{field: bytes(sealed)}).update(**{field: fresh})
        self.stdout.write(
            f"Re-sealed with the first key: {counts['drafts']} drafts, {counts['waiting responses']} waiting responses."
        )
        if counts["unreadable"]:
            self.stderr.write(
                f"{counts['unreadable']} could not be opened by any key in SURVEY_ENCRYPTION_KEYS: keep the key "
                "that sealed them until they are re-sealed, or they are lost (README, Anonymity)."
            )
