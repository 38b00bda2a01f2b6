"""Sealed answers: what waits in the database (drafts, submitted responses not yet released) is
encrypted with a key from the environment, so that a copy of the database alone reads none of it.

SURVEY_ENCRYPTION_KEYS holds one or more keys (32 random bytes, url-safe base64), comma-separated:
the first one seals, every one opens what it sealed (for rotation). It is not DJANGO_SECRET_KEY:
the two are rotated, and lost, for different reasons. Sealing is AES-256-GCM (authenticated
encryption, from the `cryptography` package) with a random nonce per payload: a submission seals
once, so the cipher is the one with the least work per byte.

Every sealed payload has the same length, so that its size tells nothing either: the answers are
padded to SEALED_SIZE bytes before encryption, and nothing in it says when it was written. Comments
are stored in UTF-16, two bytes per unit, and limited in units as a browser's maxlength counts
them: the longest comments in any script fit the one size.

A payload is length-prefixed parts: the scores (JSON), the two comments, then the answer to the
action-feedback question (ASCII, empty when not given). Payloads sealed before that question
existed end after the comments, where the padding reads as an empty part: they open unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import struct
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Each comment's limit, in UTF-16 units (a character, or two for an emoji): the survey form's limit,
# which a textarea's maxlength counts the same way.
COMMENT_MAX_LENGTH = 1000
# Two comments of COMMENT_MAX_LENGTH units of 2 bytes, the scores (room for dozens of questions) and
# three lengths. Every payload written by the services fits: they refuse longer comments. The
# action feedback (a fourth length and a word of at most 9 bytes) takes its room from the scores',
# so that the size stays the one every payload sealed before it has: another size would tell a
# draft or answer written after the change from one written before.
SEALED_SIZE = 2 * 2 * COMMENT_MAX_LENGTH + 2048 + 12
# What a key seals here and nowhere else: authenticated with every payload, never stored.
_CONTEXT = b"survey-portal: sealed answers, v1"
_NONCE_SIZE = 12
GENERATE_KEY = "python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())'"


def comment_length(text: str) -> int:
    """A comment's length in UTF-16 units, as a browser counts it for maxlength."""
    return len(text.encode("utf-16-le")) // 2


_LENGTH = struct.Struct(">I")


class UnreadableSeal(Exception):
    """A sealed payload that none of the configured keys opens (a key was lost or removed)."""


@dataclass(frozen=True)
class Answers:
    """What a person answered about one department: scores by parameter code (None: not
    applicable; a draft may lack some), the two comments and, where the cycle asks it, the answer
    to the action-feedback question (surveys.models.ActionFeedback; None: not answered)."""

    scores: dict[str, int | None]
    comment_good: str = ""
    comment_improve: str = ""
    action_feedback: str | None = None


@lru_cache(maxsize=4)
def _keys(configured: tuple[str, ...]) -> tuple[AESGCM, ...]:
    if not configured:
        raise ImproperlyConfigured(
            "SURVEY_ENCRYPTION_KEYS is not set: drafts and answers waiting to be released are encrypted "
            f"with it. Generate one with: {GENERATE_KEY}  (make demo and make test generate their own)."
        )
    keys = []
    for key in configured:
        try:
            raw = base64.urlsafe_b64decode(key.encode())
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"SURVEY_ENCRYPTION_KEYS: each key is 32 url-safe base64-encoded bytes ({GENERATE_KEY})"
            )
        keys.append(AESGCM(raw))
    return tuple(keys)


def _configured_keys() -> tuple[AESGCM, ...]:
    return _keys(tuple(settings.SURVEY_ENCRYPTION_KEYS))


def _encrypt(plain: bytes) -> bytes:
    nonce = os.urandom(_NONCE_SIZE)
    return nonce + _configured_keys()[0].encrypt(nonce, plain, _CONTEXT)


def _decrypt(sealed: bytes | memoryview) -> bytes:
    sealed = bytes(sealed)
    for key in _configured_keys():
        try:
            return key.decrypt(sealed[:_NONCE_SIZE], sealed[_NONCE_SIZE:], _CONTEXT)
        except InvalidTag:
            continue
    raise UnreadableSeal("none of SURVEY_ENCRYPTION_KEYS opens this payload")


def seal(answers: Answers) -> bytes:
    """The answers, padded to SEALED_SIZE and encrypted with the first key: raw bytes to store."""
    parts = [
        json.dumps(answers.scores, separators=(",", ":"), sort_keys=True).encode(),
        answers.comment_good.encode("utf-16-le"),
        answers.comment_improve.encode("utf-16-le"),
        (answers.action_feedback or "").encode("ascii"),
    ]
    plain = b"".join(_LENGTH.pack(len(part)) + part for part in parts)
    # Longer than the form allows (it never is, from the form): the next multiple of the size.
    size = SEALED_SIZE * max(1, -(-len(plain) // SEALED_SIZE))
    return _encrypt(plain.ljust(size, b"\0"))


def unseal(sealed: bytes | memoryview) -> Answers:
    """The answers `seal` stored (sealed before the action-feedback question existed too: they
    have none). Raises UnreadableSeal when no configured key opens them."""
    plain = _decrypt(sealed)
    parts, offset = [], 0
    for _ in range(4):
        if offset + _LENGTH.size > len(plain):  # an older payload that filled its size exactly
            parts.append(b"")
            continue
        (length,) = _LENGTH.unpack_from(plain, offset)
        parts.append(plain[offset + 4 : offset + 4 + length])
        offset += 4 + length
    feedback = parts[3].decode("ascii") or None
    return Answers(json.loads(parts[0]), parts[1].decode("utf-16-le"), parts[2].decode("utf-16-le"), feedback)


def reseal(sealed: bytes | memoryview) -> bytes:
    """The same payload sealed with the first key (after a new key was put first). Raises UnreadableSeal."""
    return _encrypt(_decrypt(sealed))


def seal_bytes(plain: bytes, size: int) -> bytes:
    """Any payload, padded to `size` bytes (every payload of a kind the same length) and sealed with
    the first key. For other apps' waiting data (concerns' deposits); `open_bytes` reverses it."""
    if len(plain) + 4 > size:
        raise ValueError(f"a payload of {len(plain)} bytes does not fit in {size}")
    return _encrypt((_LENGTH.pack(len(plain)) + plain).ljust(size, b"\0"))


def open_bytes(sealed: bytes | memoryview) -> bytes:
    """The payload `seal_bytes` sealed. Raises UnreadableSeal when no configured key opens it."""
    plain = _decrypt(sealed)
    (length,) = _LENGTH.unpack_from(plain, 0)
    return plain[4 : 4 + length]
