"""Signed, expiring result URLs: /api/tryon/v2/results/<task_id>?exp=<unix>&sig=<signature>.

The expiry is inside the signed value, so a URL cannot be extended by editing it. Django's
Signer checks the signature against SECRET_KEY and then SECRET_KEY_FALLBACKS, so links made
before a key rotation stay valid until they expire.
"""

import time

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.http import urlencode

SALT = "tryon.result-download"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)  # key and fallback keys from settings, read at call time


def signed_result_url(request, public_id: str) -> str:
    return signed_url(settings.TRYON_PUBLIC_BASE_URL or request_origin(request), public_id)


def signed_url(base: str, public_id: str) -> str:
    """The signed link on ``base`` (scheme://host), valid for TRYON_DOWNLOAD_URL_TTL seconds from now."""
    expires = int(time.time()) + settings.TRYON_DOWNLOAD_URL_TTL
    path = reverse("api-result-download", args=[public_id])
    signature = _signer().sign(f"{public_id}:{expires}").rsplit(":", 1)[1]
    query = urlencode({"exp": expires, "sig": signature})
    return f"{base.rstrip('/')}{path}?{query}"


def request_origin(request) -> str:
    """scheme://host the request came through."""
    return request.build_absolute_uri("/").rstrip("/")


def verify(public_id: str, expires: str, signature: str) -> str | None:
    """None when the URL is valid, otherwise why it is not."""
    try:
        expires_at = int(expires)
    except (TypeError, ValueError):
        return "invalid download link"
    try:
        _signer().unsign(f"{public_id}:{expires_at}:{signature or ''}")
    except signing.BadSignature:
        return "invalid download link"
    if expires_at < time.time():
        return "download link expired"
    return None
