"""Secrets kept in the database (an OpenID Connect client secret), encrypted at rest.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with the keys of
`FIELD_ENCRYPTION_KEYS`: the first encrypts, every one decrypts, so a key can be rotated by
putting the new one first and running `manage.py rotate_encrypted_secrets`. Without keys one
is derived from SECRET_KEY, so a development database works out of the box; changing the
secret key then makes the stored secrets unreadable, which is why production sets its own.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class UnreadableSecret(Exception):
    """A stored secret that none of the configured keys decrypts."""


def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        digest = hashlib.sha256(f"npo-portal field encryption|{settings.SECRET_KEY}".encode())
        keys = [base64.urlsafe_b64encode(digest.digest()).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (Fernet.generate_key()), comma-separated."
        ) from exc


def encrypt(plaintext: str) -> str:
    """The text encrypted with the current key, as ASCII to store in a text column."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token written by `encrypt` under any configured key."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UnreadableSecret("no configured key decrypts this secret") from exc


def rotate(token: str) -> str:
    """The same secret encrypted again with the current (first) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise UnreadableSecret("no configured key decrypts this secret") from exc


def hint(plaintext: str) -> str:
    """What the admin shows of a stored secret: never the secret, at most its last 4 of a
    long one, so the administrator can tell which one is stored."""
    if len(plaintext) < 16:
        return "••••"
    return f"••••{plaintext[-4:]}"
