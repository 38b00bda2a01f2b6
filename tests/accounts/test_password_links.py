"""“First time here?”: anyone may ask for a password link, so emails are limited per email and per address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

LIMITED = "No email was sent: links were asked for this address too often in the last hour."


def ask(client, email: str, ip: str = "10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_twenty_requests_in_a_row_send_three_emails_then_say_why_not(client, org):
    responses = [ask(client, "head@example.com") for _ in range(20)]

    assert len(mail.outbox) == 3 and all(m.to == ["head@example.com"] for m in mail.outbox)
    assert [r.status_code for r in responses] == [302] * 3 + [429] * 17
    assert LIMITED in responses[-1].content.decode()


def test_the_limit_counts_the_email_as_typed_and_says_the_same_whether_or_not_someone_has_it(client, org):
    known = [ask(client, email).status_code for email in ["head@example.com", "HEAD@example.com ", "head@example.com"]]
    unknown = [ask(client, "nobody@example.com").status_code for _ in range(3)]

    assert known == unknown == [302, 302, 302]
    assert ask(client, " Head@Example.com").status_code == 429
    refused = ask(client, "nobody@example.com")
    assert refused.status_code == 429 and LIMITED in refused.content.decode()
    assert len(mail.outbox) == 3  # the known person's three; nobody@ has no account


def test_one_address_asking_for_many_people_is_limited_too(client, org, settings):
    settings.PASSWORD_LINKS_PER_ADDRESS = 2
    statuses = [
        ask(client, email).status_code for email in ["head@example.com", "hr@example.com", "colleague@example.com"]
    ]

    assert statuses == [302, 302, 429]
    assert ask(client, "colleague@example.com", ip="10.0.0.2").status_code == 302  # someone elsewhere
    assert sorted(m.to[0] for m in mail.outbox) == ["colleague@example.com", "head@example.com", "hr@example.com"]


@pytest.mark.parametrize(
    "email", ["head@example.com\x00", "head@example.com\r\nBcc: all@example.com", "\u202ehead@example.com"]
)
def test_an_email_with_control_characters_is_refused_and_nothing_is_sent(client, org, email):
    response = ask(client, email)

    assert response.status_code == 200
    assert "“Work email” contains" in response.content.decode()
    assert mail.outbox == []
