"""Receipt codes: how an anonymous raiser comes back to their concern without being known.

A code is 20 characters of Crockford's base32 (100 random bits), shown once, in groups of four.
The database keeps only its SHA-256: a random 100-bit secret needs no slow hash, since nobody can
try 2^100 codes, and the page that takes codes counts attempts (services.receipt_attempt_allowed).
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O or U
LENGTH = 20  # 5 bits each: 100 bits
# What people mistype for what, as Crockford's base32 reads them.
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalise(typed: str) -> str | None:
    """The code as stored, from what was typed (any case, dashes, spaces), or None if it cannot be one."""
    raw = "".join(str(typed).split()).replace("-", "").upper().translate(_READS_AS)
    if len(raw) != LENGTH or any(character not in ALPHABET for character in raw):
        return None
    return raw


def receipt_hash(code: str) -> str | None:
    raw = normalise(code)
    return hashlib.sha256(raw.encode()).hexdigest() if raw else None
