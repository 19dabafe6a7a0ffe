"""API keys: ``fr_<prefix>_<secret>``, stored as prefix + SHA-256, compared in constant time.

The keys are long random strings, so a fast hash is enough (no password hasher needed),
and the prefix lets us find the row without comparing against every stored hash.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from tryon.models import ApiKey, CreditEntry

KEY_PREFIX = "fr"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def create_api_key(name: str, credits: int = 0, reason: str = "", changed_by=None) -> tuple[ApiKey, str]:
    """Create a key and return it with its raw value, which is shown once and never stored."""
    prefix = secrets.token_hex(4)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    with transaction.atomic():
        api_key = ApiKey.objects.create(name=name, prefix=prefix, hashed_key=hash_key(raw_key), credits=credits)
        if credits:
            CreditEntry.objects.create(
                api_key=api_key, change=credits, kind=CreditEntry.Kind.INITIAL, reason=reason, changed_by=changed_by
            )
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
    # At most one write a minute per key (not one per request), and no read-modify-write of the row.
    now = timezone.now()
    if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return api_key
