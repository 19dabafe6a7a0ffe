"""The ``Idempotency-Key`` header on task creation (IETF httpapi draft "The Idempotency-Key HTTP Header Field")."""

import hashlib

from tryon.services import Idempotency, InvalidInput


def idempotency_of(request) -> Idempotency | None:
    """The request's Idempotency-Key with a fingerprint of its fields and files, or None without the header.

    Call before the form reads the uploads: the files are hashed from the start and rewound.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not key:
        raise InvalidInput("Idempotency-Key is empty")
    # Stored as a digest: any length and any characters (NUL included, which PostgreSQL cannot store).
    return Idempotency(hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest(), _fingerprint(request))


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
