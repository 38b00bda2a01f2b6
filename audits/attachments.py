"""What an auditor may attach: images (PNG, JPEG, WebP) and PDF, told by their first bytes, never
by the name or the content type the browser sends; at most settings.AUDIT_ATTACHMENT_MAX_BYTES each
and AUDIT_ATTACHMENTS_MAX files an audit."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "pdf": "application/pdf"}


def kind_of(head: bytes) -> str | None:
    """png, jpeg, webp or pdf from a file's first 12 bytes; None for anything else."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def check_files(files: Sequence, *, already: int = 0) -> list[str]:
    """The kind of each uploaded file, in order; ValidationError naming every file refused (too many,
    too big, not an image or a PDF)."""
    limit = settings.AUDIT_ATTACHMENTS_MAX
    if already + len(files) > limit:
        raise ValidationError(f"Attach at most {limit} files.")
    kinds, errors = [], []
    for upload in files:
        name = str(upload.name)[:100]
        if upload.size > settings.AUDIT_ATTACHMENT_MAX_BYTES:
            errors.append(
                f"“{name}” is larger than {filesizeformat(settings.AUDIT_ATTACHMENT_MAX_BYTES)}: make it smaller."
            )
            continue
        upload.seek(0)
        kind = kind_of(upload.read(12))
        upload.seek(0)
        if kind is None:
            errors.append(f"“{name}” is not a PNG, JPEG or WebP image or a PDF.")
        kinds.append(kind)
    if errors:
        raise ValidationError(errors)
    return [kind for kind in kinds if kind]
