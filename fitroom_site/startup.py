"""Checks a web process makes before it serves anything."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages


def require_collected_static() -> None:
    """Without ``collectstatic``, every page would answer 500 (the manifest has no entries): refuse to start."""
    if settings.DEBUG:
        return  # the static finders serve the source files
    storage = storages["staticfiles"]
    if isinstance(storage, ManifestFilesMixin) and not storage.manifest_storage.exists(storage.manifest_name):
        raise ImproperlyConfigured(
            f"Static files are not collected: no {storage.manifest_name} in STATIC_ROOT ({settings.STATIC_ROOT}). "
            "Run `python manage.py collectstatic --noinput` before starting the web server with DEBUG=false."
        )
