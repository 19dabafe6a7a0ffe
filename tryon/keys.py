"""API keys: ``fr_<prefix>_<secret>``, stored as prefix + SHA-256, compared in constant time.

The keys are long random strings, so a fast hash is enough (no password hasher needed),
and the prefix lets us find the row without comparing against every stored hash.

Every API request checks its key, and a status poll should cost no more than a read: so each
process keeps the keys it has looked up for a few seconds, and ``last_used_at`` is written at
most once a minute per key. Saving a key through the ORM (the admin's edit form) or revoking it
with ``revoke`` forgets it here at once; another web process sees the change within
``LOOKUP_CACHE_SECONDS``.
"""

import copy
import hashlib
import secrets
import threading
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from tryon.models import ApiKey, CreditEntry

KEY_PREFIX = "fr"
LOOKUP_CACHE_SECONDS = 5.0
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is for humans: a minute is precise enough

_lookups: dict[str, tuple[float, ApiKey]] = {}  # prefix -> (expires on the monotonic clock, key)
_lookups_lock = threading.Lock()  # gunicorn threads share this process


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
    """The active key matching ``raw_key``, or None. The caller gets its own copy of the row."""
    if not raw_key:
        return None
    parts = raw_key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    api_key = _active_key(parts[1])
    if api_key is None or not constant_time_compare(api_key.hashed_key, hash_key(raw_key)):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        # One cheap UPDATE, no read-modify-write of the whole row, and only once a minute (the
        # condition inside it keeps several processes from all writing in the same minute).
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        api_key.last_used_at = now
    return copy.copy(api_key)


def revoke(api_keys) -> int:
    """Deactivate the keys in the queryset ``api_keys``; returns how many were active."""
    prefixes = list(api_keys.filter(is_active=True).values_list("prefix", flat=True))
    revoked = ApiKey.objects.filter(prefix__in=prefixes, is_active=True).update(is_active=False)
    for prefix in prefixes:
        forget(prefix)
    return revoked


def forget(prefix: str) -> None:
    with _lookups_lock:
        _lookups.pop(prefix, None)


def _active_key(prefix: str) -> ApiKey | None:
    now = time.monotonic()
    with _lookups_lock:
        cached = _lookups.get(prefix)
    if cached is not None and cached[0] > now:
        return cached[1]
    api_key = ApiKey.objects.filter(prefix=prefix, is_active=True).first()
    with _lookups_lock:
        if api_key is None:
            _lookups.pop(prefix, None)  # unknown or revoked keys are not remembered: nothing to grow
        else:
            _lookups[prefix] = (now + LOOKUP_CACHE_SECONDS, api_key)
    return api_key


@receiver(post_save, sender=ApiKey)
def _forget_saved_key(sender, instance, **kwargs):
    forget(instance.prefix)
