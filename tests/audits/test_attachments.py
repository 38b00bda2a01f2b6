import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from audits.attachments import kind_of
from audits.models import Audit, AuditAttachment
from tests.factories import PDF_BYTES, PNG_BYTES, make_audit, make_audit_template, submit_audit, upload

JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP_BYTES = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def audit(org):
    return make_audit(make_audit_template(org.it), org.outsider)


def post(client, audit, *files):
    data = {
        "requested_on": timezone.localdate().isoformat(),
        "score_0": "1",
        "score_1": "5",
        "attachments": list(files),
    }
    return client.post(reverse("audits:record", args=[audit.pk]), data)


def test_the_kind_is_read_from_the_first_bytes():
    assert [kind_of(data[:12]) for data in (PNG_BYTES, JPEG_BYTES, WEBP_BYTES, PDF_BYTES)] == [
        "png",
        "jpeg",
        "webp",
        "pdf",
    ]
    assert kind_of(b"<html><script>") is None and kind_of(b"GIF89a") is None


def test_images_and_pdfs_are_stored_under_random_names(as_, org, audit, media):
    response = post(as_(org.outsider), audit, upload("photo.png", PNG_BYTES), upload("Receipt.pdf", PDF_BYTES))

    assert response.status_code == 302
    stored = list(AuditAttachment.objects.order_by("pk"))
    assert [(a.original_name, a.kind) for a in stored] == [("photo.png", "png"), ("Receipt.pdf", "pdf")]
    for attachment in stored:
        assert attachment.file.name.startswith("audits/") and "photo" not in attachment.file.name
        assert (media / attachment.file.name).exists() and default_storage.exists(attachment.file.name)


def test_a_file_whose_bytes_are_not_an_image_or_pdf_is_refused_whatever_its_name(as_, org, audit, media):
    response = post(as_(org.outsider), audit, upload("photo.png", b"<html><script>alert(1)</script>"))

    assert "is not a PNG, JPEG or WebP image or a PDF" in response.content.decode()
    assert not AuditAttachment.objects.exists() and not (media / "audits").exists()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.SCHEDULED


def test_a_file_too_big_is_refused(as_, org, audit, media, settings):
    settings.AUDIT_ATTACHMENT_MAX_BYTES = 100
    response = post(as_(org.outsider), audit, upload("big.png", PNG_BYTES + b"\x00" * 100))

    assert "is larger than" in response.content.decode()
    assert not AuditAttachment.objects.exists()


def test_at_most_five_files(as_, org, audit, media):
    response = post(as_(org.outsider), audit, *[upload(f"p{n}.png", PNG_BYTES) for n in range(6)])

    assert "Attach at most 5 files." in response.content.decode()
    assert not AuditAttachment.objects.exists()


@pytest.fixture
def attachment(org, audit, media):
    submit_audit(audit, [1, 5], files=[upload("photo.png", PNG_BYTES)])
    return audit.attachments.get()


@pytest.mark.parametrize("who", ["outsider", "hr"])
def test_hr_and_the_auditor_download_it_with_safe_headers(as_, org, attachment, who):
    response = as_(getattr(org, who)).get(reverse("audits:attachment", args=[attachment.audit_id, attachment.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["colleague", "head", "outsider_head"])
def test_nobody_else_finds_it(as_, org, attachment, who):
    url = reverse("audits:attachment", args=[attachment.audit_id, attachment.pk])
    assert as_(getattr(org, who)).get(url).status_code == 404


def test_an_attachment_is_found_only_under_its_own_audit(as_, org, attachment):
    other = make_audit(attachment.audit.template, org.outsider)
    url = reverse("audits:attachment", args=[other.pk, attachment.pk])
    assert as_(org.hr).get(url).status_code == 404
