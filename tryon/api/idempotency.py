"""The ``Idempotency-Key`` header on task creation (IETF httpapi draft "The Idempotency-Key HTTP Header Field")."""

import hashlib

from tryon.services import Idempotency, InvalidInput

MAX_KEY_LENGTH = 255


def idempotency_of(request) -> Idempotency | None:
    """The request's Idempotency-Key with a fingerprint of its fields and files, or None without the header.

    Call before the form reads the uploads: the files are hashed from the start and rewound.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters")
    return Idempotency(key, _fingerprint(request))


def _fingerprint(request) -> str:
    # "The same request": the same form fields and the same file contents (names do not matter).
    digest = hashlib.sha256()
    for name in sorted(request.POST):
        for value in request.POST.getlist(name):
            digest.update(f"field {name}={value}\n".encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"file {name}\n".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()
