"""API keys: ``fr_<prefix>_<secret>``, stored as prefix + SHA-256, compared in constant time.

The keys are long random strings, so a fast hash is enough (no password hasher needed),
and the prefix lets us find the row without comparing against every stored hash.
"""

import hashlib
import secrets

from django.utils import timezone
from django.utils.crypto import constant_time_compare

from tryon.models import ApiKey

KEY_PREFIX = "fr"


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def create_api_key(name: str, credits: int = 0) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is shown once and never stored."""
    prefix = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    api_key = ApiKey.objects.create(name=name, prefix=prefix, hashed_key=hash_key(raw_key), credits=credits)
    return api_key, raw_key


def authenticate(raw_key: str | None) -> ApiKey | None:
    """The active key matching ``raw_key``, or None."""
    if not raw_key:
        return None
    parts = raw_key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    api_key = ApiKey.objects.filter(prefix=parts[1], is_active=True).first()
    if api_key is None or not constant_time_compare(api_key.hashed_key, hash_key(raw_key)):
        return None
    # One cheap UPDATE, no read-modify-write of the whole row.
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
    return api_key
